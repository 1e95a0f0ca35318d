"""Posting a card to Mastodon (REST) and Bluesky (AT Protocol XRPC), threaded.

A post is made at least once and never twice, across crashes:

- Mastodon: ``POST /api/v1/statuses`` carries an ``Idempotency-Key`` derived from the
  outbox row, so the server answers a repeated request (the same row sent again after a
  crash between sending and recording) with the status it made the first time.
- Bluesky: the record key (``rkey``, a TID) is derived from the outbox row; before a
  repeated attempt the client asks ``com.atproto.repo.getRecord`` whether the post exists,
  and a PDS refuses a second record under the same key anyway.

Rate limits: a 429 (or 503) raises :class:`RateLimited` with the moment the server named
(``Retry-After``, Mastodon's ``X-RateLimit-Reset``, the AT Protocol's ``RateLimit-Reset``);
an answer saying no requests remain (``…-Remaining: 0``) pauses the account until its
reset before the next post. Credentials are never put in messages or logs.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from tearsheet import __version__
from tearsheet.errors import PostError, RateLimited

MASTODON_CHARS = 500
BLUESKY_GRAPHEMES = 300
BLUESKY_IMAGE_BYTES = 1_000_000
MEDIA_POLLS = 30  # ``GET /api/v1/media/:id`` while Mastodon processes an upload
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"






@dataclass(frozen=True)
class PostRef:
    """A post as the network names it: Mastodon's status id, Bluesky's at:// URI + CID."""

    id: str
    cid: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Thread:
    """Where a post goes in its article's thread: the first post and the last one."""

    root: PostRef
    parent: PostRef


@dataclass(frozen=True)
class Post:
    text: str
    image: bytes | None  # PNG
    alt: str
    size: tuple[int, int]
    key: str  # stable per outbox row: idempotency key, record key seed
    created_at: datetime
    link: str | None = None  # a URL in the text (a link facet on Bluesky)
    language: str | None = None
    sequence: int = 0  # the outbox row's id: record keys of one batch differ by it


def headers_wait(response: httpx.Response, now: datetime) -> datetime | None:
    """When a rate-limited server lets us try again, from its headers (None: not said)."""
    h = response.headers
    retry = h.get("Retry-After")
    if retry:
        try:
            return now + timedelta(seconds=float(retry))
        except ValueError:
            try:
                return parsedate_to_datetime(retry).astimezone(UTC)
            except (TypeError, ValueError):
                pass
    reset = h.get("X-RateLimit-Reset") or h.get("RateLimit-Reset")
    if reset:
        try:
            value = float(reset)
            # AT Protocol: a Unix time; IETF draft: seconds from now (small numbers).
            return datetime.fromtimestamp(value, UTC) if value > 1e9 else \
                now + timedelta(seconds=value)
        except ValueError:
            try:
                return datetime.fromisoformat(reset.replace("Z", "+00:00")).astimezone(UTC)
            except ValueError:
                return None
    return None


def exhausted(response: httpx.Response) -> bool:
    remaining = response.headers.get("X-RateLimit-Remaining") or \
        response.headers.get("RateLimit-Remaining")
    return remaining is not None and remaining.strip() == "0"


def tid(moment: datetime, clock_id: int) -> str:
    """An AT Protocol TID: 53 bits of microseconds since 1970 and 10 bits of clock id,
    in base32-sortable (13 characters). The same outbox row always gives the same one."""
    micros = int(moment.timestamp() * 1_000_000) & ((1 << 53) - 1)
    value = (micros << 10) | (clock_id & 0x3FF)
    return "".join(TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def shorten(text: str, limit: int, keep: str | None = None) -> str:
    """``text`` cut to ``limit`` characters with "…", keeping ``keep`` (the link) whole at
    its end when it is there."""
    if len(text) <= limit:
        return text
    if keep and keep in text:
        head = text.replace(keep, "").rstrip()
        room = limit - len(keep) - 2
        return (head[:room].rstrip() + "…\n" + keep) if room > 0 else keep[:limit]
    return text[:limit - 1].rstrip() + "…"


class Network:
    """What a posting account does; one per configured account, kept by the notifier."""

    name = "network"

    def __init__(self, base: str, timeout: float, clock: Any) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.clock = clock
        self.paused_until: datetime | None = None

    def check_pause(self) -> None:
        if self.paused_until is not None and self.paused_until > self.clock():
            raise RateLimited(f"{self.name}: waiting for the rate limit to reset",
                              self.paused_until)

    async def request(self, client: httpx.AsyncClient, method: str, path: str,
                      **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("timeout", self.timeout)
        headers = {"User-Agent": f"tearsheet/{__version__}", **kwargs.pop("headers", {})}
        try:
            response = await client.request(method, self.base + path, headers=headers,
                                            **kwargs)
        except httpx.TimeoutException:
            raise PostError(f"{self.name}: no answer from {self.base} within "
                            f"{self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise PostError(f"{self.name}: {self.base}: {exc.__class__.__name__}") from None
        now = self.clock()
        if response.status_code in (429, 503):
            until = headers_wait(response, now) or now + timedelta(seconds=60)
            self.paused_until = until
            raise RateLimited(f"{self.name}: HTTP {response.status_code} (rate limited) "
                              f"until {until:%H:%M:%S}", until)
        if exhausted(response):
            self.paused_until = headers_wait(response, now)
        return response

    async def post(self, client: httpx.AsyncClient, post: Post, thread: Thread | None,
                   repeated: bool) -> PostRef:
        raise NotImplementedError


def _problem(network: str, response: httpx.Response) -> PostError:
    """An error answer as a message (the server's own words, never our credentials)."""
    try:
        body = response.json()
        detail = body.get("error_description") or body.get("message") or body.get("error")
    except (ValueError, AttributeError):
        detail = None
    final = response.status_code in (400, 401, 403, 404, 413, 422)
    return PostError(f"{network}: HTTP {response.status_code}"
                     + (f": {str(detail)[:300]}" if detail else ""), final=final)


class Mastodon(Network):
    name = "mastodon"

    def __init__(self, base: str, token: str, timeout: float, clock: Any,
                 poll_interval: float = 1.0) -> None:
        super().__init__(base, timeout, clock)
        self._auth = {"Authorization": f"Bearer {token}"}
        self.poll_interval = poll_interval

    async def post(self, client: httpx.AsyncClient, post: Post, thread: Thread | None,
                   repeated: bool) -> PostRef:
        self.check_pause()
        media = [await self._upload(client, post)] if post.image else []
        body: dict[str, Any] = {"status": shorten(post.text, MASTODON_CHARS, post.link),
                                "media_ids": media, "visibility": "public"}
        if thread is not None:
            body["in_reply_to_id"] = thread.parent.id
        if post.language:
            body["language"] = post.language
        response = await self.request(
            client, "POST", "/api/v1/statuses", json=body,
            headers={**self._auth, "Idempotency-Key": post.key})
        if response.status_code != 200:
            raise _problem(self.name, response)
        status = response.json()
        return PostRef(str(status["id"]), url=status.get("url"))

    async def _upload(self, client: httpx.AsyncClient, post: Post) -> str:
        assert post.image is not None
        response = await self.request(
            client, "POST", "/api/v2/media", headers=self._auth,
            files={"file": ("card.png", post.image, "image/png")},
            data={"description": post.alt})
        if response.status_code not in (200, 202):
            raise _problem(self.name, response)
        media_id = str(response.json()["id"])
        polls = 0
        while response.status_code != 200:  # 202, then 206 while processing
            polls += 1
            if polls > MEDIA_POLLS:
                raise PostError(f"{self.name}: the card was still processing after "
                                f"{MEDIA_POLLS} checks")
            await asyncio.sleep(self.poll_interval)
            response = await self.request(client, "GET", f"/api/v1/media/{media_id}",
                                          headers=self._auth)
            if response.status_code not in (200, 206):
                raise _problem(self.name, response)
        return media_id


class Bluesky(Network):
    name = "bluesky"

    def __init__(self, base: str, identifier: str, password: str, timeout: float,
                 clock: Any) -> None:
        super().__init__(base, timeout, clock)
        self._login = {"identifier": identifier, "password": password}
        self._session: dict[str, str] | None = None

    async def _auth(self, client: httpx.AsyncClient, fresh: bool = False) -> dict[str, str]:
        if self._session is None or fresh:
            response = await self.request(client, "POST",
                                          "/xrpc/com.atproto.server.createSession",
                                          json=self._login)
            if response.status_code != 200:
                raise _problem(self.name, response)
            self._session = response.json()
        assert self._session is not None
        return {"Authorization": f"Bearer {self._session['accessJwt']}"}

    async def _call(self, client: httpx.AsyncClient, method: str, name: str,
                    **kwargs: Any) -> httpx.Response:
        """An XRPC call with the session, logging in again once when it expired."""
        headers = kwargs.pop("headers", {})
        response = await self.request(client, method, f"/xrpc/{name}",
                                      headers={**headers, **await self._auth(client)}, **kwargs)
        if response.status_code in (400, 401) and _error(response) in (
                "ExpiredToken", "InvalidToken", "AuthenticationRequired"):
            response = await self.request(
                client, method, f"/xrpc/{name}",
                headers={**headers, **await self._auth(client, fresh=True)}, **kwargs)
        return response

    async def post(self, client: httpx.AsyncClient, post: Post, thread: Thread | None,
                   repeated: bool) -> PostRef:
        self.check_pause()
        await self._auth(client)
        assert self._session is not None
        did = self._session["did"]
        rkey = tid(post.created_at + timedelta(microseconds=post.sequence),
                   zlib.crc32(post.key.encode()))
        if repeated:  # the last attempt may have made it before the crash
            found = await self._call(client, "GET", "com.atproto.repo.getRecord", params={
                "repo": did, "collection": "app.bsky.feed.post", "rkey": rkey})
            if found.status_code == 200:
                data = found.json()
                return PostRef(data["uri"], data["cid"], _web_url(data["uri"]))
        text = shorten(post.text, BLUESKY_GRAPHEMES, post.link)
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text,
                                  "createdAt": post.created_at.astimezone(UTC)
                                  .isoformat().replace("+00:00", "Z")}
        if post.language:
            record["langs"] = [post.language]
        if post.link and post.link in text:
            start = text.encode().index(post.link.encode())
            record["facets"] = [{"index": {"byteStart": start,
                                           "byteEnd": start + len(post.link.encode())},
                                 "features": [{"$type": "app.bsky.richtext.facet#link",
                                               "uri": post.link}]}]
        if thread is not None:
            record["reply"] = {"root": {"uri": thread.root.id, "cid": thread.root.cid},
                               "parent": {"uri": thread.parent.id, "cid": thread.parent.cid}}
        if post.image is not None:
            if len(post.image) > BLUESKY_IMAGE_BYTES:
                raise PostError(f"{self.name}: the card is larger than 1 MB", final=True)
            uploaded = await self._call(client, "POST", "com.atproto.repo.uploadBlob",
                                        content=post.image,
                                        headers={"Content-Type": "image/png"})
            if uploaded.status_code != 200:
                raise _problem(self.name, uploaded)
            width, height = post.size
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [{
                "alt": post.alt, "image": uploaded.json()["blob"],
                "aspectRatio": {"width": width, "height": height}}]}
        created = await self._call(client, "POST", "com.atproto.repo.createRecord", json={
            "repo": did, "collection": "app.bsky.feed.post", "rkey": rkey, "record": record})
        if created.status_code != 200:
            raise _problem(self.name, created)
        data = created.json()
        return PostRef(data["uri"], data["cid"], _web_url(data["uri"]))


def _error(response: httpx.Response) -> str | None:
    try:
        value = response.json().get("error")
    except (ValueError, AttributeError, json.JSONDecodeError):
        return None
    return str(value) if value else None


def _web_url(uri: str) -> str:
    """``at://did/app.bsky.feed.post/rkey`` → the post's page on bsky.app."""
    did, _, rkey = uri.removeprefix("at://").partition("/app.bsky.feed.post/")
    return f"https://bsky.app/profile/{did}/post/{rkey}"
