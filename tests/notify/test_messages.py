"""Message templates (pure): each markup marks deletions and insertions its own way, every
value is escaped for its markup, templates are sandboxed, long changes are counted."""

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError

from tearsheet.config import MESSAGE_TEMPLATES, load_settings
from tearsheet.diff import Document, diff
from tearsheet.notify import messages as m
from tests.notify.test_notify import EVENT

OLD = Document.from_text("The council approved 412 million on Monday.\n\nThe mayor spoke.",
                         title="Budget passes")
NEW = Document.from_text("The council approved 421 million on Monday.\n\nThe mayor spoke. "
                         "<b>*Loud*</b> @everyone [link](https://evil.example)",
                         title="Budget passes")
CHANGE = diff(OLD, NEW)


@pytest.mark.parametrize(("fmt", "marked"), [
    ("text", "approved [-412-]{+421+} million"),
    ("html", 'approved <del style="background:#ffe1e1;color:#a40e26;text-decoration:'
             'line-through">412</del><ins style="background:#d8f5dc;color:#0b6b2e;'
             'text-decoration:underline">421</ins> million'),
    ("matrix_html", 'approved <font color="#a40e26"><del>412</del></font>'
                    '<font color="#0b6b2e"><u>421</u></font> million'),
    ("slack", "approved ~412~ *421* million"),
    ("discord", "approved ~~412~~ **__421__** million"),
])
def test_each_format_marks_deleted_and_inserted_words(fmt: str, marked: str) -> None:
    changes, more = m.changes(CHANGE, fmt)
    assert more == 0 and changes[0]["label"] == "Changed"
    assert marked in changes[0]["marked"]
    assert [w["op"] for w in changes[0]["words"]].count("delete") == 1


@pytest.mark.parametrize(("fmt", "hostile", "escaped"), [
    ("html", "<b>*Loud*</b>", "&lt;b&gt;*Loud*&lt;/b&gt;"),
    ("matrix_html", "<b>", "&lt;b&gt;"),
    ("slack", "<b>", "&lt;b&gt;"),
    ("discord", "*Loud*", "\\*Loud\\*"),
    ("discord", "@everyone", "\\@everyone"),
    ("discord", "[link]", "\\[link\\]"),
])
def test_article_text_is_escaped_for_each_markup(fmt: str, hostile: str, escaped: str) -> None:
    marked = "".join(c["marked"] for c in m.changes(CHANGE, fmt)[0])
    assert escaped in marked and hostile not in marked.replace(escaped, "")


def test_every_bundled_template_renders_with_and_without_a_stored_change() -> None:
    settings = load_settings(None, notifications={"rules": [
        {"name": "r", "apprise": "json://127.0.0.1/"}]})
    rule = settings.notifications.rules[0]
    for name in MESSAGE_TEMPLATES:
        fmt = m.TEMPLATE_FORMATS[name]
        source = m.template_source(name, rule, settings.notifications)
        full = m.render(name, source, m.message_context(EVENT, CHANGE, "https://ts", fmt), 10**5)
        bare = m.render(name, source, m.message_context(EVENT, None, "", fmt), 10**5)
        assert "421" in full and "421" not in bare
        if fmt in ("html", "matrix_html", "slack"):  # EVENT's headline is hostile
            assert "<script" not in full and "&lt;script&gt;" in full
        assert "{{" not in full and "None" not in bare


def test_overrides_come_from_the_rule_then_the_settings_then_the_bundle() -> None:
    settings = load_settings(None, notifications={
        "templates": {"slack": "global {{ title }}", "discord": "global"},
        "rules": [{"name": "r", "apprise": "json://127.0.0.1/",
                   "templates": {"slack": "mine {{ number }}"}}]})
    rule, config = settings.notifications.rules[0], settings.notifications
    assert m.template_source("slack", rule, config) == "mine {{ number }}"
    assert m.template_source("discord", rule, config) == "global"
    assert m.template_source("matrix_html", rule, config) == m.bundled("matrix_html")


def test_templates_are_sandboxed_and_article_text_is_never_a_template() -> None:
    context = m.message_context(EVENT, CHANGE, "", "slack")
    with pytest.raises(SecurityError):
        m.render("slack", "{{ title.__class__.__mro__[1].__subclasses__() }}", context, 100)
    assert m.render("slack", "{{ changes[-1].new }}", context, 1000).endswith(
        "[link](https://evil.example)")
    assert "{{ 7 * 7 }}" in m.render("email_text", "{{ title }} {{ url }}",
                                     {**context, "title": "{{ 7 * 7 }}"}, 100)


def test_many_changes_are_cut_and_counted() -> None:
    old = Document.from_text("\n\n".join(f"Sentence number {i} is here." for i in range(30)))
    new = Document.from_text("\n\n".join(f"Sentence number {i} is there." for i in range(30)))
    changes, more = m.changes(diff(old, new), "text")
    assert len(changes) == m.MAX_CHANGES and more == 30 - m.MAX_CHANGES
    text = m.render("email_text", m.bundled("email_text"),
                    m.message_context(EVENT, diff(old, new), "", "text"), 10**5)
    assert f"… and {30 - m.MAX_CHANGES} more changes." in text
