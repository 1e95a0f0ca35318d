"""``--log-json``: one JSON object a line, for log collectors."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from tearsheet.cli.common import JsonFormatter


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
