"""The taskmaster command: serve, migrate, seed."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console

from taskmaster.config import Settings
from taskmaster.db import migrate as migrations
from taskmaster.runtime import Runtime
from taskmaster.seed import seed_demo

app = typer.Typer(
    help="TaskMaster: a task manager, from one laptop to a scaled service.",
    pretty_exceptions_enable=False,
)
console = Console()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on [env: HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [env: PORT]")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [env: WORKERS]")] = None,
    migrate: Annotated[
        bool | None,
        typer.Option(help="Migrate before serving (default: only the embedded SQLite database)"),
    ] = None,
) -> None:
    """Serve the API and the web app."""
    given: dict[str, Any] = {"host": host, "port": port, "workers": workers}
    settings = Settings(**{name: value for name, value in given.items() if value is not None})
    if migrate if migrate is not None else settings.uses_sqlite:
        migrations.upgrade(settings.resolved_database_url)
    console.print(f"TaskMaster on http://{settings.host}:{settings.port}")
    uvicorn.run(
        "taskmaster.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
        log_level=settings.log_level,
        proxy_headers=True,
    )


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
    down: Annotated[bool, typer.Option("--down", help="Downgrade to REVISION")] = False,
) -> None:
    """Bring the database schema to a revision (default: the newest)."""
    url = Settings().resolved_database_url
    if down:
        migrations.downgrade(url, revision)
    else:
        migrations.upgrade(url, revision)
    console.print(f"Database {'downgraded to' if down else 'upgraded to'} {revision}")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Create the demo account")] = False,
) -> None:
    """Create sample data."""
    if not demo:
        raise typer.BadParameter("say what to seed: --demo")

    async def run() -> None:
        runtime = Runtime.build(Settings())
        try:
            result = await seed_demo(runtime)
        finally:
            await runtime.close()
        if result.created:
            console.print(f"Created demo@taskmaster.com with {result.tasks} tasks")
        else:
            console.print("The demo account already exists; nothing to do")

    asyncio.run(run())
