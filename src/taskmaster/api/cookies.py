"""The refresh-token cookie: httpOnly, Secure outside plain-http development, path-scoped."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from starlette.responses import Response

from taskmaster.config import Settings


def set_refresh_cookie(
    response: Response, settings: Settings, token: str, expires_at: datetime, now: datetime
) -> None:
    response.set_cookie(
        settings.refresh_cookie_name,
        token,
        max_age=max(0, int((expires_at - now).total_seconds())),
        path=settings.refresh_cookie_path,
        domain=settings.cookie_domain,
        secure=settings.secure_cookies,
        httponly=True,
        samesite=settings.cookie_samesite,
    )


def clear_refresh_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        settings.refresh_cookie_name,
        path=settings.refresh_cookie_path,
        domain=settings.cookie_domain,
        secure=settings.secure_cookies,
        httponly=True,
        samesite=settings.cookie_samesite,
    )


def refresh_cookie(request: Request, settings: Settings) -> str | None:
    return request.cookies.get(settings.refresh_cookie_name) or None
