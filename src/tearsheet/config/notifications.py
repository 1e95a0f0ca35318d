"""The settings of notifications: rules, accounts to post with, e-mail, cards and the
Wayback Machine."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from tearsheet.config.values import (
    Duration,
    Section,
    Templates,
    check_http_urls,
    check_secret_url,
    check_template,
)
from tearsheet.errors import ConfigError


class NotifyRule(Section):
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


class Account(Section):
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


class EmailSettings(Section):
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


class NotifySettings(Section):
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


class CardSettings(Section):
    """Diff cards (see :mod:`tearsheet.diff.card`): font files tried before the system's
    (a font that covers CJK can be the only one)."""

    fonts: list[str] = []
    portrait: bool = False  # posts and e-mails use 1080×1350 instead of 1200×675


class WaybackSettings(Section):
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
