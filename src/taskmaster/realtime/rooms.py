"""Who is connected here, and which rooms they are in: one per user, one per project."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


def user_room(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


def project_room(project_id: uuid.UUID) -> str:
    return f"project:{project_id}"


@dataclass
class Connection:
    """One connected client: whose, of which session, and whether that session has ended
    (while the connection was still being set up)."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    ended: bool = False


@dataclass
class Connections:
    """The clients of this instance, by socket id, by user and by session."""

    by_sid: dict[str, Connection] = field(default_factory=dict)
    by_user: defaultdict[uuid.UUID, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_session: defaultdict[uuid.UUID, set[str]] = field(default_factory=lambda: defaultdict(set))
    _locks: dict[uuid.UUID, asyncio.Lock] = field(default_factory=dict)
    _holders: defaultdict[uuid.UUID, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, sid: str, connection: Connection) -> None:
        self.by_sid[sid] = connection
        self.by_user[connection.user_id].add(sid)
        self.by_session[connection.session_id].add(sid)

    def remove(self, sid: str) -> None:
        connection = self.by_sid.pop(sid, None)
        if connection is None:
            return
        _discard(self.by_user, connection.user_id, sid)
        _discard(self.by_session, connection.session_id, sid)

    def of_user(self, user_id: uuid.UUID) -> list[str]:
        return list(self.by_user.get(user_id, ()))

    def of_session(self, session_id: uuid.UUID) -> list[str]:
        return list(self.by_session.get(session_id, ()))

    @asynccontextmanager
    async def rooms_of(self, user_id: uuid.UUID) -> AsyncIterator[None]:
        """Hold the user's rooms: a client joining its projects and a membership event for
        the same user take turns, so that neither undoes the other."""
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        self._holders[user_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._holders[user_id] -= 1
            if not self._holders[user_id]:
                del self._holders[user_id]
                del self._locks[user_id]


def _discard(index: defaultdict[uuid.UUID, set[str]], key: uuid.UUID, sid: str) -> None:
    sids = index.get(key)
    if sids is not None:
        sids.discard(sid)
        if not sids:
            del index[key]
