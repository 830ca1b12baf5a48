"""How the replica set judges replicas, with a hand-moved clock and made-up WAL positions."""

from __future__ import annotations

from typing import Any, cast

import pytest

from taskmaster.db import replicas as replicas_module
from taskmaster.db.replicas import PRIMARY_POSITION, Replica, ReplicaSet

MAX_LAG, INTERVAL = 5.0, 0.2


class Cluster:
    """A primary and one replica as the checks see them: their positions at a moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 0.0
        self.primary, self.replica = 100, 100
        monkeypatch.setattr("taskmaster.db.replicas.monotonic", lambda: self.now)
        monkeypatch.setattr(replicas_module, "position", self._position)
        self.set = ReplicaSet(
            primary=cast(Any, "primary"),
            replicas=[Replica("replica", cast(Any, "replica"))],
            max_lag=MAX_LAG,
            interval=INTERVAL,
        )

    async def _position(self, engine: Any, query: Any) -> int:
        return self.primary if query is PRIMARY_POSITION else self.replica

    async def check_at(self, moment: float) -> Replica:
        self.now = moment
        await self.set.check()
        return self.set.replicas[0]


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> Cluster:
    return Cluster(monkeypatch)


async def test_a_replica_behind_by_more_than_the_bound_is_skipped(cluster: Cluster) -> None:
    assert (await cluster.check_at(0)).healthy
    cluster.primary = 200  # the replica stops replaying here
    assert (await cluster.check_at(1)).healthy
    replica = await cluster.check_at(7)
    assert not replica.healthy
    assert replica.problem == "6.0 s behind"
    cluster.replica = 200
    assert (await cluster.check_at(7.2)).healthy


async def test_a_stuck_replica_stays_skipped_after_a_quiet_spell(cluster: Cluster) -> None:
    cluster.replica = 50  # stuck, far behind the primary's 100
    await cluster.check_at(0)
    assert not (await cluster.check_at(6)).healthy
    cluster.primary = 101  # one write, a long time later
    replica = await cluster.check_at(100)
    assert not replica.healthy
    assert replica.lag == 100
    assert cluster.set.choose(0) is None


async def test_a_verdict_not_renewed_in_time_is_not_trusted(cluster: Cluster) -> None:
    await cluster.check_at(0)
    assert cluster.set.choose(100) is cluster.set.replicas[0]
    cluster.now = cluster.set.fresh_for + 0.1  # the checks got stuck meanwhile
    assert cluster.set.choose(100) is None


async def test_a_replica_is_chosen_only_past_the_readers_last_write(cluster: Cluster) -> None:
    await cluster.check_at(0)
    assert cluster.set.choose(100) is cluster.set.replicas[0]
    assert cluster.set.choose(101) is None
