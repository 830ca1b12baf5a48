"""Throwaway PostgreSQL servers (a primary, its streaming replicas), PgBouncers and Redis servers
for tests."""

# They run as the `postgres` OS user (PostgreSQL and PgBouncer both refuse root), each in a
# directory of its own that `close()` removes. Every subprocess is bounded by a timeout, and a
# failure raises ServerError with the end of the server's log in its message.

from __future__ import annotations

import contextlib
import os
import pwd
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from tests.waiting import until

PG_BIN = Path(os.environ.get("TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
PGBOUNCER = Path(shutil.which("pgbouncer") or "/usr/sbin/pgbouncer")
REDIS_SERVER = Path(shutil.which("redis-server") or "/usr/bin/redis-server")
SERVER_USER = "postgres"
TIMEOUT = 60.0  # seconds for any one subprocess: initdb, pg_basebackup, pg_ctl, psql
_SETTING_NAME = re.compile(r"[a-z_][a-z0-9_.]*")
_PORT_TAKEN = ("could not bind", "Address already in use")
_PORT_BLOCKS_FROM, _PORT_BLOCK = 20_000, 1_000  # gw0 takes 20000-20999, gw1 21000-21999, ...


class ServerError(RuntimeError):
    """A server could not be built, started, stopped or queried."""


def worker() -> str:
    """The pytest-xdist worker running this process (gw0, gw1, ...); "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _ephemeral_ports() -> range:
    """The ports the kernel hands out for bind(0) and outgoing connections."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    except (OSError, ValueError):
        return range(1024, 65536)  # unknown: treat every unprivileged port as ephemeral
    return range(int(low), int(high) + 1)


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now, from this worker's own block."""
    # Each xdist worker draws from a block of its own below the ephemeral range: two workers
    # never probe the same port, and no outgoing connection takes it before the server binds.
    # Past the blocks there is room for, the kernel picks (the servers retry a port taken).
    index = int(worker().removeprefix("gw")) if worker().startswith("gw") else 0
    start = _PORT_BLOCKS_FROM + index * _PORT_BLOCK
    block = range(start, start + _PORT_BLOCK)
    if block.stop <= _ephemeral_ports().start:
        for candidate in random.sample(block, 50):  # spreads the probes; guards nothing
            if _bindable(candidate):
                return candidate
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_server_user() -> dict[str, Any]:
    """Popen arguments that drop root to the server user; none when not root."""
    if os.geteuid() != 0:
        return {}
    return {"user": SERVER_USER, "group": pwd.getpwnam(SERVER_USER).pw_gid, "extra_groups": []}


def scratch_dir(prefix: str = "taskmaster-db-") -> Path:
    """A new empty directory in the system temp directory, owned by the server user; its name
    tells the worker that made it."""
    return _own_directory(Path(tempfile.mkdtemp(prefix=f"{prefix}{worker()}-")))


def _own_directory(path: Path) -> Path:
    """Create `path` (mode 0700) and give it to the server user, who must reach it."""
    if os.geteuid() != 0:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path
    entry = pwd.getpwnam(SERVER_USER)
    for parent in (parent for parent in path.absolute().parents if parent.exists()):
        info = parent.stat()
        if not (
            info.st_mode & stat.S_IXOTH
            or (info.st_uid == entry.pw_uid and info.st_mode & stat.S_IXUSR)
            or (info.st_gid == entry.pw_gid and info.st_mode & stat.S_IXGRP)
        ):
            raise ServerError(
                f"{SERVER_USER} cannot reach {path}: {parent} is closed to it "
                "(pytest's tmp_path is); use scratch_dir()"
            )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _run(
    args: Sequence[str | Path],
    *,
    cwd: Path,
    log: Path,
    timeout: float = TIMEOUT,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command as the server user; a failure or timeout raises with output and log."""
    command = [str(arg) for arg in args]
    try:
        done = subprocess.run(  # noqa: S603 - fixed binaries, arguments built here
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8", "PGCONNECT_TIMEOUT": "10"},
            **_as_server_user(),
        )
    except subprocess.TimeoutExpired as error:
        message = f"{command[0]} timed out after {timeout}s\n--- log {log}:\n{_tail(log)}"
        raise ServerError(message) from error
    if check and done.returncode != 0:
        raise ServerError(
            f"{' '.join(command)} exited with {done.returncode}\n"
            f"--- stdout:\n{done.stdout}--- stderr:\n{done.stderr}--- log {log}:\n{_tail(log)}"
        )
    return done


def _wait_until(condition: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    try:
        until(condition, within=timeout, what=what)
    except AssertionError as error:
        raise ServerError(f"{error}\n{_tail(log)}") from None


def _literal(value: object) -> str:
    if isinstance(value, bool):
        value = "on" if value else "off"
    return "'" + str(value).replace("'", "''") + "'"


# Appended to postgresql.conf: a small, fast, unsafe-on-crash server ready to be replicated.
_CONFIG = """
# --- tests/db/servers.py
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
wal_level = replica
max_wal_senders = 10
wal_keep_size = '256MB'
hot_standby = on
wal_retrieve_retry_interval = '200ms'
shared_buffers = '16MB'
max_connections = 100
fsync = off
full_page_writes = off
"""
_HBA = "host replication postgres 127.0.0.1/32 trust\n"


class ClosedOnExit(ABC):
    """`with` it, and `close()` runs however the block ends: the process stops, its folder goes."""

    @abstractmethod
    def close(self) -> None:
        """Stop the process and remove its folder."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class PostgresServer(ClosedOnExit):
    """A PostgreSQL cluster in a directory of its own, listening on 127.0.0.1."""

    def __init__(self, workdir: Path, upstream: PostgresServer | None = None) -> None:
        self.workdir = workdir
        self.data = workdir / "data"
        self.log = workdir / "server.log"
        self.port = 0
        self.upstream = upstream  # the primary this server streams from, if it is a replica
        self._changed: set[str] = set()

    @classmethod
    def create(cls, workdir: Path) -> PostgresServer:
        """initdb a new primary into `workdir` (created, given to postgres) and start it."""
        server = cls(_own_directory(workdir))
        try:
            server._ctl(
                PG_BIN / "initdb",
                *("-D", server.data, "--auth=trust", "-U", SERVER_USER),
                *("--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"),
            )
            with (server.data / "postgresql.conf").open("a") as conf:
                conf.write(_CONFIG)
            with (server.data / "pg_hba.conf").open("a") as hba:
                hba.write(_HBA)
            server._start_on_a_free_port()
        except BaseException:
            server.close()
            raise
        return server

    def replica(self, workdir: Path) -> PostgresServer:
        """A hot standby streaming from this server: pg_basebackup -R into `workdir`, started."""
        replica = PostgresServer(_own_directory(workdir), upstream=self)
        try:
            replica._ctl(
                PG_BIN / "pg_basebackup",
                *("-h", "127.0.0.1", "-p", str(self.port), "-U", SERVER_USER),
                *("-D", replica.data, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"),
            )
            replica._start_on_a_free_port()
        except BaseException:
            replica.close()
            raise
        return replica

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    @property
    def is_running(self) -> bool:
        if not self.data.is_dir():
            return False
        status = self._ctl(PG_BIN / "pg_ctl", "status", "-D", self.data, check=False)
        return status.returncode == 0

    @property
    def in_recovery(self) -> bool:
        return self.query("SELECT pg_is_in_recovery()") == "t"

    def start(self) -> None:
        self._ctl(
            PG_BIN / "pg_ctl",
            *("start", "-D", self.data, "-l", self.log, "-w", "-t", str(int(TIMEOUT))),
            timeout=TIMEOUT + 10,
        )

    def stop(self, mode: str = "fast") -> None:
        self._ctl(
            PG_BIN / "pg_ctl",
            *("stop", "-D", self.data, "-m", mode, "-w", "-t", str(int(TIMEOUT))),
            timeout=TIMEOUT + 10,
        )

    def restart(self) -> None:
        self.stop()
        self.start()

    def query(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql; the unaligned result, without the trailing newline."""
        done = self._ctl(
            PG_BIN / "psql",
            *("-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", self.url(database), "-c", sql),
        )
        return done.stdout.rstrip("\n")

    def set(self, **settings: object) -> None:
        """ALTER SYSTEM and reload: `set(recovery_min_apply_delay="2s")`; None resets one."""
        for name in settings:
            if not _SETTING_NAME.fullmatch(name):
                raise ValueError(f"not a setting name: {name!r}")
        loaded = self.query("SELECT pg_conf_load_time()")
        for name, value in settings.items():  # one by one: ALTER SYSTEM refuses a transaction
            if value is None:
                self.query(f"ALTER SYSTEM RESET {name}")
            else:
                self.query(f"ALTER SYSTEM SET {name} = {_literal(value)}")
            self._changed.add(name)
        self.query("SELECT pg_reload_conf()")
        # Returns once new sessions see the new configuration: the postmaster signalled its
        # other processes (such as a replica's startup process) to reload at the same moment.
        _wait_until(
            lambda: self.query("SELECT pg_conf_load_time()") != loaded,
            TIMEOUT,
            "the configuration to reload",
            self.log,
        )

    def reset(self) -> None:
        """Undo every `set()`: back to the configuration the server was created with."""
        if self._changed:
            self.set(**dict.fromkeys(sorted(self._changed)))
            self._changed.clear()

    def catch_up(self, timeout: float = TIMEOUT) -> None:
        """Wait until this replica has replayed everything its primary has written so far."""
        if self.upstream is None:
            raise ServerError("catch_up() is for a replica; this server has no upstream")
        # The write position, as PostgreSQL's own tests use: the insert position may lie past
        # a page header that no record fills until the next write, up to 15 s later.
        target = self.upstream.query("SELECT pg_current_wal_lsn()")
        _wait_until(
            lambda: self.query(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t",
            timeout,
            f"the replica to replay up to {target}",
            self.log,
        )

    def close(self) -> None:
        """Stop the server (however it has to be) and remove its directory."""
        try:
            if self.is_running:
                try:
                    self.stop("fast")
                except ServerError:
                    self.stop("immediate")
        except ServerError:
            self._kill()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __repr__(self) -> str:
        role = "replica" if self.upstream else "primary"
        return f"<PostgresServer {role} 127.0.0.1:{self.port} in {self.workdir}>"

    def _ctl(
        self, *args: str | Path, timeout: float = TIMEOUT, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return _run(args, cwd=self.workdir, log=self.log, timeout=timeout, check=check)

    def _start_on_a_free_port(self, attempts: int = 3) -> None:
        # A free port may be taken between the probe and the bind: try another one.
        for attempt in range(attempts):
            self.port = free_port()
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write(f"port = {self.port}\n")  # the last one wins
            try:
                self.start()
                return
            except ServerError as error:
                if attempt + 1 == attempts or not any(s in str(error) for s in _PORT_TAKEN):
                    raise

    def _kill(self) -> None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.killpg(pid, signal.SIGKILL)  # pg_ctl starts the postmaster as a group leader


class PgBouncer(ClosedOnExit):
    """A PgBouncer in a directory of its own, forwarding every database to one server."""

    def __init__(self, workdir: Path, process: subprocess.Popen[bytes], port: int) -> None:
        self.workdir = workdir
        self.log = workdir / "pgbouncer.log"
        self.process = process
        self.port = port

    @classmethod
    def start(
        cls,
        workdir: Path,
        upstream_host: str,
        upstream_port: int,
        *,
        pool_mode: str = "transaction",
        default_pool_size: int = 4,
        attempts: int = 3,
    ) -> PgBouncer:
        """Configure and start PgBouncer (as postgres, in the foreground); wait until it listens."""
        # The upstream must trust user postgres from 127.0.0.1: PgBouncer lets the users of its
        # auth_file in with auth_type=trust and has no password to pass on.
        if not PGBOUNCER.is_file():
            shutil.rmtree(workdir, ignore_errors=True)  # the caller made it for this PgBouncer
            raise ServerError(f"no pgbouncer at {PGBOUNCER}: `make pgbouncer` installs it")
        _own_directory(workdir)
        log = workdir / "pgbouncer.log"
        users = workdir / "users.txt"
        users.write_text(f'"{SERVER_USER}" ""\n')
        for attempt in range(attempts):
            port = free_port()
            config = workdir / "pgbouncer.ini"
            config.write_text(
                "[databases]\n"
                f"* = host={upstream_host} port={upstream_port}\n"
                "[pgbouncer]\n"
                f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
                f"auth_type = trust\nauth_file = {users}\nadmin_users = {SERVER_USER}\n"
                f"pool_mode = {pool_mode}\ndefault_pool_size = {default_pool_size}\n"
                "max_client_conn = 500\n"
                # A client queued behind a full pool fails after 20 s instead of hanging a test.
                "query_wait_timeout = 20\n"
                # Sent by JDBC and psycopg; asyncpg sends only client_encoding, which is tracked.
                "ignore_startup_parameters = extra_float_digits\n"
            )
            # In the foreground it logs to stderr, configuration errors included.
            with log.open("a") as output:
                process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own config
                    [str(PGBOUNCER), str(config)],
                    cwd=workdir,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=output,
                    **_as_server_user(),
                )
            bouncer = cls(workdir, process, port)
            try:
                _wait_until(bouncer._listening, 10, "pgbouncer to listen", log)
                return bouncer
            except ServerError as error:
                bouncer._terminate()
                if attempt + 1 == attempts or not any(s in _tail(log) for s in _PORT_TAKEN):
                    message = f"{error}\n--- config {config}:\n{config.read_text()}"
                    shutil.rmtree(workdir, ignore_errors=True)
                    raise ServerError(message) from None
        raise AssertionError("unreachable")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    @property
    def is_running(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Stop PgBouncer (dropping its connections) and remove its directory."""
        try:
            self._terminate()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __repr__(self) -> str:
        return f"<PgBouncer 127.0.0.1:{self.port} in {self.workdir}>"

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            raise ServerError(f"pgbouncer exited with {self.process.returncode}\n{_tail(self.log)}")
        # Its own log line, not a connect probe: another process may have taken the port.
        return f"listening on 127.0.0.1:{self.port}" in _tail(self.log)

    def _terminate(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: immediate shutdown
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class RedisServer(ClosedOnExit):
    """A Redis of a test's own, keeping nothing on disk, that the test stops, pauses (SIGSTOP)
    and starts again on the same port."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir  # scratch_dir() made it
        self.log = workdir / "redis.log"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it listens (its own log line)."""
        self.log.write_text("")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary, arguments built here
            [
                str(REDIS_SERVER),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--logfile",
                str(self.log),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        _wait_until(self._ready, 10, "redis-server to accept connections", self.log)

    def stop(self) -> None:
        if self.process is not None:
            self.resume()
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise ServerError(
                f"redis-server exited with {self.process.returncode}\n{_tail(self.log)}"
            )
        return "Ready to accept connections" in _tail(self.log)
