"""Settings: durations, sizes, the TOML file, the environment and their error messages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tearsheet.config import Settings, load_settings, parse_duration, parse_size
from tearsheet.errors import ConfigError

EXAMPLE = Path(__file__).parents[1] / "sources.example.toml"

FULL_CONFIG = """
database_url = "sqlite:///{db}"

[schedule]
first_interval = "90s"
growth = 1.5
max_interval = "1h30m"
retire_after = "3d"

[fetch]
concurrency = 4
per_host_delay = "500ms"
timeout = "5s"
max_bytes = "512KiB"
allow_private_addresses = true

[[sources]]
name = "daily"
feeds = ["https://daily.example/rss.xml", "http://daily.example/world/rss"]
sitemaps = ["https://daily.example/sitemap.xml"]
section_pages = ["https://daily.example/politics"]
article_pattern = '^https://daily\\.example/\\d{{4}}/'

[[sources]]
name = "weekly"
feeds = ["https://weekly.example/feed"]
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No TEARSHEET_* variable of the developer's shell, no ./tearsheet.toml of theirs."""
    for name in list(os.environ):
        if name.upper().startswith("TEARSHEET_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tearsheet.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- durations and sizes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90.0),
        ("30m", 1800.0),
        ("1h30m", 5400.0),
        ("1.5h", 5400.0),
        ("3d", 259200.0),
        ("1w", 604800.0),
        ("500ms", 0.5),
        ("1H", 3600.0),
        (" 1h 30m ", 5400.0),
        ("45", 45.0),
        ("2.5", 2.5),
        (45, 45.0),
        (0.25, 0.25),
        (0, 0.0),
    ],
)
def test_parse_duration(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "soon", "10x", "s", "-5s", "-5", -1, "30 minutes", "1h30", "1h-30m", "h1",
     True, None, [30], float("inf")],
)
def test_parse_duration_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("8MB", 8_000_000),
        ("512KiB", 524_288),
        ("1.5MB", 1_500_000),
        ("2GiB", 2 * 1024**3),
        ("10k", 10_240),
        ("100b", 100),
        (" 64 KB ", 64_000),
        ("1048576", 1_048_576),
        (1048576, 1_048_576),
    ],
)
def test_parse_size(text: str | int, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    "text", ["", "MB", "8XB", "-1", "-1MB", "8 M B", 0, "0", "0.1b", -5, 1.5, True, None],
)
def test_parse_size_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


# --- the file ----------------------------------------------------------------------------


def test_every_documented_key_is_loaded(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, FULL_CONFIG.format(db=tmp_path / "ts.db")))
    assert settings.database_url == f"sqlite:///{tmp_path / 'ts.db'}"
    schedule = settings.schedule
    assert (schedule.first_interval, schedule.growth, schedule.max_interval,
            schedule.retire_after) == (90.0, 1.5, 5400.0, 3 * 86400.0)
    fetch = settings.fetch
    assert (fetch.concurrency, fetch.per_host_delay, fetch.timeout, fetch.max_bytes,
            fetch.allow_private_addresses) == (4, 0.5, 5.0, 524_288, True)
    assert [s.name for s in settings.sources] == ["daily", "weekly"]
    daily = settings.source("daily")
    assert daily.feeds == ["https://daily.example/rss.xml", "http://daily.example/world/rss"]
    assert daily.sitemaps == ["https://daily.example/sitemap.xml"]
    assert daily.section_pages == ["https://daily.example/politics"]
    assert daily.article_pattern == r"^https://daily\.example/\d{4}/"
    assert settings.source("weekly").sitemaps == []
    with pytest.raises(ConfigError, match="no source named 'monthly'"):
        settings.source("monthly")


def test_defaults_without_a_file() -> None:
    settings = load_settings()  # no ./tearsheet.toml in the (temporary) working directory
    assert settings == Settings()
    assert settings.sources == []
    assert settings.fetch.allow_private_addresses is False


def test_tearsheet_toml_in_the_working_directory_is_the_default(tmp_path: Path) -> None:
    write(tmp_path, '[fetch]\ntimeout = "7s"\n')
    assert load_settings().fetch.timeout == 7.0


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        ('databse_url = "sqlite:///x.db"\n', "'databse_url'", "did you mean 'database_url'?"),
        ('[fetchh]\ntimeout = "5s"\n', "'fetchh'", "did you mean 'fetch'?"),
        ('[fetch]\ntimout = "5s"\n', "'fetch.timout'", "did you mean 'timeout'?"),
        ('[schedule]\nretire_afterr = "5d"\n', "'schedule.retire_afterr'",
         "did you mean 'retire_after'?"),
        ('[[sources]]\nname = "a"\nfeed = ["https://a.example/rss"]\n', "'sources.0.feed'",
         "did you mean 'feeds'?"),
        ('[api]\ntokn = "0123456789abcdef"\n', "'api.tokn'", "did you mean 'token'?"),
        ('[[notifications.rules]]\nname = "a"\napprise = "json://x/"\nkind = ["update"]\n',
         "'notifications.rules.0.kind'", "did you mean 'kinds'?"),
    ],
    ids=["top-level", "section", "in-fetch", "in-schedule", "in-sources", "in-api",
         "in-rules"],
)
def test_unknown_keys_are_rejected_by_name(tmp_path: Path, text: str, key: str, hint: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert f"unknown key {key}" in message
    assert hint in message
    assert message.startswith(str(path))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[fetch]\ntimeout = "soon"\n', "fetch.timeout"),
        ('[fetch]\ntimeout = "0s"\n', "fetch.timeout"),
        ('[fetch]\nmax_bytes = "8XB"\n', "fetch.max_bytes"),
        ("[fetch]\nconcurrency = 0\n", "fetch.concurrency"),
        ('[fetch]\nallow_private_addresses = "maybe"\n', "fetch.allow_private_addresses"),
        ('[schedule]\nfirst_interval = "0s"\n', "schedule.first_interval"),
        ("[schedule]\ngrowth = 0.5\n", "schedule.growth"),
        ('[schedule]\nretire_after = "-1d"\n', "schedule.retire_after"),
        ('[[sources]]\nname = ""\n', "sources.0.name"),
        ('[api]\ntoken = "short"\n', "api.token"),
        ('[notifications]\nflood_window = "soon"\n', "notifications.flood_window"),
        ("[notifications]\nretries = -1\n", "notifications.retries"),
        ('[[notifications.rules]]\nname = "a b"\napprise = "json://x/"\n',
         "notifications.rules.0.name"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f": {key}: ")):
        load_settings(write(tmp_path, text))


def test_invalid_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[fetch\ntimeout = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(tmp_path / "absent.toml")


def test_duplicate_source_names(tmp_path: Path) -> None:
    text = '[[sources]]\nname = "a"\n[[sources]]\nname = "b"\n[[sources]]\nname = "a"\n'
    with pytest.raises(ConfigError, match="two sources are named 'a'"):
        load_settings(write(tmp_path, text))


def test_invalid_article_pattern(tmp_path: Path) -> None:
    text = '[[sources]]\nname = "a"\narticle_pattern = "^/news/(\\\\d+"\n'
    with pytest.raises(ConfigError, match=r"sources\.0\.article_pattern: not a valid regular"):
        load_settings(write(tmp_path, text))


@pytest.mark.parametrize(
    ("key", "url"),
    [("feeds", "ftp://a.example/feed"), ("feeds", "/rss.xml"),
     ("sitemaps", "file:///etc/passwd"), ("section_pages", "a.example/news")],
)
def test_non_http_urls_are_rejected(tmp_path: Path, key: str, url: str) -> None:
    text = f'[[sources]]\nname = "a"\n{key} = ["{url}"]\n'
    with pytest.raises(ConfigError, match=rf"sources\.0\.{key}: '{url}' is not an http\(s\) URL"):
        load_settings(write(tmp_path, text))


# --- the environment ---------------------------------------------------------------------


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[fetch]\ntimeout = "30s"\nconcurrency = 4\n')
    monkeypatch.setenv("TEARSHEET_FETCH__TIMEOUT", "5s")
    monkeypatch.setenv("TEARSHEET_DATABASE_URL", "sqlite:///other.db")
    settings = load_settings(path)
    assert settings.fetch.timeout == 5.0
    assert settings.fetch.concurrency == 4  # the rest of [fetch] still comes from the file
    assert settings.database_url == "sqlite:///other.db"


def test_api_token_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEARSHEET_API__TOKEN", "from-the-environment-0123")
    monkeypatch.setenv("TEARSHEET_NOTIFICATIONS__FLOOD_WINDOW", "1h")
    settings = load_settings(write(tmp_path, '[api]\ntoken = "from-the-file-0123456789"\n'))
    assert settings.api.token == "from-the-environment-0123"
    assert settings.notifications.flood_window == 3600.0


def test_bad_environment_value_names_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEARSHEET_FETCH__TIMEOUT", "soon")
    with pytest.raises(ConfigError, match=r"fetch\.timeout: 'soon' is not a duration"):
        load_settings(write(tmp_path, ""))


@pytest.mark.parametrize(
    ("name", "hint"),
    [("TEARSHEET_FECH__TIMEOUT", "did you mean TEARSHEET_FETCH?"),
     ("TEARSHEET_DATABASE", "did you mean TEARSHEET_DATABASE_URL?"),
     ("TEARSHEET_ZZZ", "")],
)
def test_unknown_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, hint: str
) -> None:
    monkeypatch.setenv(name, "5s")
    with pytest.raises(ConfigError, match=f"environment: unknown variable {name}") as info:
        load_settings(write(tmp_path, ""))
    assert hint in str(info.value)


def test_unknown_key_under_a_known_environment_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEARSHEET_FETCH__TIMOUT", "5s")
    with pytest.raises(ConfigError, match=r"unknown key 'fetch\.timout'"):
        load_settings(write(tmp_path, ""))


def test_config_variable_is_not_a_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[fetch]\ntimeout = "9s"\n')
    monkeypatch.setenv("TEARSHEET_CONFIG", str(path))  # read by the CLI, not by Settings
    assert load_settings(path).fetch.timeout == 9.0


# --- the shipped example -----------------------------------------------------------------


def test_sources_example_loads() -> None:
    settings = load_settings(EXAMPLE)
    assert len(settings.sources) >= 10
    with_feeds = [s.name for s in settings.sources if s.feeds]
    assert len(with_feeds) >= 10, with_feeds
    for source in settings.sources:
        # Every source can discover articles: a feed, or a sitemap, or a section page
        # (whose links need an article_pattern to tell articles from the site's chrome).
        assert source.feeds or source.sitemaps or source.section_pages, source.name
        if source.section_pages:
            assert source.article_pattern, source.name
    assert settings.fetch.allow_private_addresses is False
