"""Readable notifications: rules that send e-mail, Slack, Discord or Matrix messages.

A delivery's change is read back from the store and diffed (the sentences to mark), its
card drawn when the channel shows it, and the channel's templates rendered
(:mod:`.messages`); then it is sent (:mod:`.mail`, :mod:`.chat`). A flood summary is sent
as the rule's ``summary_title`` and ``summary_body``. :meth:`Messenger.compose` is also
what ``tearsheet notify preview`` shows.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from tearsheet.config import NotifyRule, Settings
from tearsheet.notify import messages as m
from tearsheet.notify import rules as r
from tearsheet.notify.chat import REDACT, Chat, Matrix, Target, discord, slack
from tearsheet.notify.mail import CARD_CID
from tearsheet.notify.posting import CardImage, StoredChange, make_card, stored_change
from tearsheet.notify.rules import ChangeEvent
from tearsheet.store.store import Store

READABLE = ("email", "slack", "discord", "matrix")
TEXT_TEMPLATE = {"email": "email_text", "slack": "slack", "discord": "discord",
                 "matrix": "matrix_text"}
HTML_TEMPLATE = {"email": "email_html", "matrix": "matrix_html"}
MAX_TEXT = 60_000  # characters of a rendered template (each channel cuts to its own limit)
SILENT_COLOUR, COLOUR = 0xCF222E, 0x0B57D0


@dataclass(frozen=True)
class Composed:
    """One message, ready for its channel."""

    title: str  # plain text (e-mail subject, Slack fallback, Discord embed title)
    text: str  # the text template's output (plain text, mrkdwn or Markdown)
    html: str | None  # the HTML template's output (e-mail, Matrix)
    card: CardImage | None
    event: ChangeEvent | None


def channel(rule: NotifyRule, settings: Settings) -> str:
    """``email``, ``slack``, ``discord`` or ``matrix`` for a readable rule; else the
    rule's own channel (``webhook``, ``apprise``, ``account``)."""
    if rule.account is not None and settings.notifications.accounts[rule.account].network \
            == "matrix":
        return "matrix"
    return rule.channel


class Messenger:
    """Composes and sends the readable rules' deliveries; keeps each target's rate limit."""

    def __init__(self, settings: Settings, store: Store,
                 clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.config = settings.notifications
        self.store = store
        self.clock = clock
        self._targets: dict[str, Target] = {}
        for rule in self.config.rules:
            for url in (rule.slack, rule.discord):
                if url is not None:
                    REDACT.add(url.get_secret_value())

    @property
    def base(self) -> str:
        return self.config.base_url.rstrip("/")

    def compose(self, rule: NotifyRule, event: ChangeEvent, *, stored: bool = True,
                inline: bool = False) -> Composed:
        """The message of a change (CPU and database: run it on a worker thread).
        ``stored``: the change's versions are in the store (a sample change's are not);
        ``inline``: the e-mail's HTML holds the card as a ``data:`` URI (a preview in a
        browser), not as ``cid:`` (a part of the e-mail)."""
        kind = channel(rule, self.settings)
        found: StoredChange | None = stored_change(self.store, event) if stored else None
        card = None
        if found is not None and rule.card:  # Slack and Discord show it by its URL
            card = make_card(self.settings, self.store, event,
                             self.base + event.diff_path() if self.base else "", found,
                             draw=kind in ("email", "matrix"))
        card_src = None
        if card is not None and kind == "email":
            card_src = data_uri(card.png) if inline else f"cid:{CARD_CID}"
        change = found.change if found is not None else None
        alt = card.alt if card is not None else ""

        def rendered(name: str) -> str:
            context = m.message_context(event, change, self.base, m.TEMPLATE_FORMATS[name],
                                        card_src if card is not None else None, alt)
            return m.render(name, m.template_source(name, rule, self.config), context,
                            MAX_TEXT)

        title = r.render(rule.title, r.change_context(event, self.base), r.MAX_TITLE)
        html = rendered(HTML_TEMPLATE[kind]) if kind in HTML_TEMPLATE else None
        return Composed(title, rendered(TEXT_TEMPLATE[kind]), html, card, event)

    def compose_summary(self, rule: NotifyRule, title: str, body: str) -> Composed:
        """A flood summary: the rule's plain-text summary in the channel's markup."""
        kind = channel(rule, self.settings)
        fmt = m.TEMPLATE_FORMATS[TEXT_TEMPLATE[kind]]
        html = m.summary_markup(title, body, "html" if kind == "email" else "matrix_html") \
            if kind in HTML_TEMPLATE else None
        return Composed(title, m.summary_markup(title, body, fmt), html, None, None)

    async def send(self, rule: NotifyRule, message: Composed, key: str,
                   client: httpx.AsyncClient) -> None:
        """Send one composed message; ``key`` is stable per outbox row."""
        from tearsheet.notify import mail

        kind = channel(rule, self.settings)
        timeout = self.config.timeout
        if kind == "email":
            assert self.config.email is not None
            when = message.event.captured_at if message.event else self.clock()
            email = mail.message(self.config.email, rule.email, message.title, message.text,
                                 message.html, message.card.png if message.card else None,
                                 key, when)
            await asyncio.to_thread(mail.send, self.config.email, email, timeout)
            return
        chat = self._chat(rule, message, key)
        if kind == "slack":
            assert rule.slack is not None
            await slack(client, self._target(f"slack ({rule.name})"),
                        rule.slack.get_secret_value(), chat, timeout)
        elif kind == "discord":
            assert rule.discord is not None
            await discord(client, self._target(f"discord ({rule.name})"),
                          rule.discord.get_secret_value(), chat, timeout)
        else:
            assert rule.account is not None and rule.room is not None
            await self._matrix(rule.account).send(client, rule.room, chat, timeout)

    def _chat(self, rule: NotifyRule, message: Composed, key: str) -> Chat:
        event = message.event
        if event is None:
            return Chat(message.title, message.text, message.html or "", key=key)
        link = self.base + event.diff_path() if self.base else ""
        public = self.base.startswith("https://") and rule.card
        return Chat(
            title=message.title, text=message.text, html=message.html or "", link=link,
            image_url=f"{link}.png" if public else "",
            image=message.card.png if message.card and message.card.png else None,
            alt=message.card.alt if message.card else "", source=event.source,
            footer=f"tearsheet · version {event.number}", when=event.captured_at,
            colour=SILENT_COLOUR if event.silent_correction else COLOUR, key=key)

    def _target(self, name: str) -> Target:
        found = self._targets.get(name)
        if found is None:
            found = self._targets[name] = Target(name, self.clock)
        return found

    def _matrix(self, account: str) -> Matrix:
        found = self._targets.get(f"matrix:{account}")
        if not isinstance(found, Matrix):
            settings = self.config.accounts[account]
            assert settings.matrix is not None and settings.token is not None
            found = Matrix(f"matrix ({account})", self.clock, homeserver=settings.matrix,
                           token=settings.token.get_secret_value())
            self._targets[f"matrix:{account}"] = found
        return found


def data_uri(png: bytes) -> str:
    """A card as a ``data:`` URI (a preview opened in a browser shows it)."""
    return "data:image/png;base64," + base64.b64encode(png).decode()


def preview(settings: Settings, store: Store, rule: NotifyRule, version_id: int | None,
            fmt: str) -> str:
    """What ``rule`` would send for a stored change (``tearsheet notify preview``): the
    change of version ``version_id``, else the newest change the rule matches, else the
    newest change; ``fmt`` is ``text`` or ``html``."""
    from tearsheet.errors import TearsheetError
    from tearsheet.notify.outbox import Outbox

    outbox = Outbox(store)
    if version_id is not None:
        event = outbox.change(version_id)
        if event is None:
            raise TearsheetError(f"no change stored as version {version_id} (a first "
                                 "version, a hidden article's, or no such version)")
    else:
        recent = outbox.recent_changes(PREVIEW_SCAN)
        event = next((e for e in recent if r.matches(rule, e)), recent[0] if recent else None)
        if event is None:
            raise TearsheetError("no change stored yet: nothing to preview")
    kind = channel(rule, settings)
    if kind in READABLE:
        composed = Messenger(settings, store, _now).compose(rule, event, inline=True)
        if fmt == "text":
            return composed.text
        if composed.html is None:
            raise TearsheetError(f"rule {rule.name!r} sends {kind} messages, which have no "
                                 "HTML: use --format text")
        return composed.html
    if fmt == "html":
        raise TearsheetError(f"rule {rule.name!r} sends {kind} messages, which have no HTML: "
                             "use --format text")
    base = settings.notifications.base_url.rstrip("/")
    context = r.change_context(event, base)
    if kind == "account":
        return r.render(rule.post, context, r.MAX_BODY)
    title, body = r.message(rule, context, summary=False)
    return f"{title}\n{body}"


PREVIEW_SCAN = 500  # recent changes looked through for one the rule matches


def _now() -> datetime:
    return datetime.now(UTC)
