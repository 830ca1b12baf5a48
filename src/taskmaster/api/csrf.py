"""Cross-site request forgery: what an endpoint acting on the refresh cookie demands."""

from __future__ import annotations

from fastapi import Request

from taskmaster.config import Settings
from taskmaster.errors import Forbidden

CSRF_HEADER = "X-Requested-With"


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def require_cookie_intent(request: Request, settings: Settings) -> None:
    """A custom header (no form can send one) and, when the browser names one, an allowed Origin.

    Browsers send Origin with every cross-site POST, so a forged form or script from another
    site is refused on the Origin; a plain form cannot even add the header.
    """
    if not request.headers.get(CSRF_HEADER):
        raise Forbidden(f"Missing {CSRF_HEADER} header")
    origin = request.headers.get("origin")
    if origin is not None and origin not in (own_origin(request), *settings.cors_origin):
        raise Forbidden("Origin not allowed")
