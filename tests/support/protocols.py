"""Local Mastodon, Bluesky (PDS) and Save Page Now servers that check the real requests.

Each fake speaks the part of its protocol tearsheet uses, on a :class:`LocalServer` on
127.0.0.1, and refuses what the real service would refuse: a missing token, a status
naming media that does not exist, a post record without ``createdAt``, a reply whose
root and parent are not posts it holds. Tests script failures (``fail_next``: a list of
statuses answered before the real work) and read what was posted.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

from tests.support.localserver import LocalServer, Reply, Request

TOKEN = "mastodon-token-0123456789"
PASSWORD = "app-pass-word-0123"
DID = "did:plc:tearsheettest0000000000"


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(body), {"Content-Type": "application/json",
                                            **(headers or {})})


def multipart(request: Request) -> dict[str, tuple[bytes, str | None, str | None]]:
    """Form fields of a multipart/form-data body: name → (bytes, filename, content type)."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    fields: dict[str, tuple[bytes, str | None, str | None]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        fields[str(name)] = (payload if isinstance(payload, bytes) else b"",
                             part.get_filename(), part.get_content_type())
    return fields


class _Scripted:
    """Failures a test asks for, answered before the real work."""

    def __init__(self) -> None:
        self.fail_next: list[int] = []
        self.lock = threading.Lock()
        self.rate_headers: dict[str, str] = {}

    def next_status(self) -> int | None:
        """The next scripted failure, taken off the list (None: none left)."""
        with self.lock:
            return self.fail_next.pop(0) if self.fail_next else None

    def scripted(self) -> Reply | None:
        status = self.next_status()
        if status is None:
            return None
        return _json(status, {"error": f"scripted {status}"}, self.rate_headers
                     if status == 429 else {})


@dataclass
class Status:
    id: str
    text: str
    media: list[dict[str, Any]]
    in_reply_to_id: str | None
    visibility: str


class FakeMastodon(_Scripted):
    """``POST /api/v2/media`` (multipart ``file`` + ``description``; 202 while
    "processing", then ``GET /api/v1/media/:id``), ``POST /api/v1/statuses`` with
    ``Idempotency-Key`` (the same key answers the first status again, as Mastodon does)."""

    def __init__(self, server: LocalServer, processing_polls: int = 1) -> None:
        super().__init__()
        self.server = server
        self.media: dict[str, dict[str, Any]] = {}
        self.statuses: list[Status] = []
        self.keys: dict[str, Status] = {}
        self.processing_polls = processing_polls
        self._ids = itertools.count(100)
        server.route("/api/v2/media", self._upload)
        server.route("/api/v1/statuses", self._status)

    def _authorised(self, request: Request) -> Reply | None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return _json(401, {"error": "The access token is invalid"})
        return None

    def _upload(self, request: Request) -> Reply:
        refused = self._authorised(request) or self.scripted()
        if refused:
            return refused
        fields = multipart(request)
        data, filename, kind = fields.get("file", (b"", None, None))
        if not data.startswith(b"\x89PNG") or kind != "image/png" or not filename:
            return _json(422, {"error": "Validation failed: File content type is invalid"})
        media_id = str(next(self._ids))
        description = fields.get("description", (b"", None, None))[0].decode()
        self.media[media_id] = {"id": media_id, "type": "image", "description": description,
                                "size": len(data), "polls": 0}
        self.server.route(f"/api/v1/media/{media_id}", self._media)
        if self.processing_polls:
            return _json(202, {"id": media_id, "type": "image", "url": None,
                               "description": description})
        return _json(200, {"id": media_id, "type": "image", "url": f"/m/{media_id}.png",
                           "description": description})

    def _media(self, request: Request) -> Reply:
        media = self.media[request.path.rsplit("/", 1)[1]]
        media["polls"] += 1
        if media["polls"] <= self.processing_polls:
            return _json(206, {"id": media["id"], "url": None})
        return _json(200, {"id": media["id"], "url": f"/m/{media['id']}.png"})

    def _status(self, request: Request) -> Reply:
        refused = self._authorised(request) or self.scripted()
        if refused:
            return refused
        body = json.loads(request.body)
        key = request.headers.get("Idempotency-Key")
        if key and key in self.keys:
            return _json(200, self._entity(self.keys[key]), self.rate_headers)
        ids = body.get("media_ids", [])
        if any(i not in self.media for i in ids):
            return _json(422, {"error": "Validation failed: media not found"})
        if any(self.media[i]["polls"] < self.processing_polls for i in ids):
            return _json(422, {"error": "Cannot attach files that have not finished "
                                        "processing. Try again in a moment!"})
        reply_to = body.get("in_reply_to_id")
        if reply_to is not None and all(s.id != reply_to for s in self.statuses):
            return _json(404, {"error": "Record not found"})
        status = Status(str(next(self._ids)), body["status"],
                        [self.media[i] for i in ids], reply_to, body.get("visibility", "public"))
        self.statuses.append(status)
        if key:
            self.keys[key] = status
        return _json(200, self._entity(status), self.rate_headers)

    def _entity(self, status: Status) -> dict[str, Any]:
        return {"id": status.id, "url": f"{self.server.base}/@bot/{status.id}",
                "uri": f"{self.server.base}/users/bot/statuses/{status.id}",
                "content": status.text, "in_reply_to_id": status.in_reply_to_id}


@dataclass
class Record:
    uri: str
    cid: str
    value: dict[str, Any]


class FakePDS(_Scripted):
    """An AT Protocol PDS: ``com.atproto.server.createSession``, ``repo.uploadBlob``,
    ``repo.createRecord`` (a record key used twice is refused, as a PDS does) and
    ``repo.getRecord``; ``app.bsky.feed.post`` records are checked against the lexicon's
    required fields and reply references."""

    def __init__(self, server: LocalServer) -> None:
        super().__init__()
        self.server = server
        self.blobs: dict[str, bytes] = {}
        self.records: dict[str, Record] = {}
        self.sessions = 0
        self._ids = itertools.count(1)
        for name, handler in [("com.atproto.server.createSession", self._session),
                              ("com.atproto.repo.uploadBlob", self._blob),
                              ("com.atproto.repo.createRecord", self._create),
                              ("com.atproto.repo.getRecord", self._get)]:
            server.route(f"/xrpc/{name}", handler)

    @property
    def posts(self) -> list[Record]:
        return list(self.records.values())

    def _session(self, request: Request) -> Reply:
        body = json.loads(request.body)
        if body.get("password") != PASSWORD or not body.get("identifier"):
            return _json(401, {"error": "AuthenticationRequired",
                               "message": "Invalid identifier or password"})
        self.sessions += 1
        return _json(200, {"did": DID, "handle": body["identifier"],
                           "accessJwt": f"access-{self.sessions}", "refreshJwt": "refresh"})

    def _authorised(self, request: Request) -> Reply | None:
        if not request.headers.get("Authorization", "").startswith("Bearer access-"):
            return _json(401, {"error": "AuthenticationRequired"})
        return None

    def _blob(self, request: Request) -> Reply:
        refused = self._authorised(request) or self.scripted()
        if refused:
            return refused
        if request.headers.get("Content-Type") != "image/png" or \
                not request.body.startswith(b"\x89PNG"):
            return _json(400, {"error": "InvalidRequest", "message": "not a PNG"})
        cid = f"bafkrei{next(self._ids):020d}"
        self.blobs[cid] = request.body
        return _json(200, {"blob": {"$type": "blob", "ref": {"$link": cid},
                                    "mimeType": "image/png", "size": len(request.body)}})

    def _create(self, request: Request) -> Reply:
        refused = self._authorised(request) or self.scripted()
        if refused:
            return refused
        body = json.loads(request.body)
        record, rkey = body.get("record", {}), body.get("rkey")
        problem = self._invalid(body, record, rkey)
        if problem:
            return _json(400, {"error": "InvalidRequest", "message": problem})
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        if uri in self.records:
            return _json(400, {"error": "InvalidRequest",
                               "message": f"Record already exists: {uri}"})
        cid = f"bafyrei{next(self._ids):020d}"
        self.records[uri] = Record(uri, cid, record)
        return _json(200, {"uri": uri, "cid": cid}, self.rate_headers)

    def _invalid(self, body: dict[str, Any], record: dict[str, Any], rkey: str | None
                 ) -> str | None:
        if body.get("repo") != DID or body.get("collection") != "app.bsky.feed.post":
            return "repo or collection"
        if rkey is None or not re.fullmatch(r"[2-7a-z]{13}", rkey):
            return "rkey is not a TID"
        if record.get("$type") != "app.bsky.feed.post" or "createdAt" not in record \
                or not isinstance(record.get("text"), str):
            return "record is not a post"
        for image in (record.get("embed") or {}).get("images", []):
            if image["image"]["ref"]["$link"] not in self.blobs or "alt" not in image:
                return "embed names an unknown blob or has no alt"
        reply = record.get("reply")
        if reply is not None:
            for end in ("root", "parent"):
                ref = reply[end]
                held = self.records.get(ref["uri"])
                if held is None or held.cid != ref["cid"]:
                    return f"reply {end} is not a post here"
        return None

    def _get(self, request: Request) -> Reply:
        query = {k: v[0] for k, v in parse_qs(request.path.partition("?")[2]).items()}
        uri = f"at://{query.get('repo')}/{query.get('collection')}/{query.get('rkey')}"
        found = self.records.get(uri)
        if found is None:
            return _json(400, {"error": "RecordNotFound", "message": f"Could not locate "
                                                                     f"record: {uri}"})
        return _json(200, {"uri": found.uri, "cid": found.cid, "value": found.value})


@dataclass
class Capture:
    url: str
    job_id: str
    polls: int = 0
    options: dict[str, str] = field(default_factory=dict)


class FakeSPN(_Scripted):
    """Save Page Now 2: ``POST /save`` (form ``url=…``, ``Authorization: LOW key:secret``,
    ``Accept: application/json``) answers a ``job_id``; ``GET /save/status/{job_id}`` is
    ``pending`` for ``pending_polls`` polls, then ``success`` with a ``timestamp``."""

    KEY, SECRET = "access-key", "secret-key"

    def __init__(self, server: LocalServer, pending_polls: int = 1) -> None:
        super().__init__()
        self.server = server
        self.captures: list[Capture] = []
        self.pending_polls = pending_polls
        self.fail_job: set[str] = set()  # URLs whose job ends in error
        self._ids = itertools.count(1)
        server.route("/save", self._save)

    def _save(self, request: Request) -> Reply:
        if request.headers.get("Authorization") != f"LOW {self.KEY}:{self.SECRET}":
            return _json(401, {"status": "error", "status_ext": "error:unauthorized",
                               "message": "You need to be logged in to use Save Page Now."})
        if "json" not in request.headers.get("Accept", ""):
            return Reply(200, "<html>the browser page</html>")
        refused = self.scripted()
        if refused:
            return refused
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        job = Capture(form["url"], f"spn2-{next(self._ids):040x}", options=form)
        self.captures.append(job)
        self.server.route(f"/save/status/{job.job_id}", self._status)
        return _json(200, {"url": job.url, "job_id": job.job_id})

    def _status(self, request: Request) -> Reply:
        job = next(c for c in self.captures if request.path.endswith(c.job_id))
        job.polls += 1
        if job.polls <= self.pending_polls:
            return _json(200, {"status": "pending", "job_id": job.job_id, "resources": []})
        if job.url in self.fail_job:
            return _json(200, {"status": "error", "status_ext": "error:blocked-url",
                               "job_id": job.job_id, "message": "This URL is excluded."})
        return _json(200, {"status": "success", "job_id": job.job_id,
                           "original_url": job.url, "timestamp": "20261204163000",
                           "duration_sec": 6.2})
