"""The fast lane: the hottest routes, served without the framework's per-request machinery.

A task list or create is a few hundred microseconds of work; FastAPI's routing, dependency
solving and inner middleware (telemetry, exception wrappers, exit stacks) added about as much
again on this machine. Lane routes are plain `async def endpoint(request) -> Response`
functions, found by one dict lookup, behind the same outer middleware (CORS, security
headers, body limit) and rendering every failure with the same error handlers as the rest.
Everything the lane does not know goes on to the FastAPI app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from taskmaster.api import errors

Endpoint = Callable[[Request], Awaitable[Response]]
PARAMETER = "{task_id}"


@dataclass(frozen=True)
class LaneRoute:
    """`method` on `path`, which may end in one path parameter: /tasks/{task_id}."""

    method: str
    path: str
    endpoint: Endpoint


class Lane:
    """Routes matched by method and exact path, or by method and the path before its last
    segment; HEAD is answered wherever GET is."""

    def __init__(self, routes: Iterable[LaneRoute]) -> None:
        self._exact: dict[tuple[str, str], LaneRoute] = {}
        self._parent: dict[tuple[str, str], tuple[str, LaneRoute]] = {}
        self._methods: dict[str, set[str]] = {}  # by path, or by parent path + "/{}"
        for route in routes:
            methods = (route.method, "HEAD") if route.method == "GET" else (route.method,)
            parent, _, last = route.path.rpartition("/")
            is_parameter = last.startswith("{") and last.endswith("}")
            known = self._methods.setdefault(
                f"{parent}/{{}}" if is_parameter else route.path, set()
            )
            known.update(methods)
            for method in methods:
                if is_parameter:
                    self._parent[method, parent] = (last[1:-1], route)
                else:
                    self._exact[method, route.path] = route

    def allowed(self, path: str) -> set[str]:
        """The methods the lane answers on `path`; empty when it knows no such path."""
        exact = self._methods.get(path)
        if exact is not None:
            return exact
        parent, _, last = path.rpartition("/")
        return self._methods.get(f"{parent}/{{}}", set()) if last else set()

    def match(self, scope: Scope) -> Endpoint | None:
        """The endpoint for this request, with its path parameter and its route (as the
        framework's router does: the request log names the route) put into the scope."""
        method, path = scope["method"], scope["path"]
        route = self._exact.get((method, path))
        if route is None:
            parent, _, last = path.rpartition("/")
            found = self._parent.get((method, parent)) if last else None
            if found is None:
                return None
            name, route = found
            scope["path_params"] = {name: last}
        scope["route"] = route
        return route.endpoint


class LaneApp:
    """Serves what the lane matches; hands everything else to `app`."""

    def __init__(self, app: ASGIApp, lane: Lane) -> None:
        self.app = app
        self.lane = lane

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.lane.match(scope) if scope["type"] == "http" else None
        if endpoint is None:
            allowed = self.lane.allowed(scope["path"]) if scope["type"] == "http" else set()
            if not allowed:
                await self.app(scope, receive, send)
                return
            endpoint = _not_allowed(allowed)
        request = Request(scope, receive)
        try:
            response = await endpoint(request)
        except Exception as error:  # rendered exactly as the framework's handlers would
            response = await errors.render(request, error)
        await response(scope, receive, send)


def _not_allowed(allowed: set[str]) -> Endpoint:
    """A lane path asked with a method it does not answer: 405, as the version renders it."""

    async def refuse(request: Request) -> Response:
        raise HTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})

    return refuse
