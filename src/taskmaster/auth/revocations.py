"""Ended sessions, remembered as long as an access token of theirs could still be valid."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

import structlog
from redis.exceptions import RedisError

from taskmaster.cache.base import KeyValue, StoreUnavailable
from taskmaster.cache.mirror import SetMirror
from taskmaster.errors import Unavailable

MARGIN = timedelta(minutes=1)  # covers clock skew between instances


def remembered_for(access_token_ttl: timedelta) -> float:
    """Seconds an ended session must be remembered: as long as one of its tokens may live."""
    return (access_token_ttl + MARGIN).total_seconds()


NAMESPACE = "revoked-session:"

log = structlog.get_logger(__name__)


class RevokedSessions:
    """Lets every instance refuse an ended session's access tokens at once.

    Asked on every authenticated request, so the answer comes from the cheapest place that
    knows: this process's mirror of the list (memory, kept current through Redis pub/sub),
    else the shared store (one Redis round trip), else, when Redis cannot be read, the
    database. Ending a session fails (503) rather than succeed where others cannot see it.
    """

    def __init__(
        self,
        store: KeyValue,
        access_token_ttl: timedelta,
        ended_in_database: Callable[[uuid.UUID], Awaitable[bool]],
        mirror: SetMirror | None = None,
    ) -> None:
        self._store = store
        self._horizon = remembered_for(access_token_ttl)
        self._ended_in_database = ended_in_database
        self._mirror = mirror

    async def add(self, session_ids: Iterable[uuid.UUID]) -> None:
        for session_id in session_ids:
            try:
                await self._store.set(f"{NAMESPACE}{session_id}", b"1", ttl=self._horizon)
                if self._mirror is not None:
                    await self._mirror.announce(str(session_id))
            except (StoreUnavailable, RedisError, OSError) as error:
                # Fail closed: answering "logged out" while other instances still accept the
                # session's tokens would be a lie. The request's transaction rolls back.
                log.error("could not share an ended session", session_id=str(session_id))
                raise Unavailable(
                    "Could not end the session right now. Please try again."
                ) from error

    async def contains(self, session_id: uuid.UUID) -> bool:
        if self._mirror is not None:
            known = self._mirror.contains(str(session_id))
            if known is not None:
                return known
        try:
            return await self._store.get(f"{NAMESPACE}{session_id}") is not None
        except StoreUnavailable:
            log.warning("shared store down: checking the session in the database")
            return await self._ended_in_database(session_id)
