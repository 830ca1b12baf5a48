"""nginx (Debian's) balancing API instances on loopback with the site compose.yaml serves:
deploy/nginx/taskmaster.conf, its `listen` and log path moved into a folder of its own, and
upstreams naming the instances' ports where compose names their containers."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.db.servers import (
    SERVER_USER,
    ClosedOnExit,
    ServerError,
    free_port,
    scratch_dir,
)
from tests.waiting import until

NGINX = Path(shutil.which("nginx") or "/usr/sbin/nginx")
SITE = Path(__file__).parents[2] / "deploy" / "nginx" / "taskmaster.conf"
START_SECONDS = 10.0
STOP_SECONDS = 10.0
OWN = "daemon off;"  # in the foreground, a child of the test


def _replace_once(text: str, old: str, new: str) -> str:
    """`text` with its one `old` replaced: a site that changed shape fails here, not later."""
    if text.count(old) != 1:
        raise ServerError(f"{SITE} should hold {old!r} once")
    return text.replace(old, new)


def _config(workdir: Path, port: int, upstreams: Sequence[str]) -> str:
    site = _replace_once(SITE.read_text(), "listen 80;", f"listen 127.0.0.1:{port};")
    site = _replace_once(site, "/var/log/nginx/access.log", str(workdir / "access.log"))
    (workdir / "site.conf").write_text(site)
    # A refused or broken connection marks an instance down for a second; a request not yet
    # sent to it (a refused connect) goes to the next one, as nginx does by default.
    servers = "".join(
        f"    server {address} max_fails=1 fail_timeout=1s;\n" for address in upstreams
    )
    temp_paths = "".join(
        f"{kind}_temp_path {workdir / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"user {SERVER_USER};\nworker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        "events {\n    worker_connections 1024;\n}\n"
        f"http {{\n{temp_paths}"
        f"upstream api {{\n{servers}    keepalive 32;\n}}\n"
        f"upstream realtime {{\n    hash $remote_addr consistent;\n{servers}}}\n"
        f"include {workdir / 'site.conf'};\n}}\n"
    )


class Nginx(ClosedOnExit):
    """nginx in a folder of its own, listening on a free port of 127.0.0.1."""

    def __init__(self, workdir: Path, process: subprocess.Popen[bytes], port: int) -> None:
        self.workdir = workdir
        self.log = workdir / "error.log"
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls, upstreams: Sequence[str]) -> Nginx:
        """Balance `upstreams` (host:port each); return once it listens."""
        if not NGINX.is_file():
            raise ServerError(f"no nginx at {NGINX}: `make nginx` installs it")
        workdir = scratch_dir("taskmaster-nginx-")  # the workers, as SERVER_USER, write here
        port = free_port()
        config = workdir / "nginx.conf"
        config.write_text(_config(workdir, port, upstreams))
        log = workdir / "error.log"
        with log.open("ab") as output:
            process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own config
                [str(NGINX), "-p", str(workdir), "-c", str(config), "-e", str(log), "-g", OWN],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
            )
        nginx = cls(workdir, process, port)
        try:
            nginx._wait_listening()
        except BaseException:
            nginx.close()
            raise
        return nginx

    def close(self) -> None:
        """Stop nginx and remove its folder."""
        try:
            if self.process.poll() is None:
                self.process.terminate()  # SIGTERM: a fast shutdown
                try:
                    self.process.wait(STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(STOP_SECONDS)
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _wait_listening(self) -> None:
        def listening() -> bool:
            if self.process.poll() is not None:
                raise ServerError(f"nginx exited:\n{self.log.read_text(errors='replace')}")
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", self.port)) == 0

        until(listening, within=START_SECONDS, what="nginx listening")
