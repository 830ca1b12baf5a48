"""Password hashing with argon2id, off the event loop."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1


@cache
def _decoy_hash(memory_kib: int, time_cost: int, parallelism: int) -> str:
    """A hash to verify against when there is no account: same parameters, same work."""
    hasher = Argon2Hasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )
    return hasher.hash("decoy password for unknown accounts")


class PasswordHasher:
    """Hashes and verifies passwords; verifying against no account costs the same as a miss."""

    def __init__(
        self,
        memory_kib: int = MEMORY_KIB,
        time_cost: int = TIME_COST,
        parallelism: int = PARALLELISM,
    ) -> None:
        self._argon2 = Argon2Hasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )

    @property
    def _decoy_hash(self) -> str:
        return _decoy_hash(
            self._argon2.memory_cost, self._argon2.time_cost, self._argon2.parallelism
        )

    async def warm_up(self) -> None:
        """Make the decoy hash now, so the first unknown-email login costs what later ones do."""
        await asyncio.to_thread(lambda: self._decoy_hash)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; with no hash, spend the same work and answer False."""
        target = password_hash if password_hash is not None else self._decoy_hash
        matched = await asyncio.to_thread(self._check, target, password)
        return matched and password_hash is not None

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)
