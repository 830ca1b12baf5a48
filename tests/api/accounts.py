"""Signing in and refreshing over HTTP in either version: what the auth and session tests share."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import Morsel, SimpleCookie
from typing import Any

import httpx
from sqlalchemy import delete

from taskmaster.auth.models import User
from taskmaster.runtime import Runtime
from tests.conftest import Account, register

# What the browser app sends: the CSRF header, from the API's own origin.
BROWSER = {"X-Requested-With": "XMLHttpRequest", "Origin": "http://testserver"}
# Requests with the refresh cookie that another site could make, and why each is refused.
FORGED = [
    ({}, "Missing X-Requested-With header"),
    ({"Origin": "http://testserver"}, "Missing X-Requested-With header"),
    (
        {"X-Requested-With": "XMLHttpRequest", "Origin": "https://evil.example"},
        "Origin not allowed",
    ),
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refresh_cookie_of(response: httpx.Response) -> Morsel[str]:
    return SimpleCookie(response.headers["set-cookie"])["tm_refresh"]


@dataclass(frozen=True)
class Version:
    """One version's auth endpoints, and where its sign-in answers keep the tokens."""

    auth: str
    enveloped: bool  # v1's answers hold them in `data`
    signed_out: int  # the status of a sign-out: v1 answers its envelope, v2 nothing

    async def sign_in(
        self, client: httpx.AsyncClient, account: Account, **headers: str
    ) -> dict[str, Any]:
        """The tokens and user of a new session of `account`."""
        response = await client.post(
            f"{self.auth}/login",
            json={"email": account.email, "password": account.password},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        return self.signed_in(response)

    def signed_in(self, response: httpx.Response) -> dict[str, Any]:
        """The tokens and user a sign-in or a refresh answered with."""
        body: dict[str, Any] = response.json()
        return body["data"] if self.enveloped else body

    async def refresh(self, client: httpx.AsyncClient, token: str) -> httpx.Response:
        return await client.post(f"{self.auth}/refresh", json={"refreshToken": token})

    async def profile_status(self, client: httpx.AsyncClient, access_token: str) -> int:
        """The status of asking for the profile: 200 while the access token's session lives."""
        return (await client.get(f"{self.auth}/profile", headers=bearer(access_token))).status_code


V1 = Version("/api/v1/auth", enveloped=True, signed_out=200)
V2 = Version("/api/v2/auth", enveloped=False, signed_out=204)


async def deleted_account(client: httpx.AsyncClient, runtime: Runtime) -> Account:
    """An account whose user is gone, with an access token still valid."""
    account = await register(client, "gone@example.com")
    async with runtime.db.session() as session:
        await session.execute(delete(User))
        await session.commit()
    return account
