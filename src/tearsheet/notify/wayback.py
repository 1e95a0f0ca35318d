"""Saving a version's page to the Internet Archive with Save Page Now 2 (SPN2).

Independent proof: a memento in the Wayback Machine is a copy made by someone else. For a
source with ``wayback = true`` each new version's URL is queued (``wayback_saves``), then
asked of SPN2 with the account's S3-style keys (``Authorization: LOW key:secret``,
``POST /save``), and its job polled (``GET /save/status/{job_id}``) until it ends; the
memento URL (``/web/{timestamp}/{url}``) is stored with the version. A 429 or an answer
that too many captures run (``error:too-many-…``) waits; other failures retry with
backoff until ``wayback.retries`` is spent, and show in ``tearsheet notify status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from tearsheet import __version__
from tearsheet.errors import PostError, RateLimited
from tearsheet.notify.social import headers_wait

BUSY = ("error:too-many-daily-captures", "error:user-session-limit",
        "error:concurrent-captures-limit", "error:service-unavailable")


@dataclass(frozen=True)
class Job:
    """An SPN2 capture: its job id, and once done the memento URL or the error."""

    job_id: str
    status: str  # pending | success | error
    memento: str | None = None
    error: str | None = None


class SavePageNow:
    def __init__(self, base: str, access_key: str, secret: str, timeout: float,
                 clock: Any) -> None:
        self.base = base.rstrip("/")
        self._headers = {"Authorization": f"LOW {access_key}:{secret}",
                         "Accept": "application/json",
                         "User-Agent": f"tearsheet/{__version__}"}
        self.timeout = timeout
        self.clock = clock

    async def _request(self, client: httpx.AsyncClient, method: str, path: str,
                       **kwargs: Any) -> dict[str, Any]:
        try:
            response = await client.request(method, self.base + path, headers=self._headers,
                                            timeout=self.timeout, **kwargs)
        except httpx.HTTPError as exc:
            raise PostError(f"Save Page Now: {exc.__class__.__name__} ({self.base})") from None
        now = self.clock()
        if response.status_code in (429, 503):
            until = headers_wait(response, now) or now + timedelta(minutes=1)
            raise RateLimited(f"Save Page Now: HTTP {response.status_code}", until)
        try:
            body = response.json()
        except ValueError:
            raise PostError(f"Save Page Now: HTTP {response.status_code}, not JSON "
                            "(are the keys right?)",
                            final=response.status_code in (401, 403)) from None
        if response.status_code != 200 or (body.get("status") == "error" and "job_id" not in body):
            ext = str(body.get("status_ext") or "")
            message = f"Save Page Now: {ext or response.status_code}: " \
                      f"{str(body.get('message', ''))[:300]}"
            if ext in BUSY:
                raise RateLimited(message, now + timedelta(minutes=5))
            raise PostError(message, final=response.status_code in (401, 403))
        return dict(body)

    async def capture(self, client: httpx.AsyncClient, url: str) -> str:
        """Ask for a capture; returns the job id."""
        body = await self._request(client, "POST", "/save", data={
            "url": url, "skip_first_archive": "1", "if_not_archived_within": "5m"})
        job_id = body.get("job_id")
        if not job_id:
            raise PostError(f"Save Page Now gave no job for {url}: {body.get('message', '')}")
        return str(job_id)

    async def status(self, client: httpx.AsyncClient, job_id: str) -> Job:
        body = await self._request(client, "GET", f"/save/status/{job_id}")
        state = str(body.get("status", "pending"))
        if state == "success":
            memento = f"{WAYBACK}/web/{body['timestamp']}/{body['original_url']}"
            return Job(job_id, state, memento=memento)
        if state == "error":
            return Job(job_id, state, error=f"{body.get('status_ext', 'error')}: "
                                             f"{str(body.get('message', ''))[:300]}")
        return Job(job_id, "pending")


WAYBACK = "https://web.archive.org"
