"""Per-user API rate limits: the RateLimit fields counting down, 429 in each version's format,
a sliding window, one quota across instances, and nothing for anyone else or with the store down.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from taskmaster.api.ratelimits import UserRateLimits
from taskmaster.app import create_app
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.config import Settings
from taskmaster.ratelimit import Rate
from taskmaster.runtime import Runtime
from tests.api.v2.answers import problem_of
from tests.conftest import REDIS_URL, Account, FakeClock, lifespan, register, store_down

RATE = Rate(3, 60)
POLICY = '"user";q=3;w=60'
FIELDS = ("ratelimit-policy", "ratelimit")
# The RateLimit field of the first three requests of a window: the last leaves none, until
# one frees just after the window closes.
COUNTDOWN = ['"user";r=2;t=60', '"user";r=1;t=60', '"user";r=0;t=61']


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_api_user": RATE})


@pytest.fixture
def clock() -> FakeClock:
    clock = FakeClock()
    clock.now = clock.now.replace(second=0)  # the start of a window of a minute
    return clock


def quota(response: httpx.Response) -> str:
    """The RateLimit field, after checking the policy beside it."""
    assert response.headers["ratelimit-policy"] == POLICY
    return response.headers["ratelimit"]


def untouched(response: httpx.Response) -> bool:
    return not any(name in response.headers for name in FIELDS)


# The middleware alone, around a tiny app ---------------------------------------------------


class Endpoint:
    """Stands for the API: answers 200 with a header of its own, counting who got through."""

    def __init__(self) -> None:
        self.reached = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.reached += 1
        headers = [(b"content-type", b"text/plain"), (b"x-endpoint", b"yes")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def endpoint() -> Endpoint:
    return Endpoint()


@pytest.fixture
async def limited(runtime: Runtime, endpoint: Endpoint) -> AsyncIterator[httpx.AsyncClient]:
    """The endpoint behind the rate limits, on the test's store (memory or Redis)."""
    transport = httpx.ASGITransport(app=UserRateLimits(endpoint, runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def bearer(runtime: Runtime, user_id: uuid.UUID | None = None) -> dict[str, str]:
    token = runtime.tokens.issue(user_id or uuid.uuid4(), uuid.uuid4())
    return {"Authorization": f"Bearer {token}"}


async def test_the_quota_counts_down_and_a_refusal_never_arrives(
    limited: httpx.AsyncClient, runtime: Runtime, endpoint: Endpoint
) -> None:
    auth = bearer(runtime)
    answers = [await limited.get("/api/v1/tasks", headers=auth) for _ in range(3)]
    assert [quota(answer) for answer in answers] == COUNTDOWN
    assert all(answer.headers["x-endpoint"] == "yes" for answer in answers)
    refused = await limited.get("/api/v1/tasks", headers=auth)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "61"
    assert quota(refused) == '"user";r=0;t=61'
    assert refused.json() == {
        "success": False,
        "error": "Too many requests. Try again in 61 seconds.",
    }
    assert endpoint.reached == 3


async def test_a_v2_refusal_is_a_problem(
    limited: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    auth = bearer(runtime)
    for _ in range(3):
        assert (await limited.post("/api/v2/tasks", headers=auth)).status_code == 200
    clock.advance(seconds=15)
    refused = await limited.post("/api/v2/tasks", headers=auth)
    problem = problem_of(refused, 429, "rate-limited")
    assert problem["detail"] == "Too many requests. Try again in 46 seconds."
    assert refused.headers["retry-after"] == "46"
    assert quota(refused) == '"user";r=0;t=46'


async def test_requests_at_once_never_pass_the_limit(
    limited: httpx.AsyncClient, runtime: Runtime, endpoint: Endpoint
) -> None:
    auth = bearer(runtime)
    answers = await asyncio.gather(*(limited.get("/api/v2/tasks", headers=auth) for _ in range(12)))
    assert sorted(answer.status_code for answer in answers) == [200] * 3 + [429] * 9
    served = sorted(quota(answer) for answer in answers if answer.status_code == 200)
    assert served == sorted(COUNTDOWN)
    assert endpoint.reached == 3


@pytest.mark.parametrize("path", ["/health", "/", "/api", "/api/v10/tasks", "/apiv1/tasks"])
async def test_only_the_versioned_api_is_limited(
    limited: httpx.AsyncClient, runtime: Runtime, path: str
) -> None:
    user = uuid.uuid4()
    for _ in range(5):
        assert untouched(await limited.get(path, headers=bearer(runtime, user)))
    assert quota(await limited.get("/api/v2", headers=bearer(runtime, user))) == '"user";r=2;t=60'


async def test_without_a_valid_token_nothing_is_counted_or_announced(
    limited: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, endpoint: Endpoint
) -> None:
    user = uuid.uuid4()
    clock.advance(minutes=-20)
    expired = bearer(runtime, user)["Authorization"]
    clock.advance(minutes=20)
    for authorization in (None, "Basic dXNlcjpwdw==", "Bearer ", "Bearer not-a-token", expired):
        headers = {} if authorization is None else {"Authorization": authorization}
        for _ in range(5):
            assert untouched(await limited.get("/api/v1/tasks", headers=headers))
    assert endpoint.reached == 25  # each went on, to be answered 401 by the endpoint
    assert quota(await limited.get("/api/v1/tasks", headers=bearer(runtime, user))) == (
        '"user";r=2;t=60'
    )


async def test_with_the_store_down_nothing_is_enforced_or_announced(
    runtime: Runtime, endpoint: Endpoint
) -> None:
    down = RedisKeyValue.from_url("redis://127.0.0.1:1/0", "x:")  # nothing listens on port 1
    app = UserRateLimits(endpoint, runtime=dataclasses.replace(runtime, store=down))
    auth = bearer(runtime)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            answers = [await client.get("/api/v2/tasks", headers=auth) for _ in range(5)]
    finally:
        await down.close()
    assert [answer.status_code for answer in answers] == [200] * 5
    assert all(untouched(answer) for answer in answers)


# Through the whole application -------------------------------------------------------------

TASKS_V1, TASKS_V2 = "/api/v1/tasks", "/api/v2/tasks"


async def test_answers_carry_the_fields_counting_down(
    client: httpx.AsyncClient, alice: Account
) -> None:
    answers = [await client.get(TASKS_V2, headers=alice.auth) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200] * 3
    assert [quota(answer) for answer in answers] == COUNTDOWN


async def test_a_refused_v2_request_is_a_problem_and_changes_nothing(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    for _ in range(3):
        await client.get(TASKS_V2, headers=alice.auth)
    clock.advance(seconds=15)
    refused = await client.post(TASKS_V2, json={"title": "Pay rent"}, headers=alice.auth)
    problem = problem_of(refused, 429, "rate-limited")
    assert problem["detail"] == "Too many requests. Try again in 46 seconds."
    assert refused.headers["retry-after"] == "46"
    assert quota(refused) == '"user";r=0;t=46'
    clock.advance(seconds=46)
    listed = await client.get(TASKS_V2, headers=alice.auth)
    assert listed.json()["items"] == []  # the refused create never reached the app


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (TASKS_V1, {}),
        ("/api/tasks", {}),
        ("/api/tasks", {"API-Version": "v1"}),
    ],
)
async def test_a_refused_v1_request_gets_the_envelope(
    client: httpx.AsyncClient, alice: Account, path: str, headers: dict[str, str]
) -> None:
    for _ in range(3):
        assert (await client.get(path, headers=alice.auth | headers)).status_code == 200
    refused = await client.get(path, headers=alice.auth | headers)
    assert refused.status_code == 429
    assert refused.json() == {
        "success": False,
        "error": "Too many requests. Try again in 61 seconds.",
    }
    assert refused.headers["retry-after"] == "61"
    assert quota(refused) == '"user";r=0;t=61'
    assert "deprecation" in refused.headers  # still a v1 answer, announcing v1's end


async def test_the_unversioned_api_speaking_v2_gets_a_problem(
    client: httpx.AsyncClient, alice: Account
) -> None:
    headers = alice.auth | {"API-Version": "v2"}
    for _ in range(3):
        await client.get("/api/tasks", headers=headers)
    problem_of(await client.get("/api/tasks", headers=headers), 429, "rate-limited")


async def test_both_versions_draw_on_one_quota(client: httpx.AsyncClient, alice: Account) -> None:
    answers = [
        await client.get(path, headers=alice.auth) for path in (TASKS_V1, TASKS_V2, "/api/tasks")
    ]
    assert [quota(answer) for answer in answers] == COUNTDOWN
    assert (await client.get(TASKS_V2, headers=alice.auth)).status_code == 429
    assert (await client.get(TASKS_V1, headers=alice.auth)).status_code == 429


async def test_the_window_slides(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    for _ in range(3):
        await client.get(TASKS_V2, headers=alice.auth)
    clock.advance(seconds=60)  # the next window, where the last one's three still weigh three
    refused = await client.get(TASKS_V2, headers=alice.auth)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "1")
    clock.advance(seconds=1)  # 0 + 3 * 59/60 < 3
    served = await client.get(TASKS_V2, headers=alice.auth)
    assert served.status_code == 200
    assert quota(served) == '"user";r=0;t=20'  # 1 + 3 * (1 - s/60) < 3 once s > 20
    refused = await client.get(TASKS_V2, headers=alice.auth)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "20")
    clock.advance(seconds=20)
    assert (await client.get(TASKS_V2, headers=alice.auth)).status_code == 200
    clock.advance(seconds=60)  # the first three weigh nothing now; the two since, 2 * 39/60
    assert quota(await client.get(TASKS_V2, headers=alice.auth)) == '"user";r=1;t=39'


async def test_users_have_quotas_of_their_own(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    for _ in range(3):
        await client.get(TASKS_V2, headers=alice.auth)
    assert (await client.get(TASKS_V2, headers=alice.auth)).status_code == 429
    assert quota(await client.get(TASKS_V2, headers=bob.auth)) == '"user";r=2;t=60'


async def test_the_unauthenticated_and_invalid_tokens_are_left_alone(
    client: httpx.AsyncClient, alice: Account
) -> None:
    bad = {"Authorization": "Bearer not-a-token"}
    for _ in range(4):
        for answer in (
            await client.get(TASKS_V2),
            await client.get(TASKS_V1, headers=bad),
            await client.get("/api/tasks", headers=bad),
        ):
            assert answer.status_code == 401
            assert untouched(answer)
        login = await client.post(
            "/api/v1/auth/login", json={"email": alice.email, "password": alice.password}
        )
        assert login.status_code == 200
        assert untouched(login)
        assert untouched(await client.get("/health"))
    assert quota(await client.get(TASKS_V2, headers=alice.auth)) == '"user";r=2;t=60'


async def test_with_the_store_down_the_api_is_not_limited(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.store, "incr_below", store_down)
    answers = [await client.get(TASKS_V2, headers=alice.auth) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 6
    assert all(untouched(answer) for answer in answers)
    monkeypatch.undo()  # back up: nothing was counted meanwhile
    assert quota(await client.get(TASKS_V2, headers=alice.auth)) == '"user";r=2;t=60'


@pytest.fixture
async def two_instances(
    runtime: Runtime, redis_store: RedisKeyValue, clock: FakeClock
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two API instances on one database and one Redis, whichever store the test's has.

    `runtime` empties the database afterwards, `redis_store` its prefix in Redis.
    """
    shared = runtime.settings.model_copy(update={"redis_url": REDIS_URL})
    apps = [create_app(runtime=Runtime.build(shared, clock=clock)) for _ in range(2)]
    async with lifespan(apps[0]) as one, lifespan(apps[1]) as two:
        first, second = (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
            for app in (one.app, two.app)
        )
        async with first, second:
            yield first, second


async def test_one_quota_across_instances(
    two_instances: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    first, second = two_instances
    alice = await register(first, "alice@example.com")
    answers = [
        await instance.get(TASKS_V2, headers=alice.auth) for instance in (first, second, first)
    ]
    assert [quota(answer) for answer in answers] == COUNTDOWN
    assert (await second.get(TASKS_V2, headers=alice.auth)).status_code == 429
    assert (await first.get(TASKS_V2, headers=alice.auth)).status_code == 429
