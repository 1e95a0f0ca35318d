"""Chat messages: Slack and Discord incoming webhooks, and Matrix's client-server API.

- Slack: ``POST`` of Block Kit JSON (``text`` for notifications, ``mrkdwn`` sections, the
  card as an ``image`` block when the web UI has a public address); the answer is ``ok``.
- Discord: ``POST …?wait=true`` of an embed (title, link, Markdown description, the card
  as its image) with ``allowed_mentions`` empty, so no text can ping anyone.
- Matrix: ``PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`` with a
  plain ``body`` and an ``org.matrix.custom.html`` ``formatted_body``; the transaction id
  comes from the outbox row, so the homeserver answers a repeated attempt (after a crash
  between sending and recording) with the event it made the first time. The card, when
  asked for, is uploaded to the media repository and sent as an ``m.image`` before it.

Webhook URLs and tokens are credentials: no message, error or log line holds them.
A 429 (or a 503 with ``Retry-After``) raises :class:`RateLimited` with the moment the
server named (``Retry-After``, Discord's ``retry_after``, Matrix's ``retry_after_ms``); an
answer saying nothing remains (``X-RateLimit-Remaining: 0``) pauses that target until the
reset.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from tearsheet import __version__
from tearsheet.errors import PostError, RateLimited
from tearsheet.notify.social import exhausted, headers_wait

SLACK_SECTION = 3000  # characters of one mrkdwn section
SLACK_BLOCKS = 50
DISCORD_TITLE = 256
DISCORD_DESCRIPTION = 4096
MATRIX_BODY = 30_000  # characters of body and of formatted_body (an event is ≤ 64 KiB)
FINAL = (400, 401, 403, 404, 410, 413, 422)  # refused as sent: retrying cannot help


class Redact(logging.Filter):
    """Takes the webhooks' secret paths out of httpx's request log lines (at INFO it logs
    every URL, and a Slack or Discord webhook's path is its credential)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def add(self, url: str) -> None:
        path = urlsplit(url).path
        if len(path) > 8:
            self.secrets.add(path)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            text = record.getMessage()
            if any(secret in text for secret in self.secrets):
                for secret in self.secrets:
                    text = text.replace(secret, "/[secret]")
                record.msg, record.args = text, ()
        return True


REDACT = Redact()
logging.getLogger("httpx").addFilter(REDACT)


@dataclass(frozen=True)
class Chat:
    """A message as every chat channel needs it (each renders its own template)."""

    title: str  # plain text
    text: str  # the channel's markup: mrkdwn, Markdown, or Matrix's plain body
    html: str = ""  # Matrix's formatted_body
    link: str = ""  # the diff page, when the web UI has an address
    image_url: str = ""  # the card on the web UI (Slack, Discord)
    image: bytes | None = None  # the card's PNG (Matrix uploads it)
    alt: str = ""
    source: str = ""
    footer: str = ""
    when: datetime | None = None
    colour: int = 0x0B57D0
    key: str = ""  # stable per outbox row: Matrix's transaction id


@dataclass
class Target:
    """A webhook or a homeserver: what it said about its rate limit."""

    name: str
    clock: Any
    paused_until: datetime | None = None

    def check_pause(self) -> None:
        if self.paused_until is not None and self.paused_until > self.clock():
            raise RateLimited(f"{self.name}: waiting for the rate limit to reset",
                              self.paused_until)

    async def request(self, client: httpx.AsyncClient, method: str, url: str,
                      timeout: float, **kwargs: Any) -> httpx.Response:
        """One request; errors name the target, never its URL (it holds a credential)."""
        self.check_pause()
        headers = {"User-Agent": f"tearsheet/{__version__}", **kwargs.pop("headers", {})}
        try:
            response = await client.request(method, url, headers=headers, timeout=timeout,
                                            **kwargs)
        except httpx.TimeoutException:
            raise PostError(f"{self.name}: no answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise PostError(f"{self.name}: {exc.__class__.__name__}") from None
        now = self.clock()
        if response.status_code == 429 or (response.status_code == 503
                                           and "Retry-After" in response.headers):
            until = _json_wait(response, now) or headers_wait(response, now) or \
                now + timedelta(seconds=60)
            self.paused_until = until
            raise RateLimited(f"{self.name}: HTTP {response.status_code} (rate limited) "
                              f"until {until:%H:%M:%S}", until)
        if exhausted(response):
            self.paused_until = _reset_after(response, now) or headers_wait(response, now)
        return response


def _json_wait(response: httpx.Response, now: datetime) -> datetime | None:
    """Discord's ``retry_after`` (seconds) or Matrix's ``retry_after_ms`` in a 429 body."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("retry_after_ms"), int | float):
        return now + timedelta(milliseconds=body["retry_after_ms"])
    if isinstance(body.get("retry_after"), int | float):
        return now + timedelta(seconds=body["retry_after"])
    return None


def _reset_after(response: httpx.Response, now: datetime) -> datetime | None:
    try:
        return now + timedelta(seconds=float(response.headers["X-RateLimit-Reset-After"]))
    except (KeyError, ValueError):
        return None


def refused(name: str, response: httpx.Response) -> PostError:
    """An error answer as a message: the server's own short words (Slack's
    ``invalid_payload``, Discord's or Matrix's ``message``/``error``), never the URL."""
    try:
        body = response.json()
        detail = body.get("message") or body.get("error") or body.get("errcode") \
            if isinstance(body, dict) else None
    except ValueError:
        detail = response.text.strip()[:100] or None
    return PostError(f"{name}: HTTP {response.status_code}"
                     + (f": {str(detail)[:300]}" if detail else ""),
                     final=response.status_code in FINAL)


# --- Slack -------------------------------------------------------------------------------

def slack_payload(chat: Chat) -> dict[str, Any]:
    """Block Kit: the message in ``mrkdwn`` sections (cut at line ends), then the card."""
    from tearsheet.notify.messages import slack_escape

    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": part}}
                                    for part in _chunks(chat.text, SLACK_SECTION)]
    blocks = blocks[:SLACK_BLOCKS - 2]
    if chat.image_url:
        blocks.append({"type": "image", "image_url": chat.image_url,
                       "alt_text": chat.alt[:2000] or chat.title[:2000]})
    if chat.footer:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": slack_escape(chat.footer)[:3000]}]})
    return {"text": slack_escape(chat.title)[:3000], "blocks": blocks,
            "unfurl_links": False, "unfurl_media": False}


def _chunks(text: str, size: int) -> list[str]:
    """``text`` in pieces of at most ``size`` characters, cut at line ends where it can."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > size:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:size])
            line = line[size:]
        if len(current) + len(line) > size:
            parts.append(current)
            current = ""
        current += line
    if current.strip():
        parts.append(current)
    return [part.strip() for part in parts if part.strip()] or [" "]


async def slack(client: httpx.AsyncClient, target: Target, url: str, chat: Chat,
                timeout: float) -> None:
    response = await target.request(client, "POST", url, timeout, json=slack_payload(chat))
    if response.status_code != 200:
        raise refused(target.name, response)


# --- Discord -----------------------------------------------------------------------------

def discord_payload(chat: Chat) -> dict[str, Any]:
    """One embed; ``allowed_mentions`` empty, so nothing in an article pings anyone."""
    embed: dict[str, Any] = {"title": _cut(chat.title, DISCORD_TITLE),
                             "description": _cut(chat.text, DISCORD_DESCRIPTION),
                             "color": chat.colour}
    if chat.link.startswith(("http://", "https://")):
        embed["url"] = chat.link
    if chat.source:
        embed["author"] = {"name": _cut(chat.source, 256)}
    if chat.footer:
        embed["footer"] = {"text": _cut(chat.footer, 2048)}
    if chat.when is not None:
        embed["timestamp"] = chat.when.astimezone(UTC).isoformat()
    if chat.image_url:
        embed["image"] = {"url": chat.image_url}
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


async def discord(client: httpx.AsyncClient, target: Target, url: str, chat: Chat,
                  timeout: float) -> None:
    response = await target.request(client, "POST", url, timeout, params={"wait": "true"},
                                    json=discord_payload(chat))
    if response.status_code not in (200, 204):
        raise refused(target.name, response)


# --- Matrix ------------------------------------------------------------------------------

@dataclass
class Matrix(Target):
    """A Matrix account: the homeserver, its token, and the rooms' ids by alias."""

    homeserver: str = ""
    token: str = field(default="", repr=False)
    rooms: dict[str, str] = field(default_factory=dict)

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _api(self, path: str) -> str:
        return self.homeserver.rstrip("/") + "/_matrix/client/v3" + path

    async def room_id(self, client: httpx.AsyncClient, room: str, timeout: float) -> str:
        """``!id:server`` as it is; ``#alias:server`` asked of the directory (once)."""
        if room.startswith("!"):
            return room
        if room not in self.rooms:
            response = await self.request(client, "GET", self._api(
                f"/directory/room/{quote(room, safe='')}"), timeout, headers=self._auth)
            if response.status_code != 200:
                raise refused(f"{self.name}: room {room}", response)
            self.rooms[room] = str(response.json()["room_id"])
        return self.rooms[room]

    async def send(self, client: httpx.AsyncClient, room: str, chat: Chat,
                   timeout: float) -> str:
        """Send the message (and the card before it); returns the message's event id."""
        room_id = quote(await self.room_id(client, room, timeout), safe="")
        if chat.image is not None:
            await self._image(client, room_id, chat, timeout)
        content = {"msgtype": "m.notice", "body": _cut(chat.text, MATRIX_BODY),
                   "format": "org.matrix.custom.html",
                   "formatted_body": _cut(chat.html, MATRIX_BODY)}
        return await self._event(client, room_id, quote(chat.key, safe=""), content, timeout)

    async def _event(self, client: httpx.AsyncClient, room_id: str, txn: str,
                     content: dict[str, Any], timeout: float) -> str:
        response = await self.request(
            client, "PUT", self._api(f"/rooms/{room_id}/send/m.room.message/{txn}"), timeout,
            headers=self._auth, json=content)
        if response.status_code != 200:
            raise refused(self.name, response)
        return str(response.json()["event_id"])

    async def _image(self, client: httpx.AsyncClient, room_id: str, chat: Chat,
                     timeout: float) -> None:
        assert chat.image is not None
        uploaded = await self.request(
            client, "POST", self.homeserver.rstrip("/") + "/_matrix/media/v3/upload", timeout,
            params={"filename": "card.png"}, content=chat.image,
            headers={**self._auth, "Content-Type": "image/png"})
        if uploaded.status_code != 200:
            raise refused(self.name, uploaded)
        await self._event(client, room_id, quote(chat.key + "-card", safe=""), {
            "msgtype": "m.image", "body": chat.alt or "card.png",
            "url": uploaded.json()["content_uri"],
            "info": {"mimetype": "image/png", "size": len(chat.image)}}, timeout)
