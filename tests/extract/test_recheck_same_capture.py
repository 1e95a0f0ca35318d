"""The same capture again: a page served byte for byte as when its key was made is known
unchanged by a hash of its bytes, before any parse; anything else goes on to the key's
digest (and, when that differs, a full extraction), as before."""

from __future__ import annotations

import json

import pytest

from tearsheet.extract import check_capture
from tearsheet.extract import recheck as recheck_module
from tearsheet.extract.fast_path import capture_digest, recheck, same_capture
from tearsheet.extract.recheck import DecisionKey
from tests.support.pages import KEYED_HEADLINE, KEYED_STORY, article_page

URL = "https://news.example/story"


def page(noise: int) -> bytes:
    return article_page(KEYED_HEADLINE, KEYED_STORY, byline="Jane Doe", noise=noise).encode()


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cheap parse fails: only a check that never parses can still find a match (the
    fast path never raises: a failure there means "extract in full", None)."""
    def refuse(*_: object) -> None:
        raise AssertionError("parsed")
    monkeypatch.setattr(recheck_module, "_document", refuse)


def first_key(body: bytes, charset: str | None = "utf-8") -> str:
    checked = check_capture(body, URL, charset, "text/html")
    assert checked.extraction is not None and checked.key is not None
    return checked.key


def test_the_key_holds_the_capture_it_was_made_from() -> None:
    body = page(noise=1)
    key = DecisionKey.loads(first_key(body))
    assert key is not None
    assert key.capture == capture_digest(body, "utf-8", "text/html")
    assert key.capture.startswith(f"{len(body)}:")
    assert DecisionKey.loads(key.dumps()) == key


@pytest.mark.usefixtures("no_parse")
def test_the_same_bytes_are_known_without_a_parse() -> None:
    body = page(noise=1)
    key = first_key(body)
    length = DecisionKey.loads(key).body_length  # type: ignore[union-attr]
    for found in (recheck(body, URL, "utf-8", "text/html", key),
                  same_capture(body, "utf-8", "text/html", key),
                  check_capture(body, URL, "utf-8", "text/html", key=key)):
        assert found is not None
        assert (found.extraction, found.key, found.body_length) == (None, key, length)


@pytest.mark.usefixtures("no_parse")
@pytest.mark.parametrize("other", [
    pytest.param(lambda body: (page(noise=2), "utf-8", "text/html"), id="new chrome"),
    # One byte changed, the length kept: the hash, not the length, decides.
    pytest.param(lambda body: (body.replace(b"council", b"Council", 1), "utf-8",
                               "text/html"), id="a byte"),
    pytest.param(lambda body: (body, "iso-8859-1", "text/html"), id="another charset"),
    pytest.param(lambda body: (body, "utf-8", "application/xhtml+xml"), id="another type"),
])
def test_any_other_capture_goes_on_to_the_digest(other: object) -> None:
    body = page(noise=1)
    key = first_key(body)
    changed, charset, content_type = other(body)  # type: ignore[operator]
    assert (changed, charset, content_type) != (body, "utf-8", "text/html")
    assert recheck(changed, URL, charset, content_type, key) is None  # it parsed
    assert same_capture(changed, charset, content_type, key) is None


def test_the_digest_still_judges_a_page_in_new_chrome() -> None:
    key = first_key(page(noise=1))
    found = recheck(page(noise=2), URL, "utf-8", "text/html", key)
    assert found is not None and found.extraction is None


@pytest.mark.usefixtures("no_parse")
def test_a_key_stored_before_the_capture_was_kept_still_loads_and_never_shortcuts() -> None:
    body = page(noise=1)
    fields = json.loads(first_key(body))
    older = json.dumps(fields[:-1])  # as stored before the capture's field
    loaded = DecisionKey.loads(older)
    assert loaded is not None and loaded.capture == ""
    assert recheck(body, URL, "utf-8", "text/html", older) is None  # it parsed
    assert same_capture(body, "utf-8", "text/html", older) is None
    assert DecisionKey.loads(json.dumps([*fields, "more"])) is None  # a field too many


def test_no_shortcut_for_what_is_not_a_page_or_a_key() -> None:
    body = page(noise=1)
    key = first_key(body)
    assert same_capture(body, "utf-8", "application/pdf", key) is None
    assert same_capture(body, "utf-8", "text/html", "not json") is None


def test_a_page_no_digest_covers_is_known_by_its_capture_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A stub gets no digest (the refusal checks read its whole page's text), but the same
    bytes again are the same page: a key of the capture alone matches them and nothing
    else (a page in new chrome is extracted in full)."""
    def short(noise: int) -> bytes:
        return article_page(KEYED_HEADLINE, KEYED_STORY[:1], byline="Jane Doe",
                            noise=noise).encode()
    first = check_capture(short(1), URL, "utf-8", "text/html")
    assert first.extraction is not None and first.key is not None
    assert len(first.extraction.text.split()) < recheck_module.MIN_WORDS
    key = DecisionKey.loads(first.key)
    assert key is not None and (key.locator, key.digest) == ((), "")
    assert key.body_length == len(first.extraction.text)
    again = check_capture(short(2), URL, "utf-8", "text/html", key=first.key)
    assert again.extraction is not None  # new chrome: extracted in full
    assert again.extraction.paragraphs == first.extraction.paragraphs
    assert recheck(short(2), URL, "utf-8", "text/html", first.key) is None
    monkeypatch.setattr(recheck_module, "_document", lambda *_: pytest.fail("parsed"))
    same = check_capture(short(1), URL, "utf-8", "text/html", key=first.key)
    assert (same.extraction, same.key, same.body_length) == (None, first.key,
                                                             first.body_length)


def test_a_body_of_more_paragraphs_than_the_key_places_gets_a_key_of_its_capture_alone(
) -> None:
    """Placing each paragraph costs a search of the page's text: past MAX_PARAGRAPHS a
    body gets no digest (it is extracted in full on every check) instead of minutes of
    search (20,000 paragraphs took two)."""
    def long_page(paragraphs: int) -> bytes:
        return article_page(KEYED_HEADLINE, [f"{KEYED_STORY[n % len(KEYED_STORY)]} ({n})"
                                             for n in range(paragraphs)]).encode()
    limit = recheck_module.MAX_PARAGRAPHS
    for paragraphs, digested in ((limit, True), (limit + 1, False)):
        made = check_capture(long_page(paragraphs), URL, "utf-8", "text/html")
        assert made.extraction is not None and len(made.extraction.paragraphs) == paragraphs
        key = DecisionKey.loads(made.key)
        assert key is not None and bool(key.digest) == digested
        assert key.capture == capture_digest(long_page(paragraphs), "utf-8", "text/html")
