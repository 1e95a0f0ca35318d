"""Diff cards: a change drawn as a PNG, for people and social posts, with its alt text.

A card shows the outlet and article, the two versions' times, the headline change and the
changed sentences — deletions struck through in red, insertions underlined in green (the
marks say it without colour too) — the change's kinds and labels, and the diff's URL at
the foot. It is made with Pillow, without a browser: text is cut into words, wrapped to
the card's width and cut (with "…" and a count of what is left) when the card is full.
Right-to-left paragraphs are laid out from the right (see
:func:`~tearsheet.diff.fonts.visual_order`).
:func:`alt_text` reads the same blocks for screen readers.

Pure: a change and a :class:`CardInfo` in, an image out (only the font files are read).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from PIL import Image, ImageDraw

from tearsheet.diff.align import WordOp
from tearsheet.diff.changes import Change
from tearsheet.diff.fonts import CJK, Face, FontFiles, direction, find_fonts, visual_order
from tearsheet.diff.summary import kind_label

LANDSCAPE = (1200, 675)
PORTRAIT = (1080, 1350)
FORMATS = {"landscape": LANDSCAPE, "portrait": PORTRAIT}
MAX_ALT = 1500  # Mastodon's limit for a description; Bluesky's is larger
QUOTE = 280  # characters of one passage quoted in the alt text
CONTEXT = 8  # unchanged words kept on each side of a change

Style = Literal["equal", "delete", "insert", "context", "more", "heading"]
INK = {"equal": "#1f2328", "delete": "#a40e26", "insert": "#0b6b2e", "context": "#59636e",
       "more": "#818b98", "heading": "#59636e"}
BACKGROUND = {"delete": "#ffe1e1", "insert": "#d8f5dc"}
BAR = {"added": "#1a7f37", "deleted": "#cf222e", "edited": "#bf8700", "moved": "#818b98",
       "title": "#8250df", "byline": "#8250df"}
ACCENT = "#0b57d0"
LABEL_FILL = "#fff1c2"
PAPER = "#ffffff"
FIELDS = {"title": "Headline", "byline": "Byline"}


@dataclass(frozen=True)
class CardInfo:
    """What a card says beside the change itself."""

    source: str
    title: str
    old: str  # the older version, e.g. "v3 · 4 Dec 2026 14:02 UTC"
    new: str
    url: str = ""  # tearsheet's page of this diff
    labels: tuple[str, ...] = ()  # intents, "silent correction" (shown first, highlighted)


@dataclass(frozen=True)
class Block:
    """One changed thing, as a card and its alt text show it."""

    kind: str  # title | byline | edited | added | deleted | moved
    spans: tuple[tuple[str, Style], ...]
    old: str | None = None  # the full texts, for the alt text
    new: str | None = None


def stamp(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%-d %b %Y %H:%M} UTC" if moment else "?"


def info_from_rows(source: str, before: Mapping[str, Any], after: Mapping[str, Any],
                   url: str = "") -> CardInfo:
    """A card's words for two stored versions (rows of ``versions``). Intents and the
    silent-correction label are drawn when the rows carry them."""
    labels = [label for label in str(after.get("intents") or "").split(",") if label]
    if after.get("silent_correction"):
        labels.insert(0, "silent correction")
    return CardInfo(source=source, title=after.get("title") or before.get("title") or "",
                    old=f"v{before['number']} · {stamp(before.get('captured_at'))}",
                    new=f"v{after['number']} · {stamp(after.get('captured_at'))}",
                    url=url, labels=tuple(kind_label(label) for label in labels))


def blocks(change: Change) -> list[Block]:
    """The headline and byline changes, then each changed unit in the text's order."""
    out = []
    spans: list[tuple[str, Style]]
    for meta in change.alignment.metadata:
        if meta.field not in FIELDS:
            continue
        spans = _spans(meta.words) if meta.words else \
            [(meta.old or "", "delete"), (" ", "equal"), (meta.new or "", "insert")]
        out.append(Block(meta.field, ((FIELDS[meta.field] + ": ", "heading"), *spans),
                         meta.old, meta.new))
    for unit in change.alignment.changed():
        if unit.words:
            spans = elide(_spans(unit.words))
        elif unit.label == "added":
            spans = [(unit.new_text or "", "insert")]
        elif unit.label == "deleted":
            spans = [(unit.old_text or "", "delete")]
        else:
            spans = [(unit.new_text or "", "context")]
        out.append(Block(unit.label, tuple(spans), unit.old_text, unit.new_text))
    return out


def _spans(words: Sequence[WordOp]) -> list[tuple[str, Style]]:
    style: dict[str, Style] = {"equal": "equal", "delete": "delete", "insert": "insert"}
    return [(w.text, style[w.op]) for w in words]


_TOKEN = re.compile(rf"{CJK.pattern}|[^\s{CJK.pattern[1:-1]}]+\s*|\s+")


def elide(spans: Sequence[tuple[str, Style]]) -> list[tuple[str, Style]]:
    """Long unchanged stretches of an edited sentence cut to :data:`CONTEXT` words on
    each side of a change: the card shows the change, not the sentence."""
    out: list[tuple[str, Style]] = []
    last = len(spans) - 1
    for i, (text, style) in enumerate(spans):
        tokens = _TOKEN.findall(text)
        if style != "equal" or len(tokens) <= CONTEXT * (1 if i in (0, last) else 2) + 2:
            out.append((text, style))
            continue
        if i > 0:
            out.append(("".join(tokens[:CONTEXT]), "equal"))
        out.append((" … " if 0 < i < last else ("… " if i == 0 else " …"), "more"))
        if i < last:
            out.append(("".join(tokens[-CONTEXT:]), "equal"))
    return out


# --- layout -----------------------------------------------------------------------------

@dataclass
class Piece:
    """A word (or one CJK character): the unit of wrapping."""

    text: str
    style: Style
    space: bool  # whitespace before it
    joined: bool  # no line break before it (the word goes on in another style)
    width: float = 0.0


_WORD = re.compile(rf"(\s*)({CJK.pattern}|[^\s{CJK.pattern[1:-1]}]+)")


def pieces(spans: Sequence[tuple[str, Style]], face: Callable[[Style], Face]) -> list[Piece]:
    out: list[Piece] = []
    pending = False
    for text, style in spans:
        end = 0
        for match in _WORD.finditer(text):
            space, word = bool(match.group(1)) or pending, match.group(2)
            pending = False
            cjk = bool(CJK.match(word)) or bool(out and CJK.match(out[-1].text[-1]))
            out.append(Piece(word, style, space and bool(out), bool(out) and not space
                             and not cjk, face(style).width(word)))
            end = match.end()
        pending = pending or (bool(text[end:]) and text[end:].isspace())
    return out


def wrap(items: Sequence[Piece], width: float, face: Callable[[Style], Face]
         ) -> list[list[Piece]]:
    """Greedy line filling; a word wider than the line is cut between characters."""
    lines: list[list[Piece]] = [[]]
    used = 0.0
    space = face("equal").space
    for item in items:
        gap = space if item.space and lines[-1] else 0.0
        if lines[-1] and used + gap + item.width > width and not item.joined:
            lines.append([])
            used, gap = 0.0, 0.0
        if item.width > width:
            for part in _cut(item, width - used - gap, width, face(item.style)):
                if lines[-1] and used + gap + part.width > width:
                    lines.append([])
                    used, gap = 0.0, 0.0
                lines[-1].append(part)
                used += gap + part.width
                gap = 0.0
            continue
        lines[-1].append(item)
        used += gap + item.width
    return [line for line in lines if line]


def _cut(item: Piece, first: float, width: float, face: Face) -> Iterator[Piece]:
    text, room = item.text, max(first, 0.0)
    space, joined = item.space, item.joined
    while text:
        size = 1
        while size < len(text) and face.width(text[:size + 1]) <= room:
            size += 1
        yield Piece(text[:size], item.style, space, joined, face.width(text[:size]))
        text, room, space, joined = text[size:], width, False, False


def line_width(line: Sequence[Piece], space: float) -> float:
    return sum(p.width for p in line) + space * sum(p.space for p in line[1:])


def placed(line: Sequence[Piece], rtl: bool, left: float, width: float,
           space: float) -> list[tuple[float, Piece]]:
    """Each piece with its x, in drawing order: right-aligned and reordered for a
    right-to-left paragraph."""
    order = visual_order([direction(p.text) for p in line], rtl)
    x = left + (width - line_width(line, space) if rtl else 0.0)
    out: list[tuple[float, Piece]] = []
    for k, index in enumerate(order):
        if k:
            before = order[k - 1]
            later = max(before, index)
            if abs(before - index) != 1 or line[later].space:
                x += space
        out.append((x, line[index]))
        x += line[index].width
    return out


# --- drawing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Metrics:
    pad: int
    title: int
    meta: int
    body: int
    label: int
    title_lines: int


METRICS = {LANDSCAPE: Metrics(44, 32, 19, 25, 16, 2), PORTRAIT: Metrics(60, 44, 26, 33, 22, 3)}


class Faces:
    """The faces of one card format."""

    def __init__(self, files: FontFiles, metrics: Metrics) -> None:
        self.body = Face(files, metrics.body)
        self.strong = Face(files, metrics.body, bold=True)
        self.title = Face(files, metrics.title, bold=True)
        self.meta = Face(files, metrics.meta)
        self.meta_bold = Face(files, metrics.meta, bold=True)
        self.label = Face(files, metrics.label, bold=True)

    def of(self, style: Style) -> Face:
        return self.strong if style == "heading" else self.body


@lru_cache(maxsize=8)
def _faces(files: FontFiles, size: tuple[int, int]) -> Faces:
    return Faces(files, METRICS[size])


@dataclass
class Canvas:
    image: Image.Image
    draw: ImageDraw.ImageDraw
    faces: Faces
    metrics: Metrics
    y: float = 0.0
    shown: int = 0


@dataclass(frozen=True)
class Card:
    image: Image.Image
    shown: int  # blocks drawn whole
    total: int  # blocks of the change


def render(change: Change, info: CardInfo, size: tuple[int, int] = LANDSCAPE,
           fonts: FontFiles | None = None) -> Card:
    """The card as an RGB image of ``size`` (:data:`LANDSCAPE` or :data:`PORTRAIT`)."""
    if size not in METRICS:
        raise ValueError(f"a card is {LANDSCAPE} or {PORTRAIT}, not {size}")
    metrics = METRICS[size]
    faces = _faces(fonts or find_fonts(), size)
    image = Image.new("RGB", size, PAPER)
    canvas = Canvas(image, ImageDraw.Draw(image), faces, metrics, y=metrics.pad)
    width, height = size
    inner = width - 2 * metrics.pad
    _header(canvas, info, inner)
    foot = height - metrics.pad - round(metrics.meta * 1.5)
    found = blocks(change)
    for block in found:
        if not _block(canvas, block, inner, foot - metrics.body * 0.4):
            break
        canvas.shown += 1
    if not found:
        _text(canvas, metrics.pad, canvas.y, "Only typography or spacing changed.",
              faces.body, INK["context"])
    _footer(canvas, change, info, inner, len(found) - canvas.shown, foot)
    return Card(image, canvas.shown, len(found))


def png(change: Change, info: CardInfo, size: tuple[int, int] = LANDSCAPE,
        fonts: FontFiles | None = None) -> bytes:
    """The card as PNG bytes, in the card's own palette (see :func:`palette`)."""
    out = io.BytesIO()
    image = render(change, info, size, fonts).image
    image.quantize(palette=palette(), dither=Image.Dither.NONE).save(
        out, format="PNG", compress_level=6)
    return out.getvalue()


@lru_cache(maxsize=1)
def palette() -> Image.Image:
    """Every colour a card uses, and 7 blends of each ink towards the paper it is drawn on
    (the anti-aliased edges of letters). A PNG in this palette is a third the size of an
    RGB one and encodes 4× faster: Pillow filters RGB rows adaptively, palette rows not."""
    pairs = [(ink, PAPER) for ink in (*INK.values(), *BAR.values(), ACCENT, "#d0d7de")]
    pairs += [(INK["delete"], BACKGROUND["delete"]), (INK["insert"], BACKGROUND["insert"]),
              ("#7d4e00", LABEL_FILL)]
    # The papers first and exact (Pillow's nearest-colour look-up is coarse: a blend one
    # step from white would take white's pixels), then blends that stop short of them.
    colours = dict.fromkeys(_rgb(c) for c in (PAPER, *BACKGROUND.values(), LABEL_FILL))
    for ink, paper in pairs:
        a, b = _rgb(ink), _rgb(paper)
        for step in range(7):
            r, g, bl = (round(x + (y - x) * step / 8) for x, y in zip(a, b, strict=True))
            colours[(r, g, bl)] = None
    flat = [value for colour in list(colours)[:256] for value in colour]
    image = Image.new("P", (1, 1))
    image.putpalette(flat + [0] * (768 - len(flat)))
    return image


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _text(canvas: Canvas, x: float, y: float, text: str, face: Face, fill: str) -> float:
    face.draw(canvas.draw, x, y, text, fill)
    return face.width(text)


def _fit(text: str, face: Face, width: float) -> str:
    """``text`` cut with "…" to fit one line."""
    if face.width(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if face.width(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def _header(canvas: Canvas, info: CardInfo, inner: float) -> None:
    m, f, pad = canvas.metrics, canvas.faces, canvas.metrics.pad
    brand = "tearsheet"
    brand_width = f.meta_bold.width(brand)
    _text(canvas, pad + inner - brand_width, canvas.y, brand, f.meta_bold, INK["more"])
    _text(canvas, pad, canvas.y, _fit(info.source, f.meta_bold, inner - brand_width - 20),
          f.meta_bold, ACCENT)
    canvas.y += m.meta * 1.6
    title = lambda _: f.title  # noqa: E731
    lines = wrap(pieces([(info.title, "equal")], title), inner, title)
    rtl = direction(info.title) == "R"
    for k, line in enumerate(lines[:m.title_lines]):
        if k == m.title_lines - 1 and len(lines) > m.title_lines:
            line = _with_ellipsis(line, inner, f.title)
        for x, item in placed(line, rtl, pad, inner, f.title.space):
            f.title.draw(canvas.draw, x, canvas.y, item.text, INK["equal"])
        canvas.y += m.title * 1.25
    canvas.y += m.meta * 0.3
    _text(canvas, pad, canvas.y, _fit(f"{info.old}  →  {info.new}", f.meta, inner), f.meta,
          INK["context"])
    canvas.y += m.meta * 1.6
    _labels(canvas, info, inner)
    canvas.draw.line((pad, canvas.y, pad + inner, canvas.y), fill="#d0d7de", width=2)
    canvas.y += m.body * 0.7


def _labels(canvas: Canvas, info: CardInfo, inner: float) -> None:
    """Labels (highlighted), then nothing more: kinds are in the footer."""
    if not info.labels:
        return
    m, face = canvas.metrics, canvas.faces.label
    x, pad = float(m.pad), m.label * 0.6
    for label in info.labels:
        width = face.width(label) + 2 * pad
        if x + width > m.pad + inner:
            break
        canvas.draw.rounded_rectangle((x, canvas.y, x + width, canvas.y + m.label * 1.6),
                                      radius=m.label * 0.5, fill=LABEL_FILL)
        _text(canvas, x + pad, canvas.y + m.label * 0.25, label, face, "#7d4e00")
        x += width + m.label * 0.5
    canvas.y += m.label * 2.2


def _block(canvas: Canvas, block: Block, inner: float, bottom: float) -> bool:
    """Draw a block as far as it fits above ``bottom``; False when it did not fit whole."""
    m, faces = canvas.metrics, canvas.faces
    indent = round(m.body * 0.7)
    width = inner - indent
    lines = wrap(pieces(block.spans, faces.of), width, faces.of)
    height = m.body * 1.4
    room = int((bottom - canvas.y) // height)
    if room <= 0:
        return False
    cut = len(lines) > room
    if cut:
        lines = lines[:room]
        lines[-1] = _with_ellipsis(lines[-1], width, faces.body)
    rtl = direction("".join(t for t, _ in block.spans)) == "R"
    top, left = canvas.y, m.pad + (0 if rtl else indent)
    for line in lines:
        _line(canvas, placed(line, rtl, left, width, faces.body.space), canvas.y)
        canvas.y += height
    bar_x = m.pad + (inner - 4 if rtl else 0)
    canvas.draw.rectangle((bar_x, top + 4, bar_x + 4, canvas.y - 6),
                          fill=BAR.get(block.kind, INK["more"]))
    canvas.y += m.body * 0.5
    return not cut


def _with_ellipsis(line: list[Piece], width: float, face: Face) -> list[Piece]:
    more = Piece("…", "more", True, False, face.width("…"))
    while line and line_width([*line, more], face.space) > width:
        line = line[:-1]
    return [*line, more]


def _line(canvas: Canvas, items: Sequence[tuple[float, Piece]], y: float) -> None:
    draw, faces, size = canvas.draw, canvas.faces, canvas.metrics.body
    top, bottom = y + size * 0.05, y + size * 1.3
    previous: tuple[float, Piece] | None = None
    for x, item in items:  # backgrounds first, joined over the gaps of one style
        if item.style in BACKGROUND:
            start = x
            if previous and previous[1].style == item.style:
                start = previous[0] + previous[1].width
            draw.rectangle((start, top, x + item.width, bottom), fill=BACKGROUND[item.style])
        previous = (x, item)
    for x, item in items:
        ink = INK[item.style]
        faces.of(item.style).draw(draw, x, y + size * 0.1, item.text, ink)
        if item.style == "delete":
            middle = y + size * 0.72
            draw.line((x, middle, x + item.width, middle), fill=ink, width=max(2, size // 12))
        elif item.style == "insert":
            under = y + size * 1.22
            draw.line((x, under, x + item.width, under), fill=ink, width=max(2, size // 14))


def _footer(canvas: Canvas, change: Change, info: CardInfo, inner: float, left: int,
            foot: float) -> None:
    m, f = canvas.metrics, canvas.faces
    canvas.draw.line((m.pad, foot - m.meta * 0.3, m.pad + inner, foot - m.meta * 0.3),
                     fill="#d0d7de", width=2)
    s = change.summary
    right = f"+{s.words_added} / −{s.words_removed} words"
    if left > 0:
        right = f"{left} more change{'s' if left > 1 else ''} · {right}"
    right_width = f.meta_bold.width(right)
    _text(canvas, m.pad + inner - right_width, foot + m.meta * 0.2, right, f.meta_bold,
          INK["context"])
    kinds = ", ".join(kind_label(k) for k in s.kinds)
    left_text = info.url or kinds
    _text(canvas, m.pad, foot + m.meta * 0.2,
          _fit(left_text, f.meta, inner - right_width - m.meta), f.meta, INK["context"])


# --- alt text ---------------------------------------------------------------------------

def alt_text(change: Change, info: CardInfo, limit: int = MAX_ALT) -> str:
    """What a screen reader reads for the card: the same blocks, in words."""
    head = [f"{info.source}: changes to “{info.title}”, {info.old} to {info.new}."]
    if info.labels:
        head.append("Marked: " + ", ".join(info.labels) + ".")
    s = change.summary
    if s.kinds:
        head.append("Kinds: " + ", ".join(kind_label(k) for k in s.kinds) + ".")
    head.append(f"{s.words_added} words added, {s.words_removed} removed.")
    text = " ".join(head)
    found = blocks(change)
    for k, block in enumerate(found):
        sentence = _say(block)
        tail = f" {len(found) - k} more changes." if k < len(found) - 1 else ""
        if len(text) + 1 + len(sentence) + len(tail) > limit:
            more = f" {len(found) - k} more change{'s' if len(found) - k > 1 else ''}."
            return (text + more)[:limit]
        text += " " + sentence
    if not found:
        text += " Only typography or spacing changed."
    return text[:limit]


def _quote(text: str | None) -> str:
    text = " ".join((text or "").split())
    return "“" + (text if len(text) <= QUOTE else text[:QUOTE - 1].rstrip() + "…") + "”"


def _say(block: Block) -> str:
    if block.kind in FIELDS:
        return f"{FIELDS[block.kind]} was {_quote(block.old)}, now {_quote(block.new)}."
    if block.kind == "added":
        return f"Added: {_quote(block.new)}."
    if block.kind == "deleted":
        return f"Removed: {_quote(block.old)}."
    if block.kind == "moved" and block.old == block.new:
        return f"Moved: {_quote(block.new)}."
    return f"Changed: {_quote(block.old)} became {_quote(block.new)}."
