"""Account flows hold no database connection while they hash: one pooled connection is
enough for everyone else to go on while a password is being checked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from taskmaster.auth.passwords import PasswordHasher
from taskmaster.config import Settings
from taskmaster.runtime import Runtime
from tests.conftest import Account

Request = Callable[[httpx.AsyncClient, Account], Coroutine[Any, Any, httpx.Response]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One connection in the pool (SQLite has only one anyway)."""
    return settings.model_copy(update={"db_pool_max": 1, "db_pool_min": 0})


class GatedHasher(PasswordHasher):
    """Hashes and checks only once the test opens the gate, and says when it is waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = asyncio.Event()
        self.gate = asyncio.Event()

    async def _pass_gate(self) -> None:
        self.waiting.set()
        await self.gate.wait()

    async def hash(self, password: str) -> str:
        await self._pass_gate()
        return await super().hash(password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        await self._pass_gate()
        return await super().verify(password_hash, password)


async def sign_in(client: httpx.AsyncClient, alice: Account) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", json={"email": alice.email, "password": alice.password}
    )


async def change_password(client: httpx.AsyncClient, alice: Account) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/password",
        json={"currentPassword": alice.password, "newPassword": "a brand new secret 9"},
        headers=alice.auth,
    )


async def register(client: httpx.AsyncClient, _: Account) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/register",
        json={"email": "carol@example.com", "password": "correct horse 2", "name": "Carol"},
    )


@pytest.mark.parametrize(
    ("slow", "status"), [(sign_in, 200), (change_password, 200), (register, 201)]
)
async def test_hashing_holds_no_connection(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, slow: Request, status: int
) -> None:
    hasher = runtime.hasher = GatedHasher()
    pending = asyncio.create_task(slow(client, alice))
    await asyncio.wait_for(hasher.waiting.wait(), 10)
    # The slow request is inside the hasher now; with the pool's one connection held, this
    # read would wait for DB_POOL_TIMEOUT.
    listed = await asyncio.wait_for(client.get("/api/v1/tasks", headers=alice.auth), 5)
    assert listed.status_code == 200
    hasher.gate.set()
    assert (await pending).status_code == status
