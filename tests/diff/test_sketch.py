"""The trace index's MinHash keys: stored with every version, so they must never drift."""

from __future__ import annotations

import hashlib
import itertools

from tearsheet.diff.sketch import ANCHOR_BUCKETS, WORD_BUCKETS, shingles, sketch, text_tokens
from tests.support import seed

SENTENCES = [
    "President Tokayev said on Monday that 20,000 troops would leave by March 2024.",
    "The ministry in Astana confirmed the figure, and 3,500 vehicles would follow.",
    "Critics, including Senator Ana Müller, called the plan rushed.",
]


def _reference_shingles(sentences: list[str]) -> tuple[set[str], set[str]]:
    """The definition, written plainly (as the keys stored so far were made)."""
    found = text_tokens(sentences)
    keys = [t.key[1:] if t.kind == "name" else t.key for t in found]
    words = {" ".join(keys[i:i + 3]) for i in range(len(keys) - 2)}
    sequence = [t.key for t in found if t.anchor]
    anchors = {"|".join(sorted(pair)) for pair in itertools.pairwise(sequence)
               if pair[0] != pair[1]}
    anchors.update(key for key in sequence if key.isdigit() and len(key) >= 3)
    return words, anchors


def _reference_minhash(shingles_: set[str], channel: bytes, buckets: int) -> list[int]:
    shift = 64 - (buckets.bit_length() - 1)
    best: dict[int, int] = {}
    for shingle in shingles_:
        digest = hashlib.blake2b(shingle.encode(), digest_size=8, person=channel).digest()
        value = int.from_bytes(digest, "big", signed=True)
        bucket = (value + 2**63) >> shift
        best[bucket] = min(value, best.get(bucket, value))
    return [best[b] for b in sorted(best)]


def test_keys_are_those_of_the_definition() -> None:
    texts = [SENTENCES, *([p] for p in seed.versions()[0].split("\n\n")[:6])]
    for sentences in texts:
        words, anchors = _reference_shingles(sentences)
        assert shingles(sentences) == (words, anchors)
        expected = sorted(set(_reference_minhash(words, b"tearsheet-w", WORD_BUCKETS)
                              + _reference_minhash(anchors, b"tearsheet-a", ANCHOR_BUCKETS)))
        assert sketch(sentences) == expected


def test_a_known_text_keeps_its_keys() -> None:
    keys = sketch(SENTENCES)
    assert all(-(2**63) <= k < 2**63 for k in keys)
    # As the code before the hashing was made cheaper computed them (stored keys stay valid).
    assert len(keys) == 27
    assert keys[:3] == [-8735671419047512229, -8162731598853349682, -7910227530231679205]
