"""v1 accounts: register, login, profile."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.responses import Response

from taskmaster.api.body import json_object
from taskmaster.api.deps import Accounts, CallerDep
from taskmaster.api.v1 import serialize
from taskmaster.api.v1.envelope import ok
from taskmaster.api.v1.fields import text
from taskmaster.auth.service import Registration, SignedIn
from taskmaster.errors import Invalid

router = APIRouter(prefix="/auth", tags=["auth"])
Body = Annotated[dict[str, Any], Depends(json_object)]


def _signed_in(signed_in: SignedIn) -> dict[str, Any]:
    return {"user": serialize.user_summary(signed_in.user), "token": signed_in.access_token}


@router.post("/register")
async def register(body: Body, accounts: Accounts) -> Response:
    email = text(body, "email", "Email")
    password = text(body, "password", "Password")
    name = text(body, "name", "Name")
    if not email or not password or not name:
        raise Invalid("Please provide email, password, and name")
    signed_in = await accounts.register(Registration(email=email, password=password, name=name))
    return ok(_signed_in(signed_in), message="User registered successfully", status=201)


@router.post("/login")
async def login(body: Body, accounts: Accounts) -> Response:
    email = text(body, "email", "Email")
    password = text(body, "password", "Password")
    if not email or not password:
        raise Invalid("Please provide email and password")
    signed_in = await accounts.login(email, password)
    return ok(_signed_in(signed_in), message="Login successful")


@router.get("/profile")
async def profile(claims: CallerDep, accounts: Accounts) -> Response:
    return ok(serialize.user_profile(await accounts.profile(claims.user_id)))
