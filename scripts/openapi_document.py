"""Prints an API version's OpenAPI document as sorted, indented JSON (the web client's source).

Usage: python scripts/openapi_document.py [v1|v2]   (v2 when omitted)

The document is the one the app serves at /api/<version>/openapi.json, built in-process by the
same endpoint, with no server, no lifespan and no database: the app is made from the code's
default settings (the environment and any .env file are ignored, so the output depends on the
code alone) over a throwaway data directory.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi.routing import iter_route_contexts
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from taskmaster.app import create_app
from taskmaster.config import Settings

VERSIONS = ("v1", "v2")


class _CodeDefaults(Settings):
    """Settings from the arguments given and the code's defaults, never from the environment."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


async def _served(version: str, data_dir: Path) -> dict[str, Any]:
    """What GET /api/<version>/openapi.json answers, asked of its endpoint directly."""
    app = create_app(_CodeDefaults(data_dir=data_dir, log_level="warning"))
    path = f"/api/{version}/openapi.json"
    for route in iter_route_contexts(app.routes):
        if route.path == path and route.endpoint is not None:
            response = await route.endpoint()
            document: dict[str, Any] = json.loads(bytes(response.body))
            return document
    raise LookupError(f"the app serves no {path}")


def render(version: str) -> str:
    """The document of `version` as the committed snapshot holds it."""
    with tempfile.TemporaryDirectory(prefix="taskmaster-openapi-") as scratch:
        document = asyncio.run(_served(version, Path(scratch)))
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    version = argv[0] if argv else "v2"
    if len(argv) > 1 or version not in VERSIONS:
        print(f"usage: openapi_document.py [{'|'.join(VERSIONS)}]", file=sys.stderr)
        return 2
    sys.stdout.write(render(version))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
