"""Local Slack and Discord webhooks and a Matrix homeserver that check the real requests.

Each fake speaks the part of its API tearsheet uses, on a :class:`LocalServer` on
127.0.0.1, and refuses what the real service refuses: Slack's ``invalid_blocks`` (a
section over 3,000 characters, an image block without ``alt_text``), Discord's embed
limits and a missing ``wait``, Matrix without the token, in a room the account is not
in, or without ``formatted_body`` beside ``format``. Matrix answers a transaction id
used again with the event it made the first time, as the spec asks. Tests script
failures (``fail_next``) and read what arrived.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.localserver import LocalServer, Reply, Request
from tests.support.protocols import _json, _Scripted

SLACK_PATH = "/services/T0TEARS/B0SHEET/abcdefghijklmnopqrstuvwx"
DISCORD_PATH = "/api/webhooks/1234567890/discord-secret-token_0123"
MATRIX_TOKEN = "syt_matrix_token_0123456789"
ROOM = "!newsroom:matrix.example"
ALIAS = "#desk:matrix.example"


class FakeSlack(_Scripted):
    """An incoming webhook: Block Kit JSON in, ``ok`` out; 429 with ``Retry-After``."""

    def __init__(self, server: LocalServer) -> None:
        super().__init__()
        self.messages: list[dict[str, Any]] = []
        server.route(SLACK_PATH, self._post)

    @property
    def url(self) -> str:
        return SLACK_PATH

    def scripted(self) -> Reply | None:
        status = self.next_status()
        if status is None:
            return None
        return Reply(status, "rate_limited" if status == 429 else "internal_error",
                     {"Content-Type": "text/plain",
                      **(self.rate_headers if status == 429 else {})})

    def _post(self, request: Request) -> Reply:
        refused = self.scripted()
        if refused:
            return refused
        if not request.headers.get("Content-Type", "").startswith("application/json"):
            return Reply(400, "invalid_payload", {"Content-Type": "text/plain"})
        body = json.loads(request.body)
        problem = _slack_problem(body)
        if problem:
            return Reply(400, problem, {"Content-Type": "text/plain"})
        self.messages.append(body)
        return Reply(200, "ok", {"Content-Type": "text/plain"})


def _slack_problem(body: dict[str, Any]) -> str | None:
    if not isinstance(body.get("text"), str) and not body.get("blocks"):
        return "no_text"
    blocks = body.get("blocks", [])
    if len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        if block["type"] == "section":
            text = block.get("text", {})
            if text.get("type") not in ("mrkdwn", "plain_text") or \
                    not 0 < len(text.get("text", "")) <= 3000:
                return "invalid_blocks"
        elif block["type"] == "image":
            if not block.get("image_url", "").startswith("http") or not block.get("alt_text"):
                return "invalid_blocks"
        elif block["type"] != "context":
            return "invalid_blocks"
    return None


class FakeDiscord(_Scripted):
    """Execute Webhook: ``POST …?wait=true`` answers the message; embeds checked against
    Discord's limits; 429 with ``retry_after`` in the body and ``Retry-After``."""

    def __init__(self, server: LocalServer) -> None:
        super().__init__()
        self.messages: list[dict[str, Any]] = []
        self._ids = itertools.count(900_000)
        server.route(DISCORD_PATH, self._post)

    def scripted(self) -> Reply | None:
        status = self.next_status()
        if status is None:
            return None
        if status == 429:
            return _json(429, {"message": "You are being rate limited.", "retry_after": 12.5,
                               "global": False}, {"Retry-After": "13", **self.rate_headers})
        return _json(status, {"message": "500: Internal Server Error", "code": 0})

    def _post(self, request: Request) -> Reply:
        refused = self.scripted()
        if refused:
            return refused
        query = parse_qs(urlsplit(request.path).query)
        if query.get("wait") != ["true"]:
            return _json(400, {"message": "tearsheet asks for wait=true", "code": 50035})
        body = json.loads(request.body)
        problem = _discord_problem(body)
        if problem:
            return _json(400, {"message": "Invalid Form Body", "code": 50035,
                               "errors": problem})
        message = {"id": str(next(self._ids)), "content": body.get("content", ""),
                   "embeds": body.get("embeds", [])}
        self.messages.append(body)
        return _json(200, message, self.rate_headers)


def _discord_problem(body: dict[str, Any]) -> str | None:
    embeds = body.get("embeds", [])
    if not embeds and not body.get("content"):
        return "empty message"
    if len(body.get("content", "")) > 2000 or len(embeds) > 10:
        return "content or embeds too long"
    for embed in embeds:
        total = sum(len(embed.get(k, "")) for k in ("title", "description")) + \
            len(embed.get("footer", {}).get("text", "")) + \
            len(embed.get("author", {}).get("name", ""))
        if len(embed.get("title", "")) > 256 or len(embed.get("description", "")) > 4096 \
                or total > 6000:
            return "embed too long"
        if "url" in embed and not embed["url"].startswith(("http://", "https://")):
            return "embed url"
        if not isinstance(embed.get("color", 0), int):
            return "embed color"
    return None


@dataclass
class Event:
    event_id: str
    room_id: str
    content: dict[str, Any]


class FakeMatrix(_Scripted):
    """A homeserver: ``PUT …/rooms/{roomId}/send/m.room.message/{txnId}`` (idempotent per
    token and transaction id), ``GET …/directory/room/{alias}``, ``POST
    /_matrix/media/v3/upload``. The account is in :data:`ROOM` only."""

    def __init__(self, server: LocalServer) -> None:
        super().__init__()
        self.events: list[Event] = []
        self.media: dict[str, bytes] = {}
        self.transactions: dict[tuple[str, str], Event] = {}
        self._ids = itertools.count(1)
        server.route_prefix("/_matrix/client/v3/rooms/", self._send)
        server.route_prefix("/_matrix/client/v3/directory/room/", self._alias)
        server.route("/_matrix/media/v3/upload", self._upload)

    @property
    def messages(self) -> list[Event]:
        return [e for e in self.events if e.content.get("msgtype") != "m.image"]

    def scripted(self) -> Reply | None:
        status = self.next_status()
        if status is None:
            return None
        if status == 429:
            return _json(429, {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests",
                               "retry_after_ms": 90_000})
        return _json(status, {"errcode": "M_UNKNOWN", "error": f"scripted {status}"})

    def _token(self, request: Request) -> str | None:
        value = request.headers.get("Authorization", "")
        return value.removeprefix("Bearer ") if value == f"Bearer {MATRIX_TOKEN}" else None

    def _send(self, request: Request) -> Reply:
        token = self._token(request)
        if token is None:
            return _json(401, {"errcode": "M_UNKNOWN_TOKEN",
                               "error": "Invalid access token passed."})
        parts = urlsplit(request.path).path.split("/")
        # /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}
        if request.method != "PUT" or len(parts) != 9 or parts[6] != "send":
            return _json(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
        room, kind, txn = unquote(parts[5]), parts[7], unquote(parts[8])
        if kind != "m.room.message":
            return _json(400, {"errcode": "M_BAD_JSON", "error": "tearsheet sends messages"})
        if room != ROOM:
            return _json(403, {"errcode": "M_FORBIDDEN",
                               "error": f"User not in room {room}"})
        done = self.transactions.get((token, txn))
        if done is not None:
            return _json(200, {"event_id": done.event_id})
        refused = self.scripted()
        if refused:
            return refused
        content = json.loads(request.body)
        problem = _matrix_problem(content, self.media)
        if problem:
            return _json(400, {"errcode": "M_BAD_JSON", "error": problem})
        event = Event(f"$event{next(self._ids)}", room, content)
        self.events.append(event)
        self.transactions[(token, txn)] = event
        return _json(200, {"event_id": event.event_id})

    def _alias(self, request: Request) -> Reply:
        alias = unquote(urlsplit(request.path).path.rsplit("/", 1)[1])
        if alias != ALIAS:
            return _json(404, {"errcode": "M_NOT_FOUND", "error": f"Room alias {alias} not "
                                                                  "found"})
        return _json(200, {"room_id": ROOM, "servers": ["matrix.example"]})

    def _upload(self, request: Request) -> Reply:
        if self._token(request) is None:
            return _json(401, {"errcode": "M_MISSING_TOKEN", "error": "Missing access token"})
        if request.headers.get("Content-Type") != "image/png" or \
                not request.body.startswith(b"\x89PNG"):
            return _json(400, {"errcode": "M_UNKNOWN", "error": "not the PNG announced"})
        uri = f"mxc://matrix.example/media{next(self._ids)}"
        self.media[uri] = request.body
        return _json(200, {"content_uri": uri})


def _matrix_problem(content: dict[str, Any], media: dict[str, bytes]) -> str | None:
    if not isinstance(content.get("msgtype"), str) or not isinstance(content.get("body"), str):
        return "msgtype and body are required"
    if "format" in content and (content["format"] != "org.matrix.custom.html"
                                or not isinstance(content.get("formatted_body"), str)):
        return "format needs formatted_body"
    if content["msgtype"] == "m.image" and content.get("url") not in media:
        return "m.image names unknown media"
    return None
