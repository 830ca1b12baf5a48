"""A stand-in for a CDN: serves a built copy of the web app, and nothing else, on one port,
with the app's browser policy naming the API it was built for.

Usage: python scripts/static_host.py DIR PORT API_ORIGIN [HOST]
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from taskmaster import web


def main() -> None:
    folder, port, api_origin = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    host = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    web.mount(app, folder, api_origins=[api_origin])
    uvicorn.run(app, host=host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
