"""A store holding the seed story as its outlet published it: drafts 1 to 5, then the
versions 6 and 7 of the NewsSniffer page, plus the shared histories as other articles."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta

from tearsheet.simulate.copies import rewrite
from tearsheet.store.records import CheckRecord
from tearsheet.store.store import Store
from tests.support import seed
from tests.support.storekit import FIRST, NOW, add, claim, version


def record_version(store: Store, article_id: int, text: str, at: datetime) -> int | None:
    """Store ``text`` as the article's next version."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    return store.record_check(CheckRecord(
        claim(store, article_id), checked_at=at, outcome="new_version",
        next_check_at=at + timedelta(seconds=FIRST), check_interval=FIRST,
        version=replace(version(text), content_hash=digest), http_status=200))


def fill(store: Store, *, histories: bool = True) -> int:
    """Store the seed story (and the histories); returns the seed article's id."""
    six, seven = seed.versions()
    paragraphs = six.split("\n\n")
    drafts = ["\n\n".join(paragraphs[:len(paragraphs) - 3 * (6 - n)]) for n in range(1, 6)]
    (article,) = add(store, "nytimes", seed.URL)
    for number, text in enumerate([*drafts, six, seven], start=1):
        assert record_version(store, article, text, NOW + timedelta(hours=number)) == number
    if histories:
        for name, bodies in seed.histories().items():
            (other,) = add(store, "nytimes", f"https://www.nytimes.com/2012/{name}.html")
            for number, text in enumerate(bodies, start=1):
                record_version(store, other, text, NOW + timedelta(hours=number))
    return article


def wire_and_copies(store: Store) -> tuple[int, int, int, int]:
    """A wire story corrected after two outlets copied it, one of which updated."""
    six, _ = seed.versions()
    fixed = six.replace("26 “armed criminals”", "28 “armed criminals”")
    (wire,) = add(store, "wire", "https://wire.example/kazakhstan")
    (mirror,) = add(store, "mirror", "https://mirror.example/kz")
    (daily,) = add(store, "daily", "https://daily.example/kz")
    (other,) = add(store, "daily", "https://daily.example/other")
    record_version(store, wire, six, NOW)
    record_version(store, mirror, rewrite(six, ["unquote", "merge"], seed=1),
                   NOW + timedelta(hours=1))
    record_version(store, daily, rewrite(six, ["unquote"], seed=2), NOW + timedelta(hours=1))
    record_version(store, wire, fixed, NOW + timedelta(hours=2))  # the correction
    record_version(store, daily, rewrite(fixed, ["unquote"], seed=2), NOW + timedelta(hours=3))
    record_version(store, other, next(iter(seed.histories().values()))[0], NOW)
    return wire, mirror, daily, other
