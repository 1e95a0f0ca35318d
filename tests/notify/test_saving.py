"""Saving versions with the Internet Archive's Save Page Now 2, against a local SPN2
server that checks the requests: the capture, its job polled, the memento stored and
shown; failures retried with backoff; rate limits waited out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tearsheet.config import Settings, load_settings
from tearsheet.notify.notifier import Notifier
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.cli import cli
from tests.support.localserver import LocalServer
from tests.support.notifying import Clock, step, story
from tests.support.protocols import FakeSPN


def settings(store: Store, server: LocalServer, **wayback: Any) -> Settings:
    return load_settings(None, database_url=str(store.engine.url),
                         sources=[{"name": "daily", "wayback": True}, {"name": "other"}],
                         wayback={"access_key": FakeSPN.KEY, "secret_key": FakeSPN.SECRET,
                                  "endpoint": server.base, "poll_interval": 5,
                                  "retry_backoff": 60, "retries": 1, **wayback})


def saver(store: Store, server: LocalServer, clock: Clock) -> Notifier:
    made = Notifier(settings(store, server), store, clock=clock)
    assert made.saver is not None
    made.saver.queue()  # the cursor starts after what is stored
    return made


def test_each_new_version_is_saved_and_its_memento_kept(
        store: Store, server: LocalServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    spn = FakeSPN(server, pending_polls=1)
    clock = Clock()
    notifier = saver(store, server, clock)
    article = story(store, 1)
    story(store, 2, source="other")
    step(notifier)
    assert [c.url for c in spn.captures] == ["https://daily.example/story-1"] * 2
    request = server.hits("/save")[0]
    assert request.headers["Authorization"] == "LOW access-key:secret-key"
    assert request.headers["Accept"] == "application/json"
    clock.advance(5)
    step(notifier)  # pending
    clock.advance(5)
    step(notifier)  # success
    version = store.version(article, 2)
    assert version is not None
    assert version["memento_url"] == ("https://web.archive.org/web/20261204163000/"
                                      "https://daily.example/story-1")
    exported = [r for r in store.iter_versions("daily")]
    assert all(r["memento_url"] for r in exported)
    monkeypatch.setenv("TEARSHEET_DATABASE_URL", str(store.engine.url))
    assert cli("notify", "status") == 0
    assert "(wayback)" in capsys.readouterr().out


def test_a_failed_job_is_asked_again_then_given_up(store: Store, server: LocalServer) -> None:
    spn = FakeSPN(server, pending_polls=0)
    spn.fail_job.add("https://daily.example/story-1")
    clock = Clock()
    notifier = saver(store, server, clock)
    story(store, 1)
    step(notifier)
    clock.advance(5)
    step(notifier)  # the job ended in error: back off
    clock.advance(30)
    step(notifier)
    assert len(spn.captures) == 2  # not yet asked again
    clock.advance(31)
    step(notifier)
    clock.advance(5)
    step(notifier)  # the second job failed too: retries (1) spent
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT status, last_error FROM wayback_saves").all()
    assert {r[0] for r in rows} == {"failed"}
    assert all("blocked-url" in r[1] for r in rows)


def test_rate_limits_wait_without_counting(store: Store, server: LocalServer) -> None:
    spn = FakeSPN(server, pending_polls=0)
    spn.rate_headers = {"Retry-After": "120"}
    spn.fail_next = [429, 429]
    clock = Clock()
    notifier = saver(store, server, clock)
    story(store, 1)
    step(notifier)
    assert not spn.captures
    clock.advance(121)
    step(notifier)
    clock.advance(5)
    step(notifier)
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT status, attempts FROM wayback_saves").all()
    assert rows == [("saved", 0), ("saved", 0)]


def test_wrong_keys_fail_at_once(store: Store, server: LocalServer) -> None:
    FakeSPN(server)
    clock = Clock()
    notifier = Notifier(settings(store, server, secret_key="wrong-secret-999"), store,
                        clock=clock)
    assert notifier.saver is not None
    notifier.saver.queue()
    story(store, 1)
    step(notifier)
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT status, last_error FROM wayback_saves").all()
    assert {r[0] for r in rows} == {"failed"}
    assert all("wrong-secret-999" not in r[1] for r in rows)


def test_the_version_page_and_api_show_the_memento(store: Store, server: LocalServer) -> None:
    from tearsheet.web import create_app

    FakeSPN(server, pending_polls=0)
    clock = Clock()
    notifier = saver(store, server, clock)
    article = story(store, 1)
    step(notifier)
    clock.advance(5)
    step(notifier)
    app = create_app(settings(store, server), store)
    transport = httpx.ASGITransport(app=app)

    async def get(path: str) -> httpx.Response:
        async with webclient.async_client(transport=transport, base_url="http://ts") as client:
            return await client.get(path)

    import asyncio
    page = asyncio.run(get(f"/articles/{article}/versions/2")).text
    assert 'href="https://web.archive.org/web/20261204163000/https://daily.example/story-1"' \
        in page
    api = asyncio.run(get(f"/api/v1/articles/{article}/versions/2")).json()
    assert api["memento_url"].startswith("https://web.archive.org/web/")
