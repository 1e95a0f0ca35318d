"""The standfirst (dek) is a versioned field: a changed dek is a new version, and an
article stored before standfirsts were is not a new version just because its dek is now
read (its stored hash left the dek out)."""

from __future__ import annotations

from pathlib import Path

from tearsheet.diff.fingerprint import fingerprint
from tearsheet.extract import extract
from tearsheet.store.store import Store
from tests.support.localserver import LocalServer, Reply
from tests.support.newsroom import export, run_once, write_config
from tests.support.pages import LOREM, rss_feed

DEK = "A long-awaited vote ends ten years of argument over the budget, and its cost"
NEW_DEK = "A long-awaited vote ends ten years of argument over the budget, at a price"


def page(dek: str, paragraphs: list[str]) -> str:
    return (f'<html><head><title>Budget vote</title><meta name="description" content="{dek}">'
            f"</head><body><article><h1>Budget vote</h1><h2>{dek}</h2>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>")


def setup(server: LocalServer, tmp_path: Path, now: dict[str, str]) -> Path:
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/story", "x")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    server.route("/news/story", lambda request: Reply(body=now["html"]))
    config = write_config(tmp_path, server)
    run_once(config)
    return config


def rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    with store.engine.begin() as conn:
        found = [tuple(r) for r in conn.exec_driver_sql(sql).all()] if sql.startswith(
            "SELECT") else [(conn.exec_driver_sql(sql).rowcount,)]
    store.close()
    return found


def test_only_the_dek_changed_is_a_new_version(server: LocalServer, tmp_path: Path) -> None:
    now = {"html": page(DEK, LOREM)}
    config = setup(server, tmp_path, now)
    assert [v["standfirst"] for v in export(config, tmp_path)] == [DEK]
    now["html"] = page(NEW_DEK, LOREM)
    run_once(config)
    versions = export(config, tmp_path)
    assert [(v["standfirst"], v["text"]) for v in versions] == [
        (DEK, "\n\n".join(LOREM)), (NEW_DEK, "\n\n".join(LOREM))]
    assert rows(tmp_path, "SELECT kinds FROM versions WHERE number = 2") == [
        (",standfirst_changed,",)]


def test_an_article_stored_before_standfirsts_is_not_a_new_version(
    server: LocalServer, tmp_path: Path,
) -> None:
    now = {"html": page(DEK, LOREM)}
    config = setup(server, tmp_path, now)
    # As migration 0014 leaves a version stored before it: no standfirst, a hash without it.
    before = fingerprint(extract(now["html"], server.url("/news/story")), standfirst=False)
    assert before != rows(tmp_path, "SELECT content_hash FROM versions")[0][0]
    rows(tmp_path, f"UPDATE versions SET standfirst = NULL, content_hash = '{before}'")
    rows(tmp_path, f"UPDATE articles SET content_hash = '{before}'")

    run_once(config)  # the same page again: unchanged, no phantom version
    assert [v["version"] for v in export(config, tmp_path)] == [1]
    assert rows(tmp_path, "SELECT outcome FROM checks ORDER BY id")[-1] == ("unchanged",)

    now["html"] = page(DEK, [*LOREM, "Update: the vote will be held again next week, "
                                     "the council said on Wednesday evening."])
    run_once(config)  # a real change stores the standfirst, and the full hash
    versions = export(config, tmp_path)
    assert [(v["version"], v["standfirst"]) for v in versions] == [(1, None), (2, DEK)]
    kinds = str(rows(tmp_path, "SELECT kinds FROM versions WHERE number = 2")[0][0])
    assert "update" in kinds and "standfirst" not in kinds  # unknown before: not a change
    run_once(config)  # and from then on the dek is compared: still no phantom
    assert len(export(config, tmp_path)) == 2
