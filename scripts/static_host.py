"""A stand-in for a CDN: serves a built copy of the web app, and nothing else, on one port.

Usage: python scripts/static_host.py DIR PORT [HOST]
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from taskmaster import web


def main() -> None:
    folder, port = Path(sys.argv[1]), int(sys.argv[2])
    host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    web.mount(app, folder)
    uvicorn.run(app, host=host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
