"""Brute-force limits through the API: 429 with Retry-After, per account, per address, reset."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.config import Settings
from taskmaster.ratelimit import Rate
from taskmaster.runtime import Runtime
from tests.conftest import Account, FakeClock

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shipped limits for logins; a small one for registrations."""
    defaults = Settings.model_fields
    return settings.model_copy(
        update={
            "rate_login_account_ip": defaults["rate_login_account_ip"].default,
            "rate_login_account": defaults["rate_login_account"].default,
            "rate_login_ip": Rate(300, 3600),
            "rate_register_ip": Rate(3, 3600),
        }
    )


ATTACKER = "198.51.100.7"


async def login(
    client: httpx.AsyncClient, email: str, password: str, ip: str = ATTACKER
) -> httpx.Response:
    return await client.post(
        LOGIN, json={"email": email, "password": password}, headers={"X-Forwarded-For": ip}
    )


async def fail_login(client: httpx.AsyncClient, email: str, ip: str = ATTACKER) -> httpx.Response:
    return await login(client, email, "not the password", ip)


async def test_five_failures_lock_the_account_for_this_address(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    for _ in range(5):
        assert (await fail_login(client, alice.email)).status_code == 401
    locked = await fail_login(client, alice.email)
    assert locked.status_code == 429
    retry_after = int(locked.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    assert locked.json() == {
        "success": False,
        "error": f"Too many failed login attempts. Try again in {retry_after} seconds.",
    }
    # Even the right password waits: no password work is done for a locked account.
    assert (await login(client, alice.email, alice.password)).status_code == 429
    # From another address the owner still gets in: this limit is per account and address.
    assert (await login(client, alice.email, alice.password, ip="192.0.2.1")).status_code == 200
    clock.advance(seconds=retry_after)
    assert (await login(client, alice.email, alice.password)).status_code == 200


async def test_a_success_resets_the_failures(client: httpx.AsyncClient, alice: Account) -> None:
    for _ in range(4):
        await fail_login(client, alice.email)
    assert (await login(client, alice.email, alice.password)).status_code == 200
    for _ in range(5):
        assert (await fail_login(client, alice.email)).status_code == 401


async def test_unknown_emails_are_limited_alike(client: httpx.AsyncClient) -> None:
    """Answering differently for unknown accounts would reveal which exist."""
    for _ in range(5):
        assert (await fail_login(client, "nobody@example.com")).status_code == 401
    assert (await fail_login(client, "nobody@example.com")).status_code == 429


async def test_an_account_takes_at_most_a_hundred_failures_an_hour(
    client: httpx.AsyncClient, alice: Account
) -> None:
    """Spread over many addresses, the attack still stops at the account's own limit."""
    for attempt in range(100):
        response = await fail_login(client, alice.email, ip=f"203.0.113.{attempt % 25}")
        assert response.status_code == 401, attempt
    response = await fail_login(client, alice.email, ip="192.0.2.99")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


async def test_registrations_are_limited_per_address(client: httpx.AsyncClient) -> None:
    for number in range(3):
        response = await client.post(
            REGISTER,
            json={"email": f"user{number}@example.com", "password": "long enough", "name": "U"},
        )
        assert response.status_code == 201
    refused = await client.post(
        REGISTER, json={"email": "user9@example.com", "password": "long enough", "name": "U"}
    )
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert refused.json()["error"].startswith("Too many registrations from this address.")


async def test_guesses_sent_at_once_are_counted_before_any_password_work(
    client: httpx.AsyncClient, alice: Account
) -> None:
    responses = await asyncio.gather(*(fail_login(client, alice.email) for _ in range(30)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * 5 + [429] * 25


async def test_long_emails_cost_the_limiter_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Limit keys are hashes: a megabyte-long email stores no megabyte."""
    huge = "x" * 500_000 + "@example.com"
    response = await fail_login(client, huge)
    assert response.status_code == 401
    store = runtime.store
    if isinstance(store, RedisKeyValue):
        keys = [key async for key in store.redis.scan_iter(f"{store.prefix}*")]
        assert keys
        assert all(len(key) < 200 for key in keys)
    else:
        assert isinstance(store, MemoryKeyValue)
        assert all(len(key) < 200 for key in store._items)


async def test_ipv6_clients_are_limited_by_their_network(
    client: httpx.AsyncClient, alice: Account
) -> None:
    for host in range(5):
        assert (
            await fail_login(client, alice.email, ip=f"2001:db8::{host + 1}")
        ).status_code == 401
    rotated = await fail_login(client, alice.email, ip="2001:db8::ffff:1")
    assert rotated.status_code == 429


async def test_an_attack_from_everywhere_does_not_lock_the_owner_out_at_home(
    client: httpx.AsyncClient, alice: Account
) -> None:
    home = "192.0.2.10"
    assert (await login(client, alice.email, alice.password, ip=home)).status_code == 200
    for attempt in range(100):  # the account-wide limit is spent from elsewhere
        await fail_login(client, alice.email, ip=f"203.0.113.{attempt % 25}")
    assert (await login(client, alice.email, alice.password, ip="192.0.2.99")).status_code == 429
    assert (await login(client, alice.email, alice.password, ip=home)).status_code == 200
    # A known address still has its own limit: guessing from it stops at five.
    statuses = [(await fail_login(client, alice.email, ip=home)).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
