"""The one :class:`Settings` object, and loading it from a TOML file and the environment
(unknown keys and bad values named, with a suggestion)."""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tearsheet.config.notifications import (
    CardSettings,
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
from tearsheet.config.values import (
    DEFAULT_CONFIG_FILE,
    ENV_PREFIX,
)
from tearsheet.errors import ConfigError


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
