"""E-mail rules against a real SMTP server on 127.0.0.1 (aiosmtpd): the HTML part with the
card inline by ``cid:``, the plain-text part, STARTTLS, implicit TLS and AUTH, retries of
4xx answers, at once failures of 5xx and refused credentials, no password in errors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tearsheet.config import Settings, load_settings
from tearsheet.notify.notifier import Notifier
from tearsheet.store.store import Store
from tests.support.notifying import Clock, Crash, crash_before_recording, step, story
from tests.support.served import HOSTILE
from tests.support.smtp import PASSWORD, USER, smtp_server

# aiosmtpd warns when a test asks for AUTH without STARTTLS (plain, or implicit TLS).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def settings(store: Store, port: int, cert: Path, security: str = "none",
             auth: bool = False, **rule: Any) -> Settings:
    email: dict[str, Any] = {"host": "127.0.0.1", "port": port, "security": security,
                             "sender": "tearsheet <bot@ts.example>", "ca_file": str(cert)}
    if auth:
        email.update(username=USER, password=PASSWORD)
    return load_settings(None, database_url=str(store.engine.url), notifications={
        "rules": [{"name": "desk", "email": ["desk@news.example", "eds@news.example"],
                   **rule}],
        "email": email, "timeout": 5, "retries": 2, "retry_backoff": 10,
        "base_url": "https://ts.example"})


def deliver(store: Store, config: Settings, clock: Clock | None = None) -> Notifier:
    notifier = Notifier(config, store, clock=clock or Clock())
    notifier.queue()
    story(store, 1, title=f"Ferry late {HOSTILE}")
    step(notifier)
    return notifier


@pytest.mark.parametrize(("security", "auth"), [("none", False), ("starttls", True),
                                                 ("ssl", True), ("none", True)])
def test_html_with_the_card_inline_and_a_text_part(store: Store, tmp_path: Path,
                                                   security: str, auth: bool) -> None:
    with smtp_server(tmp_path, security, auth) as (inbox, port, cert):
        notifier = deliver(store, settings(store, port, cert, security, auth))
    assert [(r["status"], r["last_error"]) for r in notifier.outbox.rows()] == [("sent", None)]
    [received] = inbox.mail
    assert received.recipients == ["desk@news.example", "eds@news.example"]
    assert received.sender == "bot@ts.example"
    assert inbox.logins == (["PLAIN"] if auth else [])
    mail = received.message
    assert mail["Subject"].startswith("daily: Ferry late <script>")  # a header, not HTML
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"].startswith("<tearsheet-") and \
        mail["Message-ID"].endswith("@ts.example>")
    assert mail.get_content_type() == "multipart/alternative"
    text, related = mail.get_payload()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, card = related.get_payload()
    assert card.get_content_type() == "image/png" and card["Content-ID"] == "<card@tearsheet>"
    assert card.get_content_disposition() == "inline"
    assert card.get_content().startswith(b"\x89PNG")
    body = html.get_content()
    assert 'src="cid:card@tearsheet"' in body and 'alt="daily: changes to' in body
    assert "<ins " in body and "in a statement" in body and "<del " in body
    assert "<script" not in body and "&lt;script&gt;" in body
    plain = text.get_content()
    assert "[-the operator-]{+in a statement, and the minister" in plain
    assert "https://ts.example/articles/" in plain


def test_a_temporary_refusal_is_retried_a_permanent_one_is_not(store: Store,
                                                               tmp_path: Path) -> None:
    clock = Clock()
    with smtp_server(tmp_path) as (inbox, port, cert):
        inbox.fail_next = ["451 4.3.0 try again later"]
        notifier = deliver(store, settings(store, port, cert), clock)
        [row] = notifier.outbox.rows()
        assert row["status"] == "pending" and "451 4.3.0 try again later" in row["last_error"]
        clock.advance(10)
        assert step(notifier) == 1 and len(inbox.mail) == 1
        inbox.fail_next = ["554 5.7.1 message refused"]
        story(store, 2)
        assert step(notifier) == 0
        [row] = notifier.outbox.rows()[1:]
        assert row["status"] == "failed" and "554 5.7.1 message refused" in row["last_error"]
        assert len(inbox.mail) == 1


def test_refused_credentials_fail_at_once_without_the_password(
        store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with smtp_server(tmp_path, "starttls", auth=True) as (inbox, port, cert):
        config = settings(store, port, cert, "starttls", auth=False)
        wrong = config.model_copy(update={"notifications": config.notifications.model_copy(
            update={"email": config.notifications.email.model_copy(  # type: ignore[union-attr]
                update={"username": USER, "password": _secret("hunter2-wrong-pass")})})})
        notifier = deliver(store, wrong)
    [row] = notifier.outbox.rows()
    assert row["status"] == "failed" and "refused the username or password" in row["last_error"]
    assert not inbox.mail
    assert "hunter2" not in row["last_error"] and "hunter2" not in caplog.text
    assert "hunter2" not in repr(wrong)


def test_an_untrusted_certificate_is_not_accepted(store: Store, tmp_path: Path) -> None:
    with smtp_server(tmp_path, "starttls") as (inbox, port, _cert):
        config = settings(store, port, Path(__file__).parent / "no-such-ca.pem", "starttls")
        system_ca = config.notifications.email.model_copy(  # type: ignore[union-attr]
            update={"ca_file": None})
        notifier = deliver(store, config.model_copy(update={
            "notifications": config.notifications.model_copy(update={"email": system_ca})}))
    [row] = notifier.outbox.rows()
    assert row["status"] == "pending" and "TLS failed" in row["last_error"]
    assert not inbox.mail


def test_a_crash_after_sending_repeats_the_same_message_id(store: Store,
                                                           tmp_path: Path) -> None:
    clock = Clock()
    with smtp_server(tmp_path) as (inbox, port, cert):
        config = settings(store, port, cert)
        crashing = Notifier(config, store, clock=clock)
        crashing.queue()
        story(store, 1)
        crash_before_recording(crashing)
        with pytest.raises(Crash):
            step(crashing)
        restarted = Notifier(config, store, clock=clock)
        clock.advance(restarted.lease)
        assert step(restarted) == 1
    first, again = inbox.mail  # at least once: the second is the same message
    assert first.message["Message-ID"] == again.message["Message-ID"]


def test_bad_email_settings_are_refused() -> None:
    from tearsheet.errors import ConfigError

    with pytest.raises(ConfigError, match=r"e-mail needs \[notifications.email\]"):
        load_settings(None, notifications={"rules": [{"name": "r", "email": ["a@b.example"]}]})
    with pytest.raises(ConfigError, match="is not an e-mail address"):
        load_settings(None, notifications={
            "rules": [{"name": "r", "email": ["a@b.example\nBcc: x@y.example"]}],
            "email": {"host": "h", "sender": "bot@x.example"}})
    settings_ok = load_settings(None, notifications={"email": {
        "host": "smtp.example", "sender": "bot@x.example", "security": "ssl"}})
    assert settings_ok.notifications.email is not None
    assert settings_ok.notifications.email.server_port == 465


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)
