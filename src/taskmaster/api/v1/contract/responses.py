"""What a v1 operation may answer, besides its body: v1's headers, and its failures."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from taskmaster.api.openapi import STRING
from taskmaster.api.v1 import schemas as wire
from taskmaster.config import Settings

# The cookie as configured by default (REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH).
REFRESH_COOKIE: str = Settings.model_fields["refresh_cookie_name"].default
COOKIE_PATH: str = Settings.model_fields["refresh_cookie_path"].default

# Headers -----------------------------------------------------------------------------------

Headers = dict[str, dict[str, Any]]
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
        **STRING,
    },
    "Link": {
        "description": "The v2 equivalent of the URL asked for: "
        '</api/v2/...>; rel="successor-version"',
        "required": True,
        **STRING,
    },
}
RATE_LIMIT: Headers = {
    "RateLimit-Policy": {
        "description": 'The per-user quota, when enforced: "user";q=<requests>;w=<seconds>',
        **STRING,
    },
    "RateLimit": {
        "description": 'What is left of it: "user";r=<remaining>;t=<seconds>',
        **STRING,
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
        **STRING,
    }
}
CLEARS_COOKIE: Headers = {
    "Set-Cookie": {
        "description": f'The refresh cookie, cleared: {REFRESH_COOKIE}=""; Max-Age=0; with the '
        "attributes it was set with.",
        "required": True,
        **STRING,
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


def declared() -> Any:
    """What a declaration's body would be: v1's own handlers answer, never this."""
    raise NotImplementedError("served by taskmaster.api.v1: this only describes it")
