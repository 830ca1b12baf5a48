"""Whose passkeys a request may use: the web app's site (WebAuthn's relying party)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends
from starlette.requests import Request

from taskmaster.api.deps import RuntimeDep
from taskmaster.auth.passkeys import RelyingParty
from taskmaster.runtime import Runtime


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def relying_party(request: Request, runtime: Runtime) -> RelyingParty:
    """Passkeys belong to the web app's site: WEB_URL's (else this server's) host, or
    WEBAUTHN_RP_ID; they are used from the app's origin and from each CORS_ORIGIN."""
    settings = runtime.settings
    app = _origin(settings.web_url) if settings.web_url else _origin(str(request.base_url))
    rp_id = settings.webauthn_rp_id or urlsplit(app).hostname or ""
    return RelyingParty(rp_id, (app, *settings.cors_origin))


async def _relying_party(request: Request, runtime: RuntimeDep) -> RelyingParty:
    return relying_party(request, runtime)


Party = Annotated[RelyingParty, Depends(_relying_party)]
