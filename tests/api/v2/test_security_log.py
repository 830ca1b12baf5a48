"""v2 security log: every security event of an account, for its user only, newest first and
paged; for operators as JSON lines; forgotten after the retention."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from taskmaster.api.v2 import security_schemas as wire
from taskmaster.auth.models import SecurityEvent
from taskmaster.runtime import Runtime
from tests.api.accounts import V2, bearer
from tests.api.v2.answers import conforms, problem_of
from tests.conftest import Account, FakeClock

LOG = "/api/v2/auth/security-log"
AUTH = "/api/v2/auth"


async def entries(client: httpx.AsyncClient, account: Account, **params: str) -> httpx.Response:
    response = await client.get(LOG, headers=account.auth, params=params)
    assert response.status_code == 200, response.text
    conforms(wire.SecurityEventPage, response.json())
    return response


async def test_sign_ins_failures_and_endings_are_logged(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    wrong = await client.post(
        f"{AUTH}/login",
        json={"email": alice.email, "password": "not it"},
        headers={"User-Agent": "Intruder/1.0", "X-Forwarded-For": "203.0.113.9"},
    )
    assert wrong.status_code == 401
    clock.advance(seconds=1)
    await V2.sign_in(client, alice, **{"User-Agent": "Phone/2.0"})
    clock.advance(seconds=1)
    session_id = next(
        item["id"]
        for item in (await client.get(f"{AUTH}/sessions", headers=alice.auth)).json()["items"]
        if not item["current"]
    )
    ended = await client.delete(f"{AUTH}/sessions/{session_id}", headers=alice.auth)
    assert ended.status_code == 204
    items = (await entries(client, alice)).json()["items"]
    assert [(item["kind"], item["detail"].get("method")) for item in items] == [
        ("session-ended", None),
        ("sign-in", "password"),
        ("sign-in-failed", "password"),
        ("sign-in", "registration"),
    ]
    assert items[0]["detail"] == {"reason": "ended", "sessions": 1}
    assert items[1]["detail"]["session"] == session_id
    assert (items[2]["ip"], items[2]["userAgent"]) == ("203.0.113.9", "Intruder/1.0")
    assert items[1]["userAgent"] == "Phone/2.0"


async def test_an_unknown_email_logs_nothing(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    response = await client.post(
        f"{AUTH}/login", json={"email": "nobody@example.com", "password": "whatever it is"}
    )
    assert response.status_code == 401
    async with runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(SecurityEvent)) == 1


async def test_a_password_change_and_a_reused_refresh_token_are_logged(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    first = await V2.sign_in(client, alice)
    assert (await V2.refresh(client, first["refreshToken"])).status_code == 200
    clock.advance(minutes=1)  # past the two tabs' grace
    assert (await V2.refresh(client, first["refreshToken"])).status_code == 401  # reuse
    await V2.sign_in(client, alice)  # a session the change ends
    changed = await client.post(
        f"{AUTH}/password",
        json={"currentPassword": alice.password, "newPassword": "another long secret"},
        headers=alice.auth,
    )
    assert changed.status_code == 200
    kinds = [item["kind"] for item in (await entries(client, alice)).json()["items"]]
    assert kinds[:4] == ["session-ended", "password-changed", "sign-in", "refresh-token-reused"]


async def test_the_log_is_paged_newest_first(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    for _ in range(4):
        clock.advance(seconds=1)
        await V2.sign_in(client, alice)
    first = (await entries(client, alice, limit="2")).json()
    second = (await entries(client, alice, limit="2", cursor=first["nextCursor"])).json()
    third = (await entries(client, alice, limit="2", cursor=second["nextCursor"])).json()
    pages = [first["items"], second["items"], third["items"]]
    assert [len(page) for page in pages] == [2, 2, 1]
    moments = [item["at"] for page in pages for item in page]
    assert moments == sorted(moments, reverse=True)
    assert len({item["id"] for page in pages for item in page}) == 5
    assert third["nextCursor"] is None


async def test_one_users_log_is_not_anothers(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    alices = (await entries(client, alice, limit="1")).json()
    bobs = (await entries(client, bob)).json()["items"]
    assert [item["detail"]["method"] for item in bobs] == ["registration"]
    assert bobs[0]["id"] != alices["items"][0]["id"]
    # Alice's cursor is sealed for Alice: Bob cannot page through her log with it.
    response = await client.get(LOG, headers=bob.auth, params={"cursor": alices["nextCursor"]})
    problem_of(response, 400, "invalid-cursor")


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"cursor": "forged"}, {"cursor": "é"}],
)
async def test_bad_paging_is_refused(
    client: httpx.AsyncClient, alice: Account, params: dict[str, str]
) -> None:
    response = await client.get(LOG, headers=alice.auth, params=params)
    assert response.status_code == 400


async def test_the_log_needs_a_signed_in_caller(client: httpx.AsyncClient) -> None:
    problem_of(await client.get(LOG), 401, "unauthorized")


async def test_operators_read_each_entry_as_a_json_line(
    client: httpx.AsyncClient, alice: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    await client.post(f"{AUTH}/login", json={"email": alice.email, "password": "not it"})
    await V2.sign_in(client, alice)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    logged = [line for line in lines if line.get("event") == "security event"]
    assert [(line["kind"], line["method"], line["user_id"]) for line in logged] == [
        ("sign-in-failed", "password", alice.id),
        ("sign-in", "password", alice.id),
    ]


async def test_entries_are_forgotten_after_the_retention(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    kept = timedelta(days=runtime.settings.security_log_retention_days)
    clock.advance(seconds=kept.total_seconds() - 60)
    signed_in = await V2.sign_in(client, alice)
    assert (await runtime.upkeep.run_once()).security_events == 0
    clock.advance(seconds=61)
    assert (await runtime.upkeep.run_once()).security_events == 1  # the registration's
    response = await client.get(LOG, headers=bearer(signed_in["accessToken"]))
    assert [item["detail"]["method"] for item in response.json()["items"]] == ["password"]
