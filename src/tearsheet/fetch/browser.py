"""Rendering pages in a headless Chromium, for sources whose articles only exist after JavaScript.

Why every request goes through the fetcher: the browser is only a renderer here. The page's
own document is fetched by :class:`~tearsheet.fetch.fetcher.Fetcher` (robots.txt, per-host
delay and concurrency, retries with ``Retry-After``, the size cap, internal addresses
refused at connect time), and so is each script, stylesheet and XHR the page asks for
(:meth:`Fetcher.fetch_asset`); Chromium gets their answers through request interception and
cannot resolve a host name itself (``--host-resolver-rules``), so nothing it does reaches
the network behind tearsheet's back. Images, fonts and media are never fetched.

The capture is both: the original HTTP response (what the server sent, for the WARC
``response`` record) and the rendered DOM (:attr:`Response.rendered`, written as a WARC
``conversion`` record that refers to it). Extraction reads the rendered DOM.

Browser contexts are pooled: at most ``fetch.browser_concurrency`` exist (and render) at
once, each belonging to one source, so a source's cookies (a consent choice, a passed
challenge) stay with it and never leak to another; an idle context is closed for another
source and its cookies kept for its next use.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tearsheet.affinity import released
from tearsheet.config import FetchSettings
from tearsheet.errors import (
    BlockedError,
    BrowserUnavailableError,
    FetchError,
    FetchTimeoutError,
)
from tearsheet.fetch.fetcher import Fetcher, Response

log = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--mute-audio",
    # Chromium resolves no name itself: every request is answered by the fetcher.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
MAX_NAVIGATIONS = 5
"""Documents a page may load in its main frame (a challenge reloading itself) before it is
taken for a challenge we cannot pass: ``blocked``."""
CLOSE_TIMEOUT = 10.0
"""Seconds a page, a context or the browser gets to close (a wedged one never answers)."""
BLOCKED_TYPES = frozenset({"image", "font", "media"})
"""Resource types never fetched: they cost time and bytes, and no article text."""
_DROP_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding",
                           "connection", "keep-alive"})
_FORWARD_HEADERS = frozenset({"accept", "accept-language", "content-type", "cookie",
                              "origin", "referer", "x-requested-with"})


def find_chromium(configured: Path | None) -> str:
    """The Chromium to drive: ``fetch.browser_path``, else the first on PATH."""
    if configured is not None:
        if not configured.is_file():
            raise BrowserUnavailableError(
                f"fetch.browser_path names {configured}, which does not exist")
        return str(configured)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailableError(
        "no Chromium found on PATH for sources with render = \"browser\": install it "
        "(apt-get install chromium, or playwright install chromium) or set "
        "fetch.browser_path")


def _playwright() -> Any:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        raise BrowserUnavailableError(
            "Playwright is not installed, and sources with render = \"browser\" need it: "
            "pip install \"tearsheet[browser]\"") from None
    return async_playwright


@dataclass(frozen=True)
class RenderOptions:
    """How one source's pages are rendered (from its settings)."""

    source: str  # whose context (cookies) to use
    wait_for: str | None = None  # CSS selector the page is settled at (else network idle)
    cookies: Mapping[str, str] = field(default_factory=dict)  # sent from the first page


@dataclass
class _Visit:
    """One render under way: what its page's requests are answered from."""

    waiting: dict[str, Response]  # fetched documents, by URL, not yet given to the page
    documents: list[Response]  # the main frame's documents, in order: the last is kept
    failures: list[FetchError] = field(default_factory=list)


@dataclass
class _Context:
    """A source's browser context and its one page, reused from article to article (a
    new page costs more than the navigation); dropped after a failed render. Its page
    renders one article at a time (``turn``): two of a source's articles rendered at
    once shared the page, one navigating while the other read it."""

    context: Any
    page: Any = None
    visit: _Visit | None = None  # None between renders: the page's requests are refused
    users: int = 0  # renders holding it (waiting for its turn too): it is not closed
    last_used: float = 0.0
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def busy(self) -> bool:
        return self.users > 0


class Browser:
    """A headless Chromium and a pool of contexts; use as ``async with Browser(...)``.

    Started on the first :meth:`render` (a tracker with no browser source never launches
    it); :meth:`start` launches it now and raises :class:`BrowserUnavailableError`
    naming what is missing.
    """

    def __init__(self, settings: FetchSettings, fetcher: Fetcher) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self._slots = asyncio.Semaphore(settings.browser_concurrency)
        self._lock = asyncio.Lock()
        self._manager: Any = None
        self._browser: Any = None
        self._contexts: OrderedDict[str, _Context] = OrderedDict()
        self._saved: dict[str, Any] = {}  # storage state of closed contexts, by source
        self.rendered = 0

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def start(self) -> None:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return
            if self._browser is not None:  # Chromium died (killed, out of memory): again
                log.warning("Chromium is gone; starting it again")
                self._contexts.clear()
                await self._stop()
            executable = find_chromium(self.settings.browser_path)
            with released():  # Chromium is not kept on the tracker's CPU
                manager = await _playwright()().start()
            try:
                self._browser = await manager.chromium.launch(
                    executable_path=executable, args=list(CHROMIUM_FLAGS),
                    timeout=self.settings.browser_timeout * 1000)
            except Exception as exc:
                await manager.stop()
                raise BrowserUnavailableError(
                    f"cannot start Chromium ({executable}): {_first_line(exc)}"
                ) from None
            self._manager = manager

    async def aclose(self) -> None:
        async with self._lock:
            for entry in self._contexts.values():
                await _quietly(entry.context.close())
            self._contexts.clear()
            await self._stop()

    async def _stop(self) -> None:
        if self._browser is not None:
            await _quietly(self._browser.close())
            self._browser = None
        if self._manager is not None:
            await _quietly(self._manager.stop())
            self._manager = None

    def contexts(self) -> int:
        """Contexts open now (for the benchmark and tests)."""
        return len(self._contexts)

    async def render(self, url: str, options: RenderOptions) -> Response:
        """Fetch ``url`` and render it: the original response, with ``rendered`` set.

        A non-HTML answer is returned as fetched. Fetch errors are the fetcher's
        (robots, blocked, status); a page that does not settle within
        ``fetch.browser_timeout`` is a :class:`FetchTimeoutError`.
        """
        await self.start()
        async with self._slots:
            entry: _Context | None = None
            try:
                async with asyncio.timeout(self.settings.browser_timeout):  # (it may hang)
                    entry = await self._context(options)
                    cookie = await _cookie_header(entry.context, url, options.cookies)
            except Exception as exc:  # Playwright's: the browser, not the page, failed
                if entry is not None:
                    entry.users -= 1
                raise FetchError(url, "the browser failed before the page was fetched "
                                      f"({_first_line(exc)})") from None
            try:
                original = await self.fetcher.fetch(
                    url, headers={"Cookie": cookie} if cookie else None)
                if original.content_type not in ("text/html", "application/xhtml+xml", ""):
                    return original
                async with entry.turn:
                    return await self._render(entry, original, options)
            finally:
                entry.users -= 1
                entry.last_used = time.monotonic()

    async def _context(self, options: RenderOptions) -> _Context:
        """The source's context, made (and another source's idle one closed) if need be."""
        async with self._lock:
            entry = self._contexts.get(options.source)
            if entry is None:
                while len(self._contexts) >= self.settings.browser_concurrency:
                    name, idle = next((n, e) for n, e in self._contexts.items() if not e.busy)
                    self._saved[name] = await idle.context.storage_state()
                    del self._contexts[name]
                    await _quietly(idle.context.close())
                context = await self._browser.new_context(
                    user_agent=self.settings.user_agent, service_workers="block",
                    storage_state=self._saved.pop(options.source, None),
                    java_script_enabled=True, accept_downloads=False)
                context.set_default_timeout(self.settings.browser_timeout * 1000)
                entry = self._contexts[options.source] = _Context(context)
            self._contexts.move_to_end(options.source)
            entry.users += 1
        return entry

    async def _page(self, entry: _Context) -> Any:
        if entry.page is None or entry.page.is_closed():
            page = await entry.context.new_page()

            async def route(route: Any, request: Any) -> None:
                visit = entry.visit
                try:
                    if visit is None:  # a timer of the last article's page, firing late
                        raise FetchError(request.url, "no render under way")
                    await self._answer(page, route, request, visit)
                except FetchError as exc:
                    if visit is not None and request.is_navigation_request() \
                            and request.frame == page.main_frame:
                        visit.failures.append(exc)
                    await _quietly(route.abort("failed"))
                except Exception as exc:  # the page closed under us: nothing to answer
                    log.debug("%s: %s", request.url, exc)
                    await _quietly(route.abort("failed"))

            await page.route("**/*", route)
            entry.page = page
        return entry.page

    async def _render(self, entry: _Context, original: Response,
                      options: RenderOptions) -> Response:
        visit = entry.visit = _Visit({original.url: original}, [original])
        timeout = self.settings.browser_timeout
        try:
            async with asyncio.timeout(timeout):
                page = await self._page(entry)
                await page.goto(original.url, wait_until="load")
                if options.wait_for:
                    await page.wait_for_selector(options.wait_for, state="attached")
                else:
                    await _quietly(page.wait_for_load_state("networkidle"))
                html: str = await page.content()
                final = page.url
        except Exception as exc:
            page, entry.page = entry.page, None  # a fresh page for the next article
            if page is not None:
                await _quietly(page.close())
            if visit.failures:  # the document itself failed (robots, blocked...): say so
                raise visit.failures[-1] from None
            if isinstance(exc, TimeoutError) or type(exc).__name__ == "TimeoutError":
                what = (f"no element matches {options.wait_for!r}" if options.wait_for
                        else "the page did not settle")
                raise FetchTimeoutError(original.url, f"{what} within {timeout:g} s "
                                        "(fetch.browser_timeout)") from None
            raise FetchError(original.url, f"the browser failed to render the page "
                                           f"({_first_line(exc)})") from None
        finally:
            entry.visit = None
        if visit.failures:
            raise visit.failures[-1]
        self.rendered += 1
        last = visit.documents[-1]
        return replace(last, url=final if final.startswith("http") else last.url,
                       requested_url=original.requested_url,
                       rendered=html.encode("utf-8"))

    async def _answer(self, page: Any, route: Any, request: Any, visit: _Visit) -> None:
        """Answer one request of the page from the fetcher (or refuse it)."""
        url: str = request.url
        if request.resource_type in BLOCKED_TYPES or not url.startswith(("http:", "https:")):
            await route.abort("blockedbyclient")
            return
        main = request.is_navigation_request() and request.frame == page.main_frame
        if request.is_navigation_request() and not main:  # iframes: ads, embeds, widgets
            await route.abort("blockedbyclient")
            return
        headers = {k: v for k, v in (await request.all_headers()).items()
                   if k.lower() in _FORWARD_HEADERS}
        waiting, documents = visit.waiting, visit.documents
        if main:
            response = waiting.pop(url, None)
            if response is None:  # the page navigated itself (a challenge reloading)
                if len(documents) >= MAX_NAVIGATIONS:
                    raise BlockedError(url, f"the page reloaded itself {len(documents)} "
                                            "times (a challenge tearsheet cannot pass)")
                response = await self.fetcher.fetch(url, headers=headers)
            if response.url != url:  # the fetcher followed redirects: let the page follow
                waiting[response.url] = response
                await route.fulfill(status=302, headers={"Location": response.url})
                return
            if response is not documents[0]:
                documents.append(response)
        else:
            response = await self.fetcher.fetch_asset(
                url, method=request.method, headers=headers, data=request.post_data_buffer)
        await route.fulfill(status=response.status, body=response.body, headers={
            k: v for k, v in response.headers.multi_items() if k.lower() not in _DROP_HEADERS})


async def _cookie_header(context: Any, url: str, configured: Mapping[str, str]) -> str:
    """The Cookie header for ``url``: the context's jar, where the source's configured
    cookies (a consent choice) are put first for each site it fetches from."""
    have = {c["name"] for c in await context.cookies(url)}
    missing = [{"name": name, "value": value, "url": url}
               for name, value in configured.items() if name not in have]
    if missing:
        await context.add_cookies(missing)
    return "; ".join(f"{c['name']}={c['value']}" for c in await context.cookies(url))


def _first_line(exc: BaseException) -> str:
    """What an error says, on one line (a timeout says nothing: its name then)."""
    return next(iter(str(exc).splitlines()), "") or type(exc).__name__


async def _quietly(awaitable: Any) -> None:
    """Close something of the browser's, whatever became of it: gone already (an error),
    or wedged (a Chromium that stopped answering never answers a close either: it is
    given ``CLOSE_TIMEOUT`` seconds, so a check cannot wait on it for ever)."""
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT):
            await awaitable
    except Exception as exc:  # closing what is already gone, or never answers
        log.debug("ignored while closing: %s", _first_line(exc))


async def render_once(settings: FetchSettings, url: str,
                      options: RenderOptions | None = None) -> Response:
    """One page fetched and rendered, with a fetcher and a browser of its own
    (``tearsheet check`` and ``extract`` with ``--render browser``)."""
    async with Fetcher(settings) as fetcher, Browser(settings, fetcher) as browser:
        return await browser.render(url, options or RenderOptions("check"))
