"""The container deployment: the Dockerfile passes hadolint, compose.yaml passes Docker Compose's
own validation, and what they wire together is what TaskMaster reads."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from taskmaster.config import Settings
from tests.deploy.tools import DEPLOY, ROOT, SETTINGS, tool
from tests.deploy.tools import run as run_tool

DOCKERFILE = ROOT / "Dockerfile"
SECRETS_SCRIPT = "deploy/compose-secrets.sh"
NGINX = DEPLOY / "nginx"
PGBOUNCER_INI = DEPLOY / "pgbouncer" / "pgbouncer.ini"
IMAGE = "taskmaster:local"
API_INSTANCES = {"api1", "api2", "api3"}
# Read by asyncpg rather than TaskMaster: compose.yaml's database URLs carry no password.
DRIVER_VARIABLES = {"PGPASSWORD"}
PYTHON_VARIABLES = {"PATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}


DEV_EXTRA = "`make install` installs it (the dev extra)"


def run(
    *command: str, cwd: Path = ROOT, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    # Neither a user's hadolint settings nor a compose project set in the environment may
    # change what is checked.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HADOLINT_", "COMPOSE_"))}
    return run_tool(*command, cwd=cwd, stdin=stdin, env=env)


# Dockerfile


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def dockerfile_stages() -> dict[str, list[Instruction]]:
    """Each build stage's instructions (FROM first), by stage name, in order."""
    lines = [line for line in DOCKERFILE.read_text().splitlines() if not line.startswith("#")]
    stages: dict[str, list[Instruction]] = {}
    stage: list[Instruction] = []
    for line in "\n".join(lines).replace("\\\n", " ").splitlines():
        keyword, _, arguments = line.strip().partition(" ")
        if not keyword:
            continue
        if keyword.upper() == "FROM":
            stage = stages.setdefault(arguments.split()[-1], [])
        stage.append(Instruction(keyword.upper(), " ".join(arguments.split())))
    return stages


def arguments_of(stage: list[Instruction], keyword: str) -> list[str]:
    return [instruction.arguments for instruction in stage if instruction.keyword == keyword]


def environment_of(stage: list[Instruction]) -> dict[str, str]:
    pairs = [pair for arguments in arguments_of(stage, "ENV") for pair in shlex.split(arguments)]
    return {name: value for name, _, value in (pair.partition("=") for pair in pairs)}


def test_the_dockerfile_passes_hadolint(tmp_path: Path) -> None:
    config = tmp_path / "hadolint.yaml"
    config.write_text("ignored: []\n")  # no user's or project's list of ignored rules
    # hadolint exits 0 on a configuration it cannot read: its silence is the pass.
    lint = run(
        tool("hadolint", DEV_EXTRA),
        "--config",
        str(config),
        "--failure-threshold",
        "style",
        "--no-color",
        str(DOCKERFILE),
    )
    assert (lint.returncode, lint.stdout + lint.stderr) == (0, "")


def test_hadolint_reports_what_it_should(tmp_path: Path) -> None:
    config = tmp_path / "hadolint.yaml"
    config.write_text("ignored: []\n")
    lint = run(
        tool("hadolint", DEV_EXTRA),
        "--config",
        str(config),
        "--no-color",
        "-",
        stdin="FROM python\nUSER root\n",
    )
    assert lint.returncode != 0
    assert "DL3006" in lint.stdout
    assert "DL3002" in lint.stdout


def test_the_image_runs_taskmaster_as_a_user_with_a_healthcheck() -> None:
    *_, runtime = dockerfile_stages().values()
    (user,) = arguments_of(runtime, "USER")
    assert user.split(":")[0] not in ("root", "0")
    assert user.split(":")[0].isdigit()  # numeric: Kubernetes' runAsNonRoot can check it
    (healthcheck,) = arguments_of(runtime, "HEALTHCHECK")
    assert "urllib.request" in healthcheck
    assert "/health'" in healthcheck
    assert json.loads(arguments_of(runtime, "ENTRYPOINT")[0]) == ["taskmaster"]
    assert json.loads(arguments_of(runtime, "CMD")[-1]) == ["serve"]
    environment = environment_of(runtime)
    assert arguments_of(runtime, "EXPOSE") == [environment["PORT"]] == ["8000"]
    assert environment["ENVIRONMENT"] == "production"
    assert environment["HOST"] == "0.0.0.0"  # noqa: S104 - a container listens on its interface
    assert set(environment) <= SETTINGS | PYTHON_VARIABLES


def test_the_runtime_holds_the_locked_environment_and_the_web_app_only() -> None:
    stages = dockerfile_stages()
    web, builder, runtime = stages.values()
    assert arguments_of(web, "FROM")[0].startswith("node:20")
    assert {"npm ci --no-audit --no-fund", "npm run build"} <= {
        arguments.split(" ", 1)[-1] if arguments.startswith("--mount") else arguments
        for arguments in arguments_of(web, "RUN")
    }
    # The environment's python links to the builder's interpreter: the same image runs it.
    assert (
        arguments_of(builder, "FROM")[0].split()[0] == arguments_of(runtime, "FROM")[0].split()[0]
    )
    syncs = [command for command in arguments_of(builder, "RUN") if "uv sync" in command]
    assert syncs
    for sync in syncs:
        assert "--locked" in sync
        assert "--no-editable" in sync
        assert "--extra" not in sync
        assert "--all-extras" not in sync
    web_name = next(iter(stages))
    assert f"--from={web_name} /build/src/taskmaster/static src/taskmaster/static" in (
        arguments_of(builder, "COPY")
    )
    builder_name = list(stages)[1]
    assert all(copy.startswith(f"--from={builder_name} ") for copy in arguments_of(runtime, "COPY"))
    for command in arguments_of(runtime, "RUN"):
        assert not re.search(r"\b(apt-get|apk|pip|uv|npm) (install|add|sync)\b", command)


def test_the_builder_installs_uv_at_the_locks_version() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    (locked,) = [package["version"] for package in lock["package"] if package["name"] == "uv"]
    _, builder, _ = dockerfile_stages().values()
    assert f"UV_VERSION={locked}" in arguments_of(builder, "ARG")


# .dockerignore


def _pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go's filepath.Match, plus ** for any number of folders)."""
    translated = ""
    for token in re.findall(r"\*\*/|\*\*|\*|\?|\[[^]]*\]|[^*?[]+", pattern.strip("/")):
        translated += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
            token, token.replace("[!", "[^") if token.startswith("[") else re.escape(token)
        )
    return re.compile(translated)


def dockerignored(path: str) -> bool:
    """Docker's reading: the last pattern that matches the path, or a folder holding it,
    decides; a pattern with ! lets it in again."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    ignored = False
    for pattern in patterns:
        regex = _pattern(pattern.removeprefix("!"))
        if any(regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            ignored = not pattern.startswith("!")
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        "web/node_modules/react/index.js",
        "data/taskmaster.db",
        ".env",
        "web/.env.local",
        "deploy/secrets/jwt_private_key.pem",
        ".git/HEAD",
        "src/taskmaster/static/index.html",
        "src/taskmaster/__pycache__/app.cpython-311.pyc",
        ".mypy_cache/3.11/taskmaster/app.meta.json",
        "tests/conftest.py",
    ],
)
def test_the_build_context_leaves_out(path: str) -> None:
    assert dockerignored(path)


def test_the_build_context_holds_every_file_the_dockerfile_copies() -> None:
    sources = [
        source.rstrip("/")
        for stage in dockerfile_stages().values()
        for copy in arguments_of(stage, "COPY")
        if not copy.startswith("--from=")
        for source in copy.split()[:-1]
    ]
    assert sources
    git = shutil.which("git")
    assert git, "git is needed to list the repository's files"
    tracked = run(git, "ls-files", "-z", "--", *sources).stdout.split("\0")
    copied = [path for path in tracked if path]
    assert {path.split("/")[0] for path in copied} >= {"pyproject.toml", "uv.lock", "src", "web"}
    assert [path for path in copied if dockerignored(path)] == []


# compose.yaml


def compose_project(tmp_path: Path, *, secrets: bool) -> Path:
    """compose.yaml with the deploy folder it reads, in a scratch folder; with its secrets made
    by the script the instructions name, when asked."""
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copytree(DEPLOY, tmp_path / "deploy", ignore=_secrets_made_here)
    if secrets:
        sh = shutil.which("sh")
        assert sh
        made = run(sh, SECRETS_SCRIPT, cwd=tmp_path)
        assert made.returncode == 0, made.stderr
    return tmp_path


def _secrets_made_here(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name != ".gitignore"] if folder.endswith("secrets") else []


def docker_compose_config(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    compose = tool("docker-compose", DEV_EXTRA)
    return run(compose, "--file", str(project / "compose.yaml"), "config", *options, cwd=project)


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """compose.yaml as Docker Compose resolves it: anchors merged, env files read."""
    project = compose_project(tmp_path_factory.mktemp("compose"), secrets=True)
    resolved = docker_compose_config(project, "--format", "json")
    assert resolved.returncode == 0, resolved.stderr
    config: dict[str, Any] = json.loads(resolved.stdout)
    return config


def taskmaster_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if s.get("image") == IMAGE}


def test_docker_compose_validates_compose_yaml(tmp_path: Path) -> None:
    project = compose_project(tmp_path, secrets=True)
    validated = docker_compose_config(project, "--quiet")
    assert (validated.returncode, validated.stderr) == (0, "")


def test_compose_needs_the_secrets_made_first(tmp_path: Path) -> None:
    refused = docker_compose_config(compose_project(tmp_path, secrets=False), "--quiet")
    assert refused.returncode != 0
    assert "deploy/secrets/database.env" in refused.stderr


def test_the_containers_set_only_variables_taskmaster_reads(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = taskmaster_services(compose)
    assert set(services) == API_INSTANCES | {"relay", "migrate"}
    *_, runtime = dockerfile_stages().values()
    for service in services.values():
        assert set(service["environment"]) - DRIVER_VARIABLES <= SETTINGS
        assert set(service["environment"]) >= DRIVER_VARIABLES
        # And TaskMaster accepts them, under the image's own.
        for name in SETTINGS:
            monkeypatch.delenv(name, raising=False)
        for name, value in (environment_of(runtime) | service["environment"]).items():
            if name in SETTINGS:
                monkeypatch.setenv(name, value)
        assert Settings(_env_file=None).is_production


def nginx_config(name: str) -> str:
    """deploy/nginx/NAME.conf without its comments."""
    lines = (NGINX / f"{name}.conf").read_text().splitlines()
    return "\n".join(line.split("#", 1)[0] for line in lines)


def test_nginx_balances_three_api_instances(compose: dict[str, Any]) -> None:
    services = compose["services"]
    serving = {
        name for name, s in taskmaster_services(compose).items() if s["command"] == ["serve"]
    }
    assert serving == API_INSTANCES
    upstreams = dict(re.findall(r"upstream (\w+) \{(.*?)\}", nginx_config("upstreams"), re.DOTALL))
    assert set(upstreams) == {"api", "realtime"}
    for servers in upstreams.values():
        assert set(re.findall(r"server (\S+?):8000 resolve;", servers)) == API_INSTANCES
    conf = nginx_config("taskmaster")
    assert re.search(r"location / \{\s*proxy_pass http://api;", conf)
    assert re.search(r"location /socket.io/ \{\s*proxy_pass http://realtime;", conf)
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert re.search(r"location = /metrics \{\s*return 404;", conf)

    nginx = services["nginx"]
    mounts = {Path(mount["source"]).name: mount["target"] for mount in nginx["volumes"]}
    assert mounts == {
        "taskmaster.conf": "/etc/nginx/conf.d/default.conf",  # in place of the image's own site
        "upstreams.conf": "/etc/nginx/conf.d/upstreams.conf",
    }
    healthy_first = {
        n for n, after in nginx["depends_on"].items() if after["condition"] == "service_healthy"
    }
    assert healthy_first == API_INSTANCES
    assert [name for name, s in services.items() if s.get("ports")] == ["nginx"]
    for name in API_INSTANCES:
        assert services[name]["environment"]["TRUSTED_PROXY_HOPS"] == "1"


def test_the_apis_use_pgbouncer_and_read_from_the_replica(compose: dict[str, Any]) -> None:
    bouncer = configparser.ConfigParser()
    bouncer.read_string(PGBOUNCER_INI.read_text())
    assert bouncer["pgbouncer"]["pool_mode"] == "transaction"
    port = int(bouncer["pgbouncer"]["listen_port"])
    servers = {
        name: {key: value for key, _, value in (option.partition("=") for option in entry.split())}
        for name, entry in bouncer["databases"].items()
    }

    def server_behind(url: str) -> str:
        parts = urlsplit(url)
        assert (parts.hostname, parts.port, parts.password) == ("pgbouncer", port, None)
        return servers[parts.path.lstrip("/")]["host"]

    for name in API_INSTANCES:
        environment = compose["services"][name]["environment"]
        assert environment["DB_TRANSACTION_POOLER"] == "true"
        assert server_behind(environment["DATABASE_URL"]) == "postgres-primary"
        replicas = environment["DATABASE_REPLICA_URLS"].split(",")
        assert [server_behind(url) for url in replicas] == ["postgres-replica"]
    replica = compose["services"]["postgres-replica"]
    assert replica["depends_on"]["postgres-primary"]["condition"] == "service_healthy"
    entrypoint = (DEPLOY / "postgres" / "replica-entrypoint.sh").read_text()
    assert "--host=postgres-primary" in entrypoint
    assert "--write-recovery-conf" in entrypoint


def test_only_the_relay_publishes_the_outbox(compose: dict[str, Any]) -> None:
    services = taskmaster_services(compose)
    relaying = {name: service["environment"]["OUTBOX_RELAY"] for name, service in services.items()}
    assert relaying == dict.fromkeys(services, "external")
    (relay,) = [s for s in services.values() if s["command"] == ["relay"]]
    assert relay["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert relay["environment"]["DB_TRANSACTION_POOLER"] == "true"


def test_migrations_run_before_any_instance_or_the_relay(compose: dict[str, Any]) -> None:
    services = taskmaster_services(compose)
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"].get("restart", "no") == "no"
    assert urlsplit(services["migrate"]["environment"]["DATABASE_URL"]).hostname == (
        "postgres-primary"
    )
    for name, service in services.items():
        if name != "migrate":
            after = service["depends_on"]["migrate"]
            assert after["condition"] == "service_completed_successfully"


def test_every_long_running_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    checked = {
        name
        for name, service in compose["services"].items()
        if service.get("healthcheck", {}).get("test") and not service["healthcheck"].get("disable")
    }
    assert checked == set(compose["services"]) - {"relay", "migrate"}


def test_secrets_come_from_files_never_committed(compose: dict[str, Any]) -> None:
    for secret in compose["secrets"].values():
        assert Path(secret["file"]).parent.name == "secrets"
        assert Path(secret["file"]).parent.parent.name == "deploy"
    ignored = (DEPLOY / "secrets" / ".gitignore").read_text().splitlines()
    assert [line for line in ignored if not line.startswith("#")] == ["*", "!.gitignore"]
    for service in taskmaster_services(compose).values():
        assert service["environment"]["JWT_PRIVATE_KEY_FILE"] == "/run/secrets/jwt_private_key"
        assert {"source": "jwt_private_key", "target": "/run/secrets/jwt_private_key"} in (
            service["secrets"]
        )
    # compose.yaml itself names no password: they come from the env file and secrets.
    written: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    for service in written["services"].values():
        for name, value in (service.get("environment") or {}).items():
            assert "PASSWORD" not in name or name.endswith("_FILE")
            assert name != "JWT_PRIVATE_KEY"
            assert urlsplit(str(value)).password is None


def test_images_are_pinned_to_versions(compose: dict[str, Any]) -> None:
    images = [s["image"] for s in compose["services"].values() if s["image"] != IMAGE] + [
        arguments_of(stage, "FROM")[0].split()[0] for stage in dockerfile_stages().values()
    ]
    unpinned = [image for image in images if not re.search(r":v?\d+\.\d+", image)]
    assert unpinned == []
