"""The taskmaster command: serve, relay, migrate, seed, v1-usage."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from typing import Annotated, Any

import structlog
import typer
import uvicorn
from rich.console import Console
from rich.markup import escape

from taskmaster import cache
from taskmaster.api.v1_usage import KEEP_DAYS, ClientUse, read_usage
from taskmaster.auth.passwords import PasswordHasher
from taskmaster.auth.service import check_new_password
from taskmaster.cache.base import StoreUnavailable
from taskmaster.clock import system_now
from taskmaster.config import Settings
from taskmaster.db import migrate as migrations
from taskmaster.db.engine import create_engine
from taskmaster.errors import Invalid
from taskmaster.logs import configure_logging
from taskmaster.observe.metrics import MULTIPROCESS_DIR
from taskmaster.runtime import Runtime
from taskmaster.seed.bulk import (
    BATCH_PATTERN,
    DEFAULT_PASSWORD,
    BulkPlan,
    new_batch,
    random_seed,
)
from taskmaster.seed.demo import seed_demo
from taskmaster.seed.load import BulkResult, CannotSeed, seed_bulk
from taskmaster.seed.progress import RowsBar

app = typer.Typer(
    help="TaskMaster: a task manager, from one laptop to a scaled service.",
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)  # plain words: no regex colouring of what it prints
log = structlog.get_logger(__name__)


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
    with metrics_shared_by(settings.workers):
        _serve(settings)


@contextlib.contextmanager
def metrics_shared_by(workers: int) -> Iterator[None]:
    """Several workers keep their metrics in files of one folder, which a scrape of any of
    them adds up (observe/metrics.py): a fresh folder for this run unless one is given."""
    if workers == 1 or os.environ.get(MULTIPROCESS_DIR):
        yield
        return
    folder = tempfile.mkdtemp(prefix="taskmaster-metrics-")
    os.environ[MULTIPROCESS_DIR] = folder  # the workers inherit it
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR]
        shutil.rmtree(folder, ignore_errors=True)


def _serve(settings: Settings) -> None:
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
        access_log=False,  # each request's line is TaskMaster's own (taskmaster.observe)
        # Engine.IO pings every Socket.IO client itself (and drops one that does not answer):
        # a WebSocket ping of uvicorn's too would double each connection's idle wake-ups.
        ws_ping_interval=None,
    )


async def _relay_until_stopped(settings: Settings) -> None:
    configure_logging(settings)  # JSON lines outside development, as the API's
    runtime = Runtime.build(settings)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop, stopped.set)
    await runtime.start(serving=False)
    log.info("relaying the outbox's events", stop="SIGTERM or Ctrl+C")
    try:
        await stopped.wait()
    finally:
        await runtime.close()


@app.command()
def relay() -> None:
    """Publish the outbox's events, in a process of its own: for API instances that run
    with OUTBOX_RELAY=external. Several may run; they take turns."""
    asyncio.run(_relay_until_stopped(Settings()))


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


SEED_WHAT = "say what to seed: --demo, or --users N [--tasks-per-user M]"
TASKS_PER_USER = 100


@app.command()
def seed(
    *,
    demo: Annotated[bool, typer.Option("--demo", help="Create the demo account")] = False,
    users: Annotated[
        int | None, typer.Option(min=1, help="Generate N users with tasks, in bulk")
    ] = None,
    tasks_per_user: Annotated[
        int | None,
        typer.Option(min=0, help="Tasks of each generated user", show_default=str(TASKS_PER_USER)),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password of every generated user", show_default=DEFAULT_PASSWORD),
    ] = None,
    seed_number: Annotated[
        int | None,
        typer.Option("--seed", help="Seed the generator: the same seed makes the same data"),
    ] = None,
    batch: Annotated[
        str | None,
        typer.Option(
            help="Name the batch (1-16 of a-z, 0-9): user N signs in as "
            "userN.<batch>@seed.taskmaster.example",
            show_default="random",
        ),
    ] = None,
) -> None:
    """Create sample data: the demo account, or users and tasks in bulk (COPY on PostgreSQL)
    for query plans and benchmarks. Run `taskmaster migrate` first."""
    if demo == (users is not None):
        raise typer.BadParameter(SEED_WHAT)
    if users is None:  # --demo
        if (tasks_per_user, password, seed_number, batch) != (None, None, None, None):
            raise typer.BadParameter("--tasks-per-user, --password, --seed, --batch need --users")
        _seed_demo()
        return
    password = DEFAULT_PASSWORD if password is None else password
    try:
        check_new_password(password)
    except Invalid as error:
        raise typer.BadParameter(error.message, param_hint="'--password'") from None
    if batch is not None and not BATCH_PATTERN.fullmatch(batch):
        raise typer.BadParameter("1 to 16 of a-z and 0-9", param_hint="'--batch'")
    plan = BulkPlan(
        users=users,
        tasks_per_user=TASKS_PER_USER if tasks_per_user is None else tasks_per_user,
        password=password,
        seed=random_seed() if seed_number is None else seed_number,
        batch=new_batch() if batch is None else batch,
    )
    _seed_bulk(plan)


def _seed_demo() -> None:
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


def _seed_bulk(plan: BulkPlan) -> None:
    settings = Settings()

    async def run(bar: RowsBar) -> BulkResult:
        engine = create_engine(settings)
        try:
            return await seed_bulk(engine, PasswordHasher(), plan, now=system_now(), report=bar)
        finally:
            await engine.dispose()

    started = time.perf_counter()
    try:
        with RowsBar(console, plan.users + plan.tasks) as bar:
            result = asyncio.run(run(bar))
    except CannotSeed as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(1) from None
    elapsed = time.perf_counter() - started
    console.print(
        f"Seeded {result.users:,} users and {result.tasks:,} tasks in {elapsed:.1f} s "
        f"(batch {result.batch}, seed {result.seed})"
    )
    console.print(
        f"Sign in as {result.first_email} … {result.last_email} "
        f"with the password {escape(repr(plan.password))}"
    )


@app.command("v1-usage")
def v1_usage(
    days: Annotated[
        int, typer.Option(min=1, max=KEEP_DAYS, help="How many days back, today included")
    ] = 7,
) -> None:
    """Who still calls API v1: requests per client (User-Agent), busiest first, as counted
    by every server sharing REDIS_URL."""
    settings = Settings()
    if not settings.redis_url:
        console.print(
            "v1 use is counted in Redis: set REDIS_URL to the servers' own. Without it each "
            "server counts in its own memory, out of this command's reach."
        )
        raise typer.Exit(1)
    try:
        uses = asyncio.run(_read_v1_usage(settings, days))
    except StoreUnavailable as error:
        console.print(f"Redis is unreachable: {escape(str(error))}")
        raise typer.Exit(1) from None
    if not uses:
        console.print(f"No v1 requests in the last {days} days")
        return
    # Plain lines, the client last and unstyled: User-Agents are long and client-written.
    console.print(f"{'requests':>10}  {'last seen':<10}  client", highlight=False)
    for use in uses:
        console.print(
            f"{use.requests:>10}  {use.last_day.isoformat():<10}  {use.client}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


async def _read_v1_usage(settings: Settings, days: int) -> list[ClientUse]:
    store = cache.connect(settings.redis_url, settings.redis_prefix, system_now)
    try:
        return await read_usage(store, system_now().date(), days)
    finally:
        await store.close()
