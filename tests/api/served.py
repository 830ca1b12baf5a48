"""A TaskMaster API served over real HTTP by uvicorn, in a thread, for tools that speak HTTP
(schemathesis): on the production parts, a throwaway PostgreSQL database and Redis."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from redis import Redis

from taskmaster.app import create_app
from taskmaster.config import Environment, Settings
from taskmaster.ratelimit import Rate
from tests.db.servers import free_port

STARTUP_SECONDS = 20


class _Server(uvicorn.Server):
    """uvicorn, saying when it listens: the test waits on that, not on the clock."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


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
        gc_freeze_survivors=False,  # served in the test process: its collector is not ours
        rate_register_ip=Rate(10_000, 3600),
        rate_login_ip=Rate(10_000, 3600),
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = _Server(config)
    thread = threading.Thread(target=server.run, name="served-api", daemon=True)
    thread.start()
    assert server.ready.wait(STARTUP_SECONDS), "the API server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
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
