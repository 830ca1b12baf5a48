"""v2 passkeys: list, add (named) and remove them; sign in with one. Adding or removing one
needs a recent confirmation of the user, as every change to how the account signs in does."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.deps import Accounts, CallerDep, ClientDep, PasskeysDep, RuntimeDep
from taskmaster.api.openapi import SIGNED_IN, problem_responses
from taskmaster.api.responses import JSONBytes
from taskmaster.api.v1.serialize import timestamp
from taskmaster.api.v2 import account_schemas
from taskmaster.api.v2 import security_schemas as wire
from taskmaster.api.v2.relying_party import Party
from taskmaster.api.v2.security import RecentCaller
from taskmaster.api.v2.signin import NO_STORE, signed_in_response
from taskmaster.auth.models import Passkey
from taskmaster.auth.passkeys import Ceremony

router = APIRouter(prefix="/auth", tags=["passkeys (v2)"])
read_body, request_body = account_schemas.read_body, account_schemas.request_body
RegistrationBody = Annotated[wire.PasskeyRegistration, Depends(read_body(wire.PasskeyRegistration))]
AssertionBody = Annotated[wire.PasskeyAssertion, Depends(read_body(wire.PasskeyAssertion))]
PasskeyId = Annotated[uuid.UUID, Path(alias="passkeyId", description="The passkey's id")]


def _ceremony(ceremony: Ceremony) -> Response:
    body = {"ceremony": ceremony.token, "options": ceremony.options}
    return JSONBytes(body, status_code=201, headers=NO_STORE)


def _passkey(passkey: Passkey) -> dict[str, object]:
    last_used = None if passkey.last_used_at is None else timestamp(passkey.last_used_at)
    return {
        "id": str(passkey.id),
        "name": passkey.name,
        "createdAt": timestamp(passkey.created_at),
        "lastUsedAt": last_used,
    }


@router.get(
    "/passkeys",
    operation_id="listPasskeys",
    response_model=wire.PasskeyList,
    responses=problem_responses(401, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def list_passkeys(claims: CallerDep, passkeys: PasskeysDep) -> Response:
    """The caller's passkeys, the oldest first."""
    return JSONBytes({"items": [_passkey(p) for p in await passkeys.of(claims.user_id)]})


@router.post(
    "/passkeys/registration",
    operation_id="beginPasskeyRegistration",
    status_code=201,
    response_model=wire.PasskeyCeremony,
    responses=problem_responses(401, 403, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def begin_registration(
    claims: RecentCaller, passkeys: PasskeysDep, accounts: Accounts, party: Party
) -> Response:
    """Begin adding a passkey: options for navigator.credentials.create()."""
    user = await accounts.profile(claims.user_id)
    return _ceremony(await passkeys.registration(user, party))


@router.post(
    "/passkeys",
    operation_id="addPasskey",
    status_code=201,
    response_model=wire.Passkey,
    responses=problem_responses(400, 401, 403, 409, 413, 415, 429, 503),
    openapi_extra={**request_body(wire.PasskeyRegistration), **SIGNED_IN},
)
async def add_passkey(
    claims: RecentCaller, body: RegistrationBody, passkeys: PasskeysDep, party: Party
) -> Response:
    """Keep the passkey the browser created, under its name."""
    passkey = await passkeys.register(
        claims.user_id, body.ceremony, body.credential, body.name, party
    )
    return JSONBytes(_passkey(passkey), status_code=201)


@router.delete(
    "/passkeys/{passkeyId}",
    operation_id="removePasskey",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def remove_passkey(
    claims: RecentCaller, passkey_id: PasskeyId, passkeys: PasskeysDep
) -> Response:
    """Remove one of the caller's passkeys: it signs in no more."""
    await passkeys.remove(claims.user_id, passkey_id)
    return Response(status_code=204)


@router.post(
    "/passkeys/assertion",
    operation_id="beginPasskeyAssertion",
    status_code=201,
    response_model=wire.PasskeyCeremony,
    responses=problem_responses(400, 429, 503),
)
async def begin_assertion(passkeys: PasskeysDep, party: Party) -> Response:
    """Begin a sign-in (or a confirmation) with a passkey: options for
    navigator.credentials.get(); the browser offers the site's passkeys."""
    return _ceremony(await passkeys.assertion(party))


@router.post(
    "/login/passkey",
    operation_id="loginWithPasskey",
    response_model=account_schemas.SignedIn,
    responses=problem_responses(400, 401, 413, 415, 429, 503),
    openapi_extra=request_body(wire.PasskeyAssertion),
)
async def login_with_passkey(
    request: Request,
    body: AssertionBody,
    accounts: Accounts,
    client: ClientDep,
    runtime: RuntimeDep,
    *,
    party: Party,
) -> Response:
    """Sign in with a passkey; the refresh token is also set as a cookie."""
    signed_in = await accounts.login_with_passkey(body.answer(), party, client)
    return signed_in_response(request, runtime, signed_in)
