"""A change's notification names the tracked copies that still show the earlier text."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from tearsheet.config import load_settings
from tearsheet.notify.notifier import Notifier
from tearsheet.simulate.copies import rewrite
from tearsheet.store.store import Store
from tests.support import seed, webclient
from tests.support.localserver import LocalServer, Reply
from tests.support.storekit import NOW, add
from tests.support.tracestore import record_version


def test_a_correction_names_the_copies_still_showing_the_old_text(
        store: Store, server: LocalServer) -> None:
    server.route("/hook", Reply(204))
    six, _ = seed.versions()
    (wire,) = add(store, "wire", "https://wire.example/kazakhstan")
    record_version(store, wire, six, NOW)
    for n, outlet in enumerate(("mirror", "daily")):
        (copy,) = add(store, outlet, f"https://{outlet}.example/kz")
        record_version(store, copy, rewrite(six, ["unquote"], seed=n), NOW + timedelta(hours=1))
    settings = load_settings(None, database_url=str(store.engine.url), notifications={
        "rules": [{"name": "hook", "webhook": server.url("/hook"),
                   "secret": "webhook-secret-0123456789", "sources": ["wire"]}],
        "timeout": 2, "base_url": "https://ts.example"})
    notifier = Notifier(settings, store, clock=lambda: NOW + timedelta(hours=3))
    notifier.queue()  # a new notifier starts after the history
    record_version(store, wire, six.replace("26 “armed", "28 “armed"), NOW + timedelta(hours=2))

    async def step() -> int:
        async with webclient.async_client() as client:
            return await notifier.step(client)

    assert asyncio.run(step()) == 1
    (request,) = [r for r in server.requests if r.method == "POST"]
    payload = json.loads(request.body)
    note = "wire changed the text (version 2); 2 copies still show an earlier one: daily, mirror"
    assert payload["copies_note"] == note
    assert sorted(c["source"] for c in payload["stale_copies"]) == ["daily", "mirror"]
    assert {c["shows_version"] for c in payload["stale_copies"]} == {1}
    assert payload["message"]["body"].endswith(note)
