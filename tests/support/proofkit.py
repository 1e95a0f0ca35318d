"""Helpers of the proof tests: a store with an article's versions and their raw captures,
packages opened and tampered with, ``wacz validate`` run on them."""

from __future__ import annotations

import base64
import json
import random
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from tearsheet.archive.signing import SigningKey
from tearsheet.archive.warc import Archive, default_dir
from tearsheet.config import Settings, load_settings
from tearsheet.fetch.fetcher import Exchange, Response
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tests.support.pages import LOREM, article_page
from tests.support.storekit import FIRST, NOW, add, claim

URL = "https://news.example/2026/11/harbour-story"


def settings(tmp_path: Path, url: str | None = None, **proof: Any) -> Settings:
    """SQLite in ``tmp_path`` (or the store at ``url``), WARC files in ``tmp_path/warc``, the
    signing key in ``tmp_path`` (never the user's data directory, PostgreSQL or not)."""
    proof.setdefault("key_file", str(tmp_path / "tearsheet-signing-key.pem"))
    return load_settings(None, database_url=url or f"sqlite:///{tmp_path / 'ts.db'}",
                         archive={"dir": str(tmp_path / "warc")}, proof=proof)


def paragraphs(number: int) -> list[str]:
    """Version ``number``'s text: the lorem paragraphs, one sentence changed per version."""
    return [*LOREM, f"Update {number}: the council voted {number} times."]


@dataclass
class History:
    settings: Settings
    store: Store
    article_id: int
    url: str = URL


def response(url: str, number: int, size: int = 0) -> Response:
    """The page of version ``number``, with ``size`` bytes of incompressible markup (an
    inline image, say) for the memory tests."""
    page = article_page(f"Harbour story, take {number}", paragraphs(number), noise=number)
    if size:
        blob = base64.b64encode(random.Random(number).randbytes(size * 3 // 4)).decode()
        page = page.replace("</body>", f'<img alt="" src="data:image/png;base64,{blob}"></body>')
    body = page.encode()
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))))
    exchange = Exchange("HTTP/1.1", "OK", headers, "GET", "/2026/11/harbour-story",
                        (("Host", "news.example"), ("User-Agent", "tearsheet-test")), body)
    return Response(url, url, 200, httpx.Headers(list(headers)), body,
                    NOW + timedelta(hours=number), (), exchange)


def record_history(history: History, versions: range, *, size: int = 0,
                   source: str = "harbour") -> None:
    """Store versions of the article, each with its raw capture archived (and, when a TSA
    is configured, queued for a timestamp)."""
    archive = Archive.from_settings(history.settings)
    for number in versions:
        fetched = response(history.url, number, size)
        capture = archive.write(fetched)
        text = "\n\n".join(paragraphs(number))
        history.store.record_check(CheckRecord(
            claim(history.store, history.article_id), checked_at=fetched.fetched_at,
            outcome="new_version", next_check_at=fetched.fetched_at + timedelta(hours=1),
            check_interval=FIRST, http_status=200, version=NewVersion(
                url=history.url, title=f"Harbour story, take {number}", byline="Jane Doe",
                published_at=NOW, modified_at=None, language="en", text=text,
                content_hash=f"hash-{number}", capture=capture)))


def config_file(settings: Settings, folder: Path) -> Path:
    """A tearsheet.toml naming the same store, WARC folder and proof settings, for the CLI."""
    path = folder / "tearsheet.toml"
    proof = settings.proof.model_dump(include={"key_file", "curve", "tsa_url",
                                               "timestamp_batch"}, exclude_none=True)
    lines = [f"{name} = {json.dumps(value if isinstance(value, int) else str(value))}\n"
             for name, value in proof.items()]
    path.write_text(f'database_url = "{settings.database_url}"\n'
                    f'[archive]\ndir = "{settings.archive.dir}"\n[proof]\n' + "".join(lines))
    return path


def open_history(settings: Settings, url: str = URL, source: str = "harbour") -> History:
    store = Store.open(settings.database_url)
    (article_id,) = add(store, source, url)
    return History(settings, store, article_id, url)


def warc_dir(history: History) -> Path:
    return default_dir(history.settings)


def rewrite(package: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    """Change one entry of a ZIP in place (as someone editing the package would)."""
    with zipfile.ZipFile(package) as old:
        entries = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(package, "w") as new:
        for info, data in entries:
            new.writestr(info, change(data) if info.filename == name else data)


def resign(package: Path, key: SigningKey) -> None:
    """Sign the package again with another key (as a forger would): a valid signature, by
    a key that is not the publisher's."""
    def change(data: bytes) -> bytes:
        digest = json.loads(data)
        signed = digest["signedData"]
        digest["signedData"] = key.sign(signed["hash"], signed["created"], "forger")
        return json.dumps(digest).encode()

    rewrite(package, "datapackage-digest.json", change)


def flip(data: bytes, at: int | None = None) -> bytes:
    """One byte changed (in the middle by default)."""
    at = len(data) // 2 if at is None else at
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def wacz_validate(package: Path) -> subprocess.CompletedProcess[str]:
    """py-wacz's validator, as anyone would run it."""
    return subprocess.run([str(Path(sys.executable).with_name("wacz")), "validate", "-f",
                           str(package)], capture_output=True, text=True, check=False)


def seed_articles(store: Store, source: str, count: int) -> None:
    """``count`` articles of ``source`` with one short version each (text only, no raw
    capture), written in two statements: for the tests of many articles."""
    from tearsheet.store.schema import versions

    urls = [f"https://news.example/{source}/{n}" for n in range(count)]
    add(store, source, *urls)
    with store.engine.begin() as conn:
        ids = [row[0] for row in conn.execute(
            text("SELECT a.id FROM articles a JOIN sources s ON s.id = a.source_id "
                 "WHERE s.name = :name"), {"name": source})]
        conn.execute(versions.insert(), [
            {"article_id": article_id, "number": 1, "captured_at": NOW, "url": url,
             "title": f"Story {article_id}", "text": "\n\n".join(paragraphs(1)),
             "content_hash": f"seed-{article_id}"} for article_id, url in zip(ids, urls)])
