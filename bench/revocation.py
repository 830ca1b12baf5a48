"""How long an ended session's access token still works on another instance: sign in on
instance A, sign out there, and ask instance B with the token until it refuses; many times.

    revocation.py URL_A URL_B [--times N]

The instance that ended the session must refuse the token at once (checked each time); the
other learns of it from the relay (the committed session:ended event, shared through Redis),
and the delay is measured from the moment A answered the sign-out.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

PASSWORD = "bench password 1"
PROFILE = "/api/v2/auth/profile"


async def _delay(a: httpx.AsyncClient, b: httpx.AsyncClient, email: str) -> float:
    signed_in = await a.post("/api/v2/auth/login", json={"email": email, "password": PASSWORD})
    signed_in.raise_for_status()
    auth = {"Authorization": f"Bearer {signed_in.json()['accessToken']}"}
    assert (await b.get(PROFILE, headers=auth)).status_code == 200
    (await a.post("/api/v2/auth/logout", headers=auth)).raise_for_status()
    ended = time.perf_counter()
    assert (await a.get(PROFILE, headers=auth)).status_code == 401, "A still accepts it"
    refused = False
    while not refused:
        refused = (await b.get(PROFILE, headers=auth)).status_code == 401
    return time.perf_counter() - ended


async def measure(url_a: str, url_b: str, times: int) -> list[float]:
    email = f"revocation.{time.time_ns()}@bench.example"
    async with httpx.AsyncClient(base_url=url_a) as a, httpx.AsyncClient(base_url=url_b) as b:
        registered = await a.post(
            "/api/v2/auth/register", json={"email": email, "password": PASSWORD, "name": "Bench"}
        )
        registered.raise_for_status()
        return [await _delay(a, b, email) for _ in range(times)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url_a")
    parser.add_argument("url_b")
    parser.add_argument("--times", type=int, default=200)
    arguments = parser.parse_args()
    delays = sorted(
        d * 1000 for d in asyncio.run(measure(arguments.url_a, arguments.url_b, arguments.times))
    )
    p99 = delays[min(len(delays) - 1, int(0.99 * len(delays)))]
    print(f"sessions ended on A: {len(delays)}; A refused each token at once")
    print(
        f"until B refused the token, ms: p50 {statistics.median(delays):.1f}"
        f"  p99 {p99:.1f}  max {delays[-1]:.1f}"
    )


if __name__ == "__main__":
    main()
