"""A passkey ceremony begun on one API instance finishes on another: its challenge lives in
the shared store (Redis)."""

from __future__ import annotations

import httpx

from tests.api.v2.test_passkeys import ASSERTION, LOGIN, PASSKEYS, REGISTRATION, answer, device
from tests.conftest import Account

BACKENDS = ("postgres",)  # the memory store is one process's: two instances share Redis


async def test_any_instance_finishes_what_another_began(
    client: httpx.AsyncClient, second_instance: httpx.AsyncClient, alice: Account
) -> None:
    passkey = device()
    begun = (await second_instance.post(REGISTRATION, headers=alice.auth)).json()
    credential = passkey.create(begun["options"])
    body = {"ceremony": begun["ceremony"], "name": "Laptop", "credential": credential}
    assert (await client.post(PASSKEYS, json=body, headers=alice.auth)).status_code == 201
    assert (await client.post(ASSERTION)).status_code == 201
    signed_in = await second_instance.post(LOGIN, json=await answer(client, passkey))
    assert signed_in.status_code == 200, signed_in.text
