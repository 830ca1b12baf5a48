"""Ended sessions, remembered as long as an access token of theirs could still be valid."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

import structlog

from taskmaster.cache.base import KeyValue, StoreUnavailable

MARGIN = timedelta(minutes=1)  # covers clock skew between instances

log = structlog.get_logger(__name__)


class RevokedSessions:
    """Lets every instance refuse an ended session's access tokens at once: one key lookup.

    When the shared store is down, the database answers instead: slower, never wrong.
    """

    def __init__(
        self,
        store: KeyValue,
        access_token_ttl: timedelta,
        ended_in_database: Callable[[uuid.UUID], Awaitable[bool]],
    ) -> None:
        self._store = store
        self._horizon = (access_token_ttl + MARGIN).total_seconds()
        self._ended_in_database = ended_in_database

    @staticmethod
    def _key(session_id: uuid.UUID) -> str:
        return f"revoked-session:{session_id}"

    async def add(self, session_ids: Iterable[uuid.UUID]) -> None:
        for session_id in session_ids:
            try:
                await self._store.set(self._key(session_id), b"1", ttl=self._horizon)
            except StoreUnavailable:
                log.error("could not record an ended session", session_id=str(session_id))

    async def contains(self, session_id: uuid.UUID) -> bool:
        try:
            return await self._store.get(self._key(session_id)) is not None
        except StoreUnavailable:
            log.warning("shared store down: checking the session in the database")
            return await self._ended_in_database(session_id)
