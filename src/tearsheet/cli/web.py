"""`tearsheet serve`: the web UI."""

from __future__ import annotations

import logging
import logging.config
import os
from typing import Annotated, Any

import typer

from tearsheet.cli.common import ConfigOption, app, err_console
from tearsheet.config import load_settings

log = logging.getLogger(__name__)


def json_log_config() -> dict[str, Any]:
    """uvicorn's logging (its server and access lines) and tearsheet's own, one JSON object a
    line on stderr, as `run --log-json` writes them; every server process applies it."""
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": "tearsheet.cli.common.JsonFormatter"}},
        "handlers": {"json": handler},
        "loggers": {name: {"handlers": ["json"], "level": "INFO", "propagate": False}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
        "root": {"handlers": ["json"], "level": "INFO"},
    }


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (one per core).")] = 1,
    log_json: Annotated[bool, typer.Option(
        "--log-json", help="Log one JSON object per line (for a log collector), the "
        "server's start and stop and one line per request included.")] = False,
) -> None:
    """Serve the web UI: latest changes, sources, articles, versions side by side."""
    import uvicorn

    from tearsheet.web import create_app
    settings = load_settings(config)  # read now, so a bad configuration fails here
    logging_options: dict[str, Any] = {"log_level": "warning"}
    banner = f"tearsheet web UI on http://{host}:{port}/"
    if log_json:  # every line on stderr is JSON: the banner too
        logging.config.dictConfig(json_log_config())
        logging_options = {"log_config": json_log_config(), "log_level": "info"}
        log.info("%s", banner)
    else:
        err_console.print(banner + " (Ctrl-C stops)", highlight=False)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, **logging_options)
        return
    if config is not None:  # the worker processes load the same settings
        os.environ["TEARSHEET_CONFIG"] = str(config.resolve())
    uvicorn.run("tearsheet.web.app:from_environment", factory=True, workers=workers,
                host=host, port=port, **logging_options)
