"""Faults on demand: the ways real news sites fail a crawler, at a chosen rate.

A tracker that has only met healthy servers has not been tested. With ``rate`` > 0 the
simulated site answers that share of requests with a fault instead of the page:

- ``unavailable``: 503 with ``Retry-After``, as a CDN in front of an overloaded origin;
- ``rate_limited``: 429 with ``Retry-After``;
- ``slow``: the answer comes after ``slow_seconds``, past the client's timeout;
- ``truncated``: the headers promise the whole body, half of it arrives, the connection closes;
- ``paywall`` and ``consent``: status 200, but a subscription or cookie wall, not the story;
- ``redirect``: a 302 to the same article with tracking parameters (``utm_*``, ``fbclid``),
  as link shorteners and social cards do;
- ``malformed_feed`` (feeds, sitemaps and fronts only): a feed cut off mid-XML, briefly.

The draw is a pure function of (seed, path, how many times that path was asked for), so
a run is repeatable with the same ``seed`` whatever order concurrent requests arrive in,
and a retry of a failed request gets a fresh draw — as on a real site.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

ARTICLE_FAULTS = ("unavailable", "rate_limited", "slow", "truncated", "paywall", "consent",
                  "redirect")
FEED_FAULTS = ("malformed_feed", "unavailable")
ALL_FAULTS = frozenset(ARTICLE_FAULTS + FEED_FAULTS)


@dataclass(frozen=True)
class FaultPlan:
    """Which requests fail, and how."""

    rate: float = 0.0
    seed: int = 0
    kinds: frozenset[str] = ALL_FAULTS
    slow_seconds: float = 25.0
    retry_after: int = 1

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, not {self.rate}")
        unknown = self.kinds - ALL_FAULTS
        if unknown:
            raise ValueError(f"unknown fault kinds: {', '.join(sorted(unknown))} "
                             f"(known: {', '.join(sorted(ALL_FAULTS))})")

    def draw(self, path: str, visit: int, *, feed: bool = False,
             has_query: bool = False) -> str | None:
        """The fault for the ``visit``-th request of ``path`` (from 0), or None."""
        if self.rate <= 0:
            return None
        digest = hashlib.blake2b(f"{self.seed}\0{path}\0{visit}".encode(), digest_size=8)
        rng = random.Random(int.from_bytes(digest.digest(), "big"))  # noqa: S311 - not secret
        if rng.random() >= self.rate:
            return None
        menu = [k for k in (FEED_FAULTS if feed else ARTICLE_FAULTS) if k in self.kinds]
        if has_query:  # already redirected once: do not send it round again
            menu = [k for k in menu if k != "redirect"]
        return rng.choice(menu) if menu else None

    def tracking_query(self, path: str, visit: int) -> str:
        """The query string a ``redirect`` fault adds: tracking parameters, varying."""
        token = hashlib.blake2b(f"{self.seed}:{path}:{visit}".encode(), digest_size=6).hexdigest()
        return f"utm_source=social&utm_medium=share&utm_campaign=c{visit}&fbclid={token}"
