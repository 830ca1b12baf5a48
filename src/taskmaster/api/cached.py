"""Task reads through the read cache, on the wire: an answer is kept as the bytes it was
sent as, and a hit is sent as those bytes, with no model built or serialised again.

An entry is one line of the answer's own headers (JSON), then its body. A v2 list carries
a weak ETag made from the stamp of its audience's generations: known without the database,
so `If-None-Match` answers 304 from the cache alone. A single task keeps its own ETag (its
revision), stored with it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.deps import runtime_of
from taskmaster.api.responses import JSONBytes
from taskmaster.ids import parse_uuid

KEPT_HEADERS = ("etag", "x-total-count")
CONTENT_TYPE = (b"content-type", JSONBytes.media_type.encode())


def view_of(request: Request) -> str:
    """What identifies a read for one user: its path and its query, in any order. Read
    from the scope: a hit should not pay for Starlette's URL and query objects."""
    scope = request.scope
    raw_query: bytes = scope["query_string"]
    query = sorted(parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True))
    text = orjson.dumps([scope["path"], query]) if query else scope["path"].encode()
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def project_named(request: Request) -> uuid.UUID | None:
    """The one project a read names (projectId), if it names a valid one."""
    return parse_uuid(request.query_params.get("projectId") or "")


class KeptResponse(Response):
    """A kept answer sent again: its body and its headers as they were, with no rendering."""

    media_type = JSONBytes.media_type

    def __init__(self, body: bytes, headers: dict[str, str], status_code: int = 200) -> None:
        self.status_code = status_code
        self.background = None
        self.body = body
        self.raw_headers = [  # in Starlette's order
            *((name.encode(), value.encode()) for name, value in headers.items()),
            (b"content-length", str(len(body)).encode()),
            CONTENT_TYPE,
        ]


def _entry(response: Response) -> bytes:
    kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    return orjson.dumps(kept) + b"\n" + bytes(response.body)


def _none_match(request: Request, etag: str) -> bool:
    """Whether If-None-Match names `etag` (weakly compared, as GET does) or is *."""
    given = request.headers.get("if-none-match")
    if given is None:
        return False
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") in (bare, "*") for tag in given.split(","))


async def cached(
    request: Request,
    user: uuid.UUID,
    produce: Callable[[], Awaitable[Response]],
    *,
    project: uuid.UUID | None = None,
    list_etag: bool = False,
) -> Response:
    """`produce`'s answer to this read of `user`'s tasks (of `project`, or of all their
    projects), from the read cache when it has it; with `list_etag`, a weak ETag made from
    the stamp, and 304 when If-None-Match names it."""
    reads = runtime_of(request).reads
    if reads is None:
        return await produce()
    view = view_of(request)

    async def entry() -> bytes:
        return _entry(await produce())

    read = await reads.read(user, project, view, entry)
    line, body = read.entry.split(b"\n", 1)
    headers: dict[str, str] = orjson.loads(line)
    if list_etag and read.stamp is not None:
        headers["etag"] = f'W/"{read.stamp[:24]}{view[:8]}"'
    etag = headers.get("etag")
    if etag is not None and _none_match(request, etag):
        return Response(status_code=304, headers={"etag": etag})
    return KeptResponse(body, headers)
