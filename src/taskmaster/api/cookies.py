"""The refresh-token cookie: httpOnly, Secure outside plain-http development, path-scoped."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from starlette.responses import Response

from taskmaster.api.versions import V1
from taskmaster.config import Settings


def cookie_path(settings: Settings, prefix: str = V1) -> str:
    """The cookie's path for the API version under `prefix`; the configured one is v1's."""
    # A browser sends the cookie to nothing above its path, so each version's auth endpoints
    # need it on their own (/api/v2/auth). A path outside /api/v1 (/, /api) covers them all.
    configured = settings.refresh_cookie_path
    if configured == V1 or configured.startswith(V1 + "/"):
        return prefix + configured[len(V1) :]
    return configured


def _header(settings: Settings, value: str, max_age: int, prefix: str) -> str:
    """The Set-Cookie value, written out: Python's cookie module knows no `Partitioned`."""
    parts = [
        f"{settings.refresh_cookie_name}={value}",
        f"Max-Age={max_age}",
        f"Path={cookie_path(settings, prefix)}",
        "HttpOnly",
        f"SameSite={settings.cookie_samesite.capitalize()}",
    ]
    if settings.cookie_domain:
        parts.append(f"Domain={settings.cookie_domain}")
    if settings.secure_cookies:
        parts.append("Secure")
    if settings.cookie_samesite == "none":
        # A cross-site cookie is kept per top-level site (CHIPS), so browsers that block
        # third-party cookies still keep it for the app that signed in.
        parts.append("Partitioned")
    return "; ".join(parts)


def set_refresh_cookie(
    response: Response,
    settings: Settings,
    token: str,
    expires_at: datetime,
    now: datetime,
    *,
    prefix: str = V1,
) -> None:
    max_age = max(0, int((expires_at - now).total_seconds()))
    response.headers.append("set-cookie", _header(settings, token, max_age, prefix))


def clear_refresh_cookie(response: Response, settings: Settings, *, prefix: str = V1) -> None:
    response.headers.append("set-cookie", _header(settings, '""', 0, prefix))


def refresh_cookie(request: Request, settings: Settings) -> str | None:
    return request.cookies.get(settings.refresh_cookie_name) or None
