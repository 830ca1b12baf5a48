"""The single-page app: placeholder, client-route fallback, cached assets, no escape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from taskmaster import web
from taskmaster.browser_policy import page_headers

INDEX = "<!doctype html><title>TaskMaster app</title><div id=root></div>"
SCRIPT = "console.log('hashed asset')"
SECRET = "the secret next to the static folder"


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text(INDEX)
    (static / "assets" / "app.123.js").write_text(SCRIPT)
    (static / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text(SECRET)
    (static / "leak").symlink_to(tmp_path / "secret.txt")
    (static / "assets" / "leak.js").symlink_to(tmp_path / "secret.txt")
    return static


async def client_for(static: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    web.mount(app, static)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


@pytest.fixture
async def spa(static_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(static_dir):
        yield client


@pytest.fixture
async def unbuilt(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(tmp_path / "never-built"):
        yield client


@pytest.mark.parametrize("path", ["/", "/dashboard", "/login"])
async def test_without_a_build_the_placeholder_answers(
    unbuilt: httpx.AsyncClient, path: str
) -> None:
    response = await unbuilt.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>TaskMaster</h1>" in response.text
    assert "has not been built" in response.text


async def test_without_a_build_no_asset_is_served(unbuilt: httpx.AsyncClient) -> None:
    response = await unbuilt.get("/assets/app.123.js")
    assert "has not been built" in response.text  # no assets mount: the placeholder, not a file


async def test_the_root_serves_the_index(spa: httpx.AsyncClient) -> None:
    response = await spa.get("/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "path", ["/dashboard", "/login", "/register", "/tasks/42/edit", "/dashboard?status=pending"]
)
async def test_client_routes_fall_back_to_the_index(spa: httpx.AsyncClient, path: str) -> None:
    response = await spa.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(spa: httpx.AsyncClient) -> None:
    response = await spa.get("/assets/app.123.js")
    assert response.status_code == 200
    assert response.text == SCRIPT
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["content-type"]


async def test_a_missing_asset_is_a_404_that_is_not_cached(spa: httpx.AsyncClient) -> None:
    response = await spa.get("/assets/app.999.js")
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("cache-control", "")
    assert INDEX not in response.text


async def test_other_root_files_are_served(spa: httpx.AsyncClient) -> None:
    response = await spa.get("/favicon.svg")
    assert response.status_code == 200
    assert response.text == "<svg/>"


@pytest.mark.parametrize(
    "path",
    ["/api", "/api/x", "/api/v1/nope", "/.well-known/x", "/.well-known/jwks.json", "/health"],
)
async def test_api_paths_do_not_fall_back(spa: httpx.AsyncClient, path: str) -> None:
    response = await spa.get(path)
    assert response.status_code == 404
    assert INDEX not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/..%2f..%2fetc/passwd",
        "/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/leak",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/leak.js",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
    ],
)
async def test_paths_never_escape_the_static_folder(spa: httpx.AsyncClient, path: str) -> None:
    response = await spa.get(path)
    assert SECRET not in response.text
    assert "root:" not in response.text
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.text == INDEX


async def test_a_nul_in_the_path_does_not_crash(spa: httpx.AsyncClient) -> None:
    response = await spa.get("/%00")
    assert response.status_code in (200, 404)


async def test_an_over_long_path_does_not_crash(spa: httpx.AsyncClient) -> None:
    response = await spa.get("/" + "a" * 300)
    assert response.status_code in (200, 404)


async def test_an_app_whose_api_is_elsewhere_may_connect_to_it(static_dir: Path) -> None:
    app = FastAPI()
    web.mount(app, static_dir, api_origins=["https://api.example.com"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for path in ("/", "/dashboard", "/favicon.svg"):
            answer = await client.get(path)
            assert (
                answer.headers["content-security-policy"]
                == (page_headers(["https://api.example.com"])["Content-Security-Policy"])
            )
            assert "wss://api.example.com" in answer.headers["content-security-policy"]
