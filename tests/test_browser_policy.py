"""The web app's browser policy: its own origin, and its API's when that is elsewhere."""

from __future__ import annotations

import pytest

from taskmaster.browser_policy import content_security_policy, page_headers, websocket_origin


def directives(policy: str) -> dict[str, list[str]]:
    parsed = [directive.split() for directive in policy.split("; ")]
    return {name: sources for name, *sources in parsed}


def test_the_page_runs_only_its_own_scripts() -> None:
    policy = directives(content_security_policy())
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == policy["base-uri"] == policy["frame-ancestors"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]  # its own WebSocket included
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_an_api_elsewhere_may_be_reached_and_its_websocket_too() -> None:
    api = ["https://api.example.com", "http://127.0.0.2:8001"]
    assert directives(content_security_policy(api))["connect-src"] == [
        "'self'",
        "https://api.example.com",
        "http://127.0.0.2:8001",
        "wss://api.example.com",
        "ws://127.0.0.2:8001",
    ]


@pytest.mark.parametrize("origin", ["api.example.com", "ftp://api.example.com", ""])
def test_an_api_origin_must_be_http_or_https(origin: str) -> None:
    with pytest.raises(ValueError, match="an API origin looks like"):
        websocket_origin(origin)


def test_the_page_shares_no_window_and_no_device() -> None:
    headers = page_headers()
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    features = dict(item.split("=") for item in headers["Permissions-Policy"].split(", "))
    assert {"camera", "microphone", "geolocation", "payment", "usb"} <= features.keys()
    assert set(features.values()) == {"()"}
    assert not any(name.startswith("publickey-credentials") for name in features)  # passkeys
