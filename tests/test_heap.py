"""The collector freezes what each full collection leaves alive, and looks at everything again
once the frozen objects have doubled: cycles among old objects are found in the end."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from taskmaster.app import create_app
from taskmaster.config import Settings
from taskmaster.heap import FLOOR, FrozenSurvivors, keep_pauses_short
from taskmaster.runtime import Runtime
from tests.conftest import lifespan

BACKENDS = ("sqlite",)


class Node:
    """A reference cycle's member."""

    def __init__(self) -> None:
        self.other: Node | None = None


def installed() -> list[FrozenSurvivors]:
    return [callback for callback in gc.callbacks if isinstance(callback, FrozenSurvivors)]


def cycle() -> Node:
    """Two nodes that refer to each other; one of them."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a


@pytest.fixture(autouse=True)
def alone() -> Iterator[None]:
    """A policy some app of this process installed (none should: GC_FREEZE_SURVIVORS is off
    in the tests' settings) sits these tests out."""
    others = installed()
    for callback in others:
        gc.callbacks.remove(callback)
    yield
    gc.callbacks.extend(others)


@pytest.fixture
def policy() -> Iterator[FrozenSurvivors]:
    """The policy on this process's collector, taken off again afterwards."""
    gc.collect()
    policy = FrozenSurvivors(slow=0)  # every collection counts as slow
    gc.callbacks.append(policy)
    try:
        yield policy
    finally:
        gc.callbacks.remove(policy)
        gc.unfreeze()
        gc.collect()


def test_the_survivors_of_a_full_collection_are_frozen(policy: FrozenSurvivors) -> None:
    kept = [Node() for _ in range(1000)]
    before = gc.get_freeze_count()
    gc.collect()
    assert gc.get_freeze_count() >= before + len(kept)


def test_a_quick_full_collection_freezes_nothing() -> None:
    gc.collect()
    policy = FrozenSurvivors(slow=60)
    gc.callbacks.append(policy)
    try:
        before = gc.get_freeze_count()
        kept = [Node() for _ in range(1000)]
        gc.collect()
        assert gc.get_freeze_count() == before
        assert kept
    finally:
        gc.callbacks.remove(policy)


def test_a_cycle_among_frozen_objects_is_found_once_they_have_doubled(
    policy: FrozenSurvivors,
) -> None:
    alive = cycle()
    garbage = weakref.ref(alive)
    gc.collect()  # the cycle is alive: frozen with the rest
    del alive
    gc.collect()
    assert garbage() is not None, "frozen: not looked at"

    grown = [Node() for _ in range(2 * FLOOR)]  # noqa: F841 - kept alive: the heap has doubled
    policy.looked_at_everything = 0
    gc.collect()  # freezes, sees the doubling, thaws everything for the next one
    gc.collect()  # looks at everything
    assert garbage() is None
    assert policy.looked_at_everything > 2 * FLOOR  # the new measure of doubling


@pytest.mark.parametrize("configured", [True, False])
async def test_a_served_app_installs_the_policy_once_unless_told_not_to(
    settings: Settings, configured: bool
) -> None:
    keep_pauses_short.cache_clear()  # as in a process that has not served yet
    wanted = settings.model_copy(update={"gc_freeze_survivors": configured})
    runtimes = [Runtime.build(wanted), Runtime.build(wanted)]
    try:
        for runtime in runtimes:  # a second app in the process: still one policy
            async with lifespan(create_app(runtime=runtime)):
                assert len(installed()) == int(configured)
    finally:
        for runtime in runtimes:
            await runtime.close()
        for policy in installed():
            gc.callbacks.remove(policy)
        keep_pauses_short.cache_clear()
        gc.unfreeze()
