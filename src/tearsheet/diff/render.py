"""How a change is shown: in a colour terminal, or as HTML with ``<del>`` and ``<ins>``.

Pure rendering of a :class:`~tearsheet.diff.changes.Change`. Article text is hostile, so the
terminal view builds :class:`rich.text.Text` objects (never markup) and the HTML view
escapes every piece of text it writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape

from rich.console import Group, RenderableType
from rich.text import Text

from tearsheet.diff.align import FieldChange, Unit, WordOp
from tearsheet.diff.changes import Change

CONTEXT = 1  # unchanged sentences shown around each change in the terminal view
LABEL_STYLES = {"added": "green", "deleted": "red", "moved": "yellow", "edited": "cyan"}


def _words_text(words: Sequence[WordOp]) -> Text:
    text = Text()
    for word in words:
        if word.op == "equal":
            text.append(word.text)
        elif word.op == "delete":
            text.append(word.text, style="bold red strike")
        else:
            text.append(word.text, style="bold green underline")
    return text


def terminal(change: Change, *, context: int = CONTEXT) -> RenderableType:
    """A reading of the change: metadata, then each changed unit with a little context."""
    parts: list[RenderableType] = []
    for field in change.alignment.metadata:
        line = Text(f"{field.field}: ", style="bold")
        if field.words:
            line.append_text(_words_text(field.words))
        else:
            line.append(f"{field.old} → {field.new}")
        parts.append(line)
    units = change.alignment.units
    shown = _near_changes(units, context)
    skipped = 0
    for position, unit in enumerate(units):
        if position not in shown:
            skipped += 1
            continue
        if skipped:
            parts.append(Text(f"  … {skipped} unchanged", style="dim"))
            skipped = 0
        parts.append(_terminal_unit(unit))
    if skipped:
        parts.append(Text(f"  … {skipped} unchanged", style="dim"))
    parts.append(Text(change.summary.describe(sentences=True), style="bold"))
    return Group(*parts)


def _near_changes(units: Sequence[Unit], context: int) -> set[int]:
    shown: set[int] = set()
    for position, unit in enumerate(units):
        if unit.label != "unchanged":
            shown.update(range(max(0, position - context), position + context + 1))
    return shown


def _terminal_unit(unit: Unit) -> Text:
    style = LABEL_STYLES.get(unit.label, "dim")
    mark = {"added": "+ ", "deleted": "- ", "moved": "↕ ", "edited": "~ "}.get(unit.label, "  ")
    line = Text(mark, style=style)
    if unit.words:
        line.append_text(_words_text(unit.words))
    elif unit.label == "deleted":
        line.append(unit.old_text or "", style="red")
    elif unit.label == "unchanged":
        line.append(unit.new_text or "", style="dim")
    else:
        line.append(unit.new_text or "", style=style)
    if unit.label == "moved":
        line.append(f"  (moved from position {unit.old_index})", style="dim yellow")
    return line


# --- HTML -----------------------------------------------------------------------------

def _words_html(words: Sequence[WordOp], side: str) -> str:
    out = []
    for word in words:
        text = escape(word.text)
        if word.op == "equal":
            out.append(text)
        elif word.op == "delete" and side in ("old", "inline"):
            out.append(f"<del>{text}</del>")
        elif word.op == "insert" and side in ("new", "inline"):
            out.append(f"<ins>{text}</ins>")
    return "".join(out)


def _cell(unit: Unit, side: str) -> str:
    text = unit.old_text if side == "old" else unit.new_text
    if text is None:
        return '<td class="empty"></td>'
    if unit.words:
        body = _words_html(unit.words, side)
    elif unit.label in ("added", "deleted"):
        tag = "ins" if unit.label == "added" else "del"
        body = f"<{tag}>{escape(text)}</{tag}>"
    else:
        body = escape(text)
    note = ' <span class="moved">moved</span>' if unit.label == "moved" else ""
    return f'<td class="{unit.label}">{body}{note}</td>'


FIELD_NAMES = {"title": "headline", "standfirst": "standfirst", "byline": "byline",
               "published_at": "date published"}


def field_name(field: str) -> str:
    """What people call a metadata field (``title`` is the headline)."""
    return FIELD_NAMES.get(field, field.replace("_", " "))


def html_rows(change: Change) -> Iterator[str]:
    """Table rows, old on the left and new on the right, aligned unit by unit."""
    for field in change.alignment.metadata:
        old = _words_html(field.words, "old") if field.words else escape(field.old or "")
        new = _words_html(field.words, "new") if field.words else escape(field.new or "")
        yield (f'<tr class="metadata"><th scope="row">{escape(field_name(field.field))}</th>'
               f'<td class="edited">{old}</td><td class="edited">{new}</td></tr>')
    for unit in change.alignment.units:
        # The row's kind heads it (for screen readers; on screen only where it changed).
        label = unit.label if unit.label != "unchanged" else \
            '<span class="vh">unchanged</span>'
        yield (f'<tr><th scope="row">{label}</th>{_cell(unit, "old")}{_cell(unit, "new")}'
               '</tr>')


def html_inline(item: Unit | FieldChange) -> str:
    """One unit (or metadata change) as inline HTML: deletions and insertions in place."""
    if item.words:
        return _words_html(item.words, "inline")
    if isinstance(item, FieldChange):
        return f"<del>{escape(item.old or '')}</del> <ins>{escape(item.new or '')}</ins>"
    if item.label == "added":
        return f"<ins>{escape(item.new_text or '')}</ins>"
    if item.label == "deleted":
        return f"<del>{escape(item.old_text or '')}</del>"
    note = ' <span class="moved">moved</span>' if item.label == "moved" else ""
    return escape(item.new_text or "") + note


def html_document(change: Change, old_label: str = "old", new_label: str = "new") -> str:
    """A standalone page: side by side, readable on a phone, printable."""
    rows = "\n".join(html_rows(change))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(old_label)} → {escape(new_label)}</title>
<style>
body {{ font: 16px/1.5 Georgia, serif; margin: 1rem; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
td, th {{ vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #eee; }}
th {{ width: 6rem; font: 12px sans-serif; color: #666; text-align: left; }}
del {{ background: #fdd; color: #900; }}
ins {{ background: #dfd; color: #060; text-decoration: none; }}
td.unchanged {{ color: #555; }}
.moved {{ font: 12px sans-serif; background: #ffc; padding: 0 .3em; }}
.vh {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }}
@media (max-width: 40rem) {{ th {{ display: none; }} td {{ display: block; }} }}
</style></head><body>
<p><strong>{escape(change.summary.describe(sentences=True))}</strong></p>
<table><thead><tr><th>change</th><th>{escape(old_label)}</th><th>{escape(new_label)}</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
