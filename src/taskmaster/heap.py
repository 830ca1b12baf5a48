"""Keeping the cycle collector's pauses short in a process that holds many connections.

CPython's full collection walks every object the collector tracks. A worker holding 5,000
Socket.IO connections tracks about a million, and its full collections paused it for over a
second each (bench/README.md), holding up every event and request meanwhile. Almost all of
those objects live long: the start-up's, and each connection's. So, after a full collection
that took longer than SLOW_SECONDS, the survivors are frozen (`gc.freeze`): later full
collections walk only what was made since, and pause for as long as that takes. A quick one
changes nothing: freezing after each of them too doubled the p99 of a busy worker that holds
no connections (bench/README.md), whose full collections cost little.

The price: frozen objects that die inside a reference cycle are not found (those without one
are freed as usual). So once the frozen objects have doubled since the last time the collector
looked at everything, it looks at everything once more: a long pause, as rarely as the heap
doubles, and the memory held by such cycles stays within the live heap's size.
"""

from __future__ import annotations

import functools
import gc
import time
from typing import Any

FLOOR = 100_000  # frozen objects below which a look at everything is cheap anyway
SLOW_SECONDS = 0.05  # a full collection slower than this freezes its survivors


class FrozenSurvivors:
    """The gc callback that freezes what a slow full collection leaves alive."""

    def __init__(self, slow: float = SLOW_SECONDS) -> None:
        self.looked_at_everything = gc.get_freeze_count()  # frozen after it last did
        self._slow = slow
        self._looking_at_everything = False
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._looking_at_everything = gc.get_freeze_count() == 0
            self._started = time.perf_counter()
            return
        if time.perf_counter() - self._started < self._slow:
            return
        gc.freeze()
        frozen = gc.get_freeze_count()
        if self._looking_at_everything:
            self.looked_at_everything = frozen
        elif frozen > 2 * max(self.looked_at_everything, FLOOR):
            gc.unfreeze()  # the next full collection walks everything


@functools.cache
def keep_pauses_short() -> FrozenSurvivors:
    """Freeze what start-up built, and the survivors of every full collection from now on.
    Once per process."""
    gc.collect()
    gc.freeze()
    policy = FrozenSurvivors()
    gc.callbacks.append(policy)
    return policy
