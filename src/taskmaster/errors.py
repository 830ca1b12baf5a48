"""One error hierarchy for every domain; each API version renders it in its own format."""

from __future__ import annotations


class TaskMasterError(Exception):
    """A failure the client can act on; `status` is its HTTP status code."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(TaskMasterError):
    status = 400


class Unauthorized(TaskMasterError):
    status = 401


class Forbidden(TaskMasterError):
    status = 403


class NotFound(TaskMasterError):
    status = 404


class Conflict(TaskMasterError):
    status = 409


class PayloadTooLarge(TaskMasterError):
    status = 413


class UnsupportedMediaType(TaskMasterError):
    status = 415


class Unavailable(TaskMasterError):
    """A part the request needs is down; the client may try again."""

    status = 503

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(TaskMasterError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
