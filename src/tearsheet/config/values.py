"""The values settings are made of: durations and sizes in words, URL lists, patterns,
templates, secrets — each parsed or checked once, with a message that names the problem."""

from __future__ import annotations

import math
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    SecretStr,
)

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


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


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


def check_css(selector: str) -> None:
    from cssselect import GenericTranslator, SelectorError

    if not selector.strip():
        raise ValueError("an empty CSS selector")
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"{selector!r} is not a valid CSS selector: {exc}") from None


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
