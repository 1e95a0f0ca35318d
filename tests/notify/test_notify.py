"""Notifications: rules, sandboxed messages, webhooks and Apprise against real receivers on
127.0.0.1, retries, timeouts, flood control and the outbox's crash safety."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from jinja2.exceptions import SecurityError

from tearsheet.config import Settings, load_settings
from tearsheet.notify import rules
from tearsheet.notify.deliver import DELIVERY_HEADER, SIGNATURE_HEADER
from tearsheet.notify.notifier import Notifier
from tearsheet.store.store import Store
from tests.support.cli import cli
from tests.support.localserver import LocalServer, Reply, Request
from tests.support.notifying import NOW, Clock, step, story
from tests.support.served import HOSTILE, record

SECRET = "webhook-secret-0123456789"


def settings(store: Store, *rule_list: dict[str, Any], **options: Any) -> Settings:
    notifications = {"rules": list(rule_list), "timeout": 0.5, "retries": 2,
                     "retry_backoff": 10, "base_url": "https://ts.example", **options}
    return load_settings(None, database_url=str(store.engine.url),
                         notifications=notifications)


def webhook(server: LocalServer, name: str = "hook", **conditions: Any) -> dict[str, Any]:
    return {"name": name, "webhook": server.url("/hook"), "secret": SECRET, **conditions}


def posts(server: LocalServer) -> list[Request]:
    return [r for r in server.requests if r.method == "POST"]


# --- rules and messages (pure) ---------------------------------------------------------

EVENT = rules.ChangeEvent(
    version_id=7, article_id=3, source_id=1, source="daily", url="https://daily.example/a",
    number=2, captured_at=NOW, title=f"Minister resigns {HOSTILE}", previous_title="Minister",
    text="The ferry minister resigned on Monday. {{ 7 * 7 }}", kinds=("headline_changed",),
    significance=0.4, boring=False, words_added=3, words_removed=1,
    intents=("fact", "narrative"), intent_labels=("figure", "emphasis"),
    silent_correction=True)


@pytest.mark.parametrize(("conditions", "expected"), [
    ({}, True), ({"sources": ["daily"]}, True), ({"sources": ["other"]}, False),
    ({"kinds": ["headline_changed", "update"]}, True), ({"kinds": ["update"]}, False),
    ({"min_significance": 0.4}, True), ({"min_significance": 0.5}, False),
    ({"words": ["FERRY"]}, True), ({"words": ["ferr"]}, False),  # whole words only
    ({"words": ["harbour", "resigns"]}, True), ({"words": ["a.b"]}, False),
    ({"sources": ["daily"], "kinds": ["update"]}, False),
    ({"intents": ["fact"]}, True), ({"intents": ["style"]}, False),
    ({"intents": ["style", "figure"]}, True), ({"intents": ["quote"]}, False),
    ({"silent": True}, True), ({"silent": False}, False),
    ({"intents": ["fact"], "silent": False}, False),
])
def test_rule_conditions(conditions: dict[str, Any], expected: bool) -> None:
    rule = load_settings(None, notifications={"rules": [
        {"name": "r", "apprise": "json://127.0.0.1/", **conditions}]}).notifications.rules[0]
    assert rules.matches(rule, EVENT) is expected


def test_boring_changes_only_when_asked() -> None:
    boring = rules.ChangeEvent(**{**EVENT.__dict__, "boring": True, "kinds": ()})
    base = {"name": "r", "apprise": "json://127.0.0.1/"}
    for include, expected in ((False, False), (True, True)):
        rule = load_settings(None, notifications={"rules": [
            {**base, "include_boring": include}]}).notifications.rules[0]
        assert rules.matches(rule, boring) is expected


def test_messages_are_text_and_templates_are_sandboxed() -> None:
    rule = load_settings(None, notifications={"rules": [{
        "name": "r", "apprise": "json://127.0.0.1/",
        "body": "{{ title }} | {{ kinds | join(',') }} | {{ diff_url }}"}]}
    ).notifications.rules[0]
    title, body = rules.message(rule, rules.change_context(EVENT, "https://ts"), summary=False)
    assert title == f"daily: Minister resigns {HOSTILE}".strip()
    assert body == f"Minister resigns {HOSTILE.strip()} | headline_changed | " \
                   "https://ts/articles/3/diff/1/2"
    # Article text is data, never a template; a template cannot reach Python's insides.
    assert "{{ 7 * 7 }}" in rules.change_context(EVENT, "")["url"] + EVENT.text
    with pytest.raises(SecurityError):
        rules.render("{{ title.__class__.__mro__[1].__subclasses__() }}",
                     rules.change_context(EVENT, ""), 100)


@pytest.mark.parametrize(("rule", "message"), [
    ({"name": "r"}, "give one of webhook, apprise, account, email, slack, discord"),
    ({"name": "r", "webhook": "https://h.example/", "apprise": "json://x/"}, "one of"),
    ({"name": "r", "account": "nobody"}, "no account named 'nobody'"),
    ({"name": "r", "webhook": "https://h.example/"}, "needs a secret"),
    ({"name": "r", "webhook": "ftp://h.example/", "secret": SECRET}, "not an http\\(s\\) URL"),
    ({"name": "r", "apprise": "json://x/", "body": "{% if %}"}, "not a valid Jinja2"),
    ({"name": "r", "apprise": "json://x/", "colour": "red"}, "unknown key"),
    ({"name": "r", "apprise": "json://x/", "intents": ["gossip"]}, "unknown intents"),
    ({"name": "r", "apprise": "nonsense://user:hunter2@x/"}, "Apprise does not understand"),
])
def test_bad_rules_are_refused(rule: dict[str, Any], message: str) -> None:
    from tearsheet.errors import ConfigError

    with pytest.raises(ConfigError, match=message) as info:
        load_settings(None, notifications={"rules": [rule]})
    assert "hunter2" not in str(info.value)


# --- queueing ----------------------------------------------------------------------------

def test_a_new_notifier_starts_after_the_history(store: Store, server: LocalServer) -> None:
    story(store, 1)
    notifier = Notifier(settings(store, webhook(server)), store, clock=Clock())
    assert notifier.queue() == 0  # the change stored before it existed is not announced
    story(store, 2)
    assert notifier.queue() == 1
    assert notifier.queue() == 0  # queued once, whatever happens next
    assert Notifier(settings(store, webhook(server)), store, clock=Clock()).queue() == 0


def test_two_notifiers_queue_a_change_once(store: Store, server: LocalServer) -> None:
    """Every worker runs a notifier: a change one of them queued is not queued again, even
    when the other read it before (the unique (rule, version) row decides)."""
    first = Notifier(settings(store, webhook(server)), store, clock=Clock())
    second = Notifier(settings(store, webhook(server)), store, clock=Clock())
    first.queue()
    story(store, 1)
    [event] = second.outbox.new_changes(second.outbox.cursor())
    assert first.queue() == 1
    # The second notifier read the change before the first queued it: its insert collides.
    assert second.outbox.enqueue([("hook", event, False)], event.version_id, NOW) == 0
    assert len(second.outbox.rows()) == 1


def test_recent_changes_looked_at_again_do_not_make_a_flood(store: Store,
                                                           server: LocalServer) -> None:
    """Changes captured in the last minutes are read again (PostgreSQL may commit them out
    of id order); those already queued must not count twice towards the flood threshold."""
    server.route("/hook", Reply(200))
    notifier = Notifier(settings(store, webhook(server), flood_threshold=5), store,
                        clock=Clock())
    notifier.queue()
    for n in range(3):  # three changes a minute ago: sent one by one
        record(store, "daily", f"https://daily.example/recent-{n}",
               [("A", "One two three four five six seven eight."),
                ("B", "One two three four five six seven eight nine ten eleven.")],
               start=NOW - timedelta(minutes=2), step=timedelta(minutes=1))
    assert step(notifier) == 3
    story(store, 9)  # a fourth: 3 + 1 is below 5 (counting the three again would be 7)
    assert step(notifier) == 1
    assert [row["status"] for row in notifier.outbox.rows()] == ["sent"] * 4


def test_hidden_articles_are_not_notified(store: Store, server: LocalServer) -> None:
    from tearsheet.store.curation import Curation

    notifier = Notifier(settings(store, webhook(server)), store, clock=Clock())
    notifier.queue()
    article = story(store, 1)
    Curation(store).set_hidden(article, True)
    story(store, 2)
    assert notifier.queue() == 1
    assert [row["version_id"] for row in notifier.outbox.rows()] == [4]


# --- webhooks ------------------------------------------------------------------------------

def test_webhook_is_signed_json(store: Store, server: LocalServer) -> None:
    server.route("/hook", Reply(204))
    notifier = Notifier(settings(store, webhook(server, words=["minister"])), store,
                        clock=Clock())
    notifier.queue()
    story(store, 1)
    story(store, 2, extra="and nobody else said anything at all about it")  # no "minister"
    assert step(notifier) == 1
    [request] = posts(server)
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers[SIGNATURE_HEADER], expected)
    payload = json.loads(request.body)
    assert payload["event"] == "change" and payload["rule"] == "hook"
    assert payload["source"] == "daily" and payload["number"] == 2
    assert payload["diff_url"] == "https://ts.example/articles/1/diff/1/2"
    assert payload["article"]["url"] == "https://daily.example/story-1"
    assert payload["message"]["title"] == "daily: Ferry late"
    assert request.headers[DELIVERY_HEADER] == str(payload["delivery"])
    assert [row["status"] for row in notifier.outbox.rows()] == ["sent"]
    assert step(notifier) == 0  # sent once


def test_webhook_that_fails_twice_then_succeeds(store: Store, server: LocalServer) -> None:
    answers = iter([500, 503, 200])
    server.route("/hook", lambda request: Reply(next(answers)))
    clock = Clock()
    notifier = Notifier(settings(store, webhook(server)), store, clock=clock)
    notifier.queue()
    story(store, 1)
    assert step(notifier) == 0
    [row] = notifier.outbox.rows()
    assert row["status"] == "pending" and row["attempts"] == 1 and "HTTP 500" in row["last_error"]
    assert row["next_attempt_at"] == clock.now + timedelta(seconds=10)
    assert step(notifier) == 0  # not due yet: nothing sent
    assert len(posts(server)) == 1
    clock.advance(10)
    assert step(notifier) == 0
    [row] = notifier.outbox.rows()
    assert row["next_attempt_at"] == clock.now + timedelta(seconds=20)  # the backoff doubles
    clock.advance(20)
    assert step(notifier) == 1
    [row] = notifier.outbox.rows()
    assert row["status"] == "sent" and row["attempts"] == 3
    assert len(posts(server)) == 3
    assert len({r.headers[DELIVERY_HEADER] for r in posts(server)}) == 1


def test_webhook_that_never_answers_is_marked_failed(
        store: Store, server: LocalServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/hook", Reply(200, delay=2.0))
    clock = Clock()
    notifier = Notifier(settings(store, webhook(server), timeout=0.3), store, clock=clock)
    notifier.queue()
    story(store, 1)
    for _ in range(3):  # the first attempt and two retries
        assert step(notifier) == 0
        clock.advance(3600)
    [row] = notifier.outbox.rows()
    assert row["status"] == "failed" and row["attempts"] == 3
    assert "no answer within 0.3 s" in row["last_error"]
    assert row["version_id"] is not None  # nothing lost: the failure is on record
    assert step(notifier) == 0 and len(posts(server)) == 3
    monkeypatch.setenv("TEARSHEET_DATABASE_URL", str(store.engine.url))
    assert cli("notify", "status") == 0
    out = capsys.readouterr().out
    assert "failed" in out and "no answer within 0.3 s" in out


def test_a_crash_between_send_and_mark_sends_again_once(store: Store,
                                                         server: LocalServer) -> None:
    class Crash(BaseException):
        pass

    server.route("/hook", Reply(200))
    clock = Clock()
    crashing = Notifier(settings(store, webhook(server)), store, clock=clock)
    crashing.queue()
    story(store, 1)

    def crash(*args: object) -> None:
        raise Crash

    crashing.outbox.mark_sent = crash  # type: ignore[method-assign]
    with pytest.raises(Crash):
        step(crashing)
    assert len(posts(server)) == 1
    [row] = crashing.outbox.rows()
    assert row["status"] == "pending"  # not lost
    restarted = Notifier(settings(store, webhook(server)), store, clock=clock)
    assert step(restarted) == 0  # still leased: the crashed attempt might be in flight
    clock.advance(restarted.lease)
    assert step(restarted) == 1
    assert step(restarted) == 0
    assert len(posts(server)) == 2  # at least once, and only once more
    [row] = restarted.outbox.rows()
    assert row["status"] == "sent"


# --- Apprise -----------------------------------------------------------------------------

def test_apprise_delivers_to_a_local_json_receiver(store: Store, server: LocalServer) -> None:
    server.route("/apprise", Reply(200))
    rule = {"name": "chat", "apprise": f"json://127.0.0.1:{server.port}/apprise",
            "title": "{{ source }} changed: {{ title }}"}
    notifier = Notifier(settings(store, rule), store, clock=Clock())
    notifier.queue()
    story(store, 1, title=f"Ferry late {HOSTILE}")
    assert step(notifier) == 1
    [request] = posts(server)
    message = json.loads(request.body)
    assert message["title"] == f"daily changed: Ferry late {HOSTILE}".strip()
    assert "https://ts.example/articles/1/diff/1/2" in message["message"]


def test_apprise_failure_is_retried(store: Store, server: LocalServer) -> None:
    server.route("/apprise", Reply(500))
    rule = {"name": "chat", "apprise": f"json://127.0.0.1:{server.port}/apprise"}
    notifier = Notifier(settings(store, rule), store, clock=Clock())
    notifier.queue()
    story(store, 1)
    assert step(notifier) == 0
    [row] = notifier.outbox.rows()
    assert row["status"] == "pending" and "Apprise could not deliver" in row["last_error"]


# --- flood control -----------------------------------------------------------------------

def test_a_site_wide_change_sends_one_summary(store: Store, server: LocalServer) -> None:
    server.route("/hook", Reply(200))
    clock = Clock()
    notifier = Notifier(settings(store, webhook(server), flood_threshold=5, flood_window=600),
                        store, clock=clock)
    notifier.queue()
    for n in range(3):  # a quiet start: three changes, one message each
        story(store, n)
    assert step(notifier) == 3
    for n in range(3, 40):  # then a template change touches 37 articles at once
        story(store, n)
    story(store, 99, source="weekly")  # another source is not part of the flood
    assert step(notifier) == 1  # only the other source's change
    assert json.loads(posts(server)[-1].body)["source"] == "weekly"
    clock.advance(300)
    story(store, 40)  # still in the flood's window: held too
    assert step(notifier) == 0
    clock.advance(301)  # the window since the first held change has passed
    assert step(notifier) == 1
    summary = json.loads(posts(server)[-1].body)
    assert summary["event"] == "summary" and summary["count"] == 38
    assert summary["source"] == "daily" and len(summary["articles"]) == 20
    assert summary["message"]["title"] == "daily: 38 articles changed"
    statuses = [row["status"] for row in notifier.outbox.rows()]
    assert statuses.count("summarized") == 38 and statuses.count("sent") == 5
    assert step(notifier) == 0 and len(posts(server)) == 5
    clock.advance(31 * 86400)  # a month later the finished deliveries are forgotten
    step(notifier)
    assert notifier.outbox.rows() == []


# --- running -------------------------------------------------------------------------------

def test_run_delivers_until_stopped(store: Store, server: LocalServer) -> None:
    server.route("/hook", Reply(200))
    notifier = Notifier(settings(store, webhook(server), poll_interval=0.05), store)
    notifier.queue()
    story(store, 1)

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(notifier.run(stop))
        for _ in range(200):
            if notifier.sent:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await task

    asyncio.run(go())
    assert notifier.sent == 1 and len(posts(server)) == 1


def test_cli_notify_test_sends_a_sample(tmp_path: Path, server: LocalServer,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/hook", Reply(200))
    config = tmp_path / "tearsheet.toml"
    config.write_text(f"""
database_url = "sqlite:///{tmp_path / 'ts.db'}"
[[notifications.rules]]
name = "ops"
webhook = "{server.url('/hook')}"
secret = "{SECRET}"
""")
    assert cli("notify", "test", "ops", "--config", str(config)) == 0
    payload = json.loads(posts(server)[0].body)
    assert payload["test"] is True and payload["title"].startswith("Sample")
    assert "sent a sample notification" in capsys.readouterr().out
    assert cli("notify", "test", "nope", "--config", str(config)) == 1
    assert "no notification rule named 'nope' (rules: ops)" in capsys.readouterr().err
    assert cli("notify", "status", "--config", str(config)) == 0
    server.route("/hook", Reply(502))
    assert cli("notify", "test", "ops", "--config", str(config)) == 1
    assert "HTTP 502" in capsys.readouterr().err


def test_tearsheet_run_notifies_the_changes_it_stores(server: LocalServer,
                                                      tmp_path: Path) -> None:
    """End to end: the tracker stores a change, the notifier beside it sends it."""
    from tests.support.newsroom import Newsroom, Story, run_once, write_config
    from tests.support.pages import LOREM

    room = Newsroom(server)
    server.route("/feed.xml", room.feed)
    server.route("/hook", Reply(200))
    room.publish("/news/budget", Story("Budget passes", list(LOREM)))
    config = write_config(tmp_path, server)
    config.write_text(config.read_text() + f"""
[notifications]
base_url = "https://ts.example"
[[notifications.rules]]
name = "headlines"
kinds = ["headline_changed"]
webhook = "{server.url('/hook')}"
secret = "{SECRET}"
""")
    run_once(config)  # version 1: not a change
    room.stories["/news/budget"].headline = "Budget passes after a late-night vote"
    run_once(config)
    [request] = posts(server)
    payload = json.loads(request.body)
    assert payload["kinds"] == ["headline_changed"]
    assert payload["title"] == "Budget passes after a late-night vote"
    assert payload["previous_title"] == "Budget passes"
    run_once(config)  # nothing new: nothing sent again
    assert len(posts(server)) == 1


def test_webhook_429_waits_for_retry_after_without_counting(store: Store,
                                                            server: LocalServer) -> None:
    answers = iter([Reply(429, headers={"Retry-After": "300"}), Reply(200)])
    server.route("/hook", lambda request: next(answers))
    clock = Clock()
    notifier = Notifier(settings(store, webhook(server)), store, clock=clock)
    notifier.queue()
    story(store, 1)
    assert step(notifier) == 0
    [row] = notifier.outbox.rows()
    assert row["attempts"] == 0 and row["next_attempt_at"] == clock.now + timedelta(seconds=300)
    clock.advance(299)
    assert step(notifier) == 0 and len(posts(server)) == 1
    clock.advance(1)
    assert step(notifier) == 1 and len(posts(server)) == 2
