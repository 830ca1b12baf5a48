"""A circuit breaker: after a run of failures, stop asking for a while, then try once."""

from __future__ import annotations

import time
from collections.abc import Callable


class CircuitBreaker:
    """Closed: every call goes through. `failures_max` failures in a row open it: no call
    goes through for `open_seconds`. Then it is half open: one call goes through as a probe,
    and its success closes the breaker (its failure opens it again)."""

    def __init__(
        self,
        *,
        failures_max: int = 3,
        open_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._failures_max = failures_max
        self._open_seconds = open_seconds
        self._clock = clock
        self._failures = 0
        self._open_until: float | None = None
        self._probing = False
        self.opened = 0  # how often it opened (again after a failed probe)

    @property
    def closed(self) -> bool:
        return self._open_until is None

    def allow(self) -> bool:
        """Whether a call may go through now (the half-open probe counts as one)."""
        if self._open_until is None:
            return True
        if self._probing or self._clock() < self._open_until:
            return False
        self._probing = True
        return True

    def succeeded(self) -> None:
        self._failures = 0
        self._open_until = None
        self._probing = False

    def failed(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self._failures_max:
            if self._open_until is None or self._probing:
                self.opened += 1
            self._open_until = self._clock() + self._open_seconds
            self._probing = False
