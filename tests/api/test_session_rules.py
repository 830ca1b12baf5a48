"""The session rules both versions keep alike: reuse ends one family, the two-tab grace, the
refresh cookie (its attributes, its use by the browser app), what a logout ends. Each version's
wire format is tested in v1/ and v2/."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from taskmaster.runtime import Runtime
from tests.api.accounts import BROWSER, V1, V2, Version, refresh_cookie_of
from tests.conftest import Account, FakeClock

pytestmark = pytest.mark.parametrize("version", [V1, V2], ids=["v1", "v2"])


async def test_reuse_ends_only_that_family(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock, version: Version
) -> None:
    laptop = await version.sign_in(client, alice)
    phone = await version.sign_in(client, alice)
    await version.refresh(client, laptop["refreshToken"])
    clock.advance(seconds=runtime.settings.refresh_reuse_grace_seconds + 1)
    assert (await version.refresh(client, laptop["refreshToken"])).status_code == 401
    assert (await version.refresh(client, phone["refreshToken"])).status_code == 200


async def test_two_tabs_refreshing_at_once_both_stay_signed_in(
    client: httpx.AsyncClient, alice: Account, version: Version
) -> None:
    """The rule: within the grace period a rotated token yields the same, unused successor."""
    token = (await version.sign_in(client, alice))["refreshToken"]
    tab_a, tab_b = await asyncio.gather(
        version.refresh(client, token), version.refresh(client, token)
    )
    assert (tab_a.status_code, tab_b.status_code) == (200, 200)
    successor = version.signed_in(tab_a)["refreshToken"]
    assert version.signed_in(tab_b)["refreshToken"] == successor
    assert (await version.refresh(client, successor)).status_code == 200
    assert (await version.refresh(client, token)).status_code == 401  # the chain moved on


async def test_the_grace_period_ends_once_the_successor_is_used(
    client: httpx.AsyncClient, alice: Account, version: Version
) -> None:
    token = (await version.sign_in(client, alice))["refreshToken"]
    successor = version.signed_in(await version.refresh(client, token))["refreshToken"]
    assert (await version.refresh(client, successor)).status_code == 200
    assert (
        await version.refresh(client, token)
    ).status_code == 401  # replayed after the chain moved on


async def test_the_refresh_cookie_is_httponly_and_scoped(
    client: httpx.AsyncClient, alice: Account, version: Version
) -> None:
    response = await client.post(
        f"{version.auth}/login",
        json={"email": alice.email, "password": alice.password},
        headers=BROWSER,
    )
    assert "refreshToken" not in version.signed_in(response)  # the browser gets the cookie only
    header = response.headers["set-cookie"]
    cookie = refresh_cookie_of(response)
    assert cookie["httponly"] is True
    assert cookie["path"] == version.auth
    assert cookie["samesite"].lower() == "lax"
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    assert "secure" not in header.lower()  # plain-http test configuration


async def test_the_cookie_refreshes_with_the_csrf_header(
    client: httpx.AsyncClient, alice: Account, version: Version
) -> None:
    await version.sign_in(client, alice, **BROWSER)  # the client keeps the cookie
    first = await client.post(f"{version.auth}/refresh", headers=BROWSER)
    assert first.status_code == 200
    assert "refreshToken" not in version.signed_in(first)
    second = await client.post(f"{version.auth}/refresh", headers=BROWSER)  # the rotated cookie
    assert second.status_code == 200
    assert refresh_cookie_of(second).value != refresh_cookie_of(first).value


async def test_cross_site_cookies_are_secure_and_partitioned(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, version: Version
) -> None:
    runtime.settings = runtime.settings.model_copy(
        update={"cookie_samesite": "none", "cookie_secure": True}
    )
    response = await client.post(
        f"{version.auth}/login",
        json={"email": alice.email, "password": alice.password},
        headers=BROWSER,
    )
    attributes = [part.strip() for part in response.headers["set-cookie"].split(";")]
    expected = {"HttpOnly", "Secure", "Partitioned", "SameSite=None", f"Path={version.auth}"}
    assert expected <= set(attributes)


# Logging out: the sessions named end, whichever way they are named


async def test_logout_with_only_the_cookie(
    client: httpx.AsyncClient, alice: Account, version: Version
) -> None:
    here = await version.sign_in(client, alice, **BROWSER)
    response = await client.post(f"{version.auth}/logout", headers=BROWSER)
    assert response.status_code == version.signed_out
    assert await version.profile_status(client, here["accessToken"]) == 401


async def test_logout_with_only_the_refresh_token(
    client: httpx.AsyncClient, alice: Account, version: Version
) -> None:
    here = await version.sign_in(client, alice)
    response = await client.post(
        f"{version.auth}/logout", json={"refreshToken": here["refreshToken"]}
    )
    assert response.status_code == version.signed_out
    assert await version.profile_status(client, here["accessToken"]) == 401


async def test_logout_ends_the_cookies_session_too(
    client: httpx.AsyncClient, alice: Account, version: Version
) -> None:
    """The cookie is cleared, so the session it carried must end as well, not live on."""
    cookie_session = await version.sign_in(client, alice, **BROWSER)  # the client keeps it
    response = await client.post(f"{version.auth}/logout", headers={**BROWSER, **alice.auth})
    assert response.status_code == version.signed_out
    assert await version.profile_status(client, alice.token) == 401
    assert await version.profile_status(client, cookie_session["accessToken"]) == 401
