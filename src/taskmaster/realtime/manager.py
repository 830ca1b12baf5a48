"""python-socketio's room bookkeeping, with each client's rooms indexed.

Its manager finds a leaving client's rooms by scanning every room of the namespace: each
client has three here at least (its own, its user's, its Inbox's), so with 5,000 clients on
a worker a disconnect scanned 15,000 rooms, and 5,000 clients leaving at once (a restart, a
network blip) cost the worker tens of seconds. This one keeps which rooms each client is in,
and a disconnect leaves just those.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import socketio

Key = tuple[Any, str]  # (namespace, sid)


# python-socketio ships no type information: AsyncManager is Any to mypy (see hub.Refused).
class IndexedManager(socketio.AsyncManager):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self._rooms_of: defaultdict[Key, set[Any]] = defaultdict(set)

    def basic_enter_room(self, sid: str, namespace: Any, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of[(namespace, sid)].add(room)

    def basic_leave_room(self, sid: str, namespace: Any, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def get_rooms(self, sid: str, namespace: Any) -> list[Any]:
        return [room for room in self._rooms_of.get((namespace, sid), ()) if room is not None]

    def basic_disconnect(self, sid: str, namespace: Any, **kwargs: Any) -> None:
        """What the manager's own does, but the rooms come from the index."""
        for room in self._rooms_of.pop((namespace, sid), set()):
            super().basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]
