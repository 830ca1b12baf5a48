"""Dependencies every router shares: the runtime, the request's transaction, the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.auth.passkeys import Passkeys
from taskmaster.auth.security_log import SecurityLog, announce_committed
from taskmaster.auth.service import AccountService
from taskmaster.auth.sessions import Client, SessionService, ended_by
from taskmaster.auth.tokens import MISSING_TOKEN, AccessClaims, TokenInvalid
from taskmaster.auth.two_factor import TwoFactor
from taskmaster.errors import TaskMasterError, Unauthorized
from taskmaster.observe.requests import note_caller
from taskmaster.projects.invitations import InvitationService
from taskmaster.projects.service import ProjectService
from taskmaster.projects.touched import touched_by
from taskmaster.runtime import Runtime


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> Runtime:
    return runtime_of(request)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def transaction(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed when the handler returns, before the response;
    then this instance refuses the sessions it ended, the read cache and the relay hear what
    it touched, and the operators' log its security events. Failed attempts on an account are
    kept however the transaction ended."""
    session = runtime.db.session()
    try:
        async with session:
            yield session
            await session.commit()
            announce_committed(session)
            await runtime.sessions_ended(ended_by(session))
            touched = touched_by(session)
            await runtime.touched(users=touched.users, projects=touched.projects)
    finally:
        await runtime.security_events.keep_attempts(session)


SessionDep = Annotated[AsyncSession, Depends(transaction, scope="function")]


def client_address(request: Request, trusted_hops: int) -> str:
    """The caller's address. Behind `trusted_hops` proxies that each append to
    X-Forwarded-For, it is the entry the outermost one added: the entries left of it are the
    client's own words. Without hops, uvicorn's reading of the header (FORWARDED_ALLOW_IPS)."""
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
    if trusted_hops and len(forwarded) >= trusted_hops and forwarded[-trusted_hops]:
        return forwarded[-trusted_hops]
    return request.client.host if request.client else ""


async def client_of(request: Request, runtime: RuntimeDep) -> Client:
    return Client(
        ip=client_address(request, runtime.settings.trusted_proxy_hops),
        user_agent=request.headers.get("user-agent", ""),
    )


ClientDep = Annotated[Client, Depends(client_of)]


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(MISSING_TOKEN)
    return token


async def caller(request: Request) -> AccessClaims:
    """The verified claims of the request's access token, whose session must still be live.

    Asked on every authenticated request: it depends on nothing but the request, as each
    dependency FastAPI resolves costs tens of microseconds.
    """
    runtime = runtime_of(request)
    claims = runtime.tokens.verify(bearer_token(request))
    if await runtime.revoked.contains(claims.session_id):
        raise TokenInvalid()
    note_caller(claims.user_id)
    return claims


CallerDep = Annotated[AccessClaims, Depends(caller)]


def optional_caller(request: Request, runtime: Runtime) -> AccessClaims | None:
    """The claims of the request's access token when it has a valid one, else None."""
    try:
        return runtime.tokens.verify(bearer_token(request))
    except TaskMasterError:
        return None


async def security_log(session: SessionDep, runtime: RuntimeDep, client: ClientDep) -> SecurityLog:
    """The request's security log (FastAPI makes one per request): every service shares it."""
    return runtime.security_log(session, client)


SecurityLogDep = Annotated[SecurityLog, Depends(security_log)]


async def account_service(
    session: SessionDep, runtime: RuntimeDep, log: SecurityLogDep
) -> AccountService:
    return runtime.account_service(session, log)


async def session_service(
    session: SessionDep, runtime: RuntimeDep, log: SecurityLogDep
) -> SessionService:
    return runtime.session_service(session, log)


async def two_factor_service(
    session: SessionDep, runtime: RuntimeDep, log: SecurityLogDep
) -> TwoFactor:
    return runtime.two_factor(session, log)


async def passkey_service(
    session: SessionDep, runtime: RuntimeDep, log: SecurityLogDep
) -> Passkeys:
    return runtime.passkeys(session, log)


async def project_service(session: SessionDep, runtime: RuntimeDep) -> ProjectService:
    return ProjectService(session, clock=runtime.clock)


async def invitation_service(session: SessionDep, runtime: RuntimeDep) -> InvitationService:
    projects = ProjectService(session, clock=runtime.clock)
    return InvitationService(session, projects, clock=runtime.clock)


Accounts = Annotated[AccountService, Depends(account_service)]
Projects = Annotated[ProjectService, Depends(project_service)]
Invitations = Annotated[InvitationService, Depends(invitation_service)]
Sessions = Annotated[SessionService, Depends(session_service)]
TwoFactorDep = Annotated[TwoFactor, Depends(two_factor_service)]
PasskeysDep = Annotated[Passkeys, Depends(passkey_service)]
