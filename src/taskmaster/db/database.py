"""The database handle: reads on a replica where read-your-writes allows, writes on the
primary, ORM sessions for the transactions of the account domain, and pools kept trim."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

import asyncpg
import structlog
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.util import greenlet_spawn

from taskmaster.cache.base import KeyValue
from taskmaster.config import Settings
from taskmaster.db.engine import create_engine, display_name, postgres_engine
from taskmaster.db.failures import (
    DRIVER_CONNECTION_ERRORS,
    REPLICA_REFUSALS,
    DatabaseUnavailable,
    is_unavailable,
)
from taskmaster.db.pool import TrimmingPool
from taskmaster.db.query import Query, Rows, execute, fetch, fetch_on_driver, on_driver
from taskmaster.db.read_your_writes import UNKNOWN, WriteMarks
from taskmaster.db.replicas import PRIMARY_POSITION, Replica, ReplicaSet

log = structlog.get_logger(__name__)
REPLICA_WAIT = 0.05  # seconds a read waits for a replica's connection before using the primary
# A replica busy or refusing one statement: the primary answers, the replica stays in use.
SKIP_REPLICA: tuple[type[Exception], ...] = (SQLAlchemyTimeout, *REPLICA_REFUSALS)


def _pool(engine: AsyncEngine) -> TrimmingPool:
    return cast(TrimmingPool, engine.pool)


T = TypeVar("T")
DriverWork = Callable[[Any], Awaitable[T]]  # work on an asyncpg connection


class Transaction:
    """Statements in one transaction, as Database.transaction hands them to its work."""

    def __init__(self, run: Callable[[Query, Mapping[str, Any]], Awaitable[Rows]]) -> None:
        self._run = run

    @classmethod
    def on(cls, connection: AsyncConnection) -> Transaction:
        """The statements of the transaction SQLAlchemy runs on `connection` (an ORM
        session's, say): through SQLAlchemy, since a statement sent straight to the driver
        before SQLAlchemy's first would run ahead of its BEGIN, and commit alone."""
        return cls(functools.partial(execute, connection))

    async def fetch(self, query: Query, values: Mapping[str, Any]) -> Rows:
        return await self._run(query, values)


def _statements(
    queries: tuple[Query, ...], values: Mapping[str, Any], engine: AsyncEngine
) -> DriverWork[list[Rows]]:
    """Work that runs `queries` one after the other and answers their rows."""

    async def run(driver: Any) -> list[Rows]:
        return [await fetch_on_driver(driver, engine.dialect, q, values) for q in queries]

    return run


class Database:
    """One primary, any number of streaming replicas, one statement per read or write.

    On PostgreSQL a read or a write is one statement outside any explicit transaction:
    no BEGIN and COMMIT round trips, and PostgreSQL makes the statement atomic by itself.
    On SQLite each runs in a transaction of its own on the one connection.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        replicas: ReplicaSet | None = None,
        marks: WriteMarks | None = None,
        keep_open: int = 0,
        idle_seconds: float = 10.0,
    ) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.replicas = replicas
        self._marks = marks
        self._keep_open = keep_open
        self._idle_seconds = idle_seconds
        self._embedded = engine.dialect.name == "sqlite"
        self._keeper: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()

    @classmethod
    def from_settings(cls, settings: Settings, store: KeyValue) -> Database:
        engine = create_engine(settings)
        if not settings.database_replica_urls:
            return cls(
                engine,
                keep_open=0 if settings.uses_sqlite else settings.db_pool_min,
                idle_seconds=settings.db_pool_idle_seconds,
            )
        # A replica with no free connection at once is no reason to wait: the primary reads.
        replica_settings = settings.model_copy(update={"db_pool_timeout": REPLICA_WAIT})
        replicas = ReplicaSet(
            primary=engine,
            replicas=[
                Replica(display_name(url), postgres_engine(url, replica_settings))
                for url in settings.database_replica_urls
            ],
            max_lag=settings.db_replica_max_lag_seconds,
            interval=settings.db_replica_check_seconds,
        )
        # A mark outlives every replica still allowed to serve reads without the write: one
        # as far behind as allowed, by a verdict as old as allowed, measured a check late.
        ttl = replicas.max_lag + replicas.fresh_for + replicas.interval + 1
        return cls(
            engine,
            replicas=replicas,
            marks=WriteMarks(store, ttl),
            keep_open=0 if settings.uses_sqlite else settings.db_pool_min,
            idle_seconds=settings.db_pool_idle_seconds,
        )

    def session(self) -> AsyncSession:
        """An ORM session on the primary, for multi-statement transactions."""
        return self.sessions()

    async def read(
        self, query: Query, values: Mapping[str, Any], *, reader: uuid.UUID | None = None
    ) -> Rows:
        """Run a query that writes nothing: on a replica that has `reader`'s last write, on
        the primary when none has or a replica fails (it is skipped until it recovers)."""
        [rows] = await self.read_all((query,), values, reader=reader)
        return rows

    async def read_primary(self, query: Query, values: Mapping[str, Any]) -> Rows:
        """Run a query that writes nothing on the primary: to learn why a write just made
        there changed nothing, which a replica may not know yet."""
        [rows] = await self._run(self.engine, (query,), values, retry=True)
        return rows

    async def read_all(
        self,
        queries: tuple[Query, ...],
        values: Mapping[str, Any],
        *,
        reader: uuid.UUID | None = None,
    ) -> list[Rows]:
        """Run `queries` one after the other on one server, as `read` runs one: what a later
        query sees is at least as new as what an earlier one saw."""
        if self.replicas is not None and self._marks is not None:
            replica = self.replicas.choose(await self._marks.needed(reader))
            if replica is not None:
                try:
                    return await self._run(replica.engine, queries, values)
                except SKIP_REPLICA:
                    pass  # busy, or a query cancelled by recovery: the primary answers
                except Exception as error:
                    if not is_unavailable(error):
                        raise
                    self.replicas.mark_down(replica, error)
        return await self._run(self.engine, queries, values, retry=True)

    async def write(
        self, query: Query, values: Mapping[str, Any], *, writer: uuid.UUID | None = None
    ) -> Rows:
        """Run one writing statement on the primary; `writer`'s reads will see it."""
        if self._embedded:
            async with self.engine.begin() as connection:
                return await fetch(connection, query, values)
        [rows] = await self._on_driver(self.engine, _statements((query,), values, self.engine))
        await self._remember_write(writer)
        return rows

    async def transaction(
        self, work: Callable[[Transaction], Awaitable[T]], *, writer: uuid.UUID | None = None
    ) -> T:
        """Run `work`'s statements in one transaction on the primary: committed when `work`
        returns, rolled back when it raises. For the few writes one statement cannot make."""
        if self._embedded:
            async with self.engine.begin() as connection:
                return await work(Transaction(functools.partial(fetch, connection)))
        dialect = self.engine.dialect

        async def transact(driver: Any) -> T:
            async with driver.transaction():
                return await work(Transaction(functools.partial(fetch_on_driver, driver, dialect)))

        result = await self._on_driver(self.engine, transact)
        await self._remember_write(writer)
        return result

    async def mark_fresh(self, reader: uuid.UUID) -> None:
        """From now on `reader` reads everything committed before now, as after a write of its
        own: a client about to catch up on what others wrote."""
        await self._remember_write(reader)

    async def _remember_write(self, writer: uuid.UUID | None) -> None:
        """Read the primary's position after a commit: a replica past it has the commit too.
        If that read fails, the write still stands (a retry would duplicate it): the writer
        then reads from the primary until no replica can lack the write."""
        if self._marks is None or writer is None:
            return
        try:
            [position] = await self._on_driver(
                self.engine, _statements((PRIMARY_POSITION,), {}, self.engine)
            )
        except DatabaseUnavailable:
            await self._marks.remember(writer, UNKNOWN)
        else:
            await self._marks.remember(writer, int(position[0][0]))

    async def _run(
        self,
        engine: AsyncEngine,
        queries: tuple[Query, ...],
        values: Mapping[str, Any],
        *,
        retry: bool = False,
    ) -> list[Rows]:
        """Statements that write nothing; with `retry`, once more on a fresh connection
        when the first one turns out dead (as after a quiet night behind a firewall)."""
        if self._embedded:
            connection: AsyncConnection
            async with engine.connect() as connection:
                return [await fetch(connection, query, values) for query in queries]
        return await self._on_driver(engine, _statements(queries, values, engine), retry=retry)

    async def _on_driver(
        self, engine: AsyncEngine, work: DriverWork[T], *, retry: bool = False
    ) -> T:
        """Do `work` on one pooled connection, straight on asyncpg.

        The hot path: a connection is taken from the pool directly, in turn when all are busy;
        only when one must be opened or reopened does SQLAlchemy's checkout run.
        With `retry`, work that met a dead idle connection runs again through that checkout.
        """
        pool = _pool(engine)
        record = await pool.take()
        if record is None:
            return await self._checked_out(engine, work)
        try:
            result = await work(record.driver_connection)
        except DRIVER_CONNECTION_ERRORS as error:
            pool.distrust(record, error)
            if retry:
                return await self._checked_out(engine, work)
            raise DatabaseUnavailable() from error
        except asyncpg.PostgresError:
            pool.give_back(record)  # the server refused the statement; the connection is fine
            raise
        except BaseException as error:  # cancelled mid-statement, or worse: state unknown
            pool.discard(record, error)
            raise
        pool.give_back(record)
        return result

    async def _checked_out(self, engine: AsyncEngine, work: DriverWork[T]) -> T:
        """The same through SQLAlchemy's checkout, which waits for or opens a connection."""
        try:
            async with engine.connect() as connection:
                return await on_driver(connection, work)
        except DRIVER_CONNECTION_ERRORS as error:  # no server to connect to
            raise DatabaseUnavailable() from error

    @property
    def engines(self) -> list[AsyncEngine]:
        replicas = self.replicas.replicas if self.replicas else []
        return [self.engine, *(replica.engine for replica in replicas)]

    def stats(self) -> dict[str, Any]:
        """The pools' use and the replicas' health, for operators."""
        details: dict[str, Any] = {"pool": _pool(self.engine).stats().as_dict()}
        if self.replicas is not None:
            details["replicas"] = [
                {**replica.describe(), "pool": _pool(replica.engine).stats().as_dict()}
                for replica in self.replicas.replicas
            ]
        return details

    async def _open(self, engine: AsyncEngine, count: int) -> None:
        """Open `count` connections at once and hand them back to the pool."""
        async with contextlib.AsyncExitStack() as stack:
            for _ in range(count):
                await stack.enter_async_context(engine.connect())

    async def _keep_pools(self) -> None:
        """Open the floor of connections, then close those idle too long above it."""
        for engine in self.engines:
            try:
                await self._open(engine, min(self._keep_open, _pool(engine).size()))
            except Exception as error:  # a server down at start-up is not fatal
                log.warning("could not open the pool's first connections", error=str(error))
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._idle_seconds / 2)
            if self._closing.is_set():
                return  # not cancelled: a trim half done would leave a connection half closed
            for engine in self.engines:
                try:
                    await greenlet_spawn(_pool(engine).trim, self._keep_open, self._idle_seconds)
                except Exception as error:  # closing a dead connection; the next round retries
                    log.warning("could not trim the pool", error=str(error))

    def start(self) -> None:
        """Begin the background work: pool upkeep and, with replicas, checking them."""
        if self._keeper is None and not self._embedded:
            self._keeper = asyncio.create_task(self._keep_pools(), name="pool-keeper")
        if self.replicas is not None:
            self.replicas.start()

    async def dispose(self) -> None:
        self._closing.set()
        if self._keeper is not None:
            await asyncio.gather(self._keeper, return_exceptions=True)
            self._keeper = None
        if self.replicas is not None:
            await self.replicas.close()
        await self.engine.dispose()
