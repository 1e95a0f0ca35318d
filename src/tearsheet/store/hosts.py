"""Per-host politeness held across every worker sharing a PostgreSQL store.

Each worker's :class:`~tearsheet.fetch.fetcher.Fetcher` spaces its own requests to a host by
``fetch.per_host_delay``; with N workers that alone would let N requests start together.
So before a request a worker *reserves* the host's next start: one atomic statement on the
``hosts`` row moves ``next_allowed_at`` on by the delay and says how long to wait for the
slot it got. Row locking orders concurrent reservations; the database's clock is the only
clock, so the machines' clocks need not agree.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, text

_RESERVE = text("""
    INSERT INTO hosts AS h (name, next_allowed_at)
    VALUES (:name, (clock_timestamp() AT TIME ZONE 'UTC') + make_interval(secs => :delay))
    ON CONFLICT (name) DO UPDATE SET next_allowed_at =
        GREATEST(h.next_allowed_at, clock_timestamp() AT TIME ZONE 'UTC')
        + make_interval(secs => :delay)
    RETURNING EXTRACT(EPOCH FROM h.next_allowed_at - (clock_timestamp() AT TIME ZONE 'UTC'))
        - :delay""")


class HostGate:
    """Reserves request slots per host in the shared store (PostgreSQL only)."""

    def __init__(self, engine: Engine, delay: float) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the shared host gate needs PostgreSQL")
        self.engine = engine
        self.delay = delay

    def reserve(self, host: str) -> float:
        """Take the next start slot of ``host``; returns the seconds until it (≤ 0: now)."""
        with self.engine.begin() as conn:
            return float(conn.execute(_RESERVE, {"name": host, "delay": self.delay})
                         .scalar_one())

    async def wait(self, host: str) -> None:
        """Wait for this worker's turn at ``host`` (the statement runs off the event loop)."""
        wait = await asyncio.to_thread(self.reserve, host)
        if wait > 0:
            await asyncio.sleep(wait)
