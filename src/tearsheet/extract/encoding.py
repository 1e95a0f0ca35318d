"""Bytes to text: the page's charset, and mojibake repaired or refused before it is stored.

Order, as browsers do (WHATWG): a byte-order mark wins; then the HTTP charset; then
``<meta charset>``; then strict UTF-8; then statistical detection, leaning to
windows-1252. Two things browsers forgive that a revision tracker must not:

- a page declared as a single-byte charset (windows-1252, ISO-8859-x) whose bytes are
  valid UTF-8 is UTF-8 (a misconfigured server): decoding it as declared would store
  "cafÃ©" and, once the server is fixed, a phantom edit;
- text that is *already* double-encoded in the page ("â€™" for "’", "Ã©" for "é") is
  repaired where the repair is exact (:func:`repair_mojibake`); what cannot be repaired
  is refused (:func:`garbled`), never stored. A page declared UTF-8 with a few bad bytes is
  still UTF-8 (the bad bytes replaced), not a guess.

Text is read in one Unicode form, composed (NFC: :func:`composed`), as trafilatura writes
its output: a page written decomposed ("a" and a combining diaeresis for "ä", as text
pasted from some editors is) would otherwise never match the body's own text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

from tearsheet.urls import text_codec

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte-order marks and the codec each names: a mark wins over any declared label."""
XML_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._\-]+)""")
"""An XML declaration's encoding (``match`` at the document's start): a feed's or sitemap's
label, and an XHTML page's when it has no ``<meta charset>``."""
_SINGLE_BYTE = re.compile(r"^(?:cp125\d|latin-1|iso8859-\d+|ascii|mac-roman|koi8-[ru])$")
_STRAY_BYTES = 2000  # at most one bad byte in this many: the declared charset still holds
# Control characters no text holds (tab, newlines, form feed and vertical tab do).
_BINARY = bytes([*range(0x00, 0x09), *range(0x0e, 0x20)])
# Characters XML cannot hold: C0 controls but tab and newlines, lone surrogates, U+FFFE/F.
_NOT_XML_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20)])
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# UTF-8 read as windows-1252: a lead byte shown as Â-ô, then continuation bytes shown as
# C1 controls, the windows-1252 punctuation at 0x80-0x9f, or Latin-1 0xa0-0xbf.
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_HIGH}]{{1,3}}")


def decode_html(body: bytes, charset: str | None = None) -> str:
    """Decode a page: BOM, then the HTTP charset, then ``<meta charset>`` (else an XML
    declaration's encoding), then detection."""
    for bom, name in BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace")
    declared = [(charset, False)] if charset else []
    match = _META_CHARSET.search(body[:4096]) or XML_ENCODING.match(body[:1024])
    if match:
        declared.append((match.group(1).decode("ascii", "ignore"), True))
    codecs_declared = []
    for name, in_page in declared:
        codec = text_codec(name)
        if codec is None:
            continue
        if codec.startswith(("utf-16", "utf-32")) and (in_page or b"\x00" not in body[:1024]):
            # A page whose bytes spell its declaration in ASCII is not UTF-16 (WHATWG reads
            # such a <meta> as UTF-8); nor is a body without a NUL byte: decoded as UTF-16,
            # either is CJK-looking garbage that decodes without an error.
            codec = "utf-8"
        codecs_declared.append(codec)
        if codec in ("latin-1", "iso8859-1", "ascii"):
            codec = "cp1252"  # what browsers do: the WHATWG encoding standard
        if _SINGLE_BYTE.match(codec) and not body.isascii():
            try:
                return body.decode("utf-8")  # valid UTF-8 with non-ASCII: declared wrong
            except UnicodeDecodeError:
                pass
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # A page in its declared charset but for a few bad bytes (a sequence cut in two by a
    # CMS's "…"): read as declared, as browsers read it, the bad bytes replaced. A guess
    # would read the whole page in another charset.
    for codec in codecs_declared:
        text = body.decode(codec, errors="replace")
        if text.count("\ufffd") <= len(body) / _STRAY_BYTES:
            return text
    return body.decode(_guess_encoding(body[:200_000]), errors="replace")


def composed(text: str) -> str:
    """``text`` in Unicode's composed form (NFC); the same object when it is in it already.

    The body's rules compare the tree's text with trafilatura's blocks (sister sections,
    link texts, headlines, repeats); trafilatura composes its blocks, so on a page written
    decomposed none of them matched (an interview's text modules lost but the first). 31
    of the 620 pages of ``../shared/corpora`` hold decomposed text somewhere. The check
    costs ~0.33 ms on a 160 KB page, ~0.06 ms on a 36 KB one."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def looks_binary(text: str) -> bool:
    """Control characters or undecodable bytes in more than 1 % of the first 64 KB."""
    sample = text[:65536]
    # Counted in the UTF-8 bytes, where a control character is one byte that no other
    # character's bytes hold: bytes.translate deletes them ~4x faster than a regex finds
    # them (0.15 -> 0.04 ms a page).
    raw = sample.encode("utf-8", "surrogatepass")
    controls = len(raw) - len(raw.translate(None, _BINARY))
    return controls + sample.count("\ufffd") > len(sample) / 100


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot hold (C0 controls but tab and newlines,
    lone surrogates, U+FFFE and U+FFFF); a vertical tab or form feed becomes a space.

    lxml's HTML parser keeps them in the tree, then refuses any text holding one that is
    set later: trafilatura's edits of the tree and tearsheet's own (a removed element's
    tail joined to its neighbour's) raised ``ValueError`` on such a page, where the page
    deserved an extraction or a clear refusal. A browser shows none of them. Checked in
    the UTF-8 bytes (~0.08 ms for a 36 KB page; the regular expression alone, ~0.12)."""
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw.translate(None, _NOT_XML_BYTES)) == len(raw) and b"\xed" not in raw \
            and b"\xef\xbf" not in raw:
        return text
    return _NOT_XML.sub(_xml_replacement, text)


def parseable(text: str) -> str:
    """The page's text as extraction parses it: without the characters XML cannot hold
    (:func:`xml_safe`) and composed (:func:`composed`); the same object when neither
    changes it. The fast path's cheap parse reads a page so when its key says extraction
    rewrote it (``recheck.DecisionKey.rewritten``)."""
    return composed(xml_safe(text))


def _xml_replacement(match: re.Match[str]) -> str:
    found = match.group()
    return " " if found in "\x0b\x0c" else "\ufffd" if "\ud800" <= found <= "\udfff" else ""


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-windows-1252 sequences, each only where the undoing is exact.

    Every candidate is turned back into the bytes it was read from and decoded as strict
    UTF-8; a sequence that does not decode ("ã”" in Portuguese, say) is left as it is.
    """
    if not _MOJIBAKE.search(text):
        return text
    return _MOJIBAKE.sub(_undo, text)


def mojibake_count(text: str) -> int:
    """Marks of text that is still broken: replacement characters, and "â€", the
    double-encoded start of every general punctuation mark, which no language writes."""
    return text.count("\ufffd") + text.count("â€")


def garbled(text: str, *, least: int = 3, share: float = 0.25) -> bool:
    """Text broken beyond repair: at least ``least`` marks of mojibake, making up at least
    ``share`` of its non-ASCII characters. A page decoded wrongly garbles nearly all of
    them; a few stray replacement characters in a page whose accents are intact (a
    footnote's broken spaces, say) are the source's own typos, not a broken page."""
    broken = mojibake_count(text)
    if broken < least:
        return False
    return broken >= share * sum(1 for c in text if ord(c) > 127)


def _undo(match: re.Match[str]) -> str:
    found = match.group(0)
    lead = ord(found[0])
    size = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4  # bytes of the UTF-8 sequence
    if len(found) < size:
        return found
    try:
        raw = bytes(ord(c) if ord(c) < 256 else c.encode("cp1252")[0] for c in found[:size])
        return raw.decode("utf-8") + found[size:]
    except (UnicodeDecodeError, UnicodeEncodeError):
        return found


def _guess_encoding(sample: bytes) -> str:
    """Statistical detection, leaning to windows-1252 as browsers do for undeclared pages.

    Detectors split hairs between Western code pages on short or ambiguous samples (cp1250
    and cp1252 tie on English text with a few accents); windows-1252 wins such ties and
    any low-confidence guess that it can decode.
    """
    results = charset_normalizer.from_bytes(sample)
    best = results.best()
    if best is None:
        return "cp1252"
    western = next((m for m in results if m.encoding == "cp1252"), None)
    if western is not None and western.chaos <= best.chaos + 0.01 \
            and western.coherence >= best.coherence - 0.02:
        return "cp1252"
    if best.coherence < 0.5:
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best.encoding)
