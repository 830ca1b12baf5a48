"""Password hashing: argon2id at OWASP's parameters, and equal work for unknown accounts."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select, update

from taskmaster.auth.models import User
from taskmaster.auth.passwords import PasswordHasher
from taskmaster.runtime import Runtime
from tests.conftest import Account

LOGIN = "/api/v1/auth/login"
HASH_FORMAT = re.compile(
    r"^\$(?P<variant>argon2(?:id|i|d))\$v=(?P<version>\d+)"
    r"\$m=(?P<m>\d+),t=(?P<t>\d+),p=(?P<p>\d+)\$(?P<salt>[A-Za-z0-9+/]+)\$(?P<hash>[A-Za-z0-9+/]+)$"
)


@dataclass(frozen=True)
class Argon2Parameters:
    variant: str
    version: int
    memory_kib: int
    time_cost: int
    parallelism: int
    salt_bytes: int
    hash_bytes: int


def parameters(encoded: str) -> Argon2Parameters:
    """Read the parameters out of the PHC string itself, not from the hasher's settings."""
    match = HASH_FORMAT.match(encoded)
    assert match is not None, encoded

    def length(b64: str) -> int:
        return len(base64.b64decode(b64 + "=" * (-len(b64) % 4)))

    return Argon2Parameters(
        variant=match["variant"],
        version=int(match["version"]),
        memory_kib=int(match["m"]),
        time_cost=int(match["t"]),
        parallelism=int(match["p"]),
        salt_bytes=length(match["salt"]),
        hash_bytes=length(match["hash"]),
    )


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher()


async def test_hashes_are_argon2id_with_owasp_parameters(hasher: PasswordHasher) -> None:
    found = parameters(await hasher.hash("correct horse battery"))
    assert found.variant == "argon2id"
    assert found.version == 19
    assert found.memory_kib >= 19456
    assert found.time_cost >= 2
    assert found.parallelism == 1
    assert found.salt_bytes >= 16
    assert found.hash_bytes >= 32


async def test_the_same_password_hashes_differently_each_time(hasher: PasswordHasher) -> None:
    first, second = await hasher.hash("same password"), await hasher.hash("same password")
    assert first != second
    assert await hasher.verify(first, "same password")
    assert await hasher.verify(second, "same password")


async def test_verify_accepts_the_password_and_nothing_else(hasher: PasswordHasher) -> None:
    stored = await hasher.hash("Ünïcödé pässwörd ✓")
    assert await hasher.verify(stored, "Ünïcödé pässwörd ✓") is True
    for wrong in ["Ünïcödé pässwörd", "ünïcödé pässwörd ✓", "", " Ünïcödé pässwörd ✓"]:
        assert await hasher.verify(stored, wrong) is False


async def test_verify_with_a_malformed_hash_is_false(hasher: PasswordHasher) -> None:
    for stored in ["", "not a hash", "$argon2id$v=19$m=19456,t=2,p=1$bm9wZQ$bm9wZQ"]:
        assert await hasher.verify(stored, "anything") is False


async def test_verify_without_a_hash_is_false(hasher: PasswordHasher) -> None:
    assert await hasher.verify(None, "anything at all") is False
    # Not even the password the decoy hash was made from opens an account that does not exist.
    assert await hasher.verify(None, "decoy password for unknown accounts") is False


async def test_weaker_hashes_need_rehashing(hasher: PasswordHasher) -> None:
    weak = PasswordHasher(memory_kib=1024, time_cost=1)
    assert hasher.needs_rehash(await weak.hash("password one"))
    assert not hasher.needs_rehash(await hasher.hash("password one"))


class CountingHasher(PasswordHasher):
    """Records every argon2 verification it performs."""

    def __init__(self) -> None:
        super().__init__()
        self.checked: list[str] = []

    def _check(self, password_hash: str, password: str) -> bool:
        self.checked.append(password_hash)
        return super()._check(password_hash, password)


@pytest.fixture
def production_cost(runtime: Runtime) -> None:
    """The production hasher, in place of the suite's cheap one (tests/conftest.py): these
    tests are about its parameters. Ask for it before the accounts, so they use it too."""
    runtime.hasher = PasswordHasher()


async def stored_hash(runtime: Runtime, email: str) -> str:
    async with runtime.db.session() as session:
        found = await session.scalar(select(User.password_hash).where(User.email == email))
    assert found is not None
    return found


async def test_an_unknown_email_costs_one_argon2_verification_like_a_wrong_password(
    production_cost: None, client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    counting = CountingHasher()
    runtime.hasher = counting

    wrong_password = await client.post(
        LOGIN, json={"email": alice.email, "password": "not alice's password"}
    )
    assert counting.checked == [await stored_hash(runtime, alice.email)]

    counting.checked.clear()
    unknown_email = await client.post(
        LOGIN, json={"email": "nobody@example.com", "password": "not alice's password"}
    )
    [decoy] = counting.checked
    # A real argon2 verification, against a hash made with the same parameters as a real one.
    assert parameters(decoy) == parameters(await stored_hash(runtime, alice.email))

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()


async def store_a_weaker_hash(runtime: Runtime, account: Account) -> str:
    """Replace the account's hash with one made with weaker parameters, as an old one was."""
    weak = await PasswordHasher(memory_kib=1024, time_cost=1).hash(account.password)
    async with runtime.db.session() as session:
        await session.execute(
            update(User).where(User.email == account.email).values(password_hash=weak)
        )
        await session.commit()
    return weak


async def test_login_upgrades_a_weaker_hash(
    production_cost: None, client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    weak = await store_a_weaker_hash(runtime, alice)

    response = await client.post(LOGIN, json={"email": alice.email, "password": alice.password})
    assert response.status_code == 200
    upgraded = await stored_hash(runtime, alice.email)
    assert upgraded != weak
    assert parameters(upgraded).memory_kib >= 19456
    assert await runtime.hasher.verify(upgraded, alice.password)


async def test_a_failed_login_does_not_touch_a_weaker_hash(
    production_cost: None, client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    weak = await store_a_weaker_hash(runtime, alice)
    response = await client.post(LOGIN, json={"email": alice.email, "password": "wrong guess!"})
    assert response.status_code == 401
    assert await stored_hash(runtime, alice.email) == weak
