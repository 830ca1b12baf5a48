"""A TaskMaster API served over real HTTP, in a process of its own, for tools that speak HTTP
(schemathesis): on the production parts, a throwaway PostgreSQL database and Redis.

Not in a thread of the test process: a thread that ran SQLAlchemy's greenlets leaves, when it
ends, greenlet state that the test process's main thread tears down later, and that tear-down
once spun for minutes inside an unrelated test (greenlet 3.5.6)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from redis import Redis

from taskmaster.config import Environment, Settings
from tests.db.servers import free_port
from tests.instances import Fleet
from tests.waiting import until

STARTUP_SECONDS = 30


def _answering(url: str, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, f"the API exited with {process.returncode}"
    try:
        return httpx.get(f"{url}/health").status_code == 200
    except httpx.TransportError:
        return False


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
    fleet = Fleet(settings)
    process = fleet.start(["serve", "--port", str(port)], {})
    url = f"http://127.0.0.1:{port}"
    try:
        until(lambda: _answering(url, process.process), within=STARTUP_SECONDS, what="the API")
        yield url
    finally:
        fleet.stop()
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
