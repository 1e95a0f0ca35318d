"""Settings: one object, loaded from a TOML file and ``TEARSHEET_*`` environment variables.

Environment variables override the file; nested keys use a double underscore, as in
``TEARSHEET_FETCH__TIMEOUT=5s``. Durations take units down to seconds (``"90s"``, ``"30m"``,
``"1h30m"``, ``"3d"``) so a test can play a whole article life in a minute; sizes take
``"8MB"``, ``"512KiB"`` or a number of bytes. Unknown keys and bad values raise
:class:`~tearsheet.errors.ConfigError` naming the key.
"""

from tearsheet.config.notifications import (
    CHANNELS,
    Account,
    CardSettings,
    EmailSettings,
    NotifyRule,
    NotifySettings,
    WaybackSettings,
)
from tearsheet.config.sections import (
    DEFAULT_LIMITS,
    ApiSettings,
    ArchiveSettings,
    FetchSettings,
    HealthSettings,
    LimitSettings,
    ProofSettings,
    ScheduleSettings,
    SourceSettings,
    TraceSettings,
    WorkerSettings,
)
from tearsheet.config.settings import (
    Settings,
    load_settings,
)
from tearsheet.config.values import (
    DEFAULT_CONFIG_FILE,
    ENV_PREFIX,
    MAX_URL,
    MESSAGE_TEMPLATES,
    ByteSize,
    Duration,
    FeedKind,
    HttpUrls,
    Pattern,
    Section,
    Templates,
    check_css,
    check_http_urls,
    check_regex,
    check_secret_url,
    check_template,
    check_templates,
    parse_duration,
    parse_size,
)

__all__ = [
    "CHANNELS",
    "DEFAULT_CONFIG_FILE",
    "DEFAULT_LIMITS",
    "ENV_PREFIX",
    "MAX_URL",
    "MESSAGE_TEMPLATES",
    "Account",
    "ApiSettings",
    "ArchiveSettings",
    "ByteSize",
    "CardSettings",
    "Duration",
    "EmailSettings",
    "FeedKind",
    "FetchSettings",
    "HealthSettings",
    "HttpUrls",
    "LimitSettings",
    "NotifyRule",
    "NotifySettings",
    "Pattern",
    "ProofSettings",
    "ScheduleSettings",
    "Section",
    "Settings",
    "SourceSettings",
    "Templates",
    "TraceSettings",
    "WaybackSettings",
    "WorkerSettings",
    "check_css",
    "check_http_urls",
    "check_regex",
    "check_secret_url",
    "check_template",
    "check_templates",
    "load_settings",
    "parse_duration",
    "parse_size",
]
