"""Sending one message: to a webhook (signed JSON) or to an Apprise URL (plain text). A
webhook's 429 (or 503 with ``Retry-After``) defers the delivery without counting it.

Targets come from the administrator's configuration, not from web content, so they may
be private addresses (a webhook on the same machine or network is common); the rule that
tearsheet never follows *content* to private addresses is not at stake here.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tearsheet import __version__
from tearsheet.config import NotifyRule
from tearsheet.errors import DeliveryError, RateLimited
from tearsheet.notify.social import headers_wait

SIGNATURE_HEADER = "X-Tearsheet-Signature"
DELIVERY_HEADER = "X-Tearsheet-Delivery"


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the body.

    A receiver recomputes it over the raw body with the shared secret and compares in
    constant time (``hmac.compare_digest``)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def send(rule: NotifyRule, payload: dict[str, Any], title: str, body: str,
               delivery_id: int, timeout: float, client: httpx.AsyncClient,
               now: datetime | None = None) -> None:
    """Deliver once; raises :class:`DeliveryError` when the target did not take it, and
    :class:`RateLimited` when it answered 429 (or 503 with ``Retry-After``)."""
    if rule.webhook is not None:
        await _webhook(rule, payload, delivery_id, timeout, client, now)
    else:
        await _apprise(rule, title, body, timeout)


async def _webhook(rule: NotifyRule, payload: dict[str, Any], delivery_id: int,
                   timeout: float, client: httpx.AsyncClient, now: datetime | None) -> None:
    assert rule.webhook is not None and rule.secret is not None
    content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "User-Agent": f"tearsheet/{__version__}",
               SIGNATURE_HEADER: sign(rule.secret, content),
               DELIVERY_HEADER: str(delivery_id)}
    try:
        response = await client.post(rule.webhook, content=content, headers=headers,
                                     timeout=timeout)
    except httpx.TimeoutException:
        raise DeliveryError(f"{rule.webhook}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{rule.webhook}: {exc.__class__.__name__}: {exc}") from None
    now = now or datetime.now(UTC)
    if response.status_code == 429 or (response.status_code == 503
                                       and "Retry-After" in response.headers):
        until = headers_wait(response, now) or now + timedelta(seconds=60)
        raise RateLimited(f"{rule.webhook}: HTTP {response.status_code} (rate limited)", until)
    if not response.is_success:
        raise DeliveryError(f"{rule.webhook}: HTTP {response.status_code}")


async def _apprise(rule: NotifyRule, title: str, body: str, timeout: float) -> None:
    import apprise

    assert rule.apprise is not None
    notifier = apprise.Apprise()
    if not notifier.add(rule.apprise):
        raise DeliveryError(f"rule {rule.name!r}: Apprise does not understand its URL "
                            "(see https://github.com/caronc/apprise/wiki)")
    job = asyncio.to_thread(notifier.notify, body=body, title=title,
                            body_format=apprise.NotifyFormat.TEXT)
    try:
        delivered = await asyncio.wait_for(job, timeout=timeout)
    except TimeoutError:
        raise DeliveryError(f"rule {rule.name!r}: Apprise gave no answer within "
                            f"{timeout:g} s") from None
    if not delivered:
        raise DeliveryError(f"rule {rule.name!r}: Apprise could not deliver (see its log)")

