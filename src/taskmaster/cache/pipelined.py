"""A Redis client for the read cache's hot path: one connection per process, pipelined.

A cached read is one Redis round trip, and with redis-py that round trip was nearly half of
what a hit cost a worker: a connection taken from the pool and given back, a timeout context
and a write system call for every command. Here every command a process issues in
one turn of the event loop goes out in one write on one shared connection, and the replies,
which Redis sends in order, are matched to their callers in order (hiredis parses them). Under
load, dozens of reads share each write and each read.

A slow Redis costs a command `timeout` seconds at most: a watchdog looks at the oldest
command waiting, and when it has waited too long the connection is dropped and every waiting
command fails, as a paused Redis's would. The next command opens a new connection. Failures
are OSError (ConnectionError, TimeoutError), and an error reply is raised as `ReplyError`.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast
from urllib.parse import unquote, urlsplit

import hiredis

ReplyError = hiredis.ReplyError
Argument = str | bytes | int | float


def _packed(arguments: Sequence[Argument]) -> bytes:
    """One command in Redis's protocol."""
    # hiredis's stub types the command as a tuple of one item; it takes any number.
    packed: bytes = hiredis.pack_command(tuple(arguments))  # type: ignore[arg-type]
    return packed


@dataclass(frozen=True)
class Address:
    """Where Redis listens and how to sign in, read from a redis://, rediss:// or unix:// URL."""

    host: str | None
    port: int
    path: str | None  # a Unix socket
    tls: bool
    username: str | None
    password: str | None
    db: int

    @classmethod
    def parse(cls, url: str) -> Address:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"a Redis URL starts redis://, rediss:// or unix://, not {url!r}")
        query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
        db = (parts.path.strip("/") if parts.scheme != "unix" else "") or query.get("db", "0")
        return cls(
            host=None if parts.scheme == "unix" else parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            path=parts.path if parts.scheme == "unix" else None,
            tls=parts.scheme == "rediss",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            db=int(db),
        )


class _Connection(asyncio.Protocol):
    """One connection: commands written in batches, replies matched in order."""

    def __init__(self, timeout: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._timeout = timeout
        self._transport: asyncio.Transport | None = None
        self._reader = hiredis.Reader()
        self._unsent: list[bytes] = []
        self._waiting: deque[tuple[asyncio.Future[object], float]] = deque()
        self._watchdog: asyncio.TimerHandle | None = None
        # Resolved by connection_made; a connection that fails in it is never usable.
        self.made: asyncio.Future[None] = self._loop.create_future()
        self.open = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are no subclasses of asyncio's, though they behave as them.
        self._transport = cast(asyncio.Transport, transport)
        self.open = True
        self.made.set_result(None)

    def send(self, command: bytes) -> asyncio.Future[object]:
        if not self.open:
            raise ConnectionError("the Redis connection is closed")
        if not self._unsent:
            self._loop.call_soon(self._flush)
        self._unsent.append(command)
        reply: asyncio.Future[object] = self._loop.create_future()
        self._waiting.append((reply, self._loop.time()))
        if self._watchdog is None:
            self._watchdog = self._loop.call_later(self._timeout, self._watch)
        return reply

    def _flush(self) -> None:
        if self._transport is not None and self.open:
            self._transport.write(b"".join(self._unsent))
        self._unsent.clear()

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        try:
            reply = self._reader.gets()
            while reply is not False:
                waiting, _ = self._waiting.popleft()
                if not waiting.done():  # the caller may have given up on it
                    waiting.set_result(reply)
                reply = self._reader.gets()
        except (hiredis.ProtocolError, IndexError) as error:  # garbled, or a reply unasked
            self.close(ConnectionError(f"Redis protocol error: {error}"))

    def _watch(self) -> None:
        """Fail everything when the oldest command waited past the timeout; else look again
        when it will have."""
        self._watchdog = None
        if not self._waiting:
            return
        deadline = self._waiting[0][1] + self._timeout
        if self._loop.time() >= deadline:
            self.close(TimeoutError(f"Redis did not answer within {self._timeout * 1000:.0f} ms"))
        else:
            self._watchdog = self._loop.call_at(deadline, self._watch)

    def connection_lost(self, exc: Exception | None) -> None:
        self.close(ConnectionError(f"Redis connection lost: {exc or 'closed by the server'}"))

    def close(self, error: OSError) -> None:
        self.open = False
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self._waiting:
            waiting, _ = self._waiting.popleft()
            if not waiting.done():
                waiting.set_exception(error)
        transport, self._transport = self._transport, None
        if transport is not None:  # once: connection_lost comes here again
            transport.abort()


class PipelinedRedis:
    """Commands to the Redis at `url`, each failing after `timeout` seconds without a reply;
    a connection gets `connect_timeout` seconds to open."""

    def __init__(self, url: str, *, timeout: float, connect_timeout: float) -> None:
        self.address = Address.parse(url)
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._connection: _Connection | None = None
        self._connecting = asyncio.Lock()

    async def call(self, *arguments: Argument) -> object:
        """The reply to one command; raises ReplyError for an error reply."""
        connection = self._connection
        if connection is None or not connection.open:
            connection = await self._connect()
        reply = await connection.send(_packed(arguments))
        if isinstance(reply, ReplyError):
            raise reply
        return reply

    async def _connect(self) -> _Connection:
        async with self._connecting:
            if self._connection is not None and self._connection.open:
                return self._connection  # another caller connected meanwhile
            connection = await asyncio.wait_for(self._open(), self._connect_timeout)
            self._connection = connection
            return connection

    async def _open(self) -> _Connection:
        address, loop = self.address, asyncio.get_running_loop()
        connection = _Connection(self._timeout)
        if address.path is not None:
            await loop.create_unix_connection(lambda: connection, address.path)
        else:
            assert address.host is not None, "a TCP address has a host"
            context = ssl.create_default_context() if address.tls else None
            await loop.create_connection(
                lambda: connection, address.host, address.port, ssl=context
            )
        await connection.made
        try:
            for command in self._hello():
                reply = await connection.send(_packed(command))
                if isinstance(reply, ReplyError):
                    raise ConnectionError(f"Redis refused {command[0]!s}: {reply}")
        except BaseException:
            connection.close(ConnectionError("closed while signing in"))
            raise
        return connection

    def _hello(self) -> list[tuple[Argument, ...]]:
        address = self.address
        commands: list[tuple[Argument, ...]] = []
        if address.password is not None:
            who = (address.username,) if address.username else ()
            commands.append(("AUTH", *who, address.password))
        if address.db:
            commands.append(("SELECT", address.db))
        return commands

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close(ConnectionError("the client was closed"))
            self._connection = None


class Script:
    """A Lua script run by its digest, sent whole only when Redis does not know it yet."""

    def __init__(self, client: PipelinedRedis, source: str) -> None:
        self._client = client
        self._source = source
        self.digest = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    async def __call__(self, keys: Sequence[str], arguments: Sequence[Argument]) -> object:
        try:
            return await self._client.call("EVALSHA", self.digest, len(keys), *keys, *arguments)
        except ReplyError as error:
            if not str(error).startswith("NOSCRIPT"):
                raise
        return await self._client.call("EVAL", self._source, len(keys), *keys, *arguments)
