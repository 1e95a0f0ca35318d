"""The fonts a diff card is drawn with: found on the system, or named in the settings.

A card must show Latin, Greek, Cyrillic, CJK and right-to-left text without a browser.
No single common font covers all of them well, so a card uses two: a *text* font for
alphabetic scripts (Noto Sans, DejaVu Sans — both also cover Hebrew and Arabic) and a
*CJK* font for Han, kana and Hangul (Noto Sans CJK, WenQuanYi Micro Hei, Droid Sans
Fallback). Each character is drawn with the first that covers its script. Fonts are
looked up by file name in the usual font folders (the places fontconfig reads), once per
process; ``cards.fonts`` in the settings puts other files first. ``scripts/setup``
installs Debian's ``fonts-dejavu-core`` and ``fonts-wqy-microhei`` (5 MB, Apache-2.0).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

log = logging.getLogger("tearsheet.card")

TEXT_FONTS = ("NotoSans-Regular.ttf", "DejaVuSans.ttf", "LiberationSans-Regular.ttf",
              "Arial.ttf", "arial.ttf")
BOLD_FONTS = ("NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf",
              "Arial Bold.ttf", "arialbd.ttf")
CJK_FONTS = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "wqy-microhei.ttc",
             "DroidSansFallbackFull.ttf", "DroidSansFallback.ttf", "wqy-zenhei.ttc")
CJK_BOLD_FONTS = ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf")

CJK = re.compile("[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u9fff\ua960-\ua97f\uac00-\ud7ff"
                 "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
"""Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana…)."""
LTR = re.compile(r"[^\W\d_\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def font_dirs() -> list[Path]:
    """The folders fontconfig reads on Linux, and their macOS and Windows peers."""
    home = Path.home()
    data = os.environ.get("XDG_DATA_DIRS", "/usr/local/share:/usr/share").split(":")
    dirs = [Path(os.environ.get("XDG_DATA_HOME", home / ".local/share")) / "fonts",
            home / ".fonts", *(Path(d) / "fonts" for d in data if d),
            Path("/Library/Fonts"), Path("/System/Library/Fonts"),
            Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"]
    return list(dict.fromkeys(dirs))


@lru_cache(maxsize=1)
def _installed() -> dict[str, Path]:
    """Font files by name, first folder first (walked once per process)."""
    found: dict[str, Path] = {}
    for folder in font_dirs():
        if not folder.is_dir():
            continue
        for root, _, files in os.walk(folder):
            for name in files:
                found.setdefault(name, Path(root) / name)
    return found


def _first(names: Iterable[str]) -> Path | None:
    installed = _installed()
    return next((installed[n] for n in names if n in installed), None)


@dataclass(frozen=True)
class FontFiles:
    """Where the card's faces come from (None: not found)."""

    text: Path | None
    bold: Path | None
    cjk: Path | None
    cjk_bold: Path | None

    @property
    def covers_cjk(self) -> bool:
        return self.cjk is not None


@lru_cache(maxsize=8)
def find_fonts(preferred: tuple[str, ...] = ()) -> FontFiles:
    """The files to draw with. ``preferred`` (from ``cards.fonts``) are tried first, for
    both roles: a font that covers CJK can be the only one."""
    given = [Path(p).expanduser() for p in preferred]
    missing = [str(p) for p in given if not p.is_file()]
    if missing:
        log.warning("cards.fonts: no such font file: %s", ", ".join(missing))
    given = [p for p in given if p.is_file()]
    text = given[0] if given else _first(TEXT_FONTS)
    bold = given[0] if given else _first(BOLD_FONTS)
    cjk = next((p for p in given if _covers_cjk(p)), None) or _first(CJK_FONTS)
    files = FontFiles(text=text or cjk, bold=bold or text or cjk, cjk=cjk,
                      cjk_bold=_first(CJK_BOLD_FONTS) or cjk)
    if cjk is None:
        log.warning("no CJK font found: Chinese, Japanese and Korean text on cards will "
                    "show as boxes (install fonts-wqy-microhei or set cards.fonts)")
    return files


def _covers_cjk(path: Path) -> bool:
    font = ImageFont.truetype(str(path), 20, layout_engine=ImageFont.Layout.BASIC)
    # A font without the glyph draws its .notdef box: the same mask for any missing one.
    return bool(font.getmask("中").getbbox() != font.getmask("\U000e0000").getbbox())


class Face:
    """One size and weight: a text font and a CJK font, each character drawn with the
    one that covers its script. Right-to-left words are shaped by Raqm (letters joined)
    when Pillow has it, else put in visual order by python-bidi."""

    def __init__(self, files: FontFiles, size: int, bold: bool = False) -> None:
        text = (files.bold if bold else files.text)
        cjk = (files.cjk_bold if bold else files.cjk)
        self.size = size
        self.text = _load(text, size, raqm=False)
        self.cjk = _load(cjk, size, raqm=False) if cjk else self.text
        self.shaper = _load(text, size, raqm=True) if features.check("raqm") else None
        self._widths: dict[str, float] = {}
        self.space = self.text.getlength(" ")

    def runs(self, text: str) -> list[tuple[str, ImageFont.FreeTypeFont]]:
        """``text`` cut where the font changes, in logical order."""
        out: list[tuple[str, ImageFont.FreeTypeFont]] = []
        for char in text:
            font = self.cjk if CJK.match(char) else self.text
            if out and out[-1][1] is font:
                out[-1] = (out[-1][0] + char, font)
            else:
                out.append((char, font))
        return out

    def width(self, text: str) -> float:
        found = self._widths.get(text)
        if found is None:
            if RTL.search(text):
                found = self._rtl_width(text)
            else:
                found = sum(font.getlength(run) for run, font in self.runs(text))
            if len(self._widths) > 50_000:
                self._widths.clear()
            self._widths[text] = found
        return found

    def _rtl_width(self, text: str) -> float:
        if self.shaper is not None:
            return float(self.shaper.getlength(text, direction="rtl"))
        return float(self.text.getlength(visual(text)))

    def draw(self, draw: ImageDraw.ImageDraw, x: float, y: float, text: str, fill: str) -> None:
        """``text`` (a word or words of one direction) with its left edge at ``x`` and its
        top at ``y``."""
        if RTL.search(text):
            if self.shaper is not None:
                draw.text((x, y), text, font=self.shaper, fill=fill, direction="rtl")
            else:
                draw.text((x, y), visual(text), font=self.text, fill=fill)
            return
        for run, font in self.runs(text):
            draw.text((x, y), run, font=font, fill=fill)
            x += font.getlength(run)


def visual(text: str) -> str:
    """A right-to-left word's characters in the order they are drawn (python-bidi)."""
    from bidi import get_display

    return str(get_display(text, base_dir="R"))


@lru_cache(maxsize=64)
def _load(path: Path | None, size: int, raqm: bool) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if raqm else ImageFont.Layout.BASIC
    if path is None:  # Pillow's own font: Latin only, but a card all the same
        return ImageFont.load_default(size)  # type: ignore[return-value]
    return ImageFont.truetype(str(path), size, layout_engine=engine)


def direction(text: str) -> str:
    """``R``, ``L`` or ``N`` (neutral: digits, punctuation): the first strong letter."""
    for char in text:
        if RTL.match(char):
            return "R"
        if LTR.match(char):
            return "L"
    return "N"


def visual_order(directions: Sequence[str], rtl: bool) -> list[int]:
    """The drawing order (left to right) of words in logical order, at word level.

    The Unicode bidirectional algorithm in little: a neutral word between two of the same
    direction takes it, else the paragraph's; a right-to-left paragraph is reversed, then
    each left-to-right run in it back (and conversely), so "New York" inside Hebrew stays
    "New York" while the sentence reads from the right."""
    base = "R" if rtl else "L"
    resolved = list(directions)
    for i, d in enumerate(resolved):
        if d == "N":
            before = next((x for x in reversed(resolved[:i]) if x != "N"), base)
            after = next((x for x in directions[i + 1:] if x != "N"), base)
            resolved[i] = before if before == after else base
    order = list(range(len(resolved)))
    if rtl:
        order.reverse()
    out: list[int] = []
    run: list[int] = []
    for index in order:
        if resolved[index] != base:
            run.append(index)
            continue
        out += reversed(run)
        run = []
        out.append(index)
    return out + list(reversed(run))
