"""Readable messages: a change's sentences marked in each channel's markup, from templates.

E-mail (plain text and HTML), Slack (mrkdwn), Discord (Markdown) and Matrix (plain text
and its HTML subset) each get the changed sentences with deletions and insertions marked
in their own way, from sandboxed Jinja2 templates: the bundled ones in ``templates/``, or
the administrator's from ``notifications.templates`` or a rule's ``templates``.

Article text is hostile, so every value a template prints is escaped for its markup —
HTML by Jinja's autoescaping, Slack and Discord by :class:`Marked`-aware finalizers —
except the pieces this module marked up itself. Pure: no database, no network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape as html_escape
from importlib.resources import files
from typing import Any

from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from tearsheet.config import MESSAGE_TEMPLATES, NotifyRule, NotifySettings
from tearsheet.diff.card import FIELDS, blocks, stamp
from tearsheet.diff.changes import Change
from tearsheet.diff.summary import kind_label
from tearsheet.notify.rules import ChangeEvent, change_context

MAX_CHANGES = 15  # changed sentences named in one message; the rest are counted
MAX_PASSAGE = 600  # characters of one added or deleted passage quoted
LABELS = {"edited": "Changed", "added": "Added", "deleted": "Removed", "moved": "Moved",
          **FIELDS}


class Marked(str):
    """Text already in a channel's markup: printed as it is, never escaped again."""

    __slots__ = ()


def slack_escape(text: str) -> str:
    """Slack's three control characters (``<@U…>``, ``<!channel>`` and links start so)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_DISCORD_SPECIAL = re.compile(r"([\\*_~`|<\[\]@])|^([#>-])", re.MULTILINE)


def discord_escape(text: str) -> str:
    """Markdown characters backslashed (inline ones anywhere, headings, quotes and lists
    at a line's start), so article text cannot format, link or mention."""
    return _DISCORD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


@dataclass(frozen=True)
class Marking:
    """How one format marks a change and escapes text."""

    escape: Callable[[str], str]
    delete: str  # a format string for deleted words
    insert: str
    html: bool = False  # Jinja autoescaping (HTML) instead of a finalizer
    apart: bool = False  # a space between a deletion and the insertion right after it


_DEL_STYLE = "background:#ffe1e1;color:#a40e26;text-decoration:line-through"
_INS_STYLE = "background:#d8f5dc;color:#0b6b2e;text-decoration:underline"
FORMATS = {
    "text": Marking(str, "[-{}-]", "{{+{}+}}"),
    "html": Marking(html_escape, f'<del style="{_DEL_STYLE}">{{}}</del>',
                    f'<ins style="{_INS_STYLE}">{{}}</ins>', html=True),
    # Matrix's HTML subset has no <ins>, and colours only on <font>/<span data-mx-color>.
    "matrix_html": Marking(html_escape, '<font color="#a40e26"><del>{}</del></font>',
                           '<font color="#0b6b2e"><u>{}</u></font>', html=True),
    "slack": Marking(slack_escape, "~{}~", "*{}*", apart=True),
    "discord": Marking(discord_escape, "~~{}~~", "**__{}__**", apart=True),
}
TEMPLATE_FORMATS = {"email_text": "text", "email_html": "html", "slack": "slack",
                    "discord": "discord", "matrix_text": "text", "matrix_html": "matrix_html"}
assert set(TEMPLATE_FORMATS) == set(MESSAGE_TEMPLATES)


def mark(spans: Sequence[tuple[str, str]], fmt: str) -> str:
    """Spans of a card block (text, style) in a format's markup. Whitespace stays outside
    the marks: Slack and Discord only format a run that starts and ends with a letter."""
    markup = FORMATS[fmt]
    out = []
    last = ""
    for text, style in spans:
        core = text.strip()
        if style not in ("delete", "insert") or not core:
            out.append(markup.escape(text))
            last = ""
            continue
        lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        if markup.apart and last == "delete" and style == "insert" and not lead:
            lead = " "
        pattern = markup.delete if style == "delete" else markup.insert
        out.append(markup.escape(lead) + pattern.format(markup.escape(core))
                   + markup.escape(trail))
        last = "" if trail else style
    return "".join(out)


def _clip(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= MAX_PASSAGE else text[:MAX_PASSAGE - 1].rstrip() + "…"


def changes(change: Change, fmt: str, limit: int = MAX_CHANGES) -> tuple[list[dict[str, Any]],
                                                                          int]:
    """The changed things (headline, byline, sentences) as templates see them, at most
    ``limit``, and how many more there are."""
    found = blocks(change)
    safe = Markup if FORMATS[fmt].html else Marked
    out = []
    for block in found[:limit]:
        spans = [(text, style) for text, style in block.spans if style != "heading"]
        if block.kind in ("added", "deleted"):
            spans = [(_clip(text), style) for text, style in spans]
        out.append({"kind": block.kind, "label": LABELS.get(block.kind, kind_label(block.kind)),
                    "old": block.old, "new": block.new, "marked": safe(mark(spans, fmt)),
                    "words": [{"op": _OPS.get(style, "equal"), "text": text}
                              for text, style in spans]})
    return out, max(0, len(found) - limit)


_OPS = {"delete": "delete", "insert": "insert", "more": "elided"}


def message_context(event: ChangeEvent, change: Change | None, base_url: str, fmt: str,
                    card: str | None = None, card_alt: str = "") -> dict[str, Any]:
    """What a message template can use (documented in docs/reach.md): the variables of
    every message, the changes marked in ``fmt``, and the card's image source."""
    context = change_context(event, base_url)
    marked, more = changes(change, fmt) if change is not None else ([], 0)
    joiner = "<br>\n" if FORMATS[fmt].html else "\n"
    safe = Markup if FORMATS[fmt].html else Marked
    summary = change.summary.describe() if change is not None else ""
    return {**context, "base_url": base_url, "changes": marked, "more": more,
            "summary": summary, "when": stamp(event.captured_at),
            "diff": safe(joiner.join(f"{c['label']}: {c['marked']}" for c in marked)),
            "card": card, "card_alt": card_alt,
            "card_url": f"{base_url}{event.diff_path()}.png" if base_url else ""}


# --- templates ------------------------------------------------------------------------

def _finalize(escape: Callable[[str], str]) -> Callable[[Any], str]:
    def finalize(value: Any) -> str:
        if value is None:
            return ""
        return value if isinstance(value, Marked) else escape(str(value))
    return finalize


@cache
def environment(fmt: str) -> SandboxedEnvironment:
    markup = FORMATS[fmt]
    if markup.html:
        return SandboxedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return SandboxedEnvironment(autoescape=False, trim_blocks=True, lstrip_blocks=True,
                                finalize=_finalize(markup.escape))


def bundled(name: str) -> str:
    """The source of a bundled template (``tearsheet/notify/templates/NAME.j2``)."""
    return files("tearsheet.notify").joinpath("templates", f"{name}.j2").read_text("utf-8")


def template_source(name: str, rule: NotifyRule, settings: NotifySettings) -> str:
    """A rule's own template, else the settings' one, else the bundled one."""
    return rule.templates.get(name) or settings.templates.get(name) or bundled(name)


@lru_cache(maxsize=256)
def _compiled(fmt: str, source: str) -> Template:
    return environment(fmt).from_string(source)


def render(name: str, source: str, context: Mapping[str, Any], limit: int) -> str:
    """Template ``name`` (its source given) rendered, cut to ``limit`` characters."""
    text = _compiled(TEMPLATE_FORMATS[name], source).render(**context).strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def summary_markup(title: str, body: str, fmt: str) -> str:
    """A flood summary (plain text from the rule's summary templates) in ``fmt``."""
    escape = FORMATS[fmt].escape
    if FORMATS[fmt].html:
        return f"<p><strong>{escape(title)}</strong></p><p>" + \
            "<br>\n".join(escape(line) for line in body.splitlines()) + "</p>"
    return escape(body)
