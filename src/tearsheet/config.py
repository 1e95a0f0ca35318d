"""Settings: one object, loaded from a TOML file and ``TEARSHEET_*`` environment variables.

Environment variables override the file; nested keys use a double underscore, as in
``TEARSHEET_FETCH__TIMEOUT=5s``. Durations take units down to seconds (``"90s"``, ``"30m"``,
``"1h30m"``, ``"3d"``) so a test can play a whole article life in a minute; sizes take
``"8MB"``, ``"512KiB"`` or a number of bytes. Unknown keys and bad values raise
:class:`~tearsheet.errors.ConfigError` naming the key.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tearsheet import __version__
from tearsheet.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("tearsheet.toml")
ENV_PREFIX = "TEARSHEET_"
MAX_URL = 4000

_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_SIZE_UNITS = {
    "": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "k": 1024, "m": 1024**2, "g": 1024**3,
}


def parse_duration(value: Any) -> float:
    """Seconds from ``"1h30m"``, ``"20s"``, ``"3d"`` or a bare number of seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string such as '30m'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not text:
            raise ValueError("empty duration")
        try:
            seconds = float(text)
        except ValueError:
            parts = _DURATION_PART.findall(text)
            if not parts or "".join(n + u for n, u in parts).lower() != text.lower():
                raise ValueError(
                    f"{value!r} is not a duration (use e.g. '90s', '30m', '1h30m', '3d')"
                ) from None
            seconds = sum(float(n) * _DURATION_UNITS[u.lower()] for n, u in parts)
    else:
        raise ValueError("a duration is a number of seconds or a string such as '30m'")
    if not math.isfinite(seconds):
        raise ValueError(f"{value!r} is not a finite duration")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


def parse_size(value: Any) -> int:
    """Bytes from ``"8MB"``, ``"512KiB"`` or a bare number of bytes."""
    if isinstance(value, bool):
        raise ValueError("a size is a number of bytes or a string such as '8MB'")
    if isinstance(value, int):
        size = value
    elif isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", value)
        if not match or match.group(2).lower() not in _SIZE_UNITS:
            raise ValueError(f"{value!r} is not a size (use e.g. '8MB', '512KiB', 1048576)")
        size = int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])
    else:
        raise ValueError("a size is a number of bytes or a string such as '8MB'")
    if size <= 0:
        raise ValueError("a size must be positive")
    return size


Duration = Annotated[float, BeforeValidator(parse_duration)]
ByteSize = Annotated[int, BeforeValidator(parse_size)]


class FeedKind(StrEnum):
    """Where a source's articles are found (``feeds.kind``)."""

    FEED = "feed"  # RSS or Atom
    SITEMAP = "sitemap"  # a (news) sitemap or sitemap index
    SECTION = "section"  # a section page's links that match the source's article_pattern


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ScheduleSettings(_Section):
    """When each article is checked again (see :mod:`tearsheet.tracker.schedule`)."""

    first_interval: Duration = 30 * 60
    growth: float = Field(1.2, ge=1.0, le=100.0)
    max_interval: Duration = 3 * 86400
    retire_after: Duration = 40 * 86400
    jitter: float = Field(0.1, ge=0.0, le=0.5)
    error_backoff: float = Field(2.0, ge=1.0, le=100.0)
    discovery_interval: Duration = 10 * 60
    unpublished_interval: Duration = 86400  # how often an unpublished article is re-checked

    @field_validator("first_interval", "max_interval", "discovery_interval",
                     "unpublished_interval")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be longer than zero")
        return value


class FetchSettings(_Section):
    """How pages are fetched (see :mod:`tearsheet.fetch.fetcher`)."""

    concurrency: int = Field(16, ge=1, le=1024)
    per_host_concurrency: int = Field(2, ge=1, le=64)
    per_host_delay: Duration = 1.0
    timeout: Duration = 20.0
    max_bytes: ByteSize = 8_000_000
    retries: int = Field(2, ge=0, le=10)
    retry_backoff: Duration = 1.0
    max_retry_after: Duration = 120.0
    user_agent: str = (
        f"tearsheet/{__version__} (news revision tracker; +https://github.com/tearsheet/tearsheet)"
    )
    obey_robots: bool = True
    allow_private_addresses: bool = False
    # Processes that extract fetched pages (see tearsheet.tracker.extraction_pool); 0 or 1: one
    # thread in the tracker's process.
    extract_processes: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0, le=64)
    # Sources with render = "browser" (see tearsheet.fetch.browser): pages rendered at once
    # (each in a browser context of its own), the time a page gets to settle, and the
    # Chromium to drive (default: the first chromium on PATH).
    browser_concurrency: int = Field(2, ge=1, le=64)
    browser_timeout: Duration = 30.0
    browser_path: Path | None = None

    @field_validator("timeout", "browser_timeout")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be longer than zero")
        return value


class HealthSettings(_Section):
    """When a source is judged broken, and when a shrunken body may be stored (see
    :mod:`tearsheet.tracker.health`)."""

    # The latest checks judged against the ones before, and the articles a breakage spans.
    recent_checks: int = Field(8, ge=2, le=1000)
    min_articles: int = Field(4, ge=1, le=1000)
    # Share of the latest checks refused (or collapsed) that means broken.
    broken_share: float = Field(0.75, gt=0.0, le=1.0)
    # A body under this share of the source's usual length has collapsed.
    collapse: float = Field(0.4, gt=0.0, lt=1.0)
    # A shrunken body is stored after this many holds when nothing contradicts it.
    max_holds: int = Field(4, ge=0, le=100)


class WorkerSettings(_Section):
    """One tracker process among several sharing a PostgreSQL store (see docs/deploy.md)."""

    # Names this process in its leases; default host-pid. A fixed id per systemd unit lets
    # a restarted worker take back at once the leases its killed predecessor held.
    id: str = Field("", max_length=100)
    # How long a claimed article or feed stays reserved for this worker. 0: long enough
    # for the slowest fetch, fetch.timeout × (fetch.retries + 2) + 60 s.
    lease: Duration = 0.0
    # Claim more once this many in-flight checks finished (0: a quarter of those in flight).
    batch_size: int = Field(0, ge=0, le=10_000)
    # A tracker's PostgreSQL statement that runs longer fails (a lock held, a stuck server).
    statement_timeout: Duration = 60.0


class ArchiveSettings(_Section):
    """Which raw responses are kept as WARC records, and where (see :mod:`tearsheet.archive.warc`).

    ``keep``: ``versions`` (default) keeps the response of every fetch that made a version
    (the first version of an article included); ``all`` every successful fetch; ``none``
    nothing. ``dir`` defaults to a ``warc`` folder beside the SQLite database (or under the
    user's data directory for other databases); files rotate at ``file_size``.
    """

    keep: Literal["versions", "all", "none"] = "versions"
    dir: Path | None = None
    file_size: ByteSize = 1_000_000_000


class LimitSettings(_Section):
    """How much of one (hostile?) document a parser reads; beyond: ignored (hardening.md)."""

    authors: int = Field(20, ge=1, le=10_000)  # names kept in a byline
    items: int = Field(5_000, ge=1, le=1_000_000)  # entries read from one feed or sitemap
    links: int = Field(10_000, ge=1, le=1_000_000)  # <a> elements read from a section page
    nesting: int = Field(16, ge=2, le=200)  # JSON-LD levels searched for the article
    json_ld_bytes: ByteSize = 2_000_000  # one JSON-LD block; a larger one is skipped
    attribute_chars: int = Field(10_000, ge=100, le=10_000_000)  # a <meta> content


DEFAULT_LIMITS = LimitSettings()


def check_http_urls(urls: list[str]) -> list[str]:
    """Validator: every URL is http(s) with a host (also for sources added by the API)."""
    for url in urls:
        if not re.match(r"https?://[^/\s]+", url) or re.search(r"[\x00-\x1f\x7f]", url):
            raise ValueError(f"{url[:200]!r} is not an http(s) URL")
        if len(url) > MAX_URL:
            raise ValueError(f"{url[:200]!r}… is longer than {MAX_URL} characters")
    return urls


def check_regex(pattern: str) -> str:
    """Validator: ``pattern`` compiles as a regular expression."""
    if "\x00" in pattern:
        raise ValueError("a NUL character in a regular expression")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


HttpUrls = Annotated[list[str], AfterValidator(check_http_urls)]
Pattern = Annotated[str, AfterValidator(check_regex)]


class SourceSettings(_Section):
    """One news source: where its articles are discovered, and how to read them.

    ``body_selector`` (CSS) names the article body when the generic extractor gets a site
    wrong; ``drop_selectors`` (CSS) remove elements first (a newsletter box, a related-links
    rail). Both are checked here, so a typo fails at startup rather than on every check.
    ``render = "browser"`` renders its article pages in a headless Chromium (discovery stays
    on plain HTTP), settled when ``wait_for`` (CSS) matches, else at network idle;
    ``cookies`` are sent to its sites from the first request (a consent choice).
    """

    name: str = Field(min_length=1, max_length=100)
    feeds: HttpUrls = []
    sitemaps: HttpUrls = []
    section_pages: HttpUrls = []
    article_pattern: Pattern = ""
    body_selector: str | None = None
    drop_selectors: list[str] = []
    wayback: bool = False  # save each new version with the Internet Archive (``[wayback]``)
    render: Literal["http", "browser"] = "http"
    wait_for: str | None = None
    cookies: dict[Annotated[str, Field(pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")],
                  Annotated[str, Field(pattern=r"^[^;,\s\x00-\x1f\x7f]*$")]] = {}

    def discovery(self) -> list[tuple[FeedKind, str, str]]:
        """Where its articles are found: (kind, url, pattern) rows, as
        :meth:`tearsheet.store.store.Store.sync_feeds` takes them."""
        return ([(FeedKind.FEED, url, "") for url in self.feeds]
                + [(FeedKind.SITEMAP, url, "") for url in self.sitemaps]
                + [(FeedKind.SECTION, url, self.article_pattern) for url in self.section_pages])

    @field_validator("body_selector", "wait_for")
    @classmethod
    def _body_css(cls, selector: str | None) -> str | None:
        if selector is not None:
            _check_css(selector)
        return selector

    @field_validator("drop_selectors")
    @classmethod
    def _drop_css(cls, selectors: list[str]) -> list[str]:
        for selector in selectors:
            _check_css(selector)
        return selectors


def _check_css(selector: str) -> None:
    from cssselect import GenericTranslator, SelectorError

    if not selector.strip():
        raise ValueError("an empty CSS selector")
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"{selector!r} is not a valid CSS selector: {exc}") from None


class ProofSettings(_Section):
    """Proof packages and trusted timestamps (see docs/proof.md).

    ``key_file``: the signing key (ECDSA), made on first use with 0600 permissions; default
    ``tearsheet-signing-key.pem`` beside the SQLite database, else in the data directory.
    ``tsa_url``: an RFC 3161 timestamping authority; when set, each new version's raw
    capture is timestamped, in batches of up to ``timestamp_batch`` every
    ``timestamp_interval``, retried ``timestamp_retries`` times with a backoff doubling from
    ``timestamp_backoff``. ``tsa_ca_file``: the authority's root certificates (PEM), which
    ``tearsheet verify`` checks tokens against.
    """

    key_file: Path | None = None
    tsa_url: str | None = None
    tsa_ca_file: Path | None = None
    timestamp_interval: Duration = 60.0
    timestamp_batch: int = Field(1000, ge=1, le=100_000)
    timestamp_timeout: Duration = 20.0
    timestamp_retries: int = Field(8, ge=0, le=50)
    timestamp_backoff: Duration = 60.0

    @field_validator("tsa_url")
    @classmethod
    def _tsa_url(cls, url: str | None) -> str | None:
        return url if url is None else check_http_urls([url])[0]


class ApiSettings(_Section):
    """The JSON API (see :mod:`tearsheet.web.api`). Reading is public; writing needs
    ``token``, sent as ``Authorization: Bearer TOKEN``. No token: writing is disabled."""

    token: str | None = Field(None, min_length=16, max_length=1000)


class TraceSettings(_Section):
    """Tracing copies through the web page and the API (see :mod:`tearsheet.web.trace`):
    how long a pasted text may be, and how many traces one client may ask for a minute
    (per web process). The command line has neither limit."""

    max_chars: int = Field(100_000, ge=1000, le=10_000_000)
    per_minute: int = Field(20, ge=1, le=100_000)


MESSAGE_TEMPLATES = ("email_text", "email_html", "slack", "discord", "matrix_text",
                     "matrix_html")  # tearsheet/notify/templates/NAME.j2, overridable


def check_templates(templates: dict[str, str]) -> dict[str, str]:
    """Validator: known names (:data:`MESSAGE_TEMPLATES`) of valid Jinja2 templates."""
    for name, source in templates.items():
        if name not in MESSAGE_TEMPLATES:
            raise ValueError(f"no message template named {name!r} (templates: "
                             f"{', '.join(MESSAGE_TEMPLATES)})")
        check_template(source)
    return templates


def check_template(source: str) -> str:
    """Validator: ``source`` parses as a (sandboxed) Jinja2 template."""
    from jinja2 import TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    try:
        SandboxedEnvironment().parse(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"not a valid Jinja2 template: {exc}") from None
    return source


def check_secret_url(url: SecretStr | None) -> SecretStr | None:
    """Validator: an http(s) URL that holds a credential (a Slack or Discord webhook),
    refused without being shown."""
    if url is not None and not re.fullmatch(r"https?://[^/\s]+/\S*",
                                            url.get_secret_value()):
        raise ValueError("not an http(s) URL (not shown: it holds a credential)")
    return url


Templates = Annotated[dict[str, str], AfterValidator(check_templates)]


class NotifyRule(_Section):
    """One notification rule: which changes (all conditions must hold; an empty list
    matches anything) and where they go — one target: a webhook, an Apprise URL, an
    account (Mastodon, Bluesky, Matrix), e-mail addresses, a Slack or Discord webhook."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.-]+$")
    sources: list[str] = []
    kinds: list[str] = []  # any of these kinds
    intents: list[str] = []  # any of these intents (fact, style, narrative) or fine labels
    silent: bool | None = None  # true: only silent corrections; false: none of them
    min_significance: float = Field(0.0, ge=0.0, le=1.0)
    words: list[str] = []  # any of these words in the new version (case-insensitive)
    include_boring: bool = False
    alerts: bool = True  # also "extraction broken" alerts of the sources it follows
    webhook: str | None = None
    secret: str | None = Field(None, min_length=16)  # HMAC-SHA256 key for the webhook
    apprise: str | None = None
    account: str | None = None  # a Mastodon, Bluesky or Matrix account of [notifications.accounts]
    room: str | None = Field(None, pattern=r"^[!#][^:\s]+:\S+$")  # Matrix room id or alias
    email: list[str] = []  # recipients, through [notifications.email]
    slack: SecretStr | None = None  # a Slack incoming webhook URL
    discord: SecretStr | None = None  # a Discord webhook URL
    card: bool = True  # the change's card in e-mails (inline) and Slack/Discord (by URL)
    templates: Templates = {}  # message templates of this rule (see MESSAGE_TEMPLATES)
    title: str = "{{ source }}: {{ title }}"  # Jinja2 (sandboxed), for Apprise
    body: str = ("{{ kinds | join(', ') or 'changed' }} · +{{ words_added }}/−{{ words_removed }}"
                 " words{% if intents %} · {{ intents | join(', ') }}{% endif %}"
                 "{% if silent_correction %} · silent correction{% endif %}"
                 " · significance {{ '%.2f' | format(significance) }}\n{{ diff_url }}"
                 "{% if copies_note %}\n{{ copies_note }}{% endif %}")
    summary_title: str = "{{ source }}: {{ count }} articles changed"
    summary_body: str = ("{{ count }} articles of {{ source }} changed within {{ window }} "
                         "(a site-wide change?), e.g.:\n{% for a in articles %}- {{ a.title }}"
                         "\n{% endfor %}")
    post: str = ("{{ source }} changed “{{ title }}” (version {{ number }}): "
                 "{{ kinds | join(', ') or 'edited' }}.\n{{ diff_url }}")  # social posts

    @field_validator("intents")
    @classmethod
    def _intent_names(cls, names: list[str]) -> list[str]:
        from tearsheet.diff.intents import INTENT_NAMES

        unknown = [name for name in names if name not in INTENT_NAMES]
        if unknown:
            raise ValueError(f"unknown intents {unknown}: use {', '.join(INTENT_NAMES)}")
        return names

    @field_validator("webhook")
    @classmethod
    def _webhook_url(cls, url: str | None) -> str | None:
        return url if url is None else check_http_urls([url])[0]

    @field_validator("apprise")
    @classmethod
    def _apprise_url(cls, url: str | None) -> str | None:
        if url is not None:
            import apprise  # only when a rule uses it: the import takes a fraction of a second

            if apprise.Apprise.instantiate(url) is None:  # the URL may hold a password: not shown
                raise ValueError("Apprise does not understand this URL (see "
                                 "https://github.com/caronc/apprise/wiki)")
        return url

    @field_validator("title", "body", "summary_title", "summary_body", "post")
    @classmethod
    def _template(cls, source: str) -> str:
        return check_template(source)

    @field_validator("email")
    @classmethod
    def _addresses(cls, addresses: list[str]) -> list[str]:
        for address in addresses:
            if not re.fullmatch(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+", address):
                raise ValueError(f"{address[:200]!r} is not an e-mail address")
        return addresses

    _secret_urls = field_validator("slack", "discord")(check_secret_url)

    @property
    def channel(self) -> str:
        """Where the rule sends: webhook, apprise, account, email, slack or discord."""
        return next(name for name in CHANNELS if getattr(self, name))

    @model_validator(mode="after")
    def _one_target(self) -> NotifyRule:
        if sum(bool(getattr(self, target)) for target in CHANNELS) != 1:
            raise ValueError(f"rule {self.name!r}: give one of {', '.join(CHANNELS)}")
        if self.webhook is not None and self.secret is None:
            raise ValueError(f"rule {self.name!r}: a webhook needs a secret (16+ characters) "
                             "to sign its requests")
        return self


CHANNELS = ("webhook", "apprise", "account", "email", "slack", "discord")


class Account(_Section):
    """A Mastodon or Bluesky account that rules post cards to, or a Matrix account that
    rules send messages with. Secrets are best given in the environment
    (``TEARSHEET_NOTIFICATIONS__ACCOUNTS__NAME__TOKEN``); they are never shown or logged."""

    mastodon: str | None = None  # the instance, e.g. https://mastodon.social
    matrix: str | None = None  # the homeserver, e.g. https://matrix.example
    token: SecretStr | None = None  # Mastodon: write:statuses, write:media; Matrix: access
    bluesky: str | None = None  # the PDS, e.g. https://bsky.social
    identifier: str | None = None  # handle or DID
    password: SecretStr | None = None  # an app password
    language: str | None = Field(None, max_length=35)  # of the posts (BCP 47)

    @field_validator("mastodon", "bluesky", "matrix")
    @classmethod
    def _server(cls, url: str | None) -> str | None:
        return url if url is None else check_http_urls([url])[0]

    @model_validator(mode="after")
    def _one_network(self) -> Account:
        if sum(url is not None for url in (self.mastodon, self.bluesky, self.matrix)) != 1:
            raise ValueError("an account is on mastodon, bluesky or matrix (give one server "
                             "URL)")
        if self.bluesky is None and self.token is None:
            raise ValueError(f"a {self.network.capitalize()} account needs its token")
        if self.bluesky is not None and (self.identifier is None or self.password is None):
            raise ValueError("a Bluesky account needs identifier and password")
        return self

    @property
    def network(self) -> str:
        return "mastodon" if self.mastodon else "matrix" if self.matrix else "bluesky"


class EmailSettings(_Section):
    """The SMTP server that e-mail rules send through. ``security``: ``starttls`` (port
    587), ``ssl`` (implicit TLS, port 465) or ``none`` (a relay on this machine); the
    password is best given as ``TEARSHEET_NOTIFICATIONS__EMAIL__PASSWORD``."""

    host: str = Field(min_length=1, max_length=255)
    port: int | None = Field(None, ge=1, le=65535)  # default: by security
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(min_length=3, max_length=320)  # From: "tearsheet <bot@x.example>"
    ca_file: str | None = None  # a CA bundle to trust instead of the system's (private CA)

    @property
    def server_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


class NotifySettings(_Section):
    """Notifications (see :mod:`tearsheet.notify`): rules, delivery, flood control."""

    rules: list[NotifyRule] = []
    accounts: dict[str, Account] = {}
    email: EmailSettings | None = None
    templates: Templates = {}  # message templates of every rule (see MESSAGE_TEMPLATES)
    base_url: str = ""  # of the web UI, for links in messages (e.g. https://ts.example)
    poll_interval: Duration = 10.0
    timeout: Duration = 10.0
    retries: int = Field(5, ge=0, le=20)
    retry_backoff: Duration = 30.0
    flood_threshold: int = Field(10, ge=2, le=100_000)
    flood_window: Duration = 600.0

    @field_validator("rules")
    @classmethod
    def _unique_rules(cls, rules: list[NotifyRule]) -> list[NotifyRule]:
        names = [rule.name for rule in rules]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two rules are named {name!r}")
        return rules

    @field_validator("timeout", "poll_interval")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be longer than zero")
        return value

    @model_validator(mode="after")
    def _known_accounts(self) -> NotifySettings:
        for rule in self.rules:
            if rule.email and self.email is None:
                raise ValueError(f"rule {rule.name!r}: e-mail needs [notifications.email] "
                                 "(host, sender)")
            if rule.account is None:
                continue
            if rule.account not in self.accounts:
                known = ", ".join(self.accounts) or "none configured"
                raise ValueError(f"rule {rule.name!r}: no account named {rule.account!r} "
                                 f"(accounts: {known})")
            if (self.accounts[rule.account].network == "matrix") != (rule.room is not None):
                raise ValueError(f"rule {rule.name!r}: a Matrix account needs a room "
                                 "(\"!id:server\" or \"#alias:server\"), and only it")
        return self

    def rule(self, name: str) -> NotifyRule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        known = ", ".join(r.name for r in self.rules) or "none configured"
        raise ConfigError(f"no notification rule named {name!r} (rules: {known})")


class CardSettings(_Section):
    """Diff cards (see :mod:`tearsheet.diff.card`): font files tried before the system's
    (a font that covers CJK can be the only one)."""

    fonts: list[str] = []
    portrait: bool = False  # posts and e-mails use 1080×1350 instead of 1200×675


class WaybackSettings(_Section):
    """Save Page Now (see :mod:`tearsheet.notify.wayback`) for sources with
    ``wayback = true``: keys from https://archive.org/account/s3.php."""

    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    endpoint: str = "https://web.archive.org"
    poll_interval: Duration = 15.0  # between job status checks
    retries: int = Field(5, ge=0, le=20)
    retry_backoff: Duration = 300.0
    concurrency: int = Field(2, ge=1, le=20)  # captures in flight

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, url: str) -> str:
        return check_http_urls([url])[0]

    @property
    def enabled(self) -> bool:
        return self.access_key is not None and self.secret_key is not None


class Settings(BaseSettings):
    """Everything tearsheet can be told. Built by :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True,
        validate_default=True,
    )

    database_url: str = "sqlite:///tearsheet.db"
    schedule: ScheduleSettings = ScheduleSettings()
    fetch: FetchSettings = FetchSettings()
    worker: WorkerSettings = WorkerSettings()
    health: HealthSettings = HealthSettings()
    archive: ArchiveSettings = ArchiveSettings()
    proof: ProofSettings = ProofSettings()
    limits: LimitSettings = DEFAULT_LIMITS
    sources: list[SourceSettings] = []
    api: ApiSettings = ApiSettings()
    trace: TraceSettings = TraceSettings()
    notifications: NotifySettings = NotifySettings()
    cards: CardSettings = CardSettings()
    wayback: WaybackSettings = WaybackSettings()

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceSettings]) -> list[SourceSettings]:
        seen: set[str] = set()
        for source in sources:
            if source.name in seen:
                raise ValueError(f"two sources are named {source.name!r}")
            seen.add(source.name)
        return sources

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file arrives as init arguments; the environment overrides it.
        return (env_settings, init_settings)

    def lease_seconds(self) -> float:
        """How long a check or a feed poll keeps its lease (``worker.lease``, or derived)."""
        return self.worker.lease or self.fetch.timeout * (self.fetch.retries + 2) + 60

    def source(self, name: str) -> SourceSettings:
        for source in self.sources:
            if source.name == name:
                return source
        raise ConfigError(f"no source named {name!r} in the configuration")


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Load settings from ``path`` (default ``./tearsheet.toml`` when it exists).

    ``overrides`` are applied over the file (used by tests and the demo).
    """
    origin = "settings"
    data: dict[str, Any] = {}
    if path is None and DEFAULT_CONFIG_FILE.exists():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        path = Path(path)
        origin = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: configuration file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the configuration: {exc}") from None
        except (tomllib.TOMLDecodeError, RecursionError) as exc:  # tomllib recurses on nesting
            why = "values nested too deeply" if isinstance(exc, RecursionError) else exc
            raise ConfigError(f"{path}: not valid TOML: {why}") from None
    data.update(overrides)
    _check_environment()
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(origin, exc)) from None
    except RecursionError:  # a deeply nested JSON value in a TEARSHEET_* variable
        raise ConfigError("environment: values nested too deeply") from None


def _check_environment() -> None:
    for name in os.environ:
        if not name.upper().startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX):].split("__")[0].lower()
        if key not in Settings.model_fields and key != "config":
            close = difflib.get_close_matches(key, list(Settings.model_fields), n=1)
            hint = f" (did you mean {ENV_PREFIX}{close[0].upper()}?)" if close else ""
            raise ConfigError(f"environment: unknown variable {name}{hint}")


def _describe(origin: str, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            lines.append(f"{origin}: unknown key {key!r}{_suggest(error['loc'])}")
        else:
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{_origin_of(error['loc'], origin)}: {key}: {message}")
    return "\n".join(lines)


def _origin_of(loc: tuple[int | str, ...], file_origin: str) -> str:
    """Where a bad value came from: its environment variable if set, else the file."""
    for depth in range(len(loc), 0, -1):
        name = ENV_PREFIX + "__".join(str(part) for part in loc[:depth]).upper()
        if any(key.upper() == name for key in os.environ):
            return f"environment variable {name}"
    return file_origin


def _suggest(loc: tuple[int | str, ...]) -> str:
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        annotation = getattr(field, "annotation", None)
        inner = getattr(annotation, "__args__", (annotation,))[0]
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return ""
        model = inner
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
