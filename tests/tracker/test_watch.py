"""The tracker's watch over source health: what it reads, and when."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tearsheet.config import HealthSettings
from tearsheet.store.records import Outcome
from tearsheet.store.store import Store
from tearsheet.tracker.watch import SAMPLE, Watch
from tearsheet.tracker.writer import StoreWriter
from tests.support.storekit import NOW


def counted_watch(store: Store, writer: StoreWriter) -> tuple[Watch, list[int]]:
    """A watch, and the sources whose latest checks it reads, one entry a read."""
    watch = Watch(HealthSettings(), store, writer, lambda: NOW)
    reads: list[int] = []
    observations = watch.health.observations

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args[0])
        return observations(*args, **kwargs)

    watch.health.observations = counted  # type: ignore[method-assign]
    return watch, reads


def observe(watch: Watch, source_id: int, times: int, *, read_body: bool) -> None:
    async def run() -> None:
        for _ in range(times):
            await watch.observe(source_id, Outcome.UNCHANGED, None, read_body=read_body)

    asyncio.run(run())


def test_checks_that_read_no_body_are_news_only_of_a_broken_source(tmp_path: Path) -> None:
    """An unchanged check answered by the fast path (or a 304) shows the last version's
    body again: on a healthy source it costs no read of the source's checks; every other
    good check counts toward the sampled judgement; on a flagged source each is judged
    (is it healed?)."""
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    source_id = store.ensure_source("example", NOW)
    writer = StoreWriter(store)
    try:
        watch, reads = counted_watch(store, writer)
        observe(watch, source_id, SAMPLE * 4, read_body=False)
        assert reads == []
        observe(watch, source_id, SAMPLE * 2, read_body=True)
        assert reads == [source_id] * 2
        watch.health.flag(source_id, NOW, "refused ×8", [], NOW)
        flagged, reads = counted_watch(store, writer)  # reads the flags afresh
        observe(flagged, source_id, 3, read_body=False)
        assert reads == [source_id] * 3
    finally:
        writer.close()
        store.close()
