"""The store bench/web.py reads: 100,000 articles and 1,000,000 versions built in bulk
(``INSERT ... SELECT`` over recursive CTEs, with the change summaries and the statistics'
counters the tracker would store, and the search index built in one pass), on SQLite or
PostgreSQL. Apart from web.py so that other benches (article_render.py) build the same store.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tearsheet.errors import StoreError
from tearsheet.store.store import Store

PARAGRAPHS = [
    "The council approved a budget of {n} million on Tuesday after a long debate.",
    "Opponents said the plan relied on optimistic forecasts of parking revenue and fees.",
    "The mayor is expected to sign it before the end of the month, a spokeswoman said.",
    "Residents of the northern districts said the new bus routes would help commuters.",
]


def build(path: Path, articles: int, per_article: int) -> None:
    if path.exists():
        try:  # a store kept from a run of older code is built again, never migrated
            Store.open(f"sqlite:///{path}", upgrade=False).close()
            return
        except StoreError:
            path.unlink()
    store = Store.open(f"sqlite:///{path}")
    store.close()
    with closing(sqlite3.connect(path)) as db:
        triggers = [row[0] for row in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'versions_fts%'")]
        db.executescript("""
            DROP TRIGGER IF EXISTS versions_fts_insert;
            DROP TRIGGER IF EXISTS versions_fts_delete;
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            INSERT INTO sources (id, name, created_at) VALUES (1, 'bench', '2026-01-01 00:00:00');
        """)
        text = "\n\n".join(PARAGRAPHS).replace("'", "''")
        db.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {articles})
            INSERT INTO articles (id, source_id, url, title, first_seen_at, last_seen_at,
                                  last_changed_at, next_check_at, check_interval, version_count)
            SELECT i, 1, 'https://news.example/a/' || i, 'Story ' || i,
                   {stamp('i * 60')}, {stamp('i * 60')},
                   {stamp(f'i * 60 + {per_article} * 3600')},
                   NULL, 1800.0, {per_article} FROM n""")
        db.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {articles}),
                 k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < {per_article})
            INSERT INTO versions (article_id, number, captured_at, url, title, byline, text,
                                  content_hash, language, kinds, significance, boring,
                                  words_added, words_removed)
            SELECT i, j, {stamp('i * 60 + j * 3600')},
                   'https://news.example/a/' || i, 'Story ' || i || ' (' || j || ')', 'A. Writer',
                   replace('{text}', '{{n}}', i + j), i || '-' || j, 'en',
                   -- what the tracker stores for these edits (a figure and the headline)
                   CASE WHEN j > 1 THEN ',headline_changed,numbers_changed,' END,
                   CASE WHEN j > 1 THEN 0.48 END, CASE WHEN j > 1 THEN 0 END,
                   CASE WHEN j > 1 THEN 2 END, CASE WHEN j > 1 THEN 2 END
            FROM n, k""")
        # What the store keeps as the tracker writes (migration 0016): the statistics'
        # counters; then the search index in one pass, and its triggers back.
        db.executescript("""
            INSERT INTO change_counts (source_id, day, changes)
            SELECT 1, date(captured_at), count(*) FROM versions WHERE number > 1
            GROUP BY date(captured_at);
            UPDATE articles SET first_change_seconds = (
                SELECT (julianday(v.captured_at) - julianday(articles.first_seen_at)) * 86400.0
                FROM versions AS v WHERE v.article_id = articles.id AND v.number = 2)
            WHERE version_count > 1;
            INSERT INTO versions_fts(versions_fts) VALUES ('rebuild');
        """)
        for trigger in triggers:
            db.execute(trigger)
        db.commit()


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "tearsheet_bench_web"


def build_postgresql(articles: int, per_article: int) -> str:
    """The same store in PostgreSQL (``generate_series``; the search index built after
    the rows), kept for the next run when it has the right number of versions."""
    import psycopg
    from psycopg import sql

    from tearsheet.store.schema import SEARCH_INDEX, SEARCH_VECTOR

    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DATABASE
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                               (PG_DATABASE,)).fetchone()
    if exists:
        try:
            with psycopg.connect(url) as conn:
                found = conn.execute("SELECT count(*) FROM versions").fetchone()
            Store.open(url, upgrade=False).close()
            if found and found[0] == articles * per_article:
                return url
        except (psycopg.Error, StoreError):
            pass
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(PG_DATABASE)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DATABASE)))
    Store.open(url, upgrade=True).close()
    text = "\n\n".join(PARAGRAPHS)
    at = "timestamp '2026-01-01' + make_interval(secs => {})"
    with psycopg.connect(url) as conn:
        conn.execute(f"DROP INDEX {SEARCH_INDEX}")
        conn.execute("INSERT INTO sources (id, name, created_at) "
                     "VALUES (1, 'bench', '2026-01-01')")
        conn.execute(f"""
            INSERT INTO articles (id, source_id, url, title, first_seen_at, last_seen_at,
                                  last_changed_at, next_check_at, check_interval,
                                  version_count, first_change_seconds)
            SELECT i, 1, 'https://news.example/a/' || i, 'Story ' || i, {at.format('i * 60')},
                   {at.format('i * 60')}, {at.format(f'i * 60 + {per_article} * 3600')},
                   NULL, 1800, %(per)s, CASE WHEN %(per)s > 1 THEN 7200 END
            FROM generate_series(1, %(articles)s) AS i""",
                     {"articles": articles, "per": per_article})
        conn.execute(f"""
            INSERT INTO versions (article_id, number, captured_at, url, title, byline, text,
                                  content_hash, language, kinds, significance, boring,
                                  words_added, words_removed)
            SELECT i, j, {at.format('i * 60 + j * 3600')}, 'https://news.example/a/' || i,
                   'Story ' || i || ' (' || j || ')', 'A. Writer',
                   replace(%(text)s, '{{n}}', (i + j)::text), i || '-' || j, 'en',
                   CASE WHEN j > 1 THEN ',headline_changed,numbers_changed,' END,
                   CASE WHEN j > 1 THEN 0.48 END, CASE WHEN j > 1 THEN false END,
                   CASE WHEN j > 1 THEN 2 END, CASE WHEN j > 1 THEN 2 END
            FROM generate_series(1, %(articles)s) AS i, generate_series(1, %(per)s) AS j""",
                     {"articles": articles, "per": per_article, "text": text})
        conn.execute("""
            INSERT INTO change_counts (source_id, day, changes)
            SELECT 1, date(captured_at), count(*) FROM versions WHERE number > 1
            GROUP BY date(captured_at)""")
        conn.execute(f"CREATE INDEX {SEARCH_INDEX} ON versions "
                     f"USING gin ({SEARCH_VECTOR.format(v='')})")
        for table in ("articles", "versions"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return url


def stamp(seconds: str) -> str:
    """SQL for FIRST + ``seconds``, in the text form SQLAlchemy stores (microseconds
    included: cursors compare as text)."""
    return f"strftime('%Y-%m-%d %H:%M:%f000', '2026-01-01', '+' || ({seconds}) || ' seconds')"
