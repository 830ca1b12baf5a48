"""Serves the built single-page app: hashed assets cached for a year, client routes fall back."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from taskmaster.browser_policy import page_headers

STATIC_DIR = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"

PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TaskMaster</title></head>
<body><h1>TaskMaster</h1><p>The API is running. The web app has not been built:
run <code>make run</code> to build it.</p></body></html>"""


def _belongs_to_api(path: str) -> bool:
    """API paths answer 404 in the API's format instead of falling back to the app."""
    return path in ("api", "health") or path.startswith(("api/", ".well-known/"))


class ImmutableStaticFiles(StaticFiles):
    """Hashed build assets: their names change with their content, so cache them for good."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def _file_in(root: Path, path: str) -> Path | None:
    """The file `path` names inside `root`, or None (also for names no file system accepts)."""
    if not path:
        return None
    try:
        file = (root / path).resolve()
        return file if file.is_relative_to(root) and file.is_file() else None
    except (OSError, ValueError):  # NUL bytes, names too long
        return None


def mount(app: FastAPI, static_dir: Path = STATIC_DIR, api_origins: Sequence[str] = ()) -> None:
    """Serve the app at `/` with client-route fallback, or a placeholder when it is not built.
    Its pages carry the browser policy; `api_origins` are the API's, when it is elsewhere."""
    root = static_dir.resolve()
    index = root / "index.html"
    policy = page_headers(api_origins)
    if (root / "assets").is_dir():
        app.mount("/assets", ImmutableStaticFiles(directory=root / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def single_page_app(path: str) -> Response:
        if _belongs_to_api(path):
            raise HTTPException(404)
        file = _file_in(root, path)
        if file is not None:
            return FileResponse(file, headers=policy)
        if index.is_file():
            return FileResponse(index, headers={**policy, "Cache-Control": "no-cache"})
        return HTMLResponse(PLACEHOLDER, headers=policy)
