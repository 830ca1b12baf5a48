"""Short-lived, single-use challenges in the shared store, so that a ceremony one instance
began (a sign-in's second step, a passkey's) any instance can finish, once.

The client holds the challenge's token; the store holds only the token's hash, with what the
ceremony needs to go on."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from taskmaster.cache.base import KeyValue, StoreUnavailable
from taskmaster.clock import Clock
from taskmaster.errors import Unavailable

TOKEN_BYTES = 32
TOKEN_MAX = 100  # characters: a token we issue is 43


@dataclass(frozen=True)
class Issued:
    token: str
    expires_at: datetime


def _key(purpose: str, token: str) -> str:
    return f"challenge:{purpose}:{hashlib.sha256(token.encode()).hexdigest()}"


def _unavailable() -> Unavailable:
    return Unavailable("Sign-in is unavailable for a moment. Please try again.")


class Challenges:
    def __init__(self, store: KeyValue, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def issue(self, purpose: str, state: dict[str, Any], lifetime: timedelta) -> Issued:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            await self._store.set(
                _key(purpose, token), orjson.dumps(state), ttl=lifetime.total_seconds()
            )
        except StoreUnavailable as error:
            raise _unavailable() from error
        return Issued(token, self._clock() + lifetime)

    async def peek(self, purpose: str, token: str) -> dict[str, Any] | None:
        """The challenge's state while it is live, leaving it so."""
        return await self._read(self._store.get, purpose, token)

    async def take(self, purpose: str, token: str) -> dict[str, Any] | None:
        """The challenge's state, ending it: of two takers, only one gets it."""
        return await self._read(self._store.take, purpose, token)

    @staticmethod
    async def _read(
        read: Callable[[str], Awaitable[bytes | None]], purpose: str, token: str
    ) -> dict[str, Any] | None:
        if len(token) > TOKEN_MAX:
            return None
        try:
            found = await read(_key(purpose, token))
        except StoreUnavailable as error:
            raise _unavailable() from error
        return None if found is None else dict(orjson.loads(found))
