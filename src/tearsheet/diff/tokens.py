"""Words and diff tokens in every script, those written without spaces too.

The diff engine pairs sentences by their shared words and diffs an edited sentence word
by word. Chinese and Japanese (Han, Kana) and Thai, Lao, Khmer and Myanmar write no
spaces between words, so ``\\w+`` sees a whole clause as one "word": a sentence with one
character changed shares no word with its old form (it is shown deleted and added), and
its word diff replaces it whole. Here each character of those scripts is a word of its
own, with the combining vowels and tone marks that belong to it (Thai "ที่" is one token,
not three), so their diffs align and read like English ones. Characters, not a
dictionary segmenter: no segmenter covers all of these scripts, a diff needs no
dictionary to find a changed character, and the cleanup in :mod:`tearsheet.diff.align`
folds single-character islands into the change around them. Korean (Hangul) is written
with spaces and keeps whole words; right-to-left scripts are spaced and keep their
logical order (the diff never reorders text).
"""

from __future__ import annotations

import re
import unicodedata

# Han (extension A, unified, compatibility, the supplementary planes), Kana (hiragana,
# katakana, phonetic extensions, half-width), Thai, Lao, Myanmar, Khmer.
_RANGES = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x3040, 0x30FF),
           (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
           (0xFF66, 0xFF9F), (0x20000, 0x2FA1F))
UNSPACED = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _RANGES)


def _marks() -> str:
    """The combining marks of those scripts (they stay with the letter before them)."""
    found = [chr(c) for lo, hi in _RANGES if hi < 0x3000 for c in range(lo, hi + 1)
             if unicodedata.category(chr(c)).startswith("M")]
    found += ["\u3099", "\u309a"]  # kana voicing marks
    return "".join(re.escape(c) for c in found)


_MARKS = _marks()
_CHAR = rf"[{UNSPACED}][{_MARKS}]*"
_WORD_PATTERN = rf"{_CHAR}|[^\W{UNSPACED}]+"
WORD = re.compile(_WORD_PATTERN)
"""A word: one character of an unspaced script (with its marks), else a run of ``\\w``."""
TOKEN = re.compile(rf"(?:{_WORD_PATTERN})\s*|[^\w\s]+\s*|\s+")
"""A diff token: a word or a run of punctuation, with its trailing space."""
_UNSPACED_CHAR = re.compile(f"[{UNSPACED}]")
_MARK = re.compile(f"[{_MARKS}]")


def words(text: str) -> list[str]:
    """The words of ``text`` (unspaced scripts: one per character)."""
    return WORD.findall(text)


def tokens(text: str) -> list[str]:
    """``text`` cut into diff tokens; ``"".join(tokens(text)) == text``."""
    return TOKEN.findall(text)


def inside_word(text: str, at: int) -> bool:
    """Cutting ``text`` before index ``at`` splits a word: two letters of a spaced script,
    or a letter of an unspaced script from its combining mark."""
    if not 0 < at < len(text):
        return False
    before, after = text[at - 1], text[at]
    if _MARK.match(after):
        return True
    if _UNSPACED_CHAR.match(before) or _UNSPACED_CHAR.match(after):
        return False
    return before.isalnum() and after.isalnum()
