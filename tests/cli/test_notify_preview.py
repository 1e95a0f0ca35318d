"""`tearsheet notify preview`: a rule's templates rendered for a stored change, nothing sent."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tearsheet.store.store import Store
from tests.support.cli import cli
from tests.support.notifying import story

SLACK = "https://hooks.slack.example/services/T0/B0/secret0123456789"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    database = tmp_path / "ts.db"
    store = Store.open(f"sqlite:///{database}")
    try:
        story(store, 1)
        story(store, 2, title="Bridge closed", extra="and the bridge stays closed")
    finally:
        store.close()
    path = tmp_path / "tearsheet.toml"
    path.write_text(f"""
database_url = "sqlite:///{database}"
[notifications]
base_url = "https://ts.example"
[notifications.email]
host = "127.0.0.1"
sender = "bot@ts.example"
[notifications.templates]
discord = "{{{{ title }}}}: {{{{ changes | length }}}} change(s)"
[[notifications.rules]]
name = "desk"
email = ["desk@news.example"]
words = ["minister"]
[[notifications.rules]]
name = "chat"
slack = "{SLACK}"
[[notifications.rules]]
name = "ops"
discord = "https://discord.example/api/webhooks/1/secret"
[[notifications.rules]]
name = "hook"
webhook = "https://hooks.example/x"
secret = "webhook-secret-0123456789"
""")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli("notify", "preview", *args)
    out, err = capsys.readouterr()
    return status, out, err


def test_email_html_and_text_of_the_newest_change_the_rule_matches(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, html, _ = run(capsys, "desk", "--format", "html", "--config", str(config))
    assert status == 0
    assert html.startswith("<!DOCTYPE html>") and "Ferry late" in html
    assert "Bridge closed" not in html  # the newest change, but not one "desk" matches
    assert '<ins style="' in html and '<del style="' in html
    src = html.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(src).startswith(b"\x89PNG")
    status, text, _ = run(capsys, "desk", "--config", str(config))
    assert status == 0 and "[-the operator-]{+in a statement" in text
    assert "https://ts.example/articles/1/diff/1/2" in text


def test_chat_templates_a_chosen_version_and_the_settings_override(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, slack, _ = run(capsys, "chat", "--config", str(config))
    assert status == 0 and "*<https://ts.example/articles/2/diff/1/2|Bridge closed>*" in slack
    status, first, _ = run(capsys, "chat", "--version", "2", "--config", str(config))
    assert status == 0 and "Ferry late" in first and "~the operator~" in first
    status, discord, _ = run(capsys, "ops", "--config", str(config))
    assert status == 0 and discord.strip() == "Bridge closed: 1 change(s)"
    status, hook, _ = run(capsys, "hook", "--config", str(config))
    assert status == 0 and hook.startswith("daily: Bridge closed\n")


@pytest.mark.parametrize(("args", "message"), [
    (["chat", "--format", "html"], "rule 'chat' sends slack messages, which have no HTML"),
    (["hook", "--format", "html"], "which have no HTML"),
    (["desk", "--version", "1"], "no change stored as version 1"),
    (["nobody"], "no notification rule named 'nobody'"),
])
def test_what_cannot_be_previewed_says_why(config: Path, capsys: pytest.CaptureFixture[str],
                                           args: list[str], message: str) -> None:
    status, _, err = run(capsys, *args, "--config", str(config))
    assert status == 1 and message in " ".join(err.split())
    assert "secret0123456789" not in err
