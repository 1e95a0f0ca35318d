"""A fast local news site for the benchmarks, meant to run in its own process.

The benchmarks measure the tracker, so the site must cost the tracker's process nothing:
it runs in a separate interpreter (no shared GIL) and answers from pages rendered and
gzipped once at startup, on a small asyncio HTTP/1.1 server with keep-alive.

``/a/<i>`` answers article ``i`` (beyond ``--pages``, one chosen by a hash of ``i``).
Each article has two renderings whose chrome differs (clock, most-read list, request id,
script nonce); they alternate from one request of a path to the next, as on a real site
where only the chrome changes between visits. Articles are 20-60 KB of HTML (inline CSS
and scripts, a mega-menu, the story itself). Gzip is used when the client accepts it.
``/robots.txt`` and anything else answer 404.

``--files LIST`` serves real pages instead: the gzipped HTML files named in ``LIST`` (one
path a line), ``/a/<i>`` the ``i``-th, one rendering each (``bench/same_capture.py``
fetches the corpora's pages so, for a fetch of real pages to compare with).

Run ``python bench/newsite.py --pages 1000``: it prints its port on the first line of
stdout once it is listening, and exits when its parent process goes away.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.pages import LOREM, article_page  # noqa: E402

VARIANTS = 2
_EXTRA_SENTENCES = [
    "Transit advocates welcomed the decision but warned that hiring so many drivers in a "
    "single year would be difficult given the shortage across the region.",
    "A survey published last spring found that nearly a third of riders had waited more "
    "than twenty minutes for a bus at least once a week.",
    "The finance committee will review the first quarterly figures in April, when the new "
    "parking rates will have been in force for three months.",
    "Business groups said they would watch closely whether higher fees drove shoppers away "
    "from the city centre towards out-of-town retail parks.",
]


def headline(index: int) -> str:
    return f"Council approves transport budget, story {index}: what changes for riders"


def paragraphs(index: int) -> list[str]:
    """The story of article ``index``: 8-30 paragraphs, stable for a given index."""
    rng = random.Random(index)
    sentences = LOREM + _EXTRA_SENTENCES
    return [
        " ".join(rng.sample(sentences, 2)) + f" (Report {index}, part {part + 1}.)"
        for part in range(rng.randint(8, 30))
    ]


def news_page(index: int, noise: int) -> str:
    """Article ``index`` as a 20-60 KB page; ``noise`` varies only the chrome."""
    size = random.Random(f"size-{index}").randint(20_000, 60_000)
    page = article_page(headline(index), paragraphs(index), noise=noise)
    rng = random.Random(noise)
    budget = max(size - len(page), 3_000)
    css = "\n".join(
        f".c{n}-{rng.randint(0, 999)} {{ margin: {n % 9}px {n % 5}px; color: #{n * 7919:06x}; "
        f"font-size: {10 + n % 8}px; }}"
        for n in range(budget // 3 // 80)
    )
    config = ",".join(
        f'"slot{n}":{{"id":"{rng.getrandbits(48):x}","sizes":[[300,250],[728,90]]}}'
        for n in range(budget // 3 // 60)
    )
    menu = "".join(
        f'<li><a href="/section/{n}/topic-{rng.randint(1, 999)}">Section {n} topic</a></li>'
        for n in range(budget // 3 // 70)
    )
    head = (f"<style>{css}</style>\n<script nonce=\"{rng.getrandbits(64):x}\">"
            f"window.__ads = {{{config}}};</script>\n</head>")
    page = page.replace("</head>", head, 1)
    return page.replace("<header>", f'<header><ul class="mega-menu">{menu}</ul>', 1)


class Site:
    def __init__(self, pages: int, files: list[Path] | None = None) -> None:
        self.plain: list[list[bytes]] = []
        self.gzipped: list[list[bytes]] = []
        for path in files or ():
            self.gzipped.append([path.read_bytes()])
            self.plain.append([gzip.decompress(self.gzipped[-1][0])])
        for index in range(0 if files else pages):
            bodies = [news_page(index, noise=index * VARIANTS + v).encode("utf-8")
                      for v in range(VARIANTS)]
            self.plain.append(bodies)
            self.gzipped.append([gzip.compress(b, compresslevel=6, mtime=0) for b in bodies])
        self.pages = len(self.plain)
        self.visits: dict[int, int] = {}

    def answer(self, target: bytes, accept_gzip: bool) -> tuple[int, bytes, bool]:
        path = target.split(b"?", 1)[0]
        if path.startswith(b"/a/") and path[3:].isdigit():
            number = int(path[3:])
            visit = self.visits.get(number, 0)
            self.visits[number] = visit + 1
            variant = visit % len(self.plain[0])
            # Articles 0..pages-1 are pages 0..pages-1; others spread over the pages.
            index = number if number < self.pages else (number * 2654435761 >> 8) % self.pages
            if accept_gzip:
                return 200, self.gzipped[index][variant], True
            return 200, self.plain[index][variant], False
        return 404, b"not found", False

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                parts = lines[0].split(b" ")
                if len(parts) != 3:
                    return
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    headers[name.strip().lower()] = value.strip().lower()
                status, body, gzipped = self.answer(
                    parts[1], b"gzip" in headers.get(b"accept-encoding", b""))
                close = headers.get(b"connection") == b"close"
                reply = [
                    b"HTTP/1.1 200 OK" if status == 200 else b"HTTP/1.1 404 Not Found",
                    b"Content-Type: text/html; charset=utf-8",
                    b"Content-Length: " + str(len(body)).encode(),
                ]
                if gzipped:
                    reply.append(b"Content-Encoding: gzip")
                if close:
                    reply.append(b"Connection: close")
                writer.write(b"\r\n".join(reply) + b"\r\n\r\n")
                if parts[0] != b"HEAD":
                    writer.write(body)
                await writer.drain()
                if close:
                    return
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return
        finally:
            writer.close()


async def serve(pages: int, port: int, files: list[Path] | None = None) -> None:
    site = Site(pages, files)
    server = await asyncio.start_server(site.handle, "127.0.0.1", port, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    parent = os.getppid()
    async with server:
        while os.getppid() == parent:  # exit with the benchmark that started us
            await asyncio.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="distinct articles (default 1000)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--files", type=Path,
                        help="a list of gzipped HTML files to serve instead, a path a line")
    args = parser.parse_args()
    files = [Path(line) for line in args.files.read_text().splitlines() if line.strip()] \
        if args.files else None
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.pages, args.port, files))


if __name__ == "__main__":
    main()
