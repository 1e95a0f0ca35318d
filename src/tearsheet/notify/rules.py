"""Which changes a rule wants, and the messages it sends (pure: no database, no network).

Message templates are the administrator's Jinja2, rendered in a sandboxed environment:
the variables hold article text, which is hostile, and the sandbox keeps a template (or a
value) from reaching Python internals. Messages are plain text; Apprise is told so, and
escapes them for targets that speak HTML or Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment

from tearsheet.config import NotifyRule
from tearsheet.humanize import duration

MAX_TITLE = 250
MAX_BODY = 4000
SUMMARY_EXAMPLES = 20  # articles named in a flood summary


@dataclass(frozen=True)
class ChangeEvent:
    """A stored change, as rules and messages see it."""

    version_id: int
    article_id: int
    source_id: int
    source: str
    url: str
    number: int
    captured_at: datetime
    title: str | None
    previous_title: str | None
    text: str
    kinds: tuple[str, ...]
    significance: float
    boring: bool
    words_added: int
    words_removed: int
    intents: tuple[str, ...] = ()  # coarse intents, dominant first
    intent_labels: tuple[str, ...] = ()
    silent_correction: bool = False
    correction_note: str | None = None

    def diff_path(self) -> str:
        return f"/articles/{self.article_id}/diff/{self.number - 1}/{self.number}"


def matches(rule: NotifyRule, event: ChangeEvent) -> bool:
    """All of the rule's conditions hold (an empty list of sources, kinds or words: any)."""
    if rule.sources and event.source not in rule.sources:
        return False
    if event.boring and not rule.include_boring:
        return False
    if rule.kinds and not set(rule.kinds) & set(event.kinds):
        return False
    if rule.intents and not set(rule.intents) & {*event.intents, *event.intent_labels}:
        return False
    if rule.silent is not None and event.silent_correction is not rule.silent:
        return False
    if event.significance < rule.min_significance:
        return False
    return not rule.words or _words_pattern(tuple(rule.words)).search(
        f"{event.title or ''}\n{event.text}") is not None


@lru_cache(maxsize=256)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word.strip()) for word in words if word.strip())
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


_environment = SandboxedEnvironment(autoescape=False, trim_blocks=True)


@lru_cache(maxsize=256)
def _template(source: str) -> Template:
    return _environment.from_string(source)


def render(source: str, context: dict[str, Any], limit: int) -> str:
    text = _template(source).render(**context).strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def change_context(event: ChangeEvent, base_url: str) -> dict[str, Any]:
    """What a change message template can use."""
    return {"source": event.source, "title": event.title or event.url,
            "previous_title": event.previous_title, "url": event.url,
            "diff_url": base_url + event.diff_path(), "number": event.number,
            "captured_at": event.captured_at.isoformat(), "kinds": list(event.kinds),
            "significance": event.significance, "words_added": event.words_added,
            "words_removed": event.words_removed, "boring": event.boring,
            "intents": list(event.intents), "intent_labels": list(event.intent_labels),
            "silent_correction": event.silent_correction,
            "correction_note": event.correction_note}


def summary_context(source: str, events: list[ChangeEvent], count: int, window: float,
                    base_url: str) -> dict[str, Any]:
    """What a flood summary template can use: ``count`` changes, the first few named."""
    return {"source": source, "count": count, "window": duration(window),
            "window_seconds": window,
            "articles": [{"title": e.title or e.url, "url": e.url,
                          "diff_url": base_url + e.diff_path()}
                         for e in events[:SUMMARY_EXAMPLES]]}


def message(rule: NotifyRule, context: dict[str, Any], summary: bool) -> tuple[str, str]:
    """(title, body) of the rule's templates for this context."""
    title = rule.summary_title if summary else rule.title
    body = rule.summary_body if summary else rule.body
    return render(title, context, MAX_TITLE), render(body, context, MAX_BODY)


def alert(source: str, raised_at: datetime, state: dict[str, Any],
          base_url: str) -> tuple[dict[str, Any], str, str]:
    """(context, title, body) of an "extraction broken" alert: plain words, no template
    (the reason is tearsheet's own text, the source name the administrator's)."""
    since = state.get("broken_since") or raised_at
    reason = state.get("broken_reason") or "its checks are refused or collapsed"
    context = {"source": source, "broken_since": since.isoformat(), "reason": reason,
               "still_broken": state.get("broken_since") is not None,
               "sources_url": f"{base_url}/sources" if base_url else None}
    title = f"{source}: extraction broken since {since:%Y-%m-%d %H:%M} UTC"[:MAX_TITLE]
    body = (f"{reason}.\nShrunken bodies of its articles are held back, not stored, until "
            "extraction works again (a changed layout? set body_selector, or render = "
            "\"browser\" if its pages need JavaScript)."
            + (f"\n{context['sources_url']}" if base_url else ""))[:MAX_BODY]
    return context, title, body
