"""v2 invitations over HTTP: a single-use link for one email address, seven days long."""

from __future__ import annotations

from dataclasses import replace

import httpx

from tests.api.v2.answers import pointers, problem_of
from tests.api.v2.projects import PROJECTS, invite, new_project
from tests.conftest import Account, FakeClock, register

INVITATIONS = "/api/v2/invitations"


async def signed_in(client: httpx.AsyncClient, account: Account) -> Account:
    """The account with a fresh access token (the clock moved past the old one's life)."""
    response = await client.post(
        "/api/v2/auth/login", json={"email": account.email, "password": account.password}
    )
    return replace(account, token=response.json()["accessToken"])


async def test_an_invitation_shows_its_link_once_and_is_accepted_by_its_address(
    client: httpx.AsyncClient, alice: Account
) -> None:
    project = await new_project(client, alice, "Garden")
    invitation = await invite(client, alice, project["id"], " Bob@Example.com ", "viewer")
    assert invitation["email"] == "bob@example.com"
    assert invitation["link"] == f"http://testserver/invitations/{invitation['token']}"
    listed = await client.get(f"{PROJECTS}/{project['id']}/invitations", headers=alice.auth)
    [pending] = listed.json()["items"]
    assert "token" not in pending
    assert (pending["email"], pending["role"], pending["expired"]) == (
        "bob@example.com",
        "viewer",
        False,
    )
    looked_up = await client.get(f"{INVITATIONS}/{invitation['token']}")  # signed out
    assert looked_up.json() | {"expiresAt": None} == {
        "projectName": "Garden",
        "inviterName": "Tess Ter",
        "email": "bob@example.com",
        "role": "viewer",
        "expiresAt": None,
        "status": "pending",
    }
    bob = await register(client, "bob@example.com")  # the invitation waited for the sign-up
    accepted = await client.post(f"{INVITATIONS}/{invitation['token']}/accept", headers=bob.auth)
    assert (accepted.json()["name"], accepted.json()["role"]) == ("Garden", "viewer")
    again = await client.post(f"{INVITATIONS}/{invitation['token']}/accept", headers=bob.auth)
    problem_of(again, 410, "gone")
    status = await client.get(f"{INVITATIONS}/{invitation['token']}")
    assert status.json()["status"] == "accepted"
    assert (await client.get(f"{PROJECTS}/{project['id']}/invitations", headers=alice.auth)).json()[
        "items"
    ] == []


async def test_another_address_cannot_use_the_link(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    invitation = await invite(client, alice, project["id"], "carol@example.com", "editor")
    foreign = await client.post(f"{INVITATIONS}/{invitation['token']}/accept", headers=bob.auth)
    problem_of(foreign, 403, "forbidden")
    declined = await client.post(f"{INVITATIONS}/{invitation['token']}/decline", headers=bob.auth)
    problem_of(declined, 403, "forbidden")
    problem_of(await client.get(f"{PROJECTS}/{project['id']}", headers=bob.auth), 404, "not-found")


async def test_an_invitation_expires_after_seven_days(
    client: httpx.AsyncClient, alice: Account, bob: Account, clock: FakeClock
) -> None:
    project = await new_project(client, alice)
    invitation = await invite(client, alice, project["id"], bob.email, "editor")
    clock.advance(days=7, seconds=1)
    alice, bob = await signed_in(client, alice), await signed_in(client, bob)
    expired = await client.post(f"{INVITATIONS}/{invitation['token']}/accept", headers=bob.auth)
    problem_of(expired, 410, "gone")
    listed = await client.get(f"{PROJECTS}/{project['id']}/invitations", headers=alice.auth)
    assert [i["expired"] for i in listed.json()["items"]] == [True]
    resent = await client.post(
        f"{PROJECTS}/{project['id']}/invitations/{invitation['id']}/resend", headers=alice.auth
    )
    assert resent.status_code == 200
    old = await client.post(f"{INVITATIONS}/{invitation['token']}/accept", headers=bob.auth)
    problem_of(old, 404, "not-found")
    new = await client.post(f"{INVITATIONS}/{resent.json()['token']}/accept", headers=bob.auth)
    assert new.json()["role"] == "editor"


async def test_a_revoked_or_declined_invitation_is_used_up(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    revoked = await invite(client, alice, project["id"], bob.email, "editor")
    gone = await client.delete(
        f"{PROJECTS}/{project['id']}/invitations/{revoked['id']}", headers=alice.auth
    )
    assert gone.status_code == 204
    problem_of(
        await client.post(f"{INVITATIONS}/{revoked['token']}/accept", headers=bob.auth), 410, "gone"
    )
    declined = await invite(client, alice, project["id"], bob.email, "editor")
    said_no = await client.post(f"{INVITATIONS}/{declined['token']}/decline", headers=bob.auth)
    assert said_no.status_code == 204
    problem_of(
        await client.post(f"{INVITATIONS}/{declined['token']}/accept", headers=bob.auth),
        410,
        "gone",
    )
    again = await client.delete(
        f"{PROJECTS}/{project['id']}/invitations/{revoked['id']}", headers=alice.auth
    )
    problem_of(again, 404, "not-found")


async def test_members_and_pending_addresses_are_not_invited_twice(
    client: httpx.AsyncClient, alice: Account
) -> None:
    project = await new_project(client, alice)
    url = f"{PROJECTS}/{project['id']}/invitations"
    await invite(client, alice, project["id"], "bob@example.com", "viewer")
    twice = await client.post(url, json={"email": "BOB@example.com"}, headers=alice.auth)
    problem_of(twice, 409, "conflict")
    member = await client.post(url, json={"email": alice.email}, headers=alice.auth)
    problem_of(member, 409, "conflict")


async def test_bad_invitations_are_refused(client: httpx.AsyncClient, alice: Account) -> None:
    project = await new_project(client, alice)
    url = f"{PROJECTS}/{project['id']}/invitations"
    address = await client.post(url, json={"email": "nobody"}, headers=alice.auth)
    assert pointers(address) == ["#/email"]
    role = await client.post(
        url, json={"email": "b@example.com", "role": "god"}, headers=alice.auth
    )
    assert pointers(role) == ["#/role"]


async def test_unknown_tokens_are_not_found(client: httpx.AsyncClient, bob: Account) -> None:
    problem_of(await client.get(f"{INVITATIONS}/nope"), 404, "not-found")
    long = await client.post(f"{INVITATIONS}/{'x' * 101}/accept", headers=bob.auth)
    assert long.status_code in {400, 404}
    unsigned = await client.post(f"{INVITATIONS}/nope/accept")
    problem_of(unsigned, 401, "unauthorized")


async def test_accepting_when_already_a_member_changes_nothing(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    first = await invite(client, alice, project["id"], bob.email, "viewer")
    await client.post(f"{INVITATIONS}/{first['token']}/accept", headers=bob.auth)
    promoted = await client.patch(
        f"{PROJECTS}/{project['id']}/members/{bob.id}", json={"role": "editor"}, headers=alice.auth
    )
    assert promoted.status_code == 200
    second = await client.post(
        f"{PROJECTS}/{project['id']}/invitations", json={"email": bob.email}, headers=alice.auth
    )
    problem_of(second, 409, "conflict")
