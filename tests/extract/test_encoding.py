"""Encodings: the right charset, and mojibake repaired or refused, never stored."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract.encoding import (
    composed,
    decode_html,
    mojibake_count,
    repair_mojibake,
    xml_safe,
)
from tearsheet.extract.extraction import extract
from tests.support.localserver import LocalServer, Reply
from tests.support.newsroom import export, run_once, write_config
from tests.support.pages import LOREM, article_page, rss_feed

CLEAN = "Señor Müller’s “café” — don’t miss the crème brûlée… €5"


def double_encoded(text: str) -> str:
    """What a CMS that read UTF-8 as windows-1252 shows (and stores, and serves).

    As browsers decode windows-1252: its five undefined bytes become C1 controls.
    """
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def test_double_encoding_looks_as_expected() -> None:
    assert double_encoded("é’") == "Ã©â€™"


@pytest.mark.parametrize(
    "text",
    [CLEAN, "naïve façade", "Zürich Straße", "日本語のテキスト", "emoji 🎉 ok", "€100 – £90"],
)
def test_repair_undoes_double_encoding_exactly(text: str) -> None:
    assert repair_mojibake(double_encoded(text)) == text
    assert repair_mojibake(text) == text  # clean text is never touched


@pytest.mark.parametrize(
    "text",
    ["A Irmã” disse", "São Paulo, “não”", "Ãgua", "ÂÂ", "À–", "ã…"],
)
def test_text_that_only_looks_like_mojibake_is_left_alone(text: str) -> None:
    assert repair_mojibake(text) == text


def test_a_wrong_single_byte_declaration_is_overridden_by_valid_utf8() -> None:
    page = article_page("Café", [*LOREM, CLEAN], charset="windows-1252").encode("utf-8")
    assert CLEAN in decode_html(page)
    assert CLEAN in decode_html(page, "ISO-8859-1")
    found = extract(page, "https://news.example/a", "windows-1252")
    assert found.paragraphs[-1] == CLEAN
    assert found.title == "Café"


def test_real_windows_1252_still_decodes_as_declared() -> None:
    page = article_page("Café", [*LOREM, CLEAN.replace("€5", "5")], charset=None)
    found = extract(page.encode("cp1252"), "https://news.example/a", "windows-1252")
    assert found.paragraphs[-1] == CLEAN.replace("€5", "5")


def test_mojibake_in_the_page_is_repaired_before_it_is_stored() -> None:
    page = article_page(double_encoded("Café society’s “quiet” résumé"),
                        [*LOREM, double_encoded(CLEAN)], byline=double_encoded("José Núñez"))
    found = extract(page.encode("utf-8"), "https://news.example/a", "utf-8")
    assert found.title == "Café society’s “quiet” résumé"
    assert found.byline == "José Núñez"
    assert found.paragraphs[-1] == CLEAN
    assert mojibake_count(found.text) == 0


@pytest.mark.parametrize(
    "broken",
    ["\ufffd\ufffd lost \ufffd bytes", "â€x â€y â€z beyond repair"],
)
def test_unrepairable_text_is_refused(broken: str) -> None:
    page = article_page("Headline", [*LOREM, broken])
    with pytest.raises(ExtractionError) as caught:
        extract(page.encode("utf-8"), "https://news.example/a", "utf-8")
    assert caught.value.reason == "mojibake"


def test_the_tracker_stores_the_repaired_text(server: LocalServer, tmp_path: Path) -> None:
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/cafe", "x")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    # A misconfigured server: UTF-8 bytes, declared windows-1252 in the header.
    server.route("/news/cafe", Reply(
        body=article_page("Café", [*LOREM, CLEAN]).encode("utf-8"),
        headers={"Content-Type": "text/html; charset=windows-1252"}))
    config = write_config(tmp_path, server)
    run_once(config)
    versions = export(config, tmp_path)
    assert versions[0]["title"] == "Café"
    assert str(versions[0]["text"]).endswith(CLEAN)


def test_a_few_stray_marks_in_a_page_whose_accents_are_intact_are_kept() -> None:
    # The source's own broken spaces in footnotes, beside a text full of correct umlauts.
    german = "Für die Fläche, die für Fleisch gebraucht wird, gibt es größere Zahlen. " * 8
    page = article_page("Fläche", [*LOREM, german, "\ufffd WWF\ufffd (2020):\ufffd Report"])
    assert "WWF" in extract(page.encode("utf-8"), "https://news.example/a", "utf-8").text


def test_a_page_in_its_declared_utf8_but_for_one_cut_sequence_is_read_as_utf8() -> None:
    text = "Kolejne organizacje sprzeciwiają się atakom na fundację. " * 40
    body = (f'<html><head><meta charset="utf-8"></head><body><p>{text}</p>'
            "<p>tys. paczek papieros").encode() + b"\xc3...</p></body></html>"
    assert "sprzeciwiają się" in decode_html(body)


def test_xml_safe_drops_what_xml_cannot_hold_and_keeps_the_rest() -> None:
    assert xml_safe("a\x01b\x1fc\x0bd\x0ce\ufffef\uffffg\ud800h") == "abc d efg\ufffdh"
    kept = "tab\tnew\nline\rcr \x7f \x85 é 中文 \ufffd 😀"
    assert xml_safe(kept) is kept  # nothing to drop: the same string, not a copy


@pytest.mark.parametrize("label", ["undefined", "base64", "zlib", "rot13", "uu"])
def test_a_charset_naming_no_text_encoding_is_ignored(label: str) -> None:
    """Python has codecs by these names (bytes to bytes, or one that refuses all): a
    hostile server's or page's label made decoding raise instead of being ignored."""
    page = "<p>Café au lait</p>".encode()
    assert decode_html(page, label) == "<p>Café au lait</p>"
    declared = f'<meta charset="{label}"><p>Café au lait</p>'.encode()
    assert decode_html(declared).endswith("<p>Café au lait</p>")


def test_a_utf16_label_on_a_page_spelled_in_ascii_bytes_is_read_as_utf8() -> None:
    """Decoded as UTF-16, such bytes raise no error: they read as CJK-looking garbage. A
    <meta> saying UTF-16 is spelled in ASCII, so the page is not UTF-16 (WHATWG reads it
    as UTF-8); nor is a body an HTTP label calls UTF-16 that holds no NUL byte."""
    page = '<html><head><meta charset="utf-16"></head><body><p>Café society</p></body></html>'
    assert decode_html(page.encode()) == page
    assert decode_html(page.encode(), "UTF-16") == page
    assert decode_html((page + " ").encode(), "utf-16le") == page + " "  # an even length too
    utf16 = "<html><body><p>Café society</p></body></html>"
    assert decode_html(utf16.encode("utf-16-le"), "utf-16le") == utf16  # the real thing


def test_an_xhtml_page_without_meta_charset_is_read_in_its_xml_declaration() -> None:
    page = ('<?xml version="1.0" encoding="ISO-8859-2"?>\n<html><body><p>Zażółć gęślą '
            "jaźń, pisał reporter w środę.</p></body></html>")
    assert decode_html(page.encode("iso-8859-2")) == page


def test_text_written_decomposed_is_composed_and_composed_text_left_alone() -> None:
    decomposed = unicodedata.normalize("NFD", "Über die Brücke, café, 한국어")
    assert decomposed != "Über die Brücke, café, 한국어"
    assert composed(decomposed) == "Über die Brücke, café, 한국어"
    already = "Über die Brücke, café, 한국어"
    assert composed(already) is already  # no copy of a page already composed
