"""`tearsheet serve`: the web UI."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from tearsheet.cli.common import ConfigOption, app, err_console
from tearsheet.config import load_settings


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (one per core).")] = 1,
) -> None:
    """Serve the web UI: latest changes, sources, articles, versions side by side."""
    import uvicorn

    from tearsheet.web import create_app
    settings = load_settings(config)  # read now, so a bad configuration fails here
    err_console.print(f"tearsheet web UI on http://{host}:{port}/ (Ctrl-C stops)",
                      highlight=False)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
        return
    if config is not None:  # the worker processes load the same settings
        os.environ["TEARSHEET_CONFIG"] = str(config.resolve())
    uvicorn.run("tearsheet.web.app:from_environment", factory=True, workers=workers,
                host=host, port=port, log_level="warning")
