"""``--log-json``: one JSON object a line, for log collectors."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tearsheet.cli.common import JsonFormatter
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.served import free_port


def test_json_log_lines() -> None:
    record = logging.LogRecord("tearsheet.tracker", logging.WARNING, __file__, 1,
                               "check failed: %s", ("https://ex.com/a \"quoted\"",), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "warning" and entry["logger"] == "tearsheet.tracker"
    assert entry["message"] == 'check failed: https://ex.com/a "quoted"'
    assert datetime.fromisoformat(entry["time"]).tzinfo == UTC
    try:
        raise ValueError("boom")
    except ValueError:
        failing = logging.LogRecord("x", logging.ERROR, __file__, 1, "crashed", (),
                                    sys.exc_info())
    assert "ValueError: boom" in json.loads(JsonFormatter().format(failing))["exception"]


def test_serve_logs_json_lines(tmp_path: Path) -> None:
    """`tearsheet serve --log-json`: every line on stderr is a JSON object — the banner,
    uvicorn's start and stop, one line per request — as `run --log-json` writes them."""
    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "ts.db"}"\n')
    Store.open(f"sqlite:///{tmp_path / 'ts.db'}").close()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tearsheet", "serve", "--config",
                               str(config), "--port", str(port), "--log-json"],
                              stderr=subprocess.PIPE)
    try:
        for _ in range(600):  # until it answers (a guard against hanging, not a bound)
            try:
                assert webclient.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not start")
    finally:
        server.terminate()
        _, err = server.communicate(timeout=60)
    entries = [json.loads(line) for line in err.decode().splitlines()]
    assert all({"time", "level", "logger", "message"} <= e.keys() for e in entries)
    messages = [e["message"] for e in entries]
    assert f"tearsheet web UI on http://127.0.0.1:{port}/" in messages
    assert any("GET /healthz" in m and "200" in m for m in messages), messages
    assert any(e["logger"] == "uvicorn.error" for e in entries), messages
