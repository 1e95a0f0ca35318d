"""Syndication among tracked articles: copies linked to their origin, stale copies found."""

from __future__ import annotations

from tearsheet.store.republished import republications, stale_note
from tearsheet.store.store import Store
from tests.support.tracestore import wire_and_copies


def test_the_origin_lists_its_copies_and_those_still_showing_the_old_text(
        store: Store) -> None:
    wire, mirror, daily, other = wire_and_copies(store)
    linked = {r.article_id: r for r in republications(store, wire)}
    assert set(linked) == {mirror, daily}  # the unrelated article is not linked
    assert linked[mirror].role == "copy" and linked[mirror].stale
    assert linked[mirror].origin_version == 1 and linked[mirror].origin_latest == 2
    assert linked[daily].origin_version == 2 and not linked[daily].stale
    assert stale_note("wire", list(linked.values())) == (
        "wire changed the text (version 2); 1 copy still shows an earlier one: mirror")
    assert republications(store, other) == []


def test_a_copy_knows_its_origin(store: Store) -> None:
    wire, mirror, daily, _ = wire_and_copies(store)
    (origin,) = [r for r in republications(store, mirror) if r.article_id == wire]
    assert origin.role == "origin" and origin.stale and origin.source == "wire"
    assert origin.as_json()["stale"] is True
    assert any(r.article_id == daily and r.role == "copy"
               for r in republications(store, mirror))
