"""The indexed manager keeps the same rooms as python-socketio's own, whatever clients do,
and a disconnect looks only at the leaving client's rooms."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
import socketio

from taskmaster.realtime.manager import IndexedManager

NAMESPACE = "/"


def managing(manager: Any) -> Any:
    """`manager` in a server of its own, which numbers its clients' ids in order."""
    server = socketio.AsyncServer(client_manager=manager)
    numbers = itertools.count()
    server.eio.generate_id = lambda: f"sid{next(numbers)}"
    return manager


def _state(manager: Any) -> tuple[Any, ...]:
    rooms = {
        ns: {room: dict(members) for room, members in by_room.items()}
        for ns, by_room in manager.rooms.items()
    }
    return rooms, manager.pending_connect, manager.pending_disconnect


@pytest.mark.parametrize("seed", range(5))
async def test_the_rooms_are_python_socketios_own(seed: int) -> None:
    choose = random.Random(seed)  # noqa: S311 - a test's schedule
    ours, theirs = managing(IndexedManager()), managing(socketio.AsyncManager())
    connected: list[str] = []
    for step in range(400):
        action = choose.choice(["connect", "enter", "leave", "disconnect", "close"])
        if action == "connect" or not connected:
            sids = {await m.connect(f"eio{step}", NAMESPACE) for m in (ours, theirs)}
            assert len(sids) == 1
            connected.append(sids.pop())
            continue
        sid = choose.choice(connected)
        room = f"project:{choose.randrange(6)}"
        for manager in (ours, theirs):
            if action == "enter":
                await manager.enter_room(sid, NAMESPACE, room)
            elif action == "leave":
                await manager.leave_room(sid, NAMESPACE, room)
            elif action == "close":
                await manager.close_room(room, NAMESPACE)
            else:
                await manager.disconnect(sid, NAMESPACE)
        if action == "disconnect":
            connected.remove(sid)
        assert _state(ours) == _state(theirs)
        assert sorted(ours.get_rooms(sid, NAMESPACE)) == sorted(theirs.get_rooms(sid, NAMESPACE))


async def test_a_disconnect_does_not_look_at_other_clients_rooms() -> None:
    manager = managing(IndexedManager())
    sids = [await manager.connect(f"eio{n}", NAMESPACE) for n in range(50)]
    for n, sid in enumerate(sids):
        await manager.enter_room(sid, NAMESPACE, f"user:{n}")

    class Watched(dict[Any, Any]):
        looked = 0

        def items(self) -> Any:
            Watched.looked += 1
            return super().items()

        def copy(self) -> Any:
            Watched.looked += 1
            return super().copy()

    manager.rooms[NAMESPACE] = Watched(manager.rooms[NAMESPACE])
    await manager.disconnect(sids[0], NAMESPACE)
    assert Watched.looked == 0
    assert "user:0" not in manager.rooms[NAMESPACE]
    assert manager.rooms[NAMESPACE]["user:1"] == {sids[1]: "eio1"}
