"""What survives when a text is copied, rewritten or translated: the features a trace
compares, and the MinHash keys that find candidates among millions of versions (pure).

A copy of an article is rarely the article: quote marks go, paragraphs are merged,
sentences dropped, words swapped for synonyms, the whole thing machine-translated. Two
kinds of evidence survive differently:

- **words** — runs of three words (accents, case and typography folded): most of them
  survive a light rewrite, none a translation;
- **anchors** — names, numbers and dates. A translation keeps them: "20,000", "20 000"
  and "20.000" are one number; month and weekday names of English, French, German and
  Spanish are one date token; a name is reduced to its consonant skeleton, so the
  transliterations "Tokayev", "Tokaïev", "Tokajew" and "Tokáyev" are one name ("tkv").

Each token has a weight: a number weighs most, then a name or date, then a word; the
common words of the four languages weigh little. :func:`sketch` draws a version's
MinHash keys from both kinds of shingle: one-permutation hashing (Li, Owen and Zhang,
2012) — every shingle is hashed once (BLAKE2b, 8 bytes, personalised per channel), the
hash's top bits choose one of ``buckets`` buckets and the smallest hash in each bucket is
kept. Each kept value is one LSH band of one row: the key is the shingle's hash itself,
so two texts share a key exactly when the same shingle is the smallest of its bucket in
both, which happens with probability about their Jaccard similarity, bucket by bucket.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import struct
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Literal, NamedTuple

from tearsheet.extract.script import unaccented

Kind = Literal["word", "stop", "name", "number", "date"]

WORD_BUCKETS = 32
ANCHOR_BUCKETS = 16
WEIGHTS: dict[Kind, float] = {"number": 4.0, "name": 3.0, "date": 2.0, "word": 1.0,
                              "stop": 0.2}
"""How much a token says about where a text came from: names, numbers and dates survive
translation and paraphrase; common words survive anything and say nothing."""


_COMMON_WORDS = {
    "en": """a about after against all also an and any are as at be because been before
        being but by can could did do does during each for from had has have he her here
        him his how i if in into is it its just me more most mr mrs ms my no not now of on
        once one only or other our out over said says she should so some such than that the
        their them then there these they this those through to too under until up very was
        we were what when where which while who whom why will with would you your s t ll ve
        re""",
    "fr": """à au aux avec ce ces cette dans de des du elle en et est été il ils la le les
        leur lui mais même ne ni nous on ou par pas pour qu que qui sa se ses son sont sur
        un une y d l a""",
    "de": """der die das den dem des ein eine einer eines einem einen und ist sind war
        wurde wurden hat haben mit von zu im in auf für nicht sich es er sie als auch an aus
        bei nach wie dass oder um über vor durch so noch nur am zum zur""",
    "es": """el la los las un una unos unas y o de del al en con por para es son fue
        fueron ha han que se su sus lo le les no como más pero sin sobre entre este esta ese
        esa""",
}
STOPWORDS = frozenset(unaccented(w) for words in _COMMON_WORDS.values() for w in words.split())
_SHARED_WORDS = {"a", "in", "an", "de", "la", "en", "es", "y", "d", "l", "s", "t", "so", "die"}
_LANGUAGE_WORDS = {code: frozenset(map(unaccented, words.split())) - _SHARED_WORDS
                   for code, words in _COMMON_WORDS.items()}

_DATES = {
    **{w: f"m{i}" for i, names in enumerate((
        "january janvier januar enero jan", "february fevrier februar febrero feb",
        "march mars marz marzo mar", "april avril abril apr", "may mai mayo",
        "june juin juni junio jun", "july juillet juli julio jul",
        "august aout agosto aug", "september septembre septiembre sept sep",
        "october octobre oktober octubre oct", "november novembre noviembre nov",
        "december decembre dezember diciembre dec",
    ), start=1) for w in names.split()},
    **{w: f"d{i}" for i, names in enumerate((
        "monday lundi montag lunes", "tuesday mardi dienstag martes",
        "wednesday mercredi mittwoch miercoles", "thursday jeudi donnerstag jueves",
        "friday vendredi freitag viernes", "saturday samedi samstag sabado",
        "sunday dimanche sonntag domingo",
    ), start=1) for w in names.split()},
}
# A number: digit groups joined by thousands separators (",", ".", "'", thin or no-break
# spaces, a plain space before exactly three digits), then decimals. Its token is its
# digits only, so every locale's way of writing it gives the same token.
_NUMBER = re.compile(r"\d{1,3}(?:(?:[,.'\u00a0\u202f\u2009 ])\d{3})+(?![\d])(?:[.,]\d+)?"
                     r"|\d+(?:[.,]\d+)?")
_TOKEN = re.compile(rf"{_NUMBER.pattern}|[^\W\d_]+")
_SKELETON = [("sch", "s"), ("ch", "k"), ("kh", "k"), ("sh", "s"),
             ("ph", "f"), ("th", "t"), ("c", "k"), ("q", "k"), ("z", "s"), ("x", "ks"),
             ("w", "v")]
# German capitalises every noun; a word after one of these is a noun, not a name.
_GERMAN_ARTICLES = frozenset(("der", "die", "das", "den", "dem", "des", "ein", "eine",
    "einer", "eines", "einem", "einen", "zum", "zur", "im", "am", "beim", "vom", "seiner",
    "seinem", "seinen", "seine", "ihre", "ihrer", "ihrem", "ihren", "dieser", "diese",
    "dieses", "diesem", "diesen", "jeder", "jede", "jedes", "keine", "keinen"))
_VOWELS = re.compile(r"[aeiouyhj]+")
_REPEATS = re.compile(r"(.)\1+")


class Token(NamedTuple):
    """A word, name, number or date of a sentence, as compared (a tuple: hashed in C, which
    matters when a trace counts tens of thousands of them)."""

    key: str
    kind: Kind

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]

    @property
    def anchor(self) -> bool:
        """Survives translation: a name, a number or a date."""
        return self.kind in _ANCHOR_KINDS


_ANCHOR_KINDS = frozenset({"name", "number", "date"})


@lru_cache(maxsize=65536)
def skeleton(name: str) -> str:
    """A name's consonant skeleton, the same in most Latin-script transliterations, without
    a final "s" (the German genitive: "Romneys"); a name of one consonant ("Teo", "Xi")
    is kept whole."""
    word = unaccented(name)
    for before, after in _SKELETON:
        word = word.replace(before, after)
    bare = _REPEATS.sub(r"\1", _VOWELS.sub("", word))
    if len(bare) > 2 and bare.endswith("s"):
        bare = bare[:-1]
    return bare if len(bare) >= 2 else unaccented(name)


@lru_cache(maxsize=8192)
def tokens(sentence: str) -> tuple[Token, ...]:
    """The tokens of one sentence, in order (see the module's description)."""
    found: list[Token] = []
    previous = ""
    for index, raw in enumerate(_TOKEN.findall(sentence)):
        # A capital makes a name, except at the start of a sentence (unless the whole word
        # is in capitals: a dateline) and after a German article (a noun).
        found.append(_token(raw, (index > 0 or raw.isupper())
                            and previous not in _GERMAN_ARTICLES))
        previous = raw.lower()
    return tuple(found)


@lru_cache(maxsize=65536)
def _token(raw: str, may_be_name: bool) -> Token:
    """One word or number as a token (cached: words repeat across every text read)."""
    if raw[0].isdigit():
        digits = re.sub(r"\D", "", raw)
        return Token(digits, "number" if len(digits) > 1 else "word")
    word = unaccented(raw)
    if word in _DATES:
        return Token(_DATES[word], "date")
    if word in STOPWORDS:
        return Token(word, "stop")
    if may_be_name and raw[0].isupper() and len(word) >= 2:
        return Token("@" + skeleton(raw), "name")
    return Token(word, "word")


def text_tokens(sentences: Iterable[str]) -> list[Token]:
    return [token for sentence in sentences for token in tokens(sentence)]


def shingles(sentences: Sequence[str]) -> tuple[set[str], set[str]]:
    """Word shingles (three tokens in a row) and anchor shingles (two anchors in a row,
    in either order, and each number of three or more digits)."""
    found = text_tokens(sentences)  # once: the two kinds of shingle read the same tokens
    keys = [(key[1:] if kind == "name" else key) for key, kind in found]
    words = set(map(" ".join, zip(keys, keys[1:], keys[2:], strict=False)))
    anchors_seq = [key for key, kind in found if kind in _ANCHOR_KINDS]
    anchors = {"|".join(sorted(pair)) for pair in itertools.pairwise(anchors_seq)
               if pair[0] != pair[1]}
    anchors.update(key for key in anchors_seq if key.isdigit() and len(key) >= 3)
    return words, anchors


_SIGNED = struct.Struct(">q").unpack


def minhash(shingles_: Iterable[str], channel: bytes, buckets: int) -> list[int]:
    """The smallest hash of each non-empty bucket (one-permutation MinHash).

    A shingle's hash: BLAKE2b of its UTF-8, 8 bytes, personalised by ``channel``, read as
    a big-endian signed integer (each by a copy of one personalised hasher: about a third
    of the cost of making one per shingle, same values)."""
    shift = 64 - (buckets.bit_length() - 1)
    best: dict[int, int] = {}
    fresh = hashlib.blake2b(digest_size=8, person=channel).copy
    for shingle in shingles_:
        hasher = fresh()
        hasher.update(shingle.encode("utf-8"))
        value: int = _SIGNED(hasher.digest())[0]
        bucket = (value + 2**63) >> shift
        if bucket not in best or value < best[bucket]:
            best[bucket] = value
    return [best[b] for b in sorted(best)]


def sketch(sentences: Sequence[str]) -> list[int]:
    """The MinHash LSH keys of a text (signed 64-bit integers, at most
    ``WORD_BUCKETS + ANCHOR_BUCKETS``), as stored in the trace index."""
    words, anchors = shingles(sentences)
    return sorted(set(minhash(words, b"tearsheet-w", WORD_BUCKETS)
                      + minhash(anchors, b"tearsheet-a", ANCHOR_BUCKETS)))


def guess_language(text: str) -> str | None:
    """English, French, German or Spanish, by their commonest words (None: no idea). A
    pasted copy says nothing of its language; its sentences are split by its rules."""
    words = [unaccented(w) for w in _TOKEN.findall(text[:3000]) if not w[0].isdigit()]
    counts = {code: sum(w in common for w in words) for code, common in _LANGUAGE_WORDS.items()}
    code, best = max(counts.items(), key=lambda item: item[1])
    return code if best >= max(3, 0.05 * len(words)) else None
