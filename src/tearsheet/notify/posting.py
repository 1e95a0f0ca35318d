"""Rules that post to an account: the card, its alt text and a short text, threaded.

A change of an article is posted under the account's earlier posts of the same article
(the first is the thread's root, the last its parent), so a story's whole history reads
as one thread, as the ``*_diff`` accounts do. ``social_posts`` records each post twice:
before it is sent (``sending``) and after (``sent``, with the network's ids). A row found
``sending`` on a later attempt means the earlier one may have reached the network before
a crash: the client then looks for that post instead of making another (see
:mod:`tearsheet.notify.social`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from tearsheet.config import Account, NotifyRule, Settings
from tearsheet.errors import TearsheetError
from tearsheet.notify import rules as r
from tearsheet.notify.outbox import Delivery
from tearsheet.notify.rules import ChangeEvent
from tearsheet.notify.social import Bluesky, Mastodon, Network, Post, PostRef, Thread
from tearsheet.store.schema import social_posts
from tearsheet.store.store import Store

if TYPE_CHECKING:
    from tearsheet.diff.changes import Change


@dataclass(frozen=True)
class CardImage:
    png: bytes
    alt: str
    size: tuple[int, int]


@dataclass(frozen=True)
class StoredChange:
    """A stored change as the diff engine reads it, with its two versions' rows."""

    change: Change
    before: Mapping[str, Any]
    after: Mapping[str, Any]


def stored_change(store: Store, event: ChangeEvent) -> StoredChange:
    """The diff of a stored version against the one before it (CPU: a worker thread)."""
    from tearsheet.diff import Document, diff

    before = store.version(event.article_id, event.number - 1)
    after = store.version(event.article_id, event.number)
    if before is None or after is None:
        raise TearsheetError(f"version {event.number} of article {event.article_id} or the "
                             "one before it is gone")
    return StoredChange(diff(Document.from_version(before), Document.from_version(after)),
                        before, after)


def make_card(settings: Settings, store: Store, event: ChangeEvent, url: str,
              stored: StoredChange | None = None, draw: bool = True) -> CardImage:
    """The card of a stored change (CPU: run it on a worker thread); ``draw=False``: its
    alt text alone."""
    from tearsheet.diff import card as cards
    from tearsheet.diff.fonts import find_fonts

    stored = stored or stored_change(store, event)
    info = cards.info_from_rows(event.source, stored.before, stored.after, url)
    if not draw:  # the words only (a card shown by its URL)
        return CardImage(b"", cards.alt_text(stored.change, info), (0, 0))
    size = cards.PORTRAIT if settings.cards.portrait else cards.LANDSCAPE
    data = cards.png(stored.change, info, size, find_fonts(tuple(settings.cards.fonts)))
    return CardImage(data, cards.alt_text(stored.change, info), size)


class Posts:
    """The ``social_posts`` table: threads, and the record before and after a post."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def thread(self, account: str, article_id: int) -> Thread | None:
        p = social_posts.c
        mine = [p.account == account, p.article_id == article_id, p.state == "sent"]
        with self.engine.connect() as conn:
            first = conn.execute(select(p.post_id, p.post_cid, p.url).where(*mine)
                                 .order_by(p.id).limit(1)).first()
            last = conn.execute(select(p.post_id, p.post_cid, p.url).where(*mine)
                                .order_by(p.id.desc()).limit(1)).first()
        if first is None or last is None:
            return None
        return Thread(PostRef(*first), PostRef(*last))

    def begin(self, account: str, event: ChangeEvent, delivery_id: int, now: datetime) -> bool:
        """Record that a post is about to be sent; True when an earlier attempt did so
        already (it may have been posted)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(social_posts.insert().values(
                    account=account, article_id=event.article_id, version_id=event.version_id,
                    delivery_id=delivery_id, state="sending", created_at=now))
        except IntegrityError:
            return True
        return False

    def sent(self, account: str, delivery_id: int, ref: PostRef, now: datetime) -> None:
        p = social_posts.c
        with self.engine.begin() as conn:
            conn.execute(update(social_posts)
                         .where(p.account == account, p.delivery_id == delivery_id)
                         .values(state="sent", post_id=ref.id, post_cid=ref.cid, url=ref.url,
                                 sent_at=now))

    def of_article(self, article_id: int) -> list[dict[str, Any]]:
        p = social_posts.c
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(
                select(social_posts).where(p.article_id == article_id).order_by(p.id))]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(social_posts)) or 0)


class Posting:
    """The accounts' clients (one each, so a rate limit pauses every rule posting there)
    and what a post is made of."""

    def __init__(self, settings: Settings, store: Store, clock: Any) -> None:
        self.settings = settings
        self.store = store
        self.posts = Posts(store)
        self.clock = clock
        self.media_poll = 1.0  # seconds between Mastodon's "still processing" checks
        self._networks: dict[str, Network] = {}

    def network(self, name: str) -> Network:
        found = self._networks.get(name)
        if found is None:
            account = self.settings.notifications.accounts[name]
            found = self._networks[name] = _client(account, self.settings.notifications.timeout,
                                                   self.clock, self.media_poll)
        return found

    async def deliver(self, rule: NotifyRule, delivery: Delivery,
                      client: httpx.AsyncClient, summary_text: str | None) -> PostRef:
        """Post one delivery; raises :class:`~tearsheet.notify.social.PostError`."""
        assert rule.account is not None
        account = self.settings.notifications.accounts[rule.account]
        network = self.network(rule.account)
        key = f"tearsheet-{delivery.id}"
        if summary_text is not None:  # a flood summary: words only, on its own
            post = Post(summary_text, None, "", (0, 0), key, delivery.created_at,
                        language=account.language, sequence=delivery.id)
            return await network.post(client, post, None, delivery.attempts > 1)
        event = delivery.event
        if event is None:
            raise TearsheetError(f"the version of notification {delivery.id} is gone")
        base = self.settings.notifications.base_url.rstrip("/")
        link = base + event.diff_path() if base else None
        image = await asyncio.to_thread(make_card, self.settings, self.store, event,
                                        link or "")
        text = r.render(rule.post, r.change_context(event, base), r.MAX_BODY)
        thread = await asyncio.to_thread(self.posts.thread, rule.account, event.article_id)
        repeated = await asyncio.to_thread(self.posts.begin, rule.account, event,
                                           delivery.id, self.clock())
        post = Post(text, image.png, image.alt, image.size, key, delivery.created_at,
                    link=link, language=account.language, sequence=delivery.id)
        ref = await network.post(client, post, thread, repeated or delivery.attempts > 1)
        await asyncio.to_thread(self.posts.sent, rule.account, delivery.id, ref, self.clock())
        return ref


def _client(account: Account, timeout: float, clock: Any, media_poll: float) -> Network:
    if account.mastodon is not None:
        assert account.token is not None
        return Mastodon(account.mastodon, account.token.get_secret_value(), timeout, clock,
                        poll_interval=media_poll)
    assert account.bluesky is not None and account.identifier is not None
    assert account.password is not None
    return Bluesky(account.bluesky, account.identifier, account.password.get_secret_value(),
                   timeout, clock)
