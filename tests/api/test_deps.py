"""Who is calling: the client address behind proxies that append to X-Forwarded-For."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from taskmaster.api.deps import client_address


def request_from(peer: str, forwarded: str | None) -> Request:
    headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
    return Request({"type": "http", "headers": headers, "client": (peer, 1234)})


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no trusted hops: the peer (uvicorn's view)
        (1, "203.0.113.9", "203.0.113.9"),  # the address the proxy saw
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own claim is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9"),  # two proxies
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: not from them
        (1, None, "10.0.0.1"),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_added(
    hops: int, forwarded: str | None, expected: str
) -> None:
    assert client_address(request_from("10.0.0.1", forwarded), hops) == expected
