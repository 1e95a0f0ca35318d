"""Browser benchmark: rendered checks per second per browser context, and memory per context,
beside plain-HTTP checks per second from the same run.

A local site (a child process on 127.0.0.1) serves the same articles two ways:
``/plain/<n>`` rendered on the server, and ``/app/<n>``, an empty shell whose script loads
``/api/<n>.json`` and draws the article (what ``render = "browser"`` is for). Per run:

- ``plain HTTP``: :meth:`Fetcher.fetch` + :func:`extract` of every ``/plain/`` page, with
  the fetcher's concurrency at 4 (the baseline);
- ``browser, k contexts``: :meth:`Browser.render` + :func:`extract` of every ``/app/``
  page, ``k`` sources (one context each) rendering at once (``fetch.browser_concurrency``
  = k), for k in ``--contexts``;
- memory: the proportional set size (PSS: shared pages split among the processes sharing
  them) of all Chromium's processes (browser, renderers, GPU, network service) once started
  with no context, and with k contexts open after their pages; per context = the
  difference / k.

Reported: the median over ``--runs`` of checks/s, checks/s per context, the ratio to plain
HTTP, and MB per context. Extraction runs in this process for both (one thread), so the
comparison is of fetching and rendering.

    python bench/browser.py [--pages 60] [--runs 3] [--contexts 1 2 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from statistics import median

from tearsheet.config import FetchSettings, load_settings
from tearsheet.extract.extraction import extract
from tearsheet.fetch.browser import Browser, RenderOptions, find_chromium
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.simulate import article_page

PARAGRAPHS = [f"Paragraph {n} of the story says what the council decided, who voted for "
              "it, what it costs and when the new bus routes start running." for n in range(12)]
APP_JS = """fetch('/api/' + document.body.dataset.n + '.json').then(r => r.json()).then(a => {
  const root = document.getElementById('root'); const h = document.createElement('h1');
  h.textContent = a.headline; root.appendChild(h);
  for (const t of a.paragraphs) { const p = document.createElement('p'); p.textContent = t;
    root.appendChild(p); } });"""


def serve() -> None:
    """The child process: the site, on a free port it prints."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            kind, _, rest = self.path.strip("/").partition("/")
            n = rest.split(".")[0]
            headline = f"Council approves budget {n}"
            if kind == "plain":
                body, kind_type = article_page(headline, PARAGRAPHS), "text/html"
            elif kind == "app":
                body = (f'<!doctype html><html><head><title>…</title><script src="/static/'
                        f'app.js" defer></script></head><body data-n="{n}"><div id="root">'
                        '</div></body></html>')
                kind_type = "text/html"
            elif kind == "api":
                body = json.dumps({"headline": headline, "paragraphs": PARAGRAPHS})
                kind_type = "application/json"
            elif kind == "static":
                body, kind_type = APP_JS, "text/javascript"
            else:
                body, kind_type = "", "text/plain"
            data = body.encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", f"{kind_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


@contextmanager
def site() -> Iterator[str]:
    process = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        port = process.stdout.readline().strip() if ready else ""
        if not port.isdigit():
            raise RuntimeError("the site did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def settings(contexts: int) -> FetchSettings:
    return load_settings(None, fetch={
        "concurrency": 4, "per_host_concurrency": 4, "per_host_delay": 0, "timeout": "20s",
        "allow_private_addresses": True, "obey_robots": False, "extract_processes": 0,
        "browser_concurrency": contexts, "browser_timeout": "30s"}).fetch


def chromium_pss(root: int) -> int:
    """Proportional set size (shared pages divided among their users, so Chromium's shared
    libraries are not counted once per process) of every process below ``root``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    return total


async def plain(base: str, pages: int) -> float:
    async with Fetcher(settings(1)) as fetcher:
        started = time.perf_counter()

        async def one(n: int) -> None:
            response = await fetcher.fetch(f"{base}/plain/{n}")
            assert len(extract(response.body, response.url, response.charset).paragraphs) == 12

        await asyncio.gather(*(one(n) for n in range(pages)))
        return pages / (time.perf_counter() - started)


async def rendered(base: str, pages: int, contexts: int) -> tuple[float, float, int]:
    """(checks/s, MB of Chromium started, MB with ``contexts`` contexts (and their pages)
    open)."""
    config = settings(contexts)
    async with Fetcher(config) as fetcher, Browser(config, fetcher) as browser:
        await browser.start()
        await asyncio.sleep(0.5)
        idle = chromium_pss(os.getpid())
        queue = list(range(pages))
        started = time.perf_counter()

        async def worker(source: int) -> None:
            while queue:
                n = queue.pop()
                response = await browser.render(f"{base}/app/{n}", RenderOptions(
                    f"source-{source}", wait_for="#root p"))
                found = extract(response.document, response.url, "utf-8", rendered=True)
                assert len(found.paragraphs) == 12, found.paragraphs

        await asyncio.gather(*(worker(k) for k in range(contexts)))
        rate = pages / (time.perf_counter() - started)
        assert browser.contexts() == contexts
        return rate, idle / 1e6, chromium_pss(os.getpid()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--contexts", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve()
    print(f"Chromium: {find_chromium(None)}", file=sys.stderr)
    with site() as base:
        baseline = [asyncio.run(plain(base, args.pages)) for _ in range(args.runs)]
        results = {k: [asyncio.run(rendered(base, args.pages, k)) for _ in range(args.runs)]
                   for k in args.contexts}
    base_rate = median(baseline)
    print(f"### Browser: `python bench/browser.py` ({args.pages} pages, median of {args.runs})\n")
    print("| | checks/s | checks/s per context | ratio to plain HTTP | Chromium MB "
          "| MB per context |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| plain HTTP, concurrency 4 (baseline) | {base_rate:.1f} | | 1.00 | | |")
    for k, runs in results.items():
        rate = median(r[0] for r in runs)
        idle, full = median(r[1] for r in runs), median(r[2] for r in runs)
        print(f"| browser, {k} context{'s' if k > 1 else ''} | {rate:.1f} | {rate / k:.1f} | "
              f"{rate / base_rate:.3f} | {full:.0f} | {(full - idle) / k:.0f} |")
    print(f"\nChromium with no context: {median(r[1] for rs in results.values() for r in rs):.0f}"
          " MB PSS (all its processes).")


if __name__ == "__main__":
    main()
