"""A page whose published date is late in the evening west of UTC (the next day in UTC),
with a standfirst, stored as the tracker stores it: for the tests of what the store keeps
and the web shows (date offsets, standfirsts)."""

from __future__ import annotations

from datetime import timedelta

from tearsheet.extract import extract
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tests.support.storekit import NOW, add, claim

STANDFIRST = "Ferries are cancelled until the wind drops below gale force."
EVENING = "2024-03-01T23:30:00-05:00"  # March 2, 04:30 in UTC
PAGE = f"""<!doctype html><html lang="en"><head><title>Storm closes the port</title>
<meta property="article:published_time" content="{EVENING}">
<meta property="article:modified_time" content="2024-03-02T09:15:00+05:30">
<meta name="description" content="Ferries are cancelled until the wind drops below gale force.">
</head><body><article><h1>Storm closes the port</h1>
<h2>Ferries are cancelled until the wind drops below gale force.</h2>
<p>The harbour master closed the port on Friday evening as the storm reached the coast,
and said it would stay closed until the wind had dropped below gale force.</p>
<p>Ferries to the islands were cancelled, and the last fishing boats came in after dark,
their crews saying the sea had been rougher than at any time this winter.</p>
</article></body></html>"""


def stored(store: Store) -> int:
    [article_id] = add(store, "daily", "https://news.example/storm")
    extraction = extract(PAGE, "https://news.example/storm")
    store.record_check(CheckRecord(
        claim(store, article_id), checked_at=NOW, outcome="new_version",
        next_check_at=NOW + timedelta(hours=1), check_interval=1800.0, http_status=200,
        version=NewVersion.of(extraction, "https://news.example/storm", None, None)))
    return article_id
