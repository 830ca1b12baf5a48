"""Every v1 operation as OpenAPI knows it: declarations, not handlers.

v1's handlers (the fast lane's tasks, the auth and session routers) read bodies leniently
and write the MVP's envelope by hand, byte for byte as the MVP did; rewriting them onto
Pydantic would change those bytes. So v1's document comes from these declarations instead:
FastAPI reads parameters, bodies, answers and headers from their signatures. The snapshot
tests hold every frozen answer to its declaration, and the contract tests every served route
to one, so a declaration that drifts from its handler fails a test.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Body, Cookie, Depends, Header, Path, Query
from fastapi.security import HTTPBearer

from taskmaster.api.csrf import CSRF_HEADER
from taskmaster.api.openapi import BEARER
from taskmaster.api.v1 import schemas as wire
from taskmaster.api.v1.tasks import LIMIT_MAX, OFFSET_MAX, SEARCH_MAX
from taskmaster.config import Settings
from taskmaster.tasks.filters import SortKey
from taskmaster.tasks.models import Priority, Status

router = APIRouter()
# The cookie as configured by default (REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH).
REFRESH_COOKIE: str = Settings.model_fields["refresh_cookie_name"].default
COOKIE_PATH: str = Settings.model_fields["refresh_cookie_path"].default
Bearer = Annotated[
    Any,
    Depends(HTTPBearer(scheme_name=BEARER, description="An access token from sign-in")),
]
TaskId = Annotated[uuid.UUID, Path(alias="id", description="The task's id; not a UUID: 400")]
SessionId = Annotated[uuid.UUID, Path(alias="id", description="The session's id; not a UUID: 400")]
Browser = Annotated[
    str | None,
    Header(
        alias=CSRF_HEADER,
        description="Sent by the browser app: the refresh token is then left out of the body "
        "(the httpOnly cookie is its only copy), and the cookie may be used.",
    ),
]
RefreshCookie = Annotated[
    str | None,
    Cookie(
        alias=REFRESH_COOKIE,
        description="The refresh token the browser keeps, used when the body names none; "
        f"only with {CSRF_HEADER} (else 403) and, if sent, an allowed Origin (else 403). "
        "Its name is the deployment's REFRESH_COOKIE_NAME.",
    ),
]
TokenBody = Annotated[wire.RefreshTokenRequest, Body(default_factory=wire.RefreshTokenRequest)]

# Headers -----------------------------------------------------------------------------------

Headers = dict[str, dict[str, Any]]
_STRING = {"schema": {"type": "string"}}
_SECONDS = {"schema": {"type": "integer", "minimum": 0}}
LIFECYCLE: Headers = {
    "Deprecation": {
        "description": "When v1 was deprecated (RFC 9745): @ and Unix seconds. Absent where "
        "the deployment switches it off.",
        "schema": {"type": "string", "pattern": r"^@-?\d+$"},
    },
    "Sunset": {
        "description": "When v1 ends (RFC 8594), an HTTP-date. Absent where the deployment "
        "switches it off.",
        **_STRING,
    },
    "Link": {
        "description": "The v2 equivalent of the URL asked for: "
        '</api/v2/...>; rel="successor-version"',
        "required": True,
        **_STRING,
    },
}
RATE_LIMIT: Headers = {
    "RateLimit-Policy": {
        "description": 'The per-user quota, when enforced: "user";q=<requests>;w=<seconds>',
        **_STRING,
    },
    "RateLimit": {
        "description": 'What is left of it: "user";r=<remaining>;t=<seconds>',
        **_STRING,
    },
}
RETRY_AFTER: Headers = {
    "Retry-After": {"description": "Seconds to wait before trying again", "required": True}
    | _SECONDS
}
SETS_COOKIE: Headers = {
    "Set-Cookie": {
        "description": f"The refresh token: {REFRESH_COOKIE}=<token>; Max-Age=<seconds>; "
        f"Path={COOKIE_PATH}; HttpOnly; SameSite=<as configured>, and Secure outside plain-http "
        "development (Domain and Partitioned as configured).",
        "required": True,
        **_STRING,
    }
}
CLEARS_COOKIE: Headers = {
    "Set-Cookie": {
        "description": f'The refresh cookie, cleared: {REFRESH_COOKIE}=""; Max-Age=0; with the '
        "attributes it was set with.",
        "required": True,
        **_STRING,
    }
}
TOTAL_COUNT: Headers = {
    "X-Total-Count": {
        "description": "How many tasks match the filters, on every page",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}

# Failures ----------------------------------------------------------------------------------

# Why each status may answer; an operation's docstring says more where it matters.
FAILURES = {
    400: "the input is invalid (a message says which)",
    401: "no access token, or an invalid or expired one",
    403: "the refresh cookie, without X-Requested-With or from an origin not allowed",
    404: "no such resource of the caller's",
    409: "a conflict with the current state",
    410: "v1 was retired (after its Sunset date, where the deployment retires it)",
    413: "the body is larger than the deployment's MAX_BODY_BYTES",
    415: "a body that does not say it is JSON (Content-Type)",
    429: "too many requests: sign-in attempts, or the per-user quota",
    503: "a part the request needs is down or busy; try again",
}
# What any v1 request may meet, whatever the operation.
ALWAYS = (410, 429, 503)


def failure_responses(
    *statuses: int, why: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries of a v1 operation that may fail with these statuses (and those
    every v1 operation may): the MVP's failure envelope, with v1's headers. `why` says, by
    status, what the operation means by it where FAILURES says too little."""
    reasons = {**FAILURES, **(why or {})}
    return {
        status: {
            "model": wire.Failure,
            "description": f"{HTTPStatus(status).phrase}: {reasons[status]}",
            "headers": {
                **LIFECYCLE,
                **(RETRY_AFTER if status in (429, 503) else {}),
                **(RATE_LIMIT if status == 429 else {}),
            },
        }
        for status in sorted({*statuses, *ALWAYS})
    }


def answers(
    *failures: int,
    status: int = 200,
    headers: Headers | None = None,
    why: dict[int, str] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a v1 operation: its success (the route's response model), with
    v1's headers and `headers`, and its failures."""
    success = {"headers": {**LIFECYCLE, **RATE_LIMIT, **(headers or {})}}
    return {status: success, **failure_responses(*failures, why=why)}


def _declared() -> Any:
    """What a declaration's body would be: v1's own handlers answer, never this."""
    raise NotImplementedError("served by taskmaster.api.v1: this only describes it")


# Accounts ----------------------------------------------------------------------------------


@router.post(
    "/auth/register",
    tags=["auth"],
    operation_id="register",
    status_code=201,
    response_model=wire.RegisterResponse,
    responses=answers(
        400,
        409,
        413,
        415,
        status=201,
        headers=SETS_COOKIE,
        why={
            400: "a member is missing, the email is invalid, or the password too short, too "
            "long or too common",
            409: "an account with this email exists",
        },
    ),
)
async def register(body: wire.RegisterRequest, browser: Browser = None) -> Any:
    """Create an account and sign in. 400: a member missing, an invalid email, a password
    too short, too long or too common; 409: the email is taken."""
    return _declared()


@router.post(
    "/auth/login",
    tags=["auth"],
    operation_id="login",
    response_model=wire.LoginResponse,
    responses=answers(
        400,
        401,
        413,
        415,
        headers=SETS_COOKIE,
        why={401: "Invalid email or password (the same for an unknown email)"},
    ),
)
async def login(body: wire.LoginRequest, browser: Browser = None) -> Any:
    """Sign in. 401 "Invalid email or password", the same for an unknown email; 429 after
    too many failed attempts, with Retry-After."""
    return _declared()


@router.get(
    "/auth/profile",
    tags=["auth"],
    operation_id="getProfile",
    response_model=wire.ProfileResponse,
    responses=answers(401, 404, why={404: "the account no longer exists"}),
)
async def profile(_: Bearer) -> Any:
    """The signed-in user."""
    return _declared()


@router.post(
    "/auth/password",
    tags=["auth"],
    operation_id="changePassword",
    response_model=wire.PasswordChangeResponse,
    responses=answers(
        400,
        401,
        404,
        409,
        413,
        415,
        why={
            400: "a member is missing, the current password is wrong, or the new one too "
            "short, too long, too common or the same",
            404: "the account no longer exists",
            409: "the password was changed meanwhile; try again",
        },
    ),
)
async def change_password(_: Bearer, body: wire.PasswordChangeRequest) -> Any:
    """Set a new password; every other session ends. 400: the current password is wrong,
    or the new one is too short, too long, too common or the same."""
    return _declared()


# Sessions ----------------------------------------------------------------------------------


_REFRESH = answers(
    400,
    401,
    403,
    413,
    415,
    headers=SETS_COOKIE,
    why={401: "no refresh token, or one unknown, expired, revoked or used before"},
)
# A token refused clears the cookie; no token at all leaves it be.
_REFUSED = {"Set-Cookie": {**CLEARS_COOKIE["Set-Cookie"], "required": False}}
_REFRESH[401] = {**_REFRESH[401], "headers": {**_REFRESH[401]["headers"], **_REFUSED}}


@router.post(
    "/auth/refresh",
    tags=["sessions"],
    operation_id="refreshSession",
    response_model=wire.RefreshResponse,
    responses=_REFRESH,
)
async def refresh(body: TokenBody, browser: Browser = None, cookie: RefreshCookie = None) -> Any:
    """Exchange the refresh token (from the body, else the cookie) for its successor and a
    new access token. A token used twice ends its session (reuse); a refused token also
    clears the cookie."""
    return _declared()


@router.post(
    "/auth/revoke",
    tags=["sessions"],
    operation_id="revokeRefreshToken",
    response_model=wire.RevokeResponse,
    responses=answers(400, 403, 413, 415, headers=CLEARS_COOKIE),
)
async def revoke(body: TokenBody, browser: Browser = None, cookie: RefreshCookie = None) -> Any:
    """End the session of a refresh token (from the body, else the cookie) and clear the
    cookie; an unknown token is no error (RFC 7009)."""
    return _declared()


@router.post(
    "/auth/logout",
    tags=["sessions"],
    operation_id="logout",
    response_model=wire.LogoutResponse,
    responses=answers(
        400,
        403,
        404,
        413,
        415,
        headers=CLEARS_COOKIE,
        why={404: "the access token's session is gone"},
    ),
    # The access token is optional here: without one, the refresh token names the session.
    openapi_extra={"security": [{}, {BEARER: []}]},
)
async def logout(body: TokenBody, browser: Browser = None, cookie: RefreshCookie = None) -> Any:
    """End this session, named by the access token and/or the refresh token (from the body,
    else the cookie), and clear the cookie. With both, both sessions end."""
    return _declared()


@router.post(
    "/auth/logout-all",
    tags=["sessions"],
    operation_id="logoutEverywhere",
    response_model=wire.LogoutAllResponse,
    responses=answers(401, headers=CLEARS_COOKIE),
)
async def logout_all(_: Bearer) -> Any:
    """End every session of the caller, this one included, and clear the cookie."""
    return _declared()


@router.get(
    "/auth/sessions",
    tags=["sessions"],
    operation_id="listSessions",
    response_model=wire.SessionListResponse,
    responses=answers(401),
)
async def list_sessions(_: Bearer) -> Any:
    """The caller's active sessions, the newest first."""
    return _declared()


@router.delete(
    "/auth/sessions/{id}",
    tags=["sessions"],
    operation_id="endSession",
    response_model=wire.EndSessionResponse,
    responses=answers(400, 401, 404, why={404: "Session not found"}),
)
async def end_session(_: Bearer, session_id: SessionId) -> Any:
    """End one of the caller's sessions."""
    return _declared()


# Tasks -------------------------------------------------------------------------------------

TASK_NOT_FOUND = {404: "Task not found (another user's task answers the same)"}


@router.get(
    "/tasks",
    tags=["tasks"],
    operation_id="listTasks",
    response_model=wire.TaskListResponse,
    responses=answers(400, 401, headers=TOTAL_COUNT),
)
async def list_tasks(
    _: Bearer,
    *,
    status: Annotated[Status | None, Query()] = None,
    priority: Annotated[Priority | None, Query()] = None,
    search: Annotated[
        str | None,
        Query(
            max_length=SEARCH_MAX,
            description="In the title or description, any case; surrounding whitespace is "
            f"ignored, and more than {SEARCH_MAX} characters answer 400",
        ),
    ] = None,
    sort: Annotated[
        str | None,
        Query(
            pattern=rf"^-?({'|'.join(SortKey)})$",
            description="One key, reversed by a leading minus. Tasks without a due date sort "
            "after those with one; title sorts in any case. Default: -createdAt",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = LIMIT_MAX,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX, description="Tasks to skip")] = 0,
) -> Any:
    """The caller's own tasks, newest first unless sorted otherwise, a page at a time."""
    return _declared()


@router.post(
    "/tasks",
    tags=["tasks"],
    operation_id="createTask",
    status_code=201,
    response_model=wire.CreateTaskResponse,
    responses=answers(400, 401, 413, 415, status=201),
)
async def create_task(_: Bearer, body: wire.TaskCreateRequest) -> Any:
    """Create a task. 400 "Title is required" without a title (or with only spaces)."""
    return _declared()


@router.get(
    "/tasks/summary",
    tags=["tasks"],
    operation_id="getTaskSummary",
    response_model=wire.SummaryResponse,
    responses=answers(401),
)
async def summary(_: Bearer) -> Any:
    """How many tasks the caller has, by status, and how many are overdue."""
    return _declared()


@router.get(
    "/tasks/{id}",
    tags=["tasks"],
    operation_id="getTask",
    response_model=wire.TaskResponse,
    responses=answers(400, 401, 404, why=TASK_NOT_FOUND),
)
async def read_task(_: Bearer, task_id: TaskId) -> Any:
    """One task; another user's answers 404, as a missing one does."""
    return _declared()


@router.put(
    "/tasks/{id}",
    tags=["tasks"],
    operation_id="updateTask",
    response_model=wire.UpdateTaskResponse,
    responses=answers(400, 401, 404, 413, 415, why=TASK_NOT_FOUND),
)
async def update_task(_: Bearer, task_id: TaskId, body: wire.TaskUpdateRequest) -> Any:
    """Change the members given; the others keep their value."""
    return _declared()


@router.delete(
    "/tasks/{id}",
    tags=["tasks"],
    operation_id="deleteTask",
    response_model=wire.DeleteTaskResponse,
    responses=answers(400, 401, 404, why=TASK_NOT_FOUND),
)
async def delete_task(_: Bearer, task_id: TaskId) -> Any:
    """Delete a task."""
    return _declared()
