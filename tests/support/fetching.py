"""Fetching from the tests' local servers: the settings that allow it, and fetches made
concurrently with one Fetcher."""

from __future__ import annotations

import asyncio
from typing import Any

from tearsheet.config import FetchSettings
from tearsheet.fetch.fetcher import Fetcher, Response


def make_settings(**overrides: Any) -> FetchSettings:
    """Fetch settings for 127.0.0.1: private addresses allowed, no delays or robots.txt,
    short timeouts and backoffs; ``overrides`` on top."""
    values: dict[str, Any] = {
        "allow_private_addresses": True, "per_host_delay": 0, "retry_backoff": 0.01,
        "obey_robots": False, "timeout": 2,
    }
    values.update(overrides)
    return FetchSettings(**values)


def fetch_all(urls: list[str], settings: FetchSettings | None = None,
              **kwargs: Any) -> list[Response | BaseException]:
    """Fetch ``urls`` concurrently with one Fetcher; errors are returned, not raised."""

    async def run() -> list[Response | BaseException]:
        async with Fetcher(settings or make_settings()) as fetcher:
            return await asyncio.gather(
                *(fetcher.fetch(url, **kwargs) for url in urls), return_exceptions=True)

    return asyncio.run(run())


def fetch_one(url: str, settings: FetchSettings | None = None, **kwargs: Any) -> Response:
    result = fetch_all([url], settings, **kwargs)[0]
    if isinstance(result, BaseException):
        raise result
    return result
