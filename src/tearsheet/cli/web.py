"""`tearsheet serve`: the web UI."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from tearsheet.cli import ConfigOption, app, err_console
from tearsheet.config import load_settings
from tearsheet.web import create_app


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web UI: latest changes, sources, articles, versions side by side."""
    settings = load_settings(config)
    web = create_app(settings)
    err_console.print(f"tearsheet web UI on http://{host}:{port}/ (Ctrl-C stops)",
                      highlight=False)
    uvicorn.run(web, host=host, port=port, log_level="warning")
