"""The fast path of a check is safe: a history replayed with it on stores exactly the
versions it stores with it off.

Real article histories (the shared corpus's New York Times stories) are served by the
simulator's templates (broadsheet, wire, WordPress) with every kind of page noise and
rotating furniture, each request different. After the real versions, every step of a
history differs from the one before in exactly one place: a word of the body (first,
middle and last paragraph), the headline, the byline, a date, the standfirst, a
correction note added and then reworded. Each step is checked three times by the real
tracker, against a real local server and store, once with ``fetch.fast_path`` on and once
off: the versions and every check's outcome must be the same, and the fast path must
have answered most unchanged checks (or the test proves nothing).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tearsheet.config import Settings, load_settings
from tearsheet.extract.recheck import MIN_WORDS
from tearsheet.extract.refusals import SHORT_WORDS
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.simulate.histories import Version, convert_files
from tearsheet.simulate.templates import NOISE_KINDS, TEMPLATES, Noise, Story
from tearsheet.store.records import Outcome
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import assemble
from tests.support.localserver import LocalServer, Reply, Request
from tests.support.shared import shared_path

START = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
CHECKS_PER_STEP = 3
REAL_VERSIONS = 3  # of each history, before the one-place edits
BRIEF_WORDS = 150  # a short body's (40 to 199 words: extract/recheck.py)


def _word_changed(paragraphs: tuple[str, ...], index: int) -> tuple[str, ...]:
    """One word of one paragraph replaced (the longest, so it is a real word)."""
    index %= len(paragraphs)  # -1, the last, as its place (else the slices repeat them all)
    words = paragraphs[index].split()
    longest = max(range(len(words)), key=lambda n: len(words[n]))
    words[longest] = "rewritten" if words[longest] != "rewritten" else "edited"
    return (*paragraphs[:index], " ".join(words), *paragraphs[index + 1:])


Edit = Callable[[Story], Story]
EDITS: list[tuple[str, Edit]] = [
    ("a word of the first paragraph",
     lambda s: replace(s, paragraphs=_word_changed(tuple(s.paragraphs), 0))),
    ("a word in the middle",
     lambda s: replace(s, paragraphs=_word_changed(tuple(s.paragraphs),
                                                   len(s.paragraphs) // 2))),
    ("a word of the last paragraph",
     lambda s: replace(s, paragraphs=_word_changed(tuple(s.paragraphs), -1))),
    ("the headline", lambda s: replace(s, headline=s.headline + ", Officials Say")),
    ("the byline", lambda s: replace(s, byline="Alison Smale")),
    ("a date", lambda s: replace(s, modified=(s.modified or START) + timedelta(hours=3))),
    ("the standfirst", lambda s: replace(s, standfirst="What the decision means for the "
                                                       "region, and what comes next.")),
    ("the standfirst reworded", lambda s: replace(s, standfirst="What the decision means "
                                                                "for the country.")),
    ("a correction note", lambda s: replace(s, correction="An earlier version of this "
                                                          "article misstated a date.")),
    ("the correction reworded", lambda s: replace(s, correction="An earlier version of "
                                                                "this article misstated "
                                                                "the year.")),
    ("the byline back", lambda s: replace(s, byline="Kareem Fahim")),
]


def histories() -> list[list[Version]]:
    folder = shared_path("corpora", "histories")
    versions = convert_files(sorted(folder.glob("*.json")))
    by_article: dict[str, list[Version]] = {}
    for version in versions:
        by_article.setdefault(version.article, []).append(version)
    return list(by_article.values())


def brief(paragraphs: list[str]) -> list[str]:
    """The story's opening as a brief: paragraphs from the first while under
    :data:`BRIEF_WORDS` words in all (a short body, extract/recheck.py), two at least."""
    kept: list[str] = []
    for paragraph in paragraphs:
        if len(kept) >= 2 and sum(len(p.split()) for p in [*kept, paragraph]) > BRIEF_WORDS:
            break
        kept.append(paragraph)
    return kept


def steps(history: list[Version], *, briefs: bool = False) -> list[tuple[str, Story]]:
    """The real versions (``briefs``: each cut to its opening, :func:`brief`), then
    one-place edits of the last, each on the one before."""
    story = None
    out: list[tuple[str, Story]] = []
    for number, version in enumerate(history[:REAL_VERSIONS], 1):
        paragraphs = brief(list(version.paragraphs)) if briefs else version.paragraphs
        story = Story(version.headline, paragraphs, byline=version.byline,
                      url="", section="world", published=START, modified=START)
        out.append((f"real version {number}", story))
    assert story is not None
    for name, edit in EDITS:
        story = edit(story)
        out.append((name, story))
    return out


class Site:
    """One article on the local server: the current story in a template, in new chrome
    (every kind of noise, a new seed) on every request, or in the same chrome (``stable``:
    byte for byte the same page until the story changes, as a cached page is)."""

    def __init__(self, server: LocalServer, template: str, *, stable: bool = False) -> None:
        self.render = TEMPLATES[template]
        self.story: Story | None = None
        self.seeds = itertools.repeat(0) if stable else itertools.count()
        self.sizes: list[int] = []  # of every page served
        self.path = f"/{template}/story"
        server.route(self.path, self.handler)
        self.url = server.url(self.path)

    def handler(self, request: Request) -> Reply:
        assert self.story is not None
        seed = next(self.seeds)
        noise = Noise(random.Random(seed), START + timedelta(minutes=7 * seed), NOISE_KINDS,
                      others=[(f"/news/other-{n}", f"Another story number {n} of the day")
                              for n in range(40)])
        body = self.render(replace(self.story, url=self.url), noise)
        self.sizes.append(len(body.encode()))
        return Reply(body=body)


def settings_for(folder: Path, fast_path: bool, inline: int | None = None,
                 processes: int = 0) -> Settings:
    """``inline``: ``fetch.inline_check_bytes`` (None: the default); ``processes``:
    ``fetch.extract_processes`` (0: a thread)."""
    folder.mkdir(parents=True, exist_ok=True)
    bound = {} if inline is None else {"inline_check_bytes": inline}
    return load_settings(
        None, database_url=f"sqlite:///{folder / 'ts.db'}", sources=[{"name": "sim"}],
        schedule={}, health={"max_holds": 0},
        fetch={"per_host_delay": 0, "allow_private_addresses": True, "retries": 0,
               "extract_processes": processes, "fast_path": fast_path, **bound})


@dataclass
class Replayed:
    """What a replay stored and did: the versions, each check's (step, outcome), how many
    checks the fast path answered, and how many of them on the event loop."""

    versions: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    fast: int = 0
    inline: int = 0


async def replay(settings: Settings, site: Site, story_steps: list[tuple[str, Story]],
                 into: Replayed) -> None:
    """Every step checked a few times, by the tracker, into a new store."""
    store = Store.open(settings.database_url)
    try:
        source_id = store.ensure_source("sim", START)
        store.add_articles(source_id, [(site.url, None)], START, 60.0, revive_gap=600.0)
        found = store.article_by_url(site.url)
        assert found is not None
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher) as tracker:
            for name, story in story_steps:
                site.story = story
                for _ in range(CHECKS_PER_STEP):
                    article = store.claim_article(found["id"], START + timedelta(days=1))
                    result = await tracker.check(article)
                    into.outcomes.append((name, str(result.outcome)))
                    if result.outcome == Outcome.UNCHANGED and result.extraction is None:
                        into.fast += 1
            into.inline += tracker.stats.unchanged_inline
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT title, byline, text FROM versions "
                                        "ORDER BY number").all()
        into.versions += [(r[0], r[1], r[2]) for r in rows]
    finally:
        store.close()


@pytest.mark.parametrize("length", ["whole", "brief"])
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_version_is_captured_with_the_fast_path_as_without(
    server: LocalServer, tmp_path: Path, template: str, length: str,
) -> None:
    """Whole stories, and the same as briefs (short bodies, whose keys also hold their
    pages to what extraction read of them)."""
    replays = histories()
    if length == "brief":  # short bodies indeed, not stubs
        assert all(MIN_WORDS <= sum(len(p.split()) for p in story.paragraphs) < SHORT_WORDS
                   for history in replays for _, story in steps(history, briefs=True))
    site = Site(server, template)
    runs = {}
    for fast_path in (False, True):
        runs[fast_path] = Replayed()
        for number, history in enumerate(replays):
            settings = settings_for(tmp_path / f"{fast_path}-{number}", fast_path)
            asyncio.run(replay(settings, site, steps(history, briefs=length == "brief"),
                               runs[fast_path]))
    on, off = runs[True], runs[False]
    assert on.versions == off.versions  # the same versions, word for word
    assert on.outcomes == off.outcomes  # and every check the same
    assert off.fast == 0
    unchanged = sum(1 for _, outcome in off.outcomes if outcome == Outcome.UNCHANGED)
    assert on.fast >= unchanged // 2, (on.fast, unchanged)
    assert on.inline == on.fast  # these pages are small: each answered on the loop
    # Not vacuous: every body, headline and byline edit made a version; the date did not.
    new = {name for name, outcome in off.outcomes if outcome == Outcome.NEW_VERSION}
    assert {"a word of the first paragraph", "a word in the middle",
            "a word of the last paragraph", "the headline", "the byline"} <= new
    assert "a date" not in new


def test_a_key_never_outlives_the_fast_path_being_off(
    server: LocalServer, tmp_path: Path,
) -> None:
    """Version A with the fast path on (its key kept), B with it off, then A again with it
    on: the page matches A's key, so a key left from A would call it unchanged (B). With
    the fast path off no key is made and the stored one is cleared: A is stored again."""
    first, second = steps(histories()[0])[:2]
    site = Site(server, "gazette")
    store_at = tmp_path / "store"
    outcomes = []
    for (_, story), fast_path in ((first, True), (second, False), (first, True)):
        run = Replayed()
        settings = settings_for(store_at, fast_path)
        asyncio.run(replay(settings, site, [("step", story)], run))
        outcomes.append(run.outcomes[0][1])
        stored = Store.open(settings.database_url)
        try:
            with stored.engine.connect() as conn:
                key = conn.exec_driver_sql("SELECT decision_key FROM articles").scalar()
        finally:
            stored.close()
        assert (key is not None) is fast_path
    assert outcomes == [Outcome.NEW_VERSION] * 3


def test_the_fast_path_on_the_loop_or_in_the_pool_gives_the_same_checks(
    server: LocalServer, tmp_path: Path,
) -> None:
    """``fetch.inline_check_bytes``: the fast path on the event loop (the default bound,
    above these pages), in the extraction pool (0: never inline), or split between them by
    a bound inside the pages' sizes (each request's noise changes them): the same versions
    and outcomes. So too with one worker process (a one-core machine's default) and with
    two (a larger machine's): their fast path runs on the loop as a thread's does, their
    extractions in the workers."""
    history = histories()[0]
    site = Site(server, "wire")
    runs = {}
    processes = {"worker": 1, "workers": 2}
    for name in ("loop", "pool", "split", "worker", "workers"):
        # The split's bound: the median size of the pages the first replays were served.
        bound = 0 if name == "pool" else sorted(site.sizes)[len(site.sizes) // 2] \
            if name == "split" else None
        runs[name] = Replayed()
        settings = settings_for(tmp_path / name, True, bound, processes.get(name, 0))
        asyncio.run(replay(settings, site, steps(history), runs[name]))
    loop, pool, split = runs["loop"], runs["pool"], runs["split"]
    worker, workers = runs["worker"], runs["workers"]
    assert loop.versions == pool.versions == split.versions == worker.versions \
        == workers.versions
    assert loop.outcomes == pool.outcomes == split.outcomes == worker.outcomes \
        == workers.outcomes
    assert worker.inline == worker.fast == workers.inline == workers.fast == loop.fast
    unchanged = sum(1 for _, outcome in loop.outcomes if outcome == Outcome.UNCHANGED)
    assert min(loop.fast, pool.fast, split.fast) >= unchanged // 2, runs
    assert loop.inline == loop.fast and pool.inline == 0
    assert 0 < split.inline < split.fast, split


@pytest.mark.parametrize("length", ["whole", "short"])
def test_a_page_served_byte_for_byte_again_is_known_by_its_hash(
    server: LocalServer, tmp_path: Path, length: str,
) -> None:
    """A site that serves the same bytes until the story changes (a cached page): with
    every recheck sent to the pool (``inline_check_bytes`` 0), the unchanged checks of a
    page served as when its key was made are answered on the loop by the capture's hash,
    and the versions and outcomes are those of the fast path off. So too for a story cut
    to its first two paragraphs, too short for a digest: its key is its capture alone."""
    history = histories()[0]
    story_steps = steps(history) if length == "whole" else [
        (name, replace(story, paragraphs=tuple(story.paragraphs[:2])))
        for name, story in steps(history)]
    site = Site(server, "wire", stable=True)
    runs = {}
    for name, fast_path, bound in (("off", False, None), ("hash", True, 0)):
        runs[name] = Replayed()
        asyncio.run(replay(settings_for(tmp_path / name, fast_path, bound), site,
                           story_steps, runs[name]))
    off, hashed = runs["off"], runs["hash"]
    assert hashed.versions == off.versions
    assert hashed.outcomes == off.outcomes
    # The checks served the page of the check before them: the same story (a step, or an
    # edit that the short story's cut left out), so the same bytes.
    served = [story for _, story in story_steps for _ in range(CHECKS_PER_STEP)]
    repeats = sum(1 for now, before, (_, outcome) in zip(served[1:], served,
                                                          off.outcomes[1:])
                  if now == before and outcome == Outcome.UNCHANGED)
    assert repeats >= len(story_steps)  # each step checked again unchanged
    assert hashed.inline == hashed.fast == repeats, (hashed.fast, hashed.inline, repeats)
