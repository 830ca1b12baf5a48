"""One error hierarchy for every domain; each API version renders it in its own format.

Each kind of error has a stable `kind` (v2 names its problem type after it) and a `title`
that never varies between occurrences; the message says what went wrong this time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Self

Location = Literal["body", "query", "header", "path"]


@dataclass(frozen=True)
class FieldProblem:
    """One input that failed: a body member (by JSON pointer), a query parameter, a header or
    a path parameter (by name), and what is wrong with it."""

    location: Location
    name: str
    detail: str


class TaskMasterError(Exception):
    """A failure the client can act on; `status` is its HTTP status code."""

    status = 400
    kind = "invalid-request"
    title = "The request is invalid"

    def __init__(self, message: str, *, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)

    @classmethod
    def at(cls, location: Location, name: str, message: str) -> Self:
        """This error, caused by one input, named for clients that point at it."""
        return cls(message, problems=[FieldProblem(location, name, message)])


class Invalid(TaskMasterError):
    status = 400


class InvalidCursor(Invalid):
    kind = "invalid-cursor"
    title = "The cursor is not one this API issued for this query"


class UnsupportedVersion(Invalid):
    kind = "unsupported-version"
    title = "The requested API version does not exist"


class Unauthorized(TaskMasterError):
    status = 401
    kind = "unauthorized"
    title = "Authentication is required"


class SecondFactorRequired(Unauthorized):
    kind = "second-factor-required"
    title = "A second factor is required"


class SignInExpired(Unauthorized):
    kind = "sign-in-expired"
    title = "This sign-in has expired: start again with the password"


class Forbidden(TaskMasterError):
    status = 403
    kind = "forbidden"
    title = "Not allowed"


class ReauthenticationRequired(Forbidden):
    kind = "reauthentication-required"
    title = "Confirm it is you first"


class NotFound(TaskMasterError):
    status = 404
    kind = "not-found"
    title = "Not found"


class MethodNotAllowed(TaskMasterError):
    status = 405
    kind = "method-not-allowed"
    title = "Method not allowed"


class Conflict(TaskMasterError):
    status = 409
    kind = "conflict"
    title = "Conflict"


class Gone(TaskMasterError):
    status = 410
    kind = "gone"
    title = "Gone"


class CursorExpired(Gone):
    kind = "cursor-expired"
    title = "The cursor is older than the changes kept; start over"


class PreconditionFailed(TaskMasterError):
    status = 412
    kind = "precondition-failed"
    title = "The resource has changed since the version the request names"


class PayloadTooLarge(TaskMasterError):
    status = 413
    kind = "payload-too-large"
    title = "The request body is too large"


class UnsupportedMediaType(TaskMasterError):
    status = 415
    kind = "unsupported-media-type"
    title = "The request body's media type is not accepted here"


class IdempotencyKeyReused(TaskMasterError):
    status = 422
    kind = "idempotency-key-reused"
    title = "The idempotency key was used for a different request"


class PreconditionRequired(TaskMasterError):
    status = 428
    kind = "precondition-required"
    title = "This change needs If-Match"


class RetryLater(TaskMasterError):
    """A failure the client may retry after `retry_after` seconds (the Retry-After header)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetryLater):
    status = 429
    kind = "rate-limited"
    title = "Too many requests"


class Unavailable(RetryLater):
    """A part the request needs is down; the client may try again."""

    status = 503
    kind = "unavailable"
    title = "Temporarily unavailable"

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message, retry_after)


# Every kind a client may meet, for the documentation of problem types.
KINDS: tuple[type[TaskMasterError], ...] = (
    Invalid,
    InvalidCursor,
    UnsupportedVersion,
    Unauthorized,
    SecondFactorRequired,
    SignInExpired,
    Forbidden,
    ReauthenticationRequired,
    NotFound,
    MethodNotAllowed,
    Conflict,
    Gone,
    CursorExpired,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    IdempotencyKeyReused,
    PreconditionRequired,
    RateLimited,
    Unavailable,
)
