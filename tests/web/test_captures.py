"""The version page's proof: the raw capture, rendered sandboxed, and its WARC record."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tearsheet.store.store import Store
from tearsheet.web import create_app
from tests.support import webclient
from tests.support.served import launch, new_page, serve
from tests.support.warcsite import Site, config, track

SCRIPT = "<script>document.title = 'script ran'; alert('x')</script>"


@pytest.fixture
def served(server, tmp_path: Path) -> Iterator[tuple[str, Site]]:  # type: ignore[no-untyped-def]
    site = Site(server, extra=SCRIPT)
    settings = config(tmp_path, server)
    track(settings, 3, site).close()
    store = Store.open(settings.database_url)
    try:
        with serve(create_app(settings, store)) as base:
            yield base, site
    finally:
        store.close()


def test_version_page_links_to_the_capture_and_its_record(
    served: tuple[str, Site],
) -> None:
    base, site = served
    page = webclient.get(base + "/articles/1/versions/2").text
    assert 'href="/articles/1/versions/2/capture"' in page
    assert 'href="/articles/1/versions/2/capture.warc"' in page
    capture = webclient.get(base + "/articles/1/versions/2/capture")
    assert capture.status_code == 200
    assert capture.headers["content-type"] == "text/html; charset=utf-8"
    policy = capture.headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "allow-scripts" not in policy
    assert "default-src 'none'" in policy
    assert "A correction was appended" in capture.text  # version 2's page, decoded
    assert SCRIPT in capture.text  # served as captured: the sandbox, not escaping, disarms it
    record = webclient.get(base + "/articles/1/versions/2/capture.warc")
    assert record.headers["content-type"] == "application/warc"
    assert "attachment" in record.headers["content-disposition"]
    parsed = [(r.rec_type, r.raw_stream.read())
              for r in ArchiveIterator(io.BytesIO(record.content))]
    assert [kind for kind, _ in parsed] == ["response"]
    assert parsed[0][1] in site.served


def test_missing_capture_is_404(served: tuple[str, Site]) -> None:
    base, _ = served
    for path in ("/articles/1/versions/9/capture", "/articles/7/versions/1/capture.warc"):
        assert webclient.get(base + path).status_code == 404


def test_no_script_of_the_capture_runs_in_a_browser(served: tuple[str, Site]) -> None:
    from playwright.sync_api import sync_playwright

    base, _ = served
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = new_page(browser)
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: dialogs.append(dialog.message))
            page.goto(base + "/articles/1/versions/1")
            page.click("text=the page as captured")
            assert page.url.endswith("/articles/1/versions/1/capture")
            assert "A story kept as proof" in page.inner_text("body")
            assert page.title() != "script ran"
            assert dialogs == []
        finally:
            browser.close()


def test_a_damaged_capture_is_410_with_a_message(served: tuple[str, Site], tmp_path: Path,
                                                 ) -> None:
    """The record is where the version says, but its bytes are damaged: gone, and said so."""
    from tearsheet.archive.warc import default_dir
    from tests.support.warcsite import config as configured

    base, site = served
    settings = configured(tmp_path, site.server)
    store = Store.open(settings.database_url)
    row = store.version(1, 2)
    store.close()
    assert row is not None
    path = default_dir(settings) / row["warc_file"]
    data = bytearray(path.read_bytes())
    middle = row["warc_offset"] + row["warc_length"] // 2
    data[middle:middle + 64] = b"\x00" * 64  # inside the gzip member: it no longer inflates
    path.write_bytes(bytes(data))
    answer = webclient.get(base + "/articles/1/versions/2/capture")
    assert answer.status_code == 410
    assert "damaged" in answer.text and row["warc_file"] in answer.text
    assert "Traceback" not in answer.text
