"""Every response forbids framing and sniffing, API and app alike."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize("path", ["/health", "/api/v1/tasks", "/dashboard", "/api/nope"])
async def test_security_headers_on_every_response(client: httpx.AsyncClient, path: str) -> None:
    headers = (await client.get(path)).headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "frame-ancestors 'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
