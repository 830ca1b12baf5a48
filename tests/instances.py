"""API instances as separate processes (`taskmaster serve`, `taskmaster relay`) on the test's
PostgreSQL database and Redis prefix, for what must cross processes: the bus, the relay."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from taskmaster.config import Settings
from tests.db.servers import free_port
from tests.waiting import eventually

COMMAND = Path(sys.executable).with_name("taskmaster")
START_SECONDS = 30
STOP_SECONDS = 10


@dataclass
class Process:
    """A running `taskmaster` command; `url` for one that serves. What it writes to stderr
    goes to a file (a pipe nobody reads would stop a process that writes much)."""

    process: subprocess.Popen[bytes]
    errors: Path
    url: str = ""

    def said(self, lines: int = 30) -> str:
        """The end of what it wrote to stderr."""
        return "\n".join(self.errors.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """Die at once, as a crash does: no clean-up, no last words."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(STOP_SECONDS)

    def ask_to_stop(self) -> None:
        """SIGTERM, as an orchestrator sends; `stopped` waits for it to take effect."""
        if self.process.poll() is None:
            self.process.terminate()

    def stopped(self) -> None:
        """Wait for the process to end; kill it if it will not within STOP_SECONDS."""
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()


def environment(settings: Settings, **overrides: str) -> dict[str, str]:
    """The environment of an instance on the test's database, Redis prefix and signing key."""
    assert settings.redis_url is not None
    return {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "REDIS_PREFIX": settings.redis_prefix,
        "DATA_DIR": str(settings.data_dir),  # where the development signing key lives
        "RATE_REGISTER_IP": "10000/h",
        "RATE_LOGIN_IP": "10000/h",
        "LOG_LEVEL": "warning",
        "DRAIN_SECONDS": "0",  # stopped at once: tests/observe/test_draining.py sets its own
        **overrides,
    }


class Fleet:
    """The processes a test started; all stopped when it ends."""

    def __init__(self, settings: Settings, env: Mapping[str, str] | None = None) -> None:
        self._settings = settings
        self._env = dict(env or {})
        self.processes: list[Process] = []

    def start(
        self, arguments: list[str], env: Mapping[str, str], log: Path | None = None
    ) -> Process:
        """`taskmaster ARGUMENTS` started (not awaited); what it logs goes to `log`."""
        errors = self._settings.data_dir / f"process-{len(self.processes)}.stderr"
        errors.parent.mkdir(parents=True, exist_ok=True)
        with open(log or os.devnull, "ab") as output, errors.open("ab") as error_output:
            process = Process(
                subprocess.Popen(  # noqa: S603 - our own command, with arguments we build
                    [str(COMMAND), *arguments],
                    env=environment(self._settings, **self._env, **env),
                    stdout=output,
                    stderr=error_output,
                ),
                errors,
            )
        self.processes.append(process)
        return process

    async def serve(
        self,
        log: Path | None = None,
        within: float = START_SECONDS,
        port: int | None = None,
        **env: str,
    ) -> Process:
        """An API instance on `port` (a free one by default), once it answers (within `within`
        seconds); what it logs goes to `log`."""
        port = port or free_port()
        process = self.start(["serve", "--port", str(port)], env, log)
        process.url = f"http://127.0.0.1:{port}"

        async def answers() -> bool:
            assert process.process.poll() is None, process.said()
            try:
                async with httpx.AsyncClient() as client:
                    return (await client.get(f"{process.url}/health")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(answers, within=within, what="the instance answering")
        return process

    def relay(self, log: Path | None = None, **env: str) -> Process:
        """A relay process (`taskmaster relay`); what it logs goes to `log`."""
        return self.start(["relay"], env, log)

    def stop(self) -> None:
        """Every process asked at once, then awaited: they stop side by side."""
        for process in self.processes:
            process.ask_to_stop()
        for process in self.processes:
            process.stopped()


@asynccontextmanager
async def fleet(settings: Settings, env: Mapping[str, str] | None = None) -> AsyncIterator[Fleet]:
    """A fleet whose processes all have `env` in their environment."""
    started = Fleet(settings, env)
    try:
        yield started
    finally:
        await asyncio.to_thread(started.stop)
