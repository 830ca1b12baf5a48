"""Write marks: the largest position wins, and a store that is down sends reads to the primary."""

from __future__ import annotations

import uuid

from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.db.read_your_writes import UNKNOWN, WriteMarks
from tests.conftest import FakeClock


async def test_a_mark_is_the_largest_position_written_and_expires() -> None:
    clock = FakeClock()
    marks = WriteMarks(MemoryKeyValue(clock), ttl=6)
    alice, bob = uuid.uuid4(), uuid.uuid4()
    await marks.remember(alice, 500)
    await marks.remember(alice, 300)  # an older write acknowledged later
    assert await marks.needed(alice) == 500
    assert await marks.needed(bob) == 0
    assert await marks.needed(None) == 0
    clock.advance(seconds=6)
    assert await marks.needed(alice) == 0


async def test_without_the_store_every_read_needs_the_primary() -> None:
    down = RedisKeyValue.from_url("redis://127.0.0.1:1/0", "x:")  # nothing listens on port 1
    try:
        marks = WriteMarks(down, ttl=6)
        assert await marks.needed(uuid.uuid4()) == UNKNOWN
        assert await marks.needed(None) == 0
    finally:
        await down.close()


async def test_a_mark_not_written_sends_this_processs_reads_to_the_primary() -> None:
    flaky = RedisKeyValue.from_url("redis://127.0.0.1:1/0", "x:")  # down for the write
    try:
        marks = WriteMarks(flaky, ttl=6)
        await marks.remember(uuid.uuid4(), 500)  # logged, not raised: the write is committed
        marks._store = MemoryKeyValue(FakeClock())  # the store is back for the read
        assert await marks.needed(uuid.uuid4()) == UNKNOWN
        assert await marks.needed(None) == 0
    finally:
        await flaky.close()
