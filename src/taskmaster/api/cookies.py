"""The refresh-token cookie: httpOnly, Secure outside plain-http development, path-scoped."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from starlette.responses import Response

from taskmaster.config import Settings


def _header(settings: Settings, value: str, max_age: int) -> str:
    """The Set-Cookie value, written out: Python's cookie module knows no `Partitioned`."""
    parts = [
        f"{settings.refresh_cookie_name}={value}",
        f"Max-Age={max_age}",
        f"Path={settings.refresh_cookie_path}",
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
    response: Response, settings: Settings, token: str, expires_at: datetime, now: datetime
) -> None:
    max_age = max(0, int((expires_at - now).total_seconds()))
    response.headers.append("set-cookie", _header(settings, token, max_age))


def clear_refresh_cookie(response: Response, settings: Settings) -> None:
    response.headers.append("set-cookie", _header(settings, '""', 0))


def refresh_cookie(request: Request, settings: Settings) -> str | None:
    return request.cookies.get(settings.refresh_cookie_name) or None
