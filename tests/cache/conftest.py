"""A Redis server of a test's own, which the test may stop, pause, flush or lock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.db.servers import RedisServer, scratch_dir


@pytest.fixture
def redis_process() -> Iterator[RedisServer]:
    with RedisServer(scratch_dir("taskmaster-redis-")) as server:
        server.start()
        yield server
