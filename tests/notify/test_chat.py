"""Slack, Discord and Matrix rules through the outbox, against local servers on 127.0.0.1
that check each request: the changed sentences marked in each markup, hostile text
escaped, templates overridden, 429 waits without counting, retries after 500, one Matrix
message after a crash between sending and recording, credentials in no error or log."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import pytest

from tearsheet.config import Settings, load_settings
from tearsheet.notify.notifier import Notifier
from tearsheet.store.store import Store
from tests.support.localserver import LocalServer
from tests.support.messaging import (
    ALIAS,
    DISCORD_PATH,
    MATRIX_TOKEN,
    ROOM,
    SLACK_PATH,
    FakeDiscord,
    FakeMatrix,
    FakeSlack,
)
from tests.support.notifying import NOW, Clock, Crash, crash_before_recording, step, story
from tests.support.served import HOSTILE

Fakes = tuple[FakeSlack, FakeDiscord, FakeMatrix]


@pytest.fixture
def fakes(server: LocalServer) -> Fakes:
    return FakeSlack(server), FakeDiscord(server), FakeMatrix(server)


def settings(store: Store, server: LocalServer, room: str = ROOM, templates: Any = None,
             **rule: Any) -> Settings:
    rules = [{"name": "slack", "slack": server.url(SLACK_PATH), **rule},
             {"name": "discord", "discord": server.url(DISCORD_PATH), **rule},
             {"name": "matrix", "account": "mx", "room": room, **rule}]
    return load_settings(None, database_url=str(store.engine.url), notifications={
        "rules": rules, "accounts": {"mx": {"matrix": server.base, "token": MATRIX_TOKEN}},
        "templates": templates or {}, "timeout": 2, "retries": 2, "retry_backoff": 10,
        "base_url": "https://ts.example"})


def notifier(store: Store, server: LocalServer, clock: Clock, **options: Any) -> Notifier:
    made = Notifier(settings(store, server, **options), store, clock=clock)
    made.queue()
    return made


def test_each_chat_gets_the_change_marked_in_its_markup(store: Store, server: LocalServer,
                                                        fakes: Fakes) -> None:
    slack, discord, matrix = fakes
    sending = notifier(store, server, Clock())
    story(store, 1)
    assert step(sending) == 3
    [message] = slack.messages
    text = "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    assert "*<https://ts.example/articles/1/diff/1/2|Ferry late>*" in text
    assert "~the operator~ *in a statement, and the minister" in text
    assert message["text"] == "daily: Ferry late"
    [image] = [b for b in message["blocks"] if b["type"] == "image"]
    assert image["image_url"] == "https://ts.example/articles/1/diff/1/2.png"
    assert image["alt_text"].startswith("daily: changes to “Ferry late”")
    [sent] = discord.messages
    [embed] = sent["embeds"]
    assert sent["allowed_mentions"] == {"parse": []}
    assert embed["title"] == "daily: Ferry late" and embed["url"].endswith("/diff/1/2")
    assert "~~the operator~~ **__in a statement, and the minister" in embed["description"]
    assert embed["image"]["url"].endswith("/diff/1/2.png") and embed["author"]["name"] == "daily"
    card, words = matrix.events  # the card first, then the message
    assert card.content["msgtype"] == "m.image" and card.content["url"] in matrix.media
    assert words.content["msgtype"] == "m.notice"
    assert words.content["format"] == "org.matrix.custom.html"
    assert '<font color="#a40e26"><del>the operator</del></font><font color="#0b6b2e"><u>' \
           "in a statement" in words.content["formatted_body"]
    assert "[-the operator-]{+in a statement" in words.content["body"]
    assert {r["status"] for r in sending.outbox.rows()} == {"sent"}


def test_hostile_text_is_escaped_for_every_markup(store: Store, server: LocalServer,
                                                  fakes: Fakes) -> None:
    slack, discord, matrix = fakes
    sending = notifier(store, server, Clock())
    story(store, 1, title=f"Ferry @everyone *late* {HOSTILE}")
    assert step(sending) == 3
    message = slack.messages[0]  # mrkdwn (the image's alt text is plain text)
    slack_text = json.dumps([message["text"], *(b["text"] for b in message["blocks"]
                                                if b["type"] == "section")])
    assert "<script" not in slack_text and "&lt;script&gt;" in slack_text
    description = discord.messages[0]["embeds"][0]["description"]
    assert "@everyone" not in description.replace("\\@everyone", "")
    html = matrix.messages[0].content["formatted_body"]
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_templates_are_overridden_per_rule_and_globally(store: Store, server: LocalServer,
                                                        fakes: Fakes) -> None:
    slack, discord, matrix = fakes
    clock = Clock()
    sending = Notifier(settings(store, server, templates={
        "discord": "{{ changes | length }} change(s): {% for c in changes %}{{ c.marked }}"
                   "{% endfor %}",
        "matrix_html": "<b>{{ title }}</b> {{ diff }}"}), store, clock=clock)
    config = sending.config
    own = config.rules[0].model_copy(update={"templates": {"slack": "{{ source }} · {{ title }}"
                                                           " · {{ more }} more"}})
    sending.rules["slack"] = own
    sending.queue()
    story(store, 1)
    assert step(sending) == 3
    assert slack.messages[0]["blocks"][0]["text"]["text"] == "daily · Ferry late · 0 more"
    assert discord.messages[0]["embeds"][0]["description"].startswith("1 change(s): The ferry")
    assert matrix.messages[0].content["formatted_body"].startswith(
        "<b>Ferry late</b> Changed: The ferry")


def test_429_waits_for_the_named_moment_without_counting(store: Store, server: LocalServer,
                                                         fakes: Fakes) -> None:
    slack, discord, matrix = fakes
    slack.fail_next, slack.rate_headers = [429], {"Retry-After": "120"}
    discord.fail_next, matrix.fail_next = [429], [429]
    clock = Clock()
    sending = notifier(store, server, clock)
    story(store, 1)
    assert step(sending) == 0
    rows = {r["rule"]: r for r in sending.outbox.rows()}
    assert {r["attempts"] for r in rows.values()} == {0}
    assert rows["slack"]["next_attempt_at"] == NOW + timedelta(seconds=120)
    assert rows["discord"]["next_attempt_at"] == NOW + timedelta(seconds=12.5)
    assert rows["matrix"]["next_attempt_at"] == NOW + timedelta(seconds=90)
    clock.advance(15)
    assert step(sending) == 1 and len(discord.messages) == 1
    clock.advance(120)
    assert step(sending) == 2
    assert len(slack.messages) == 1 and len(matrix.messages) == 1


def test_server_errors_are_retried_and_refusals_fail_at_once(
        store: Store, server: LocalServer, fakes: Fakes,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    slack, discord, _ = fakes
    slack.fail_next, discord.fail_next = [500], [500]
    clock = Clock()
    sending = notifier(store, server, clock, room="!elsewhere:matrix.example")
    story(store, 1)
    assert step(sending) == 0
    rows = {r["rule"]: r for r in sending.outbox.rows()}
    assert rows["slack"]["status"] == rows["discord"]["status"] == "pending"
    assert rows["slack"]["last_error"] == "slack (slack): HTTP 500: internal_error"
    assert rows["matrix"]["status"] == "failed"  # not in that room: retrying cannot help
    assert "M_FORBIDDEN" not in rows["matrix"]["last_error"]
    assert "User not in room !elsewhere:matrix.example" in rows["matrix"]["last_error"]
    clock.advance(10)
    assert step(sending) == 2
    errors = " ".join(str(r["last_error"]) for r in sending.outbox.rows()) + caplog.text
    for secret in (SLACK_PATH, DISCORD_PATH.rsplit("/", 1)[1], MATRIX_TOKEN):
        assert secret not in errors
    assert MATRIX_TOKEN not in repr(sending.settings)
    assert "discord-secret" not in repr(sending.settings)


def test_a_crash_between_sending_and_recording_sends_one_matrix_message(
        store: Store, server: LocalServer, fakes: Fakes) -> None:
    _, _, matrix = fakes
    clock = Clock()
    crashing = notifier(store, server, clock)
    crashing.rules = {"matrix": crashing.rules["matrix"]}
    story(store, 1)

    crash_before_recording(crashing)
    with pytest.raises(Crash):
        step(crashing)
    assert len(matrix.messages) == 1
    restarted = Notifier(crashing.settings, store, clock=clock)
    restarted.rules = crashing.rules
    clock.advance(restarted.lease)
    while step(restarted):
        pass
    assert len(matrix.messages) == 1  # the same transaction id: the same event
    matrix_puts = [r for r in server.requests if r.method == "PUT" and "m.room.message" in r.path
                   and not r.path.endswith("-card")]
    assert len(matrix_puts) >= 2 and len({r.path for r in matrix_puts}) == 1
    assert {r["status"] for r in restarted.outbox.rows()} == {"sent"}


def test_a_room_alias_is_resolved_and_kept(store: Store, server: LocalServer,
                                           fakes: Fakes) -> None:
    _, _, matrix = fakes
    sending = notifier(store, server, Clock(), room=ALIAS)
    story(store, 1)
    assert step(sending) == 3
    story(store, 2)
    assert step(sending) == 3
    assert [e.room_id for e in matrix.messages] == [ROOM, ROOM]
    lookups = [r for r in server.requests if "/directory/room/" in r.path]
    assert len(lookups) == 1 and lookups[0].path.endswith("%23desk%3Amatrix.example")


def test_a_flood_summary_is_one_message(store: Store, server: LocalServer,
                                        fakes: Fakes) -> None:
    slack, _, matrix = fakes
    clock = Clock()
    sending = Notifier(settings(store, server).model_copy(), store, clock=clock)
    sending.config = sending.config.model_copy(update={"flood_threshold": 2})
    sending.queue()
    for n in range(3):
        story(store, n)
    assert step(sending) == 0  # held for the window
    clock.advance(sending.config.flood_window + 1)
    assert step(sending) == 3
    [summary] = slack.messages
    assert summary["text"] == "daily: 3 articles changed"
    assert "3 articles of daily changed" in summary["blocks"][0]["text"]["text"]
    assert "<strong>daily: 3 articles changed</strong>" in \
        matrix.messages[0].content["formatted_body"]


def test_bad_chat_rules_are_refused() -> None:
    from tearsheet.errors import ConfigError

    cases = [
        ({"name": "r", "slack": "ftp://hooks.example/T/B/secret-part"}, "not an http"),
        ({"name": "r", "discord": "https://d.example/x", "slack": "https://s.example/y"},
         "give one of"),
        ({"name": "r", "account": "mx"}, "a Matrix account needs a room"),
        ({"name": "r", "apprise": "json://x/", "templates": {"sms": "x"}},
         "no message template named 'sms'"),
        ({"name": "r", "apprise": "json://x/", "templates": {"slack": "{% for %}"}},
         "not a valid Jinja2"),
    ]
    for rule, message in cases:
        with pytest.raises(ConfigError, match=message) as info:
            load_settings(None, notifications={
                "rules": [rule], "accounts": {"mx": {"matrix": "https://m.example",
                                                     "token": MATRIX_TOKEN}}})
        assert "secret-part" not in str(info.value) and MATRIX_TOKEN not in str(info.value)


def test_notify_test_sends_a_sample_to_each_chat(store: Store, server: LocalServer,
                                                 fakes: Fakes) -> None:
    slack, discord, matrix = fakes
    sending = Notifier(settings(store, server), store, clock=Clock())
    for rule in ("slack", "discord", "matrix"):
        asyncio.run(sending.test(rule))
    assert slack.messages[0]["text"].startswith("example: Sample")
    assert discord.messages[0]["embeds"][0]["title"].startswith("example: Sample")
    assert "Sample: a headline that changed" in matrix.messages[0].content["body"]
    assert not matrix.media  # a sample has no stored versions: no card


def test_no_requests_left_pauses_the_target_until_its_reset(
        store: Store, server: LocalServer, fakes: Fakes) -> None:
    _, discord, _ = fakes
    clock = Clock()
    sending = notifier(store, server, clock)
    sending.rules = {"discord": sending.rules["discord"]}
    discord.rate_headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "30"}
    story(store, 1)
    assert step(sending) == 1  # sent, and the answer said nothing remains for 30 s
    story(store, 2)
    assert step(sending) == 0 and len(discord.messages) == 1
    [_, waiting] = sending.outbox.rows()
    assert waiting["attempts"] == 0 and waiting["next_attempt_at"] == NOW + timedelta(seconds=30)
    clock.advance(30)
    discord.rate_headers = {}
    assert step(sending) == 1 and len(discord.messages) == 2
