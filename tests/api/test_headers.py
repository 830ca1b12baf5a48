"""Every response forbids framing and sniffing, API and app alike; the app's pages carry the
browser policy; production answers keep browsers on HTTPS."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from taskmaster.app import create_app
from taskmaster.browser_policy import STRICT_TRANSPORT, page_headers
from taskmaster.config import Environment, Settings
from tests.auth.pem import new_signing_key
from tests.conftest import lifespan

API_PATHS = ["/health", "/api/v1/tasks", "/api/nope", "/api/v2/tasks"]
APP_PATHS = ["/", "/dashboard", "/favicon.svg"]


@pytest.mark.parametrize("path", API_PATHS + APP_PATHS)
async def test_security_headers_on_every_response(client: httpx.AsyncClient, path: str) -> None:
    headers = (await client.get(path)).headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "strict-transport-security" not in headers  # not in development or tests


@pytest.mark.parametrize("path", API_PATHS)
async def test_api_answers_keep_their_one_policy(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.get(path)
    assert answer.headers.get_list("content-security-policy") == ["frame-ancestors 'none'"]


@pytest.mark.parametrize("path", APP_PATHS)
async def test_the_apps_pages_carry_the_browser_policy(
    client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)
    for name, value in page_headers().items():
        assert answer.headers.get_list(name) == [value]
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe" not in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy


async def test_production_keeps_browsers_on_https(settings: Settings) -> None:
    production = settings.model_copy(
        update={
            "environment": Environment.PRODUCTION,
            "jwt_private_key": SecretStr(new_signing_key()),
        }
    )
    app = create_app(production)
    async with (
        lifespan(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="https://testserver"
        ) as client,
    ):
        for path in ("/health", "/dashboard"):
            answer = await client.get(path)
            assert answer.headers["strict-transport-security"] == STRICT_TRANSPORT
    assert "includeSubDomains" in STRICT_TRANSPORT
