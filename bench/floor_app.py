"""The floor: a bare ASGI app doing only the I/O of the v1 task list and create.

No framework, no auth, no validation: asyncpg runs exactly the statements TaskMaster runs
(compiled at import by TaskMaster's own builder, so they cannot drift) and orjson writes the
same envelope bytes. Served by bench/hot_path.sh (uvicorn, 2 workers); never part of the product.
The caller names the user in the X-User header; DATABASE_URL says where PostgreSQL is.

GET /floor/cached is the floor of a cached list: the same bytes after one Redis GET (the first
request of a user stores them), with REDIS_URL and REDIS_PREFIX as TaskMaster's, through
redis-py (the standard client). GET /floor/pipelined does the same through TaskMaster's own
pipelined client (taskmaster.cache.pipelined), which its read cache uses.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from redis.asyncio import Redis

from taskmaster.api.v1.serialize import TASK_FIELDS
from taskmaster.cache.pipelined import PipelinedRedis
from taskmaster.clock import whole_millis
from taskmaster.db.query import asyncpg_dialect
from taskmaster.ids import uuid7
from taskmaster.tasks.filters import TaskFilter
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.queries import Statements

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PATH = "/floor/tasks"
CACHED_PATH = "/floor/cached"
PIPELINED_PATH = "/floor/pipelined"
LIST_FILTER = TaskFilter()  # GET /api/v1/tasks with no query: newest first, up to 1,000
# TaskMaster's defaults (DB_POOL_MIN, DB_POOL_MAX); the benchmark sets the maximum for both.
POOL_MIN, POOL_MAX = 5, int(os.environ.get("DB_POOL_MAX", "20"))

_statements = Statements()
LIST_SQL, LIST_NAMES = _statements.page(LIST_FILTER).compiled(asyncpg_dialect())
INSERT_SQL, INSERT_NAMES = _statements.insert(assigned=False).compiled(asyncpg_dialect())
CREATED_MESSAGE = "Task created successfully"

JSON_HEADERS = [(b"content-type", b"application/json")]


class Floor:
    """The pool, opened at lifespan start-up in each worker."""

    pool: asyncpg.Pool | None = None
    redis: Redis | None = None
    pipelined: PipelinedRedis | None = None


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Nothing to reset: the floor changes no session state. asyncpg's default reset runs
    RESET ALL, CLOSE ALL, ... on every release, a second round trip per request, which
    TaskMaster (SQLAlchemy's pool, no transaction open) does not make."""


def _dsn() -> str:
    url = os.environ["DATABASE_URL"]
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] = JSON_HEADERS
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _user(scope: Scope) -> uuid.UUID:
    for name, value in scope["headers"]:
        if name == b"x-user":
            return uuid.UUID(value.decode("ascii"))
    raise ValueError("no X-User header")


async def _body(receive: Receive) -> bytes:
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _list_body(pool: asyncpg.Pool, user: uuid.UUID) -> tuple[bytes, int]:
    values = {"caller_id": user, "limit": LIST_FILTER.limit, "offset": LIST_FILTER.offset}
    rows = await pool.fetch(LIST_SQL, *[values[name] for name in LIST_NAMES])
    # zip stops at the nine rendered fields: the tenth column is the sort value.
    data = [dict(zip(TASK_FIELDS, row, strict=False)) for row in rows]
    return orjson.dumps({"success": True, "data": data}), len(rows)


async def _send_list(send: Send, body: bytes, count: int) -> None:
    headers = [*JSON_HEADERS, (b"x-total-count", str(count).encode())]
    await _respond(send, 200, body, headers)


async def _list(pool: asyncpg.Pool, user: uuid.UUID, send: Send) -> None:
    await _send_list(send, *await _list_body(pool, user))


async def _get(key: str) -> bytes | None:
    assert Floor.redis is not None, "opened at start-up"
    found = await Floor.redis.get(key)
    return found.encode() if isinstance(found, str) else found


async def _get_pipelined(key: str) -> bytes | None:
    assert Floor.pipelined is not None, "opened at start-up"
    found = await Floor.pipelined.call("GET", key)
    return found if isinstance(found, bytes) else None


async def _cached_list(
    pool: asyncpg.Pool,
    get: Callable[[str], Awaitable[bytes | None]],
    user: uuid.UUID,
    send: Send,
) -> None:
    key = f"{os.environ.get('REDIS_PREFIX', '')}floor:{user.hex}"
    kept = await get(key)
    if kept is None:
        body, count = await _list_body(pool, user)
        kept = str(count).encode() + b"\n" + body
        assert Floor.redis is not None, "opened at start-up"
        await Floor.redis.set(key, kept, ex=3600)
    line, cached_body = kept.split(b"\n", 1)
    await _send_list(send, cached_body, int(line))


async def _create(pool: asyncpg.Pool, user: uuid.UUID, receive: Receive, send: Send) -> None:
    title = orjson.loads(await _body(receive))["title"]
    values: dict[str, Any] = {
        "new_id": uuid7(),
        "caller_id": user,
        "project_id": user,  # the user's Inbox
        "new_title": title,
        "new_description": "",
        "new_status": Status.PENDING.value,
        "new_priority": Priority.MEDIUM.value,
        "new_due_date": None,
        "now": whole_millis(datetime.now(UTC)),
    }
    row = await pool.fetchrow(INSERT_SQL, *[values[name] for name in INSERT_NAMES])
    data = dict(zip(TASK_FIELDS, row, strict=False))  # v1 shows all but the revision
    body = orjson.dumps({"success": True, "data": data, "message": CREATED_MESSAGE})
    await _respond(send, 201, body)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            Floor.pool = await asyncpg.create_pool(
                _dsn(), min_size=POOL_MIN, max_size=POOL_MAX, reset=_keep_session
            )
            if os.environ.get("REDIS_URL"):
                Floor.redis = Redis.from_url(os.environ["REDIS_URL"])
                # TaskMaster's read cache timeout (READ_CACHE_TIMEOUT_MS's default)
                Floor.pipelined = PipelinedRedis(
                    os.environ["REDIS_URL"], timeout=0.05, connect_timeout=0.5
                )
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if Floor.pool is not None:
                await Floor.pool.close()
            if Floor.redis is not None:
                await Floor.redis.aclose()
            if Floor.pipelined is not None:
                await Floor.pipelined.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    pool = Floor.pool
    assert pool is not None, "the pool opens at lifespan start-up"
    if scope["path"] == CACHED_PATH and scope["method"] == "GET" and Floor.redis is not None:
        await _cached_list(pool, _get, _user(scope), send)
    elif scope["path"] == PIPELINED_PATH and scope["method"] == "GET" and Floor.redis is not None:
        await _cached_list(pool, _get_pipelined, _user(scope), send)
    elif scope["path"] != PATH:
        await _respond(send, 404, b'{"success":false,"error":"Not found"}')
    elif scope["method"] == "GET":
        await _list(pool, _user(scope), send)
    elif scope["method"] == "POST":
        await _create(pool, _user(scope), receive, send)
    else:
        await _respond(send, 405, b'{"success":false,"error":"Method not allowed"}')
