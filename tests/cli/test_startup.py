"""The CLI starts at once: importing it loads no stage's heavy dependencies; each command
imports what it needs when it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ["fastapi", "sqlalchemy", "trafilatura", "lxml", "httpx", "pyarrow", "PIL", "warcio",
         "uvicorn", "alembic", "cryptography"]


def _loaded_after(code: str) -> list[str]:
    script = (f"import sys\n{code}\nimport json\n"
              f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=120)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    return sorted(loaded & set(HEAVY))


def test_importing_the_cli_loads_no_heavy_dependency() -> None:
    assert _loaded_after("import tearsheet.cli") == []


def test_help_loads_no_heavy_dependency() -> None:
    code = ("from tearsheet.cli import app\n"
            "from typer.testing import CliRunner\n"
            "result = CliRunner().invoke(app, ['--help'])\n"
            "assert result.exit_code == 0, result.output")
    assert _loaded_after(code) == []


@pytest.mark.parametrize("command", ["run", "check", "status", "export", "serve", "diff",
                                     "extract", "simulate", "notify", "db", "import"])
def test_every_command_help_answers(command: str) -> None:
    from typer.testing import CliRunner

    from tearsheet.cli import app
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_shell_completion_offers_commands() -> None:
    env = {**os.environ, "_TEARSHEET_COMPLETE": "complete_bash", "COMP_WORDS": "tearsheet ex",
           "COMP_CWORD": "1"}
    out = subprocess.run([sys.executable, "-m", "tearsheet"], capture_output=True, text=True,
                         env=env, timeout=120, check=False)
    assert set(out.stdout.split()) >= {"export", "extract"}, out.stdout + out.stderr
