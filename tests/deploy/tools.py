"""What the deployment tests share: where the files are, the settings TaskMaster reads, and
the outside tools they run (found beside this interpreter, else on PATH)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from taskmaster.config import Settings

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = {name.upper() for name in Settings.model_fields}  # the variables TaskMaster reads
RUN_SECONDS = 300


def tool(name: str, hint: str) -> str:
    """The tool `name`, or a failure saying how to install it."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: {hint}")
    return found


def run(
    *command: str,
    cwd: Path = ROOT,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`command`'s outcome, its output as text; it may fail (the caller looks)."""
    return subprocess.run(  # noqa: S603 - our own tools and arguments
        command,
        cwd=cwd,
        env=dict(env if env is not None else os.environ),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=RUN_SECONDS,
    )
