"""CPU per cache-miss render of the article page, in process, beside a baseline.

The web benchmark (``bench/web.py``) measures the page under concurrency through uvicorn,
where the per-request CPU is hard to split; this renders ``/articles/N`` through the ASGI
app in this process, with a fresh query string each time (so the page cache never
answers), and counts this process's CPU per render, beside ``/healthz`` (the floor the
app's middleware and the client cost) in the same run. The store is ``bench/web.py``'s
bulk-built one (kept in ``bench/results/``).

    python bench/article_render.py --articles 60 --versions 5 --rounds 7

Prints the median over ``--rounds`` of the mean CPU ms of 50 renders.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from common import RESULTS
from tearsheet.config import load_settings
from tearsheet.store.store import Store
from tearsheet.web import create_app
from webstore import build

PER_ROUND = 50


async def measure(client: httpx.AsyncClient, articles: int, rounds: int) -> tuple[float, float]:
    served = 0

    async def get(path: str) -> None:
        nonlocal served
        served += 1
        response = await client.get(f"{path}?miss={served}")
        assert response.status_code == 200, (path, response.status_code)

    async def cpu_ms(path_of: int | None) -> float:
        start = time.process_time()
        for i in range(PER_ROUND):
            await get(f"/articles/{1 + (i * 7) % articles}" if path_of else "/healthz")
        return (time.process_time() - start) / PER_ROUND * 1000

    for i in range(20):  # warm: templates compiled, statements cached
        await get(f"/articles/{1 + i % articles}")
    pages, floors = [], []
    for _ in range(rounds):
        pages.append(await cpu_ms(1))
        floors.append(await cpu_ms(None))
    return statistics.median(pages), statistics.median(floors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--versions", type=int, default=5, help="versions per article")
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"article-render-{options.articles}x{options.versions}.db"
    build(path, options.articles, options.versions)
    settings = load_settings(None, database_url=f"sqlite:///{path}")
    store = Store.open(settings.database_url)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, store))

        async def run() -> tuple[float, float]:
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                return await measure(client, options.articles, options.rounds)

        page, floor = asyncio.run(run())
    finally:
        store.close()
    print(f"{options.articles * options.versions} versions: article page {page:.2f} ms CPU "
          f"per cache-miss render, /healthz {floor:.2f} ms (median of {options.rounds} "
          f"rounds of {PER_ROUND})")


if __name__ == "__main__":
    main()
