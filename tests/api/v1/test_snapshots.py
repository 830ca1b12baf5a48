"""v1's wire format, frozen: scripted sessions over HTTP whose answers must equal, byte for
byte, the committed snapshots in snapshots/ (one file per scenario, the same for every backend).

Each exchange keeps the request as sent, the status, the headers a client notices and the
body's bytes. Ids and tokens differ on every run: each distinct one becomes a numbered
placeholder (<id-1>, <access-2>, <refresh-3>), replaced in the text with regexes, never by
parsing and re-dumping JSON, as key order and spacing are part of the format. The clock
starts at a fixed moment and moves one second per request, so timestamps stay as they are.

A deliberate change to v1 (rare: v1 is frozen) is accepted by rewriting the snapshots, never
automatically: `UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/api/v1/test_snapshots.py`, then
review the diff of tests/api/v1/snapshots/ before committing it.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.api.accounts import bearer
from tests.conftest import FakeClock

SNAPSHOTS = Path(__file__).parent / "snapshots"
SUFFIX = ".http"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
# On a quarter hour, so the sign-in throttle's windows start with the script.
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
USER_AGENT = "taskmaster-snapshots/1"
SHOWN_HEADERS = frozenset(
    {
        "content-type",
        "x-total-count",
        "set-cookie",
        "retry-after",
        "deprecation",
        "sunset",
        "link",
        "vary",
    }
)
SHOWN_BODY_MAX = 300  # a longer request body is shown by its size
NO_BODY = b""

# What differs on every run, replaced in this order: refresh tokens first (where they are),
# then access tokens (JWTs), then UUIDs, which must not be looked for inside either.
VARYING = (
    ("refresh", re.compile(r'(?<="refreshToken":")[^"]+|(?<=tm_refresh=)[^;\s"]+')),
    ("access", re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")),
    ("id", re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")),
)
PLACEHOLDER = re.compile(r"<(refresh|access|id)-(\d+)>")


@pytest.fixture
def clock() -> FakeClock:
    """A fixed start: timestamps are the same on every run, so the snapshots keep them."""
    return FakeClock(START)


@dataclass
class Placeholders:
    """Each distinct varying value, numbered by kind in the order it first appeared."""

    seen: dict[str, dict[str, str]] = field(default_factory=dict)

    def __call__(self, text: str) -> str:
        for kind, pattern in VARYING:
            text = pattern.sub(functools.partial(self._name, kind), text)
        return text

    def _name(self, kind: str, match: re.Match[str]) -> str:
        names = self.seen.setdefault(kind, {})
        return names.setdefault(match.group(), f"<{kind}-{len(names) + 1}>")


def _shown(content: bytes) -> str:
    if len(content) > SHOWN_BODY_MAX:
        return f"<{len(content)} bytes>"
    return content.decode("utf-8", "backslashreplace").replace("\n", "\\n")


def render(
    label: str,
    request: httpx.Request,
    headers: Mapping[str, str],
    content: bytes,
    response: httpx.Response,
) -> str:
    """One exchange as the snapshot shows it: the request as sent (with the headers the
    script chose), then the status, the headers a client notices and the body's bytes."""
    lines = [f"### {label}", f"> {request.method} {request.url.raw_path.decode('ascii')}"]
    lines += [f"> {name.lower()}: {value}" for name, value in headers.items()]
    if content:
        lines += [">", f"> {_shown(content)}"]
    lines.append(f"< {response.status_code}")
    lines += [
        f"< {name}: {value}"
        for name, value in response.headers.multi_items()
        if name in SHOWN_HEADERS
    ]
    lines += ["<", f"< {response.content.decode('utf-8')}"]
    return "\n".join(lines) + "\n\n"


@dataclass
class Script:
    """A v1 session over HTTP, recording each exchange for the snapshot."""

    client: httpx.AsyncClient
    clock: FakeClock
    placeholders: Placeholders = field(default_factory=Placeholders)
    exchanges: list[str] = field(default_factory=list)

    async def send(
        self,
        label: str,
        method: str,
        target: str,
        *,
        json: Any = None,
        content: bytes = NO_BODY,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One request, a second after the one before, with no cookie but those it names."""
        self.clock.advance(seconds=1)
        self.client.cookies.clear()
        chosen = dict(headers or {})
        sent = {"User-Agent": USER_AGENT, **chosen}
        if json is not None:
            content = orjson.dumps(json)
            sent.setdefault("Content-Type", "application/json")
        request = self.client.build_request(method, target, content=content, headers=sent)
        response = await self.client.send(request)
        exchange = render(label, request, chosen, content, response)
        self.exchanges.append(self.placeholders(exchange))
        return response

    @property
    def text(self) -> str:
        return "".join(self.exchanges)


def data(response: httpx.Response) -> Any:
    """The `data` of a success the script goes on with."""
    assert response.is_success, response.text
    return response.json()["data"]


PASSWORD = "correct horse 1"
REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
PROFILE = "/api/v1/auth/profile"
PASSWORD_CHANGE = "/api/v1/auth/password"
REFRESH = "/api/v1/auth/refresh"
REVOKE = "/api/v1/auth/revoke"
LOGOUT = "/api/v1/auth/logout"
LOGOUT_ALL = "/api/v1/auth/logout-all"
SESSIONS = "/api/v1/auth/sessions"
TASKS = "/api/v1/tasks"
SUMMARY = "/api/v1/tasks/summary"
UNKNOWN_ID = "00000000-0000-7000-8000-000000000000"
BROWSER = {"X-Requested-With": "XMLHttpRequest"}


async def register(script: Script, email: str, name: str = "Tess Ter") -> Any:
    """A new account's sign-in data."""
    body = {"email": email, "password": PASSWORD, "name": name}
    return data(await script.send(f"register {email}", "POST", REGISTER, json=body))


async def login(
    script: Script, label: str = "log in", headers: Mapping[str, str] | None = None
) -> Any:
    """A new session's sign-in data, for alice@example.com."""
    body = {"email": "alice@example.com", "password": PASSWORD}
    return data(await script.send(label, "POST", LOGIN, json=body, headers=headers))


# Scenarios -----------------------------------------------------------------------------------

Cases = tuple[tuple[str, dict[str, Any]], ...]
B = "b@example.com"
BAD_REGISTRATIONS: Cases = (
    ("register without a name", {"email": B, "password": PASSWORD}),
    ("register with a blank name", {"email": B, "password": PASSWORD, "name": " "}),
    ("register with a short password", {"email": B, "password": "short", "name": "B"}),
    ("register with a common password", {"email": B, "password": "password123", "name": "B"}),
    (
        "register with an invalid email",
        {"email": "not-an-email", "password": PASSWORD, "name": "B"},
    ),
    ("register with a name that is no string", {"email": B, "password": PASSWORD, "name": 7}),
    ("register with a NUL in the name", {"email": B, "password": PASSWORD, "name": "B\x00"}),
)
NEW_PASSWORD = "another horse 2"
PASSWORD_CHANGES: Cases = (
    ("change the password without the new one", {"currentPassword": PASSWORD}),
    (
        "change the password, the current one wrong",
        {"currentPassword": "wrong password", "newPassword": NEW_PASSWORD},
    ),
    ("change the password to the same", {"currentPassword": PASSWORD, "newPassword": PASSWORD}),
    ("change the password to a short one", {"currentPassword": PASSWORD, "newPassword": "short"}),
    ("change the password", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}),
)


async def accounts(script: Script) -> None:
    """Register, log in, the profile, a password change, the sign-in throttle, expiry."""
    send = script.send
    token = (await register(script, "alice@example.com", name="  Alice  "))["token"]
    taken = {"email": "ALICE@example.com", "password": PASSWORD, "name": "Other"}
    await send("register a taken email, in another case", "POST", REGISTER, json=taken)
    for label, body in BAD_REGISTRATIONS:
        await send(label, "POST", REGISTER, json=body)
    spelled = {"email": " Alice@Example.com ", "password": PASSWORD, "remember": True}
    await send("log in, in another spelling, with an unknown member", "POST", LOGIN, json=spelled)
    await login(script, "log in as the browser app", headers=BROWSER)
    await send("log in without a password", "POST", LOGIN, json={"email": "alice@example.com"})
    wrong = {"email": "alice@example.com", "password": "wrong password"}
    await send("log in with a wrong password", "POST", LOGIN, json=wrong)
    unknown = {"email": "nobody@example.com", "password": PASSWORD}
    await send("log in with an unknown email", "POST", LOGIN, json=unknown)
    await send("the profile", "GET", PROFILE, headers=bearer(token))
    await send("the profile without a token", "GET", PROFILE)
    basic = {"Authorization": "Basic YTpi"}
    await send("the profile with another scheme", "GET", PROFILE, headers=basic)
    await send("the profile with an invalid token", "GET", PROFILE, headers=bearer("not.a.token"))
    for label, body in PASSWORD_CHANGES:
        await send(label, "POST", PASSWORD_CHANGE, json=body, headers=bearer(token))
    old = {"email": "alice@example.com", "password": PASSWORD}
    await send("log in with the old password", "POST", LOGIN, json=old)
    for attempt in range(1, 6):
        await send(f"log in with a wrong password again ({attempt})", "POST", LOGIN, json=wrong)
    script.clock.advance(minutes=15)
    await send("the profile, once the access token expired", "GET", PROFILE, headers=bearer(token))


NEW_TASKS: Cases = (
    ("create a task with defaults", {"title": "  Write tests  "}),
    (
        "create a task with every member",
        {
            "title": "Ship",
            "description": 'Ünïcödé ✓ 🚀 "quoted" \\ </script>',
            "status": "in-progress",
            "priority": "high",
            "dueDate": "2026-12-24T18:30:00+01:00",
        },
    ),
    (
        "create a task due on a date",
        {"title": "archive", "status": "completed", "priority": "low", "dueDate": "2026-05-01"},
    ),
    (
        "create a task due at a time without an offset, with an unknown member",
        {"title": "Book", "description": None, "dueDate": "2026-06-15T12:00:00", "color": "red"},
    ),
)
LISTS = (
    ("list every task", ""),
    ("list pending tasks", "?status=pending"),
    ("list high-priority tasks", "?priority=high"),
    ("search in any case", "?search=%20WRITE%20"),
    ("search the description", "?search=%C3%BCn%C3%AFc%C3%B6d%C3%A9"),
    ("sort by title", "?sort=title"),
    ("sort by due date", "?sort=dueDate"),
    ("sort by priority, highest first", "?sort=-priority"),
    ("a page", "?limit=2&offset=1"),
    ("a page beyond the last", "?offset=10"),
    ("empty filters", "?status=&priority=&search=&sort=&limit=&offset="),
)
UPDATES: Cases = (
    ("complete a task", {"status": "completed"}),
    ("set a due date", {"dueDate": "2026-06-01T08:00:00Z", "priority": "high"}),
    ("remove the due date and the description", {"dueDate": None, "description": None}),
    ("rename a task", {"title": "  Write more tests  ", "status": "pending"}),
    ("update nothing", {}),
)
BAD_TASKS: Cases = (
    ("create without a title", {"description": "no title"}),
    ("create with a null title", {"title": None}),
    ("create with a blank title", {"title": " \t "}),
    ("create with a title too long", {"title": "t" * 201}),
    ("create with a title that is no string", {"title": 42}),
    ("create with a NUL in the title", {"title": "a\x00b"}),
    ("create with a description that is no string", {"title": "T", "description": ["x"]}),
    ("create with a description too long", {"title": "T", "description": "d" * 10_001}),
    ("create with an unknown status", {"title": "T", "status": "done"}),
    ("create with a null status", {"title": "T", "status": None}),
    ("create with an unknown priority", {"title": "T", "priority": "urgent"}),
    ("create with an invalid due date", {"title": "T", "dueDate": "tomorrow"}),
    ("create with a due date that is no string", {"title": "T", "dueDate": 1767225600}),
)
BAD_UPDATES: Cases = (
    ("update to an empty title", {"title": ""}),
    ("update to a null title", {"title": None}),
    ("update to a null status", {"status": None}),
    ("update to an unknown priority", {"priority": "urgent"}),
)
BAD_LISTS = (
    ("list an unknown status", "?status=done"),
    ("list an unknown priority", "?priority=urgent"),
    ("list sorted by an unknown key", "?sort=color"),
    ("list with a limit of 0", "?limit=0"),
    ("list with a limit too large", "?limit=1001"),
    ("list with a limit that is no number", "?limit=ten"),
    ("list with a negative offset", "?offset=-1"),
    ("list with a search too long", "?search=" + "s" * 201),
)


async def tasks(script: Script) -> None:
    """Create, list with filters, sorts and pages, read, update, summarize and delete tasks;
    another user's tasks are not found; every kind of invalid input."""
    send = script.send
    alice = bearer((await register(script, "alice@example.com"))["token"])
    created = [
        data(await send(label, "POST", TASKS, json=body, headers=alice))
        for label, body in NEW_TASKS
    ]
    for label, query in LISTS:
        await send(label, "GET", TASKS + query, headers=alice)
    task = f"{TASKS}/{created[0]['id']}"
    await send("read a task", "GET", task, headers=alice)
    for label, body in UPDATES:
        await send(label, "PUT", task, json=body, headers=alice)
    await send("update with an empty body", "PUT", task, headers=alice)
    await send("the summary", "GET", SUMMARY, headers=alice)
    bob = bearer((await register(script, "bob@example.com"))["token"])
    await send("another user's task", "GET", task, headers=bob)
    await send("another user's update", "PUT", task, json={"title": "Mine"}, headers=bob)
    await send("another user's delete", "DELETE", task, headers=bob)
    await send("another user's list", "GET", TASKS, headers=bob)
    await send("another user's summary", "GET", SUMMARY, headers=bob)
    await send("delete a task", "DELETE", task, headers=alice)
    await send("read a deleted task", "GET", task, headers=alice)
    await send("update a deleted task", "PUT", task, json={"title": "Back"}, headers=alice)
    await send("delete a deleted task", "DELETE", task, headers=alice)
    await send("read an unknown task", "GET", f"{TASKS}/{UNKNOWN_ID}", headers=alice)
    for label, body in BAD_TASKS:
        await send(label, "POST", TASKS, json=body, headers=alice)
    for label, body in BAD_UPDATES:
        await send(label, "PUT", f"{TASKS}/{created[1]['id']}", json=body, headers=alice)
    for label, query in BAD_LISTS:
        await send(label, "GET", TASKS + query, headers=alice)
    await send("read a task by an id that is no UUID", "GET", f"{TASKS}/not-a-uuid", headers=alice)
    await send(
        "update a task by an id that is no UUID", "PUT", f"{TASKS}/42", json={}, headers=alice
    )
    await send("delete a task by an id that is no UUID", "DELETE", f"{TASKS}/42", headers=alice)
    await send("the summary, after it all", "GET", SUMMARY, headers=alice)


JSON = "application/json"
BODIES = (
    ("create with malformed JSON", b'{"title":', JSON),
    ("create with a JSON array", b'["title"]', JSON),
    ("create with JSON null", b"null", JSON),
    ("create with JSON that says it is text", b'{"title": "T"}', "text/plain"),
    ("create with a form", b"title=T", "application/x-www-form-urlencoded"),
    ("create with a +json media type", b'{"title": "T"}', "application/vnd.api+json"),
    ("create with a body too large", b'{"title": "' + b"t" * 1024 * 1024 + b'"}', JSON),
)
ROUTES = (
    ("an unknown route", "GET", "/api/v1/nope"),
    ("an unknown route below a task", "GET", f"{TASKS}/{UNKNOWN_ID}/comments"),
    ("a method a task does not answer", "PATCH", f"{TASKS}/{UNKNOWN_ID}"),
    ("a method the summary does not answer", "POST", SUMMARY),
    ("a method login does not answer", "GET", LOGIN),
    ("an unversioned unknown route", "GET", "/api/nope"),
)


async def transport(script: Script) -> None:
    """What any request may meet: authorization, bodies that are not JSON objects, sizes,
    media types, unknown routes and methods, and the unversioned paths of the MVP."""
    send = script.send
    alice = bearer((await register(script, "alice@example.com"))["token"])
    await send("list without a token", "GET", TASKS)
    scheme_only = {"Authorization": "Bearer"}
    await send("list with the scheme but no token", "GET", TASKS, headers=scheme_only)
    forged = bearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
    await send("list with a forged token", "GET", TASKS, headers=forged)
    for label, content, media_type in BODIES:
        headers = {**alice, "Content-Type": media_type}
        await send(label, "POST", TASKS, content=content, headers=headers)
    for label, content, media_type in (
        ("register with malformed JSON", b'{"email":', JSON),
        ("register with a form", b"email=a", "application/x-www-form-urlencoded"),
    ):
        headers = {"Content-Type": media_type}
        await send(label, "POST", REGISTER, content=content, headers=headers)
    await send("register with no body", "POST", REGISTER)
    for label, method, target in ROUTES:
        await send(label, method, target, headers=alice)
    await send("the unversioned list", "GET", "/api/tasks", headers=alice)
    new = {"title": "Unversioned"}
    await send("the unversioned create", "POST", "/api/tasks", json=new, headers=alice)
    asked = {**alice, "API-Version": "v1"}
    await send("the unversioned list, v1 asked for", "GET", "/api/tasks", headers=asked)
    script.clock.advance(minutes=15)
    await send("list once the access token expired", "GET", TASKS, headers=alice)


async def refreshes(script: Script, first: str, cookie: str) -> None:
    """Rotation, a second tab, reuse, and the cookie with and without its guards."""
    send = script.send

    def token(value: object) -> dict[str, Any]:
        return {"refreshToken": value}

    rotated = data(await send("refresh", "POST", REFRESH, json=token(first)))
    await send(
        "refresh with the same token at once (a second tab)", "POST", REFRESH, json=token(first)
    )
    script.clock.advance(seconds=10)
    await send("refresh with the same token later (reuse)", "POST", REFRESH, json=token(first))
    successor = token(rotated["refreshToken"])
    await send("refresh with its successor, after reuse", "POST", REFRESH, json=successor)
    ended = bearer(rotated["token"])
    await send("the profile, once reuse ended the session", "GET", PROFILE, headers=ended)
    await send("refresh without a token", "POST", REFRESH)
    await send("refresh with an unknown token", "POST", REFRESH, json=token("not-a-token"))
    await send("refresh with a token that is no string", "POST", REFRESH, json=token(5))
    jar = {"Cookie": f"tm_refresh={cookie}"}
    await send("refresh with the cookie, without X-Requested-With", "POST", REFRESH, headers=jar)
    evil = {**jar, **BROWSER, "Origin": "https://evil.example"}
    await send("refresh with the cookie, from another site", "POST", REFRESH, headers=evil)
    own = {**jar, **BROWSER, "Origin": "http://testserver"}
    await send("refresh with the cookie", "POST", REFRESH, headers=own)
    stale = {**BROWSER, "Cookie": "tm_refresh=not-a-token"}
    await send(
        "refresh with a null token and a stale cookie",
        "POST",
        REFRESH,
        json=token(None),
        headers=stale,
    )


async def sessions(script: Script) -> None:
    """Refresh with rotation, reuse, the cookie, revoke, log out here and everywhere, list and
    end sessions."""
    send = script.send
    laptop = await register(script, "alice@example.com")
    phone = await login(script, "log in on a phone", headers={"User-Agent": "TaskMaster/2 Phone"})
    listed = data(await send("list sessions", "GET", SESSIONS, headers=bearer(laptop["token"])))
    await refreshes(script, laptop["refreshToken"], phone["refreshToken"])
    tablet = await login(script, "log in on a tablet")
    signed_in = bearer(tablet["token"])
    await send(
        "end a session by an id that is no UUID", "DELETE", f"{SESSIONS}/nope", headers=signed_in
    )
    await send("end an unknown session", "DELETE", f"{SESSIONS}/{UNKNOWN_ID}", headers=signed_in)
    await send("list sessions again", "GET", SESSIONS, headers=signed_in)
    other = next(session["id"] for session in listed if not session["current"])
    await send("end another session", "DELETE", f"{SESSIONS}/{other}", headers=signed_in)
    await send("the ended session's access token", "GET", PROFILE, headers=bearer(phone["token"]))
    revoked = {"refreshToken": tablet["refreshToken"]}
    await send("revoke a refresh token", "POST", REVOKE, json=revoked)
    await send("revoke an unknown refresh token", "POST", REVOKE, json={"refreshToken": "nope"})
    jar = {"Cookie": "tm_refresh=not-a-token"}
    await send("revoke with the cookie, without X-Requested-With", "POST", REVOKE, headers=jar)
    await send("the revoked session's access token", "GET", PROFILE, headers=signed_in)
    here = bearer((await login(script, "log in to log out"))["token"])
    await send("log out", "POST", LOGOUT, headers=here)
    await send("the access token, logged out", "GET", PROFILE, headers=here)
    await send("log out with nothing", "POST", LOGOUT)
    by_token = {"refreshToken": (await login(script, "log in again"))["refreshToken"]}
    await send("log out with the refresh token alone", "POST", LOGOUT, json=by_token)
    await send("refresh, logged out", "POST", REFRESH, json=by_token)
    one = bearer((await login(script, "log in here"))["token"])
    await login(script, "log in there")
    await send("log out everywhere", "POST", LOGOUT_ALL, headers=one)
    await send("list sessions, logged out everywhere", "GET", SESSIONS, headers=one)
    await send("log out everywhere without a token", "POST", LOGOUT_ALL)


Scenario = Callable[[Script], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {
    "accounts": accounts,
    "tasks": tasks,
    "transport": transport,
    "sessions": sessions,
}

# Comparing -----------------------------------------------------------------------------------

# In an update, what each snapshot was rewritten with: every backend must answer the same.
_REWRITTEN: dict[str, str] = {}


def _diff(expected: str, actual: str, expected_name: str, actual_name: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), expected_name, actual_name, lineterm=""
    )
    return "\n".join(lines)


def matches_snapshot(name: str, text: str) -> None:
    """`text` is the committed snapshot `name`; with UPDATE_SNAPSHOTS=1 it becomes it."""
    __tracebackhide__ = True  # the diff says it all
    path = SNAPSHOTS / f"{name}{SUFFIX}"
    # Editors and hooks strip it, which would change a committed byte behind our back.
    trailing = re.search(r"^.*[ \t]$", text, re.MULTILINE)
    assert trailing is None, f"a line of {name} ends in whitespace: {trailing.group()!r}"
    if UPDATE:
        earlier = _REWRITTEN.setdefault(name, text)
        if earlier != text:
            pytest.fail(f"backends answer differently:\n{_diff(earlier, text, 'first', 'this')}")
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path}: write it with UPDATE_SNAPSHOTS=1 (see the docstring)")
    expected = path.read_bytes().decode("utf-8")
    if text != expected:
        pytest.fail(
            f"v1's answers changed (UPDATE_SNAPSHOTS=1 rewrites {path.name}, if deliberate):\n"
            + _diff(expected, text, f"committed {path.name}", "answered now")
        )


@pytest.mark.parametrize("name", SCENARIOS)
async def test_v1_answers_as_frozen(name: str, client: httpx.AsyncClient, clock: FakeClock) -> None:
    script = Script(client, clock)
    await SCENARIOS[name](script)
    matches_snapshot(name, script.text)


def test_every_snapshot_has_its_scenario() -> None:
    """A scenario renamed or removed leaves no snapshot behind that nothing checks."""
    committed = {path.stem for path in SNAPSHOTS.glob(f"*{SUFFIX}")}
    assert committed == set(SCENARIOS)


# Reading, for the contract tests ------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One exchange of a snapshot, as committed (placeholders and all)."""

    label: str
    method: str
    target: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]


def _exchange(block: str) -> Exchange:
    label, *lines = block.rstrip("\n").split("\n")
    request = [line[2:] for line in lines if line.startswith("> ")]
    response = [line.removeprefix("<").removeprefix(" ") for line in lines if line.startswith("<")]
    method, target = request[0].split(" ", 1)
    separator = response.index("")
    headers = tuple(
        (name, value) for name, _, value in (line.partition(": ") for line in response[1:separator])
    )
    return Exchange(label, method, target, int(response[0]), headers, response[separator + 1])


def committed_exchanges() -> dict[str, list[Exchange]]:
    """Every committed snapshot's exchanges, by scenario."""
    return {
        path.stem: [
            _exchange(block)
            for block in path.read_bytes().decode("utf-8").split("### ")
            if block.strip()
        ]
        for path in sorted(SNAPSHOTS.glob(f"*{SUFFIX}"))
    }
