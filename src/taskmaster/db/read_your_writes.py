"""Where each user's last write ended in the primary's log, shared by every instance."""

from __future__ import annotations

import sys
import time
import uuid

import structlog

from taskmaster.cache.base import KeyValue, StoreUnavailable

NAMESPACE = "db-written-to:"
UNKNOWN = sys.maxsize  # no replica can be shown to be that far: read from the primary

log = structlog.get_logger(__name__)


class WriteMarks:
    """A user's reads may go to a replica only once it has replayed the user's last write.

    A mark lives `ttl` seconds: by then every replica still serving reads has replayed it,
    since none may lag more. When the store cannot be read, nobody's reads can be placed,
    so they all go to the primary. When a mark cannot be written, this process reads from
    the primary for `ttl` seconds; another instance, if it can read the store again by then,
    may serve that user from a replica without the write: the one gap left.
    """

    def __init__(self, store: KeyValue, ttl: float) -> None:
        self._store = store
        self._ttl = ttl
        self._blind_until = 0.0  # monotonic time until which no mark here can be trusted

    async def remember(self, user_id: uuid.UUID, position: int) -> None:
        try:
            await self._store.raise_to(f"{NAMESPACE}{user_id}", position, ttl=self._ttl)
        except StoreUnavailable:
            log.warning("could not remember a write's position: reads go to the primary")
            self._blind_until = time.monotonic() + self._ttl

    async def needed(self, user_id: uuid.UUID | None) -> int:
        """The WAL position a replica must have replayed to serve this user's reads."""
        if user_id is None:
            return 0
        if time.monotonic() < self._blind_until:
            return UNKNOWN
        try:
            [position] = await self._store.get_many_ints([f"{NAMESPACE}{user_id}"])
        except StoreUnavailable:
            return UNKNOWN
        return position
