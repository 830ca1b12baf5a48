"""Fixtures: a primary and its streaming replica, built by the tests (PgBouncer: ../conftest),
for the tests of replicas and of a scaled-out topology (a plugin of ../conftest)."""

# Built once per run (initdb and pg_basebackup take about a second together) and removed at the
# end, even when tests fail or are interrupted.

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url

from taskmaster.db import migrate
from tests.db.servers import PostgresServer, scratch_dir


@dataclass
class PrimaryAndReplica:
    """A primary and a hot standby streaming from it."""

    primary: PostgresServer
    replica: PostgresServer

    def heal(self) -> None:
        """Both running, settings as created, the replica caught up: how every test starts."""
        for server in (self.primary, self.replica):
            if not server.is_running:
                server.start()
            server.reset()
        self.replica.catch_up()


@pytest.fixture(scope="session")
def replicated_servers() -> Iterator[PrimaryAndReplica]:
    """The run's primary and replica, in a scratch directory removed at the end."""
    base = scratch_dir("taskmaster-replication-")
    try:
        with (
            PostgresServer.create(base / "primary") as primary,
            primary.replica(base / "replica") as replica,
        ):
            yield PrimaryAndReplica(primary, replica)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def primary_and_replica(replicated_servers: PrimaryAndReplica) -> PrimaryAndReplica:
    """The run's primary and replica, healed of what an earlier test did to them."""
    replicated_servers.heal()
    return replicated_servers


def asyncpg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(False)


@pytest.fixture(scope="session")
def migrated_template(replicated_servers: PrimaryAndReplica) -> str:
    """A database on the run's primary migrated to head once, that `database` copies; it goes
    with the server."""
    name = f"taskmaster_template_{uuid.uuid4().hex[:12]}"
    primary = replicated_servers.primary
    primary.query(f'CREATE DATABASE "{name}"')
    migrate.upgrade(asyncpg_url(primary.url(name)))
    # Never changed, never connected to again: a copy needs its template unused.
    primary.query(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    return name


@pytest.fixture
def database(primary_and_replica: PrimaryAndReplica, migrated_template: str) -> Iterator[str]:
    """A migrated database of its own on the primary, replicated; dropped afterwards."""
    name = f"taskmaster_{uuid.uuid4().hex[:12]}"
    primary, replica = primary_and_replica.primary, primary_and_replica.replica
    # A copy of the migrated template: what migrating an empty database would give, sooner.
    primary.query(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
    replica.catch_up()
    try:
        yield name
    finally:
        primary.query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
