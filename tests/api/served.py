"""A TaskMaster API served over real HTTP, in a process of its own, for tools that speak HTTP
(schemathesis): on the production parts, a throwaway PostgreSQL database and Redis.

Not in a thread of the test process: a thread that ran SQLAlchemy's greenlets leaves, when it
ends, greenlet state that the test process's main thread tears down later, and that tear-down
once spun for minutes inside an unrelated test (greenlet 3.5.6)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from redis import Redis

from taskmaster.config import Environment, Settings
from tests.db.servers import free_port
from tests.instances import COMMAND, STOP_SECONDS, environment

STARTUP_SECONDS = 30


def _wait_answering(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while process.poll() is None:
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"the API did not answer within {STARTUP_SECONDS} s"
        time.sleep(0.05)
    raise AssertionError(f"the API exited with {process.returncode}")


@contextmanager
def serving(database_url: str, redis_url: str, redis_prefix: str, data_dir: Path) -> Iterator[str]:
    """The base URL of an API instance on `database_url`, until the block ends; then its
    keys under `redis_prefix` are deleted."""
    settings = Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        data_dir=data_dir,
    )
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command, with arguments we build
        [str(COMMAND), "serve", "--port", str(port)],
        env=environment(settings),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_answering(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_SECONDS)
        with Redis.from_url(redis_url) as redis:
            left = list(redis.scan_iter(f"{redis_prefix}*"))
            if left:
                redis.delete(*left)


def signed_in(base_url: str, email: str) -> dict[str, str]:
    """The Authorization header of a new account."""
    response = httpx.post(
        f"{base_url}/api/v1/auth/register",
        json={"email": email, "password": "correct horse 1", "name": "Schema Tester"},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}
