"""Where a store was used from a thread running an event loop: a read or a write there
stalls everything else on that loop (a tracker's fetches) for as long as the database
takes."""

from __future__ import annotations

import asyncio
import traceback
from typing import Any

from sqlalchemy import event

from tearsheet.store.store import Store


def watch_the_loop(store: Store) -> list[str]:
    """Where the store was used from a thread running an event loop (grows as it happens)."""
    seen: list[str] = []

    def on_loop(what: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop running on this thread: the writer or a worker
            return
        seen.append(what + "\n" + "".join(traceback.format_stack(limit=12)))

    def checkout(*args: Any) -> None:
        on_loop("a connection checked out")

    def execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        on_loop(statement)

    event.listen(store.engine, "checkout", checkout)
    event.listen(store.engine, "before_cursor_execute", execute)
    return seen
