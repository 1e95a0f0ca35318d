"""Commands a test drives (openssl, node…): found on PATH, or installed from Debian's
packages when the tests run as root; a visible skip only where neither works."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def command(name: str, package: str, what: str) -> str:
    """The path of ``name``, installing Debian's ``package`` when it is missing."""
    found = shutil.which(name)
    if found is None and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", package], capture_output=True,
                       check=False)
        found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed and could not be (apt-get {package}): {what}")
    return found
