"""A TaskMaster API served over real HTTP by uvicorn, in a thread, for tools that speak HTTP
(schemathesis): on the production parts, a throwaway PostgreSQL database and Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from taskmaster.app import create_app
from taskmaster.config import Environment, Settings
from taskmaster.ratelimit import Rate
from tests.db.servers import free_port

STARTUP_SECONDS = 20


@contextmanager
def serving(database_url: str, redis_url: str, redis_prefix: str, data_dir: Path) -> Iterator[str]:
    """The base URL of an API instance on `database_url`, until the block ends."""
    settings = Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        data_dir=data_dir,
        rate_register_ip=Rate(10_000, 3600),
        rate_login_ip=Rate(10_000, 3600),
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="served-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:  # a thread's start-up: no event loop here to wait on
        assert thread.is_alive(), "the API server stopped during start-up"
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)


def signed_in(base_url: str, email: str) -> dict[str, str]:
    """The Authorization header of a new account."""
    response = httpx.post(
        f"{base_url}/api/v1/auth/register",
        json={"email": email, "password": "correct horse 1", "name": "Schema Tester"},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}
