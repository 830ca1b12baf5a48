"""The circuit breaker: open after a run of failures, one probe after a while, closed by its
success."""

from __future__ import annotations

from taskmaster.cache.breaker import CircuitBreaker


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_failures_in_a_row_open_it_and_a_probe_closes_it() -> None:
    ticks = Ticks()
    breaker = CircuitBreaker(failures_max=3, open_seconds=1.0, clock=ticks)
    for _ in range(2):
        assert breaker.allow()
        breaker.failed()
    assert breaker.closed
    breaker.failed()
    assert not breaker.closed
    assert not breaker.allow()
    ticks.now = 1.0
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # one at a time
    breaker.succeeded()
    assert breaker.closed
    assert breaker.allow()
    assert breaker.opened == 1


def test_a_failed_probe_opens_it_again_and_a_success_resets_the_run() -> None:
    ticks = Ticks()
    breaker = CircuitBreaker(failures_max=2, open_seconds=1.0, clock=ticks)
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    assert breaker.closed  # not two in a row
    breaker.failed()
    ticks.now = 1.5
    assert breaker.allow()
    breaker.failed()
    assert not breaker.allow()
    ticks.now = 2.4
    assert not breaker.allow()
    ticks.now = 2.5
    assert breaker.allow()
    assert breaker.opened == 2
