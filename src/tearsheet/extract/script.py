"""Counting words in every script: those written without spaces count by characters.

Chinese, Japanese, Thai, Lao, Khmer and Myanmar text has no spaces between words, so a
whitespace count sees a whole paragraph as one word, and a Chinese article as a stub. There
a word is counted per :data:`CHARS_PER_WORD` characters (about the mean length of a word
in Chinese and Japanese), the rest by whitespace, so one length threshold serves all.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CHARS_PER_WORD = 2
FULL_STOPS = "。！？｡．」』）؟۔।॥"
"""What ends a sentence in scripts other than Latin (Chinese and Japanese stops and closing
quotes, Arabic and Urdu, Devanagari's danda), beside ".", "!" and "?"."""
_WORD = re.compile(r"\w+")
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f]")


def count_words(text: str) -> int:
    """Words of ``text``: whitespace-separated ones, plus unspaced scripts by characters."""
    if text.isascii():  # (no unspaced script is: the test is C's, the scan Python's re)
        return len(text.split())
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    spaced = len(_UNSPACED.sub(" ", text).split())
    return spaced + (unspaced + CHARS_PER_WORD - 1) // CHARS_PER_WORD


def fold(text: str) -> str:
    """The comparison form of a text: whitespace runs as one space, case folded."""
    return " ".join(text.casefold().split())


@lru_cache(maxsize=65536)
def unaccented(text: str) -> str:
    """Lowercase, without accents, as a URL's slug or a transliteration writes a word:
    "Tokáyev" and "tokayev", "Muniér" and "munier" compare equal. (Called once per word
    of every text a trace reads: cached, and plain ASCII needs no decomposition.)"""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def word_key(text: str) -> str:
    """The comparison form of a text's words alone (punctuation and spacing dropped)."""
    return " ".join(_WORD.findall(text.casefold()))


def unspaced(text: str) -> bool:
    """Whether ``text`` holds any script written without spaces between words."""
    return _UNSPACED.search(text) is not None


# Scripts that name their language, for a page that declares none (most of the letters of
# the body in one of them). Kana before Han: Japanese writes both.
_SCRIPTS = (
    ("ja", re.compile("[\u3040-\u30ff]")), ("ko", re.compile("[\uac00-\ud7af]")),
    ("zh", re.compile("[\u4e00-\u9fff]")), ("th", re.compile("[\u0e00-\u0e7f]")),
    ("he", re.compile("[\u0590-\u05ff]")), ("ar", re.compile("[\u0600-\u06ff]")),
    ("el", re.compile("[\u0370-\u03ff]")), ("hi", re.compile("[\u0900-\u097f]")),
)
_LETTER = re.compile(r"[^\W\d_]")
_ANY_SCRIPT = re.compile("|".join(pattern.pattern for _, pattern in _SCRIPTS))


def script_language(text: str) -> str | None:
    """The language a body's script names (Japanese, Korean, Chinese, Thai, Hebrew, Arabic,
    Greek, Hindi), or None: Latin and Cyrillic letters name no one language."""
    sample = text[:4000]
    if not _ANY_SCRIPT.search(sample):
        return None  # (most bodies: their letters need not be counted)
    letters = len(_LETTER.findall(sample))
    if not letters:
        return None
    for code, pattern in _SCRIPTS:
        found = len(pattern.findall(sample))
        if found >= 0.3 * letters or (code == "ja" and found >= 0.05 * letters):
            return code
    return None


# The languages written in each script that names one (a page that declares one of these
# is believed; one that declares another, "en" on a Japanese page, is not).
_WRITTEN_IN = {
    "ja": {"ja"}, "ko": {"ko"}, "th": {"th"}, "el": {"el", "grc"},
    "zh": {"zh", "ja", "ko", "yue", "cmn", "wuu", "hak", "nan", "gan", "lzh", "cdo"},
    "he": {"he", "iw", "yi", "lad", "jrb"},
    "ar": {"ar", "fa", "ur", "ps", "ku", "ckb", "sd", "ug", "ks", "bal", "prs", "azb", "pa",
           "arz", "apc", "ary", "acm", "aeb", "arq", "ms"},
    "hi": {"hi", "mr", "ne", "sa", "kok", "mai", "bho", "new", "awa", "mag", "doi", "brx"},
}


def body_language(declared: str | None, text: str) -> str | None:
    """The article's language: the one the page declares, unless its body is written in a
    script that language is not written in (a theme's default ``lang="en"`` on a
    Japanese article); then, as where it declares none, the one the script names."""
    named = script_language(text)
    if declared is None or named is None:
        return declared or named
    primary = declared.split("-")[0].lower()
    if primary in _WRITTEN_IN[named] or not _mostly(text, named):
        return declared  # (an English article quoting Japanese is still English)
    return named


_OF_SCRIPT = {**dict(_SCRIPTS), "ja": re.compile("[\u3040-\u30ff\u4e00-\u9fff]")}


def _mostly(text: str, code: str) -> bool:
    """Most of the letters of ``text`` are of the script ``code`` names."""
    sample = text[:4000]
    letters = len(_LETTER.findall(sample))
    return letters > 0 and len(_OF_SCRIPT[code].findall(sample)) >= 0.5 * letters
