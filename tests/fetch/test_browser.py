"""The browser pool against a local site (127.0.0.1) and Debian's Chromium: robots.txt,
cookies kept per source, settling on a selector, and errors that name what is missing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import pytest

from tearsheet.config import Settings, load_settings
from tearsheet.errors import (
    BrowserUnavailableError,
    FetchError,
    FetchTimeoutError,
    RobotsDisallowedError,
)
from tearsheet.fetch.browser import Browser, RenderOptions
from tearsheet.fetch.fetcher import Fetcher
from tests.support.jssite import Site, cookie
from tests.support.localserver import LocalServer
from tests.support.processes import descendants
from tests.support.served import chromium


@pytest.fixture
def site(server: LocalServer) -> Site:
    return Site(server)


def settings_for(tmp_path: Path, **fetch: object) -> Settings:
    return load_settings(
        database_url=f"sqlite:///{tmp_path / 'ts.db'}",
        fetch={"per_host_delay": 0, "timeout": "5s", "allow_private_addresses": True,
               "browser_timeout": "15s", "browser_path": chromium(), **fetch})


def test_robots_txt_holds_for_the_browser(site: Site, server: LocalServer,
                                          tmp_path: Path) -> None:
    server.route("/private/a", "<html><body>secret</body></html>")
    settings = settings_for(tmp_path, obey_robots=True)

    async def go() -> None:
        async with Fetcher(settings.fetch) as fetcher, Browser(settings.fetch, fetcher) as b:
            with pytest.raises(RobotsDisallowedError, match=r"robots\.txt"):
                await b.render(server.url("/private/a"), RenderOptions("s"))

    asyncio.run(go())
    assert server.hits("/private/a") == []


def test_cookies_stay_with_their_source(site: Site, server: LocalServer,
                                        tmp_path: Path) -> None:
    site.publish("budget")
    settings = settings_for(tmp_path, browser_concurrency=1)

    async def go() -> None:
        async with Fetcher(settings.fetch) as fetcher, Browser(settings.fetch, fetcher) as b:
            url = server.url("/gate/budget")
            assert b"Checking your browser" not in (
                await b.render(url, RenderOptions("a"))).document
            # Another source has its own jar (and, with one context, evicts the first).
            await b.render(server.url("/app/budget"),
                           RenderOptions("b", cookies={"consent": "yes"}))
            assert b.contexts() == 1
            # The first source's cookie came back with its context: no challenge again.
            before = len(server.hits("/gate/budget"))
            await b.render(url, RenderOptions("a"))
            assert len(server.hits("/gate/budget")) == before + 1

    asyncio.run(go())
    assert cookie(server.hits("/app/budget")[0]) == "consent=yes"


def test_wait_for_a_selector_that_never_comes(site: Site, server: LocalServer,
                                              tmp_path: Path) -> None:
    site.publish("budget")
    settings = settings_for(tmp_path, browser_timeout="2s")

    async def go() -> None:
        async with Fetcher(settings.fetch) as fetcher, Browser(settings.fetch, fetcher) as b:
            with pytest.raises(FetchTimeoutError, match=r"no element matches '\.missing'"):
                await b.render(server.url("/app/budget"), RenderOptions("s", ".missing"))

    asyncio.run(go())


def test_missing_chromium_is_named(tmp_path: Path, site: Site) -> None:
    settings = settings_for(tmp_path, browser_path=str(tmp_path / "no-chromium"))

    async def go() -> None:
        async with Fetcher(settings.fetch) as fetcher, Browser(settings.fetch, fetcher) as b:
            await b.start()

    with pytest.raises(BrowserUnavailableError, match=r"fetch\.browser_path names .*no-chromium"):
        asyncio.run(go())


def test_missing_playwright_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     site: Site) -> None:
    monkeypatch.setitem(sys.modules, "playwright.async_api", None)
    settings = settings_for(tmp_path)

    async def go() -> None:
        async with Fetcher(settings.fetch) as fetcher, Browser(settings.fetch, fetcher) as b:
            await b.start()

    with pytest.raises(BrowserUnavailableError, match=r'pip install "tearsheet\[browser\]"'):
        asyncio.run(go())


def test_a_killed_chromium_is_started_again(site: Site, server: LocalServer,
                                            tmp_path: Path) -> None:
    site.publish("budget")
    settings = settings_for(tmp_path)

    async def go() -> None:
        async with Fetcher(settings.fetch) as fetcher, Browser(settings.fetch, fetcher) as b:
            url = server.url("/app/budget")
            assert b"<article>" in (await b.render(url, RenderOptions("s"))).document
            for pid in chromium_processes():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            while chromium_processes():
                await asyncio.sleep(0.05)
            with contextlib.suppress(Exception):  # the check under way may fail
                await b.render(url, RenderOptions("s"))
            assert b"<article>" in (await b.render(url, RenderOptions("s"))).document

    asyncio.run(go())


def test_a_chromium_that_stops_answering_fails_the_render_in_bounded_time(
        site: Site, server: LocalServer, tmp_path: Path) -> None:
    # Stopped (SIGSTOP), Chromium answers nothing, a close neither: the render is a fetch
    # error within the browser's timeouts, not a check that waits for ever.
    site.publish("budget")
    settings = settings_for(tmp_path, browser_timeout="2s")

    async def go() -> tuple[float, str]:
        async with Fetcher(settings.fetch) as fetcher:
            browser = Browser(settings.fetch, fetcher)
            url = server.url("/app/budget")
            assert b"<article>" in (await browser.render(url, RenderOptions("s"))).document
            stopped = chromium_processes()
            for pid in stopped:
                os.kill(pid, signal.SIGSTOP)
            started = asyncio.get_running_loop().time()
            try:
                with pytest.raises(FetchError) as failed:
                    await browser.render(url, RenderOptions("other source"))
                return asyncio.get_running_loop().time() - started, str(failed.value)
            finally:
                for pid in stopped:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                await browser.aclose()

    took, message = asyncio.run(go())
    assert "the browser failed before the page was fetched (TimeoutError)" in message
    assert took < 10


def chromium_processes() -> list[int]:
    """This process's Chromium children (Playwright's driver runs it)."""
    found = []
    for pid in descendants(os.getpid()):
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if comm.startswith("chrom"):
            found.append(pid)
    return found
