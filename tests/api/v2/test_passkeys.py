"""v2 passkeys: add several (named), list, remove; sign in with one, on any instance; confirm
who is asking with one; and every forged, replayed, misdirected or malformed answer refused
with nothing written."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from taskmaster.api.v2 import account_schemas
from taskmaster.api.v2 import security_schemas as wire
from taskmaster.runtime import Runtime
from tests.api.accounts import BROWSER, bearer, refresh_cookie_of
from tests.api.v1.test_bad_input import everything
from tests.api.v2.answers import conforms, pointers, problem_of
from tests.api.v2.test_two_step import turn_on
from tests.auth.authenticator import SoftPasskey, b64url
from tests.conftest import Account, FakeClock

AUTH = "/api/v2/auth"
PASSKEYS = f"{AUTH}/passkeys"
REGISTRATION = f"{PASSKEYS}/registration"
ASSERTION = f"{PASSKEYS}/assertion"
LOGIN = f"{AUTH}/login/passkey"
ORIGIN, RP_ID = "http://testserver", "testserver"
NOT_SIGNED_IN = "This passkey could not sign you in."


def device() -> SoftPasskey:
    return SoftPasskey(ORIGIN, RP_ID)


async def add(
    client: httpx.AsyncClient, account: Account, passkey: SoftPasskey, name: str = "Laptop"
) -> dict[str, Any]:
    begun = await client.post(REGISTRATION, headers=account.auth)
    assert begun.status_code == 201, begun.text
    body = {
        "ceremony": begun.json()["ceremony"],
        "name": name,
        "credential": passkey.create(begun.json()["options"]),
    }
    added = await client.post(PASSKEYS, json=body, headers=account.auth)
    assert added.status_code == 201, added.text
    result: dict[str, Any] = added.json()
    return result


async def answer(client: httpx.AsyncClient, passkey: SoftPasskey, **forged: str) -> dict[str, Any]:
    """A new assertion ceremony, answered by `passkey` (with a forged origin or RP ID)."""
    begun = await client.post(ASSERTION)
    assert begun.status_code == 201, begun.text
    ceremony = begun.json()
    return {
        "ceremony": ceremony["ceremony"],
        "credential": passkey.get(ceremony["options"], **forged),
    }


async def kinds(client: httpx.AsyncClient, token: str) -> list[str]:
    response = await client.get(f"{AUTH}/security-log", headers=bearer(token))
    return [event["kind"] for event in response.json()["items"]]


# Adding


async def test_a_passkey_is_added_named_and_listed(
    client: httpx.AsyncClient, alice: Account
) -> None:
    begun = await client.post(REGISTRATION, headers=alice.auth)
    conforms(wire.PasskeyCeremony, begun.json())
    options = begun.json()["options"]
    assert options["rp"] == {"id": RP_ID, "name": "TaskMaster"}
    assert options["user"]["name"] == alice.email
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    first = await add(client, alice, device(), "  Laptop  ")
    conforms(wire.Passkey, first)
    assert (first["name"], first["lastUsedAt"]) == ("Laptop", None)
    second = await add(client, alice, device(), "Phone ☎")
    listed = (await client.get(PASSKEYS, headers=alice.auth)).json()
    conforms(wire.PasskeyList, listed)
    assert [p["id"] for p in listed["items"]] == [first["id"], second["id"]]
    assert (await kinds(client, alice.token))[:2] == ["passkey-added", "passkey-added"]
    # The next registration excludes what the account already has.
    excluded = (await client.post(REGISTRATION, headers=alice.auth)).json()["options"]
    assert len(excluded["excludeCredentials"]) == 2


async def test_one_passkey_is_registered_once(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    passkey = device()
    await add(client, alice, passkey)
    begun = (await client.post(REGISTRATION, headers=bob.auth)).json()
    body = {
        "ceremony": begun["ceremony"],
        "name": "Mine",
        "credential": passkey.create(begun["options"]),
    }
    problem_of(await client.post(PASSKEYS, json=body, headers=bob.auth), 409, "conflict")


async def test_a_ceremony_is_its_users_and_is_spent(
    client: httpx.AsyncClient, alice: Account, bob: Account, runtime: Runtime
) -> None:
    begun = (await client.post(REGISTRATION, headers=alice.auth)).json()
    body = {
        "ceremony": begun["ceremony"],
        "name": "X",
        "credential": device().create(begun["options"]),
    }
    before = await everything(runtime)
    assert pointers(await client.post(PASSKEYS, json=body, headers=bob.auth)) == ["#/ceremony"]
    # Bob's attempt spent it: Alice must begin again.
    assert pointers(await client.post(PASSKEYS, json=body, headers=alice.auth)) == ["#/ceremony"]
    assert await everything(runtime) == before


@pytest.mark.parametrize("forged", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}])
async def test_a_passkey_made_elsewhere_is_refused(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, forged: dict[str, str]
) -> None:
    begun = (await client.post(REGISTRATION, headers=alice.auth)).json()
    credential = device().create(begun["options"], **forged)
    body = {"ceremony": begun["ceremony"], "name": "X", "credential": credential}
    before = await everything(runtime)
    assert pointers(await client.post(PASSKEYS, json=body, headers=alice.auth)) == ["#/credential"]
    assert await everything(runtime) == before


def _broken(credential: dict[str, Any], how: str) -> Any:
    broken = copy.deepcopy(credential)
    if how == "no response":
        del broken["response"]
    elif how == "garbage attestation":
        broken["response"]["attestationObject"] = b64url(b"\xff" * 40)
    elif how == "not base64":
        broken["response"]["clientDataJSON"] = "%%%"
    elif how == "client data not JSON":
        broken["response"]["clientDataJSON"] = b64url(b"{not json")
    elif how == "wrong type":
        broken["type"] = "password"
    elif how == "numbers":
        broken["response"] = {"clientDataJSON": 1, "attestationObject": 2}
    return broken


@pytest.mark.parametrize(
    "how",
    [
        "no response",
        "garbage attestation",
        "not base64",
        "client data not JSON",
        "wrong type",
        "numbers",
    ],
)
async def test_a_malformed_registration_is_a_400(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, how: str
) -> None:
    begun = (await client.post(REGISTRATION, headers=alice.auth)).json()
    credential = _broken(device().create(begun["options"]), how)
    body = {"ceremony": begun["ceremony"], "name": "X", "credential": credential}
    before = await everything(runtime)
    assert pointers(await client.post(PASSKEYS, json=body, headers=alice.auth)) == ["#/credential"]
    assert await everything(runtime) == before


async def test_odd_but_valid_passkeys_are_kept_or_refused_cleanly(
    client: httpx.AsyncClient, alice: Account
) -> None:
    """What the library lets through must not fail in our own code or the database."""
    counted = device()
    counted.count = 2**32 - 2  # an unsigned 32-bit counter near its end
    begun = (await client.post(REGISTRATION, headers=alice.auth)).json()
    credential = counted.create(begun["options"])
    credential["response"]["transports"] = [["usb"], {"x": 1}, "usb", "warp-drive"]
    body = {"ceremony": begun["ceremony"], "name": "Key", "credential": credential}
    assert (await client.post(PASSKEYS, json=body, headers=alice.auth)).status_code == 201
    assert (await client.post(LOGIN, json=await answer(client, counted))).status_code == 200

    long_id = device()
    long_id.credential_id = bytes(1024)  # WebAuthn allows 1,023 bytes
    begun = (await client.post(REGISTRATION, headers=alice.auth)).json()
    body = {
        "ceremony": begun["ceremony"],
        "name": "Long",
        "credential": long_id.create(begun["options"]),
    }
    assert pointers(await client.post(PASSKEYS, json=body, headers=alice.auth)) == ["#/credential"]


async def test_with_two_step_on_a_passkey_must_verify_its_user(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    present_only = device()
    present_only.verifies_user = False
    await add(client, alice, present_only)
    assert (await client.post(LOGIN, json=await answer(client, present_only))).status_code == 200
    await turn_on(client, alice, clock)
    problem_of(
        await client.post(LOGIN, json=await answer(client, present_only)), 401, "unauthorized"
    )
    present_only.verifies_user = True
    assert (await client.post(LOGIN, json=await answer(client, present_only))).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"ceremony": "c", "name": "", "credential": {}},
        {"ceremony": "c", "name": " ", "credential": {}},
        {"ceremony": "c", "name": "x" * 101, "credential": {}},
        {"ceremony": "c", "name": "x", "credential": []},
        {"ceremony": "c", "name": "x"},
        {"name": "x", "credential": {}},
    ],
)
async def test_a_registration_body_is_checked(
    client: httpx.AsyncClient, alice: Account, body: dict[str, Any]
) -> None:
    problem_of(await client.post(PASSKEYS, json=body, headers=alice.auth), 400, "invalid-request")


async def test_adding_and_removing_need_a_recent_confirmation(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    passkey = device()
    added = await add(client, alice, passkey)
    clock.advance(minutes=6)
    problem_of(
        await client.post(REGISTRATION, headers=alice.auth), 403, "reauthentication-required"
    )
    removal = await client.delete(f"{PASSKEYS}/{added['id']}", headers=alice.auth)
    problem_of(removal, 403, "reauthentication-required")
    # The passkey itself confirms it is Alice.
    confirmed = await client.post(
        f"{AUTH}/reauthenticate",
        json={"passkey": await answer(client, passkey)},
        headers=alice.auth,
    )
    assert confirmed.status_code == 204, confirmed.text
    assert (await client.delete(f"{PASSKEYS}/{added['id']}", headers=alice.auth)).status_code == 204


async def test_another_users_passkey_confirms_nothing(
    client: httpx.AsyncClient, alice: Account, bob: Account, clock: FakeClock
) -> None:
    bobs = device()
    await add(client, bob, bobs)
    clock.advance(minutes=6)
    response = await client.post(
        f"{AUTH}/reauthenticate", json={"passkey": await answer(client, bobs)}, headers=alice.auth
    )
    assert pointers(response) == ["#/passkey"]
    problem_of(
        await client.post(REGISTRATION, headers=alice.auth), 403, "reauthentication-required"
    )


# Signing in


async def test_a_passkey_signs_in_without_a_password(
    client: httpx.AsyncClient, alice: Account
) -> None:
    passkey = device()
    added = await add(client, alice, passkey)
    options = (await client.post(ASSERTION)).json()["options"]
    assert options["rpId"] == RP_ID
    assert options["userVerification"] == "preferred"
    assert options.get("allowCredentials", []) == []  # discoverable: the browser offers them
    response = await client.post(LOGIN, json=await answer(client, passkey), headers=BROWSER)
    assert response.status_code == 200, response.text
    conforms(account_schemas.SignedIn, response.json())
    assert refresh_cookie_of(response).value
    token = response.json()["accessToken"]
    assert (await client.get(f"{AUTH}/profile", headers=bearer(token))).json()["id"] == alice.id
    listed = (await client.get(PASSKEYS, headers=alice.auth)).json()["items"]
    assert listed[0]["id"] == added["id"]
    assert listed[0]["lastUsedAt"] is not None
    log = (await client.get(f"{AUTH}/security-log", headers=bearer(token))).json()["items"]
    assert (log[0]["kind"], log[0]["detail"]["method"]) == ("sign-in", "passkey")


async def test_a_passkey_needs_no_second_step(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    passkey = device()
    await add(client, alice, passkey)
    await turn_on(client, alice, clock)
    assert (await client.post(LOGIN, json=await answer(client, passkey))).status_code == 200


async def test_a_replayed_assertion_is_refused(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    passkey = device()
    await add(client, alice, passkey)
    body = await answer(client, passkey)
    assert (await client.post(LOGIN, json=body)).status_code == 200
    before = await everything(runtime)
    replay = await client.post(LOGIN, json=body)
    assert problem_of(replay, 401, "unauthorized")["detail"] == NOT_SIGNED_IN
    assert await everything(runtime) == before
    # The same signature under a new ceremony fails too: it signed the old challenge.
    fresh = (await client.post(ASSERTION)).json()["ceremony"]
    moved = {"ceremony": fresh, "credential": body["credential"]}
    problem_of(await client.post(LOGIN, json=moved), 401, "unauthorized")
    assert (await kinds(client, alice.token))[0] == "sign-in-failed"


async def test_a_removed_passkey_signs_in_no_more(
    client: httpx.AsyncClient, alice: Account
) -> None:
    passkey = device()
    added = await add(client, alice, passkey)
    assert (await client.delete(f"{PASSKEYS}/{added['id']}", headers=alice.auth)).status_code == 204
    assert (await client.get(PASSKEYS, headers=alice.auth)).json()["items"] == []
    problem_of(await client.post(LOGIN, json=await answer(client, passkey)), 401, "unauthorized")
    assert (await kinds(client, alice.token))[0] == "passkey-removed"


async def test_only_ones_own_passkeys_are_removed(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    added = await add(client, alice, device())
    removal = await client.delete(f"{PASSKEYS}/{added['id']}", headers=bob.auth)
    problem_of(removal, 404, "not-found")
    assert len((await client.get(PASSKEYS, headers=alice.auth)).json()["items"]) == 1


@pytest.mark.parametrize("forged", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}])
async def test_an_answer_for_another_site_is_refused(
    client: httpx.AsyncClient, alice: Account, forged: dict[str, str]
) -> None:
    passkey = device()
    await add(client, alice, passkey)
    response = await client.post(LOGIN, json=await answer(client, passkey, **forged))
    problem_of(response, 401, "unauthorized")


async def test_a_forged_signature_is_refused(client: httpx.AsyncClient, alice: Account) -> None:
    passkey = device()
    await add(client, alice, passkey)
    impostor = device()
    impostor.credential_id = passkey.credential_id  # the id is public; the key is not
    problem_of(await client.post(LOGIN, json=await answer(client, impostor)), 401, "unauthorized")


@pytest.mark.parametrize(
    ("credential", "status"),
    [
        ({}, 400),  # no credential id a passkey could have
        ({"id": 1}, 400),
        ({"id": "x" * 2000}, 400),
        ({"id": "unknown", "rawId": "unknown"}, 401),  # one we do not know
        ({"id": "é"}, 401),
    ],
    ids=["empty", "number", "long", "unknown", "unicode"],
)
async def test_an_unknown_or_malformed_credential_is_refused(
    client: httpx.AsyncClient, credential: dict[str, Any], status: int
) -> None:
    ceremony = (await client.post(ASSERTION)).json()["ceremony"]
    response = await client.post(LOGIN, json={"ceremony": ceremony, "credential": credential})
    if status == 400:
        assert pointers(response) == ["#/credential"]
    else:
        problem_of(response, 401, "unauthorized")
