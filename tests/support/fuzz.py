"""Hypothesis strategies for hostile input: random bytes, and real documents mutated
(bytes flipped, cut, spliced, repeated), which reach deeper into a parser than noise."""

from __future__ import annotations

import encodings.aliases
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Bounded for CI: every property runs this many examples (TEARSHEET_FUZZ_EXAMPLES for a
# longer search by hand), with no deadline (no timing assertions on a loaded machine) and
# no example database written into the tree.
BOUNDED = settings(max_examples=int(os.environ.get("TEARSHEET_FUZZ_EXAMPLES", "60")),
                   deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


_NOT_XML = [*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20)]


@st.composite
def mutated(draw: st.DrawFn, document: bytes) -> bytes:
    """``document`` with a few random edits."""
    data = bytearray(document)
    for _ in range(draw(st.integers(0, 6))):
        edit = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate",
                                     "control"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if edit == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif edit == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif edit == "repeat":
            piece = bytes(data[at:at + draw(st.integers(1, 40))])
            data[at:at] = piece * draw(st.integers(2, 200))
        elif edit == "control":  # a character XML cannot hold, valid UTF-8 all the same
            data[at:at] = bytes([draw(st.sampled_from(_NOT_XML))])
        else:
            del data[at:]
    return bytes(data)


def hostile(document: bytes) -> st.SearchStrategy[bytes]:
    """Noise, or the document mutated."""
    return st.one_of(st.binary(max_size=2000), mutated(document))


def charsets() -> st.SearchStrategy[str | None]:
    """A declared charset: none, junk, or any codec Python knows by name (bytes-to-bytes
    ones such as base64 and zlib, and "undefined", among them: a hostile server may name
    them all)."""
    known = sorted({*encodings.aliases.aliases.values(), "undefined", "rot13"})
    return st.one_of(st.none(), st.text(max_size=20), st.sampled_from(known))
