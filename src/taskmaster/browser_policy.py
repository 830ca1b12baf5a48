"""What a browser lets the web app's pages do, so that an injected script has nowhere to run
and nothing to reach: scripts, styles and connections from the app's own origin and its API
only (Content-Security-Policy, no inline script, no eval), no window shared with another origin
(Cross-Origin-Opener-Policy), none of the device features the app does not use
(Permissions-Policy). The page's headers are the same wherever the app is served: by the API
(taskmaster.web), by a static host (scripts/static_host.py), by Vercel (deploy/vercel.json,
which tests/deploy checks against `page_headers`)."""

from __future__ import annotations

from collections.abc import Sequence

# Features a page may use unless told not to; the app uses none of them. Passkeys
# (publickey-credentials-*) stay allowed: their default is the page's own origin.
UNUSED_FEATURES = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
)

# Browsers keep to HTTPS for two years once they saw this over HTTPS, subdomains included.
STRICT_TRANSPORT = "max-age=63072000; includeSubDomains"


def websocket_origin(origin: str) -> str:
    """The origin Socket.IO's WebSocket connects to for an HTTP(S) origin."""
    scheme, separator, rest = origin.partition("://")
    if not separator or scheme not in ("http", "https"):
        raise ValueError(f"an API origin looks like https://api.example.com, not {origin!r}")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}"


def content_security_policy(api_origins: Sequence[str] = ()) -> str:
    """The page's policy; `api_origins` are the API's when it is not the page's own origin
    (whose WebSocket 'self' covers)."""
    connect = ["'self'", *api_origins, *map(websocket_origin, api_origins)]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # what the build inlines as data: URLs
        "font-src": ["'self'"],
        "connect-src": connect,
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def page_headers(api_origins: Sequence[str] = ()) -> dict[str, str]:
    """The headers of every page of the app (its HTML and the files beside it)."""
    return {
        "Content-Security-Policy": content_security_policy(api_origins),
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": ", ".join(f"{feature}=()" for feature in UNUSED_FEATURES),
    }
