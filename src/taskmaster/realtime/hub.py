"""The Socket.IO server of one API instance, at /socket.io.

A client connects with its access token (`auth: {token}`); an invalid or expired token, or an
ended session, is refused. The server puts it in its rooms: its user's, and one per project
it is a member of; the client chooses none. The bus's events reach the rooms they concern,
in the order they were committed, as `{"eventId": n, "data": payload}`; a membership change
moves the member's clients between rooms first, and an ended session's clients are
disconnected. docs/realtime.md describes every event.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import socketio
import structlog

from taskmaster.auth.revocations import RevokedSessions
from taskmaster.auth.tokens import AccessClaims, AccessTokens
from taskmaster.errors import TaskMasterError
from taskmaster.events.outbox import SESSION_ENDED, Event
from taskmaster.realtime.manager import IndexedManager
from taskmaster.realtime.rooms import Connection, Connections, project_room, user_room

log = structlog.get_logger(__name__)

PATH = "/socket.io"
RESYNC = "resync"  # sent when events may have been lost: catch up through the delta query

ProjectsOf = Callable[[uuid.UUID], Awaitable[list[uuid.UUID]]]
FreshReads = Callable[[uuid.UUID], Awaitable[None]]


def _same_origin_or(allowed: Sequence[str]) -> Callable[[str, dict[str, Any]], bool]:
    """Whether a browser from `origin` may connect: from the API's own origin, or one that
    CORS_ORIGIN names (the app on a CDN). Asked only of requests that name an origin."""
    others = frozenset(allowed)

    def allows(origin: str, environ: dict[str, Any]) -> bool:
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin == own or origin in others

    return allows


# python-socketio ships no type information: its classes are Any to mypy, which will not let a
# class derive from Any unless told.
class Refused(socketio.exceptions.ConnectionRefusedError):  # type: ignore[misc]
    """A connection refused, with the reason the client is shown."""


class Hub:
    def __init__(
        self,
        *,
        tokens: AccessTokens,
        revoked: RevokedSessions,
        projects_of: ProjectsOf,
        fresh_reads: FreshReads,
        allowed_origins: Sequence[str] = (),
    ) -> None:
        self._tokens = tokens
        self._revoked = revoked
        self._projects_of = projects_of
        self._fresh_reads = fresh_reads
        self.connections = Connections()
        self.server = socketio.AsyncServer(
            async_mode="asgi",
            cors_allowed_origins=_same_origin_or(allowed_origins),
            transports=["websocket", "polling"],
            client_manager=IndexedManager(),
        )
        self.server.on("connect", self._connect)
        self.server.on("disconnect", self._disconnect)

    def asgi(self, other: Any) -> Any:
        """An ASGI app that serves Socket.IO at PATH and passes the rest to `other`."""
        return socketio.ASGIApp(self.server, other_asgi_app=other, socketio_path=PATH)

    @property
    def connected(self) -> int:
        return len(self.connections.by_sid)

    # Connections ---------------------------------------------------------------------------

    def _claims(self, auth: Any) -> AccessClaims:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise Refused("An access token is required: connect with auth {token}")
        try:
            return self._tokens.verify(token)
        except TaskMasterError as error:
            raise Refused(error.message) from None

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        claims = self._claims(auth)
        connection = Connection(claims.user_id, claims.session_id)
        # Known before the session is checked: an ending heard from now on reaches it.
        self.connections.add(sid, connection)
        try:
            if await self._revoked.contains(claims.session_id):
                raise Refused("This session has ended. Please sign in again.")
            async with self.connections.rooms_of(claims.user_id):
                await self.server.enter_room(sid, user_room(claims.user_id))
                for project_id in await self._projects_of(claims.user_id):
                    await self.server.enter_room(sid, project_room(project_id))
            # Its catch-up read must see every event published before it joined its rooms.
            await self._fresh_reads(claims.user_id)
            if connection.ended:
                raise Refused("This session has ended. Please sign in again.")
        except BaseException:
            self.connections.remove(sid)
            raise

    async def _disconnect(self, sid: str, *_: Any) -> None:
        self.connections.remove(sid)

    # Events --------------------------------------------------------------------------------

    async def deliver(self, events: Sequence[Event]) -> None:
        """Hand each event to the rooms it concerns, in order."""
        for event in events:
            await self._deliver(event)

    async def resync(self) -> None:
        """Events may have been lost (the bus was away): every client catches up."""
        log.warning("telling every client to catch up", clients=self.connected)
        await self.server.emit(RESYNC, {"eventId": None, "data": {}})

    async def _deliver(self, event: Event) -> None:
        message = {"eventId": event.id, "data": event.data}
        if event.topic == SESSION_ENDED:
            await self._end_session(event, message)
            return
        assert event.project_id is not None
        room = project_room(event.project_id)
        if event.topic == "member:added" and event.user_id is not None:
            await self._move(event.user_id, room, joining=True)
        await self.server.emit(event.topic, message, room=room)
        if event.topic == "member:removed" and event.user_id is not None:
            await self._move(event.user_id, room, joining=False)
        elif event.topic == "project:deleted":
            await self.server.close_room(room)

    async def _move(self, user_id: uuid.UUID, room: str, *, joining: bool) -> None:
        async with self.connections.rooms_of(user_id):
            for sid in self.connections.of_user(user_id):
                if joining:
                    await self.server.enter_room(sid, room)
                else:
                    await self.server.leave_room(sid, room)

    async def _end_session(self, event: Event, message: dict[str, Any]) -> None:
        session_id = uuid.UUID(event.data["sessionId"])
        for sid in self.connections.of_session(session_id):
            connection = self.connections.by_sid.get(sid)
            if connection is not None:
                connection.ended = True
            await self.server.emit(SESSION_ENDED, message, to=sid)
            await self.server.disconnect(sid)
