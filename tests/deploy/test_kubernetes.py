"""The Kubernetes manifests (deploy/kubernetes): both overlays render with kustomize, pass the
API schemas and checkov, and wire TaskMaster the way its code expects."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from taskmaster.config import Environment, Settings
from tests.deploy.tools import DEPLOY, SETTINGS, run, tool

KUBERNETES = DEPLOY / "kubernetes"
OVERLAYS = ("dev", "prod")
# The oldest release the manifests are written for, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.32.0", "1.37.0")
# libpq's variables, which asyncpg reads when a URL leaves them out: the URLs hold no password.
DRIVER_VARIABLES = {"PGPASSWORD", "PGSSLMODE", "PGSSLROOTCERT"}
SECRET_VARIABLES = {"JWT_PRIVATE_KEY", "PGPASSWORD"}
DATABASE = "taskmaster-db"
# The Secrets the manifests refer to and nobody commits: CloudNativePG makes the first two,
# the operator the others (docs/kubernetes.md).
SECRETS = {f"{DATABASE}-app", f"{DATABASE}-ca", "taskmaster-jwt", "taskmaster-tls"}
WORKLOADS = ("Deployment", "StatefulSet", "Job")
TOOLS_HINT = "`make k8s-tools` installs it (pip install -r deploy/kubernetes/tools.txt)"

Doc = dict[str, Any]


@dataclass(frozen=True)
class Render:
    """One overlay as `kubectl kustomize` renders it."""

    overlay: str
    path: Path
    docs: list[Doc]

    def all(self, kind: str) -> list[Doc]:
        return [doc for doc in self.docs if doc["kind"] == kind]

    def one(self, kind: str, name: str) -> Doc:
        (found,) = [doc for doc in self.all(kind) if doc["metadata"]["name"] == name]
        return found

    def workloads(self) -> Iterator[Doc]:
        return (doc for doc in self.docs if doc["kind"] in WORKLOADS)

    def config_map(self, name: str) -> dict[str, str]:
        """A generated ConfigMap's data, by the name it had before kustomize's hash suffix."""
        (found,) = [
            doc
            for doc in self.all("ConfigMap")
            if re.fullmatch(rf"{name}(-[a-z0-9]+)?", doc["metadata"]["name"])
        ]
        return dict(found.get("data", {}))


def render(overlay: str, folder: Path) -> Render:
    kubectl = tool("kubectl", "install kubectl v1.27 or newer (it renders with its kustomize)")
    rendered = run(kubectl, "kustomize", str(KUBERNETES / "overlays" / overlay))
    assert rendered.returncode == 0, rendered.stderr
    path = folder / f"{overlay}.yaml"
    path.write_text(rendered.stdout)
    return Render(overlay, path, [doc for doc in yaml.safe_load_all(rendered.stdout) if doc])


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Render]:
    folder = tmp_path_factory.mktemp("kubernetes")
    return {overlay: render(overlay, folder) for overlay in OVERLAYS}


@pytest.fixture(params=OVERLAYS)
def rendered(request: pytest.FixtureRequest, renders: dict[str, Render]) -> Render:
    return renders[request.param]


@pytest.fixture
def prod(renders: dict[str, Render]) -> Render:
    return renders["prod"]


@pytest.fixture
def dev(renders: dict[str, Render]) -> Render:
    return renders["dev"]


# Offline validation


def pinned_tools() -> dict[str, str]:
    lines = (KUBERNETES / "tools.in").read_text().splitlines()
    return dict(line.split("==") for line in lines if line and not line.startswith("#"))


def test_the_tools_are_the_pinned_ones() -> None:
    """tools.txt holds tools.in's pins, and the validator found is that version (checkov's
    own test reads checkov's from its report)."""
    locked = (KUBERNETES / "tools.txt").read_text().splitlines()
    pins = pinned_tools()
    assert pins.keys() == {"checkov", "kubernetes-validate"}
    for name, version in pins.items():
        assert f"{name}=={version}" in locked, f"tools.txt is stale: {name}"
    reported = run(tool("kubernetes-validate", TOOLS_HINT), "--version")
    assert reported.stdout.strip() == pins["kubernetes-validate"], reported.stdout


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_resource_matches_the_kubernetes_schemas(rendered: Render, version: str) -> None:
    """Strict: an unknown or misplaced field fails. The one kind without a schema here is
    CloudNativePG's Cluster (no package ships its CRD); the tests below check what we set."""
    validator = tool("kubernetes-validate", TOOLS_HINT)
    checked = run(
        validator, "--kubernetes-version", version, "--strict", "--quiet", str(rendered.path)
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = [line for line in (checked.stdout + checked.stderr).splitlines() if line.strip()]
    unvalidated = "Couldn't find schema for kind Cluster with api version postgresql.cnpg.io/v1"
    assert lines, "the validator said nothing, not even about the Cluster it has no schema for"
    assert all(unvalidated in line for line in lines), "\n".join(lines)


def test_checkov_finds_nothing_and_every_skip_says_why(rendered: Render) -> None:
    checkov = tool("checkov", TOOLS_HINT)
    config = KUBERNETES / ".checkov.yaml"
    scanned = run(checkov, "--config-file", str(config), "-f", str(rendered.path), "-o", "json")
    assert scanned.stdout.strip(), scanned.stderr
    report = json.loads(scanned.stdout)
    (kubernetes,) = report if isinstance(report, list) else [report]
    results = kubernetes["results"]
    failed = [
        f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in results["failed_checks"]
    ]
    assert failed == []
    assert results["parsing_errors"] == []
    assert kubernetes["summary"]["passed"] > 100, "checkov checked next to nothing"
    assert kubernetes["summary"]["checkov_version"] == pinned_tools()["checkov"]
    for skipped in results["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment") or ""
        assert len(reason) > 20, f"{skipped['check_id']} on {skipped['resource']}: no reason"
    assert scanned.returncode == 0, scanned.stderr


# The pods


def pod_spec(workload: Doc) -> Doc:
    spec: Doc = workload["spec"]["template"]["spec"]
    return spec


def pod_template_labels(workload: Doc) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def containers(workload: Doc) -> list[Doc]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def image_name(image: str) -> str:
    """An image's own name: without its registry, tag or digest."""
    return re.split(r"[:@]", image.rsplit("/", 1)[-1], maxsplit=1)[0]


def is_taskmaster(container: Doc) -> bool:
    return image_name(container["image"]) == "taskmaster"


def test_every_container_is_bounded_and_locked_down(rendered: Render) -> None:
    for workload in rendered.workloads():
        spec, name = pod_spec(workload), workload["metadata"]["name"]
        assert spec["automountServiceAccountToken"] is False, name
        # Nor variables of their own for every Service of the namespace.
        assert spec["enableServiceLinks"] is False, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] >= 10000, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert not {"hostNetwork", "hostPID", "hostIPC"} & spec.keys(), name
        for container in containers(workload):
            resources, context = container["resources"], container["securityContext"]
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= resources[bound].keys(), (name, bound)
            assert context["runAsNonRoot"] is True, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            # A read-only root leaves /tmp as TaskMaster's only place to write.
            if is_taskmaster(container):
                mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
                volumes = {v["name"]: v for v in spec["volumes"]}
                assert "emptyDir" in volumes[mounts["/tmp"]], name  # noqa: S108 - the pod's


def environment(rendered: Render, container: Doc) -> dict[str, str]:
    """What the container's environment holds; a Secret's value stands as `<secret>`."""
    values: dict[str, str] = {}
    for source in container.get("envFrom", []):
        assert source.keys() == {"configMapRef"}, "a whole Secret in the environment"
        values |= rendered.config_map(source["configMapRef"]["name"])
    for variable in container.get("env", []):
        name, reference = variable["name"], variable.get("valueFrom", {})
        if "value" in variable:
            values[name] = variable["value"]
        elif "configMapKeyRef" in reference:
            key = reference["configMapKeyRef"]
            values[name] = rendered.config_map(key["name"])[key["key"]]
        else:
            assert reference.keys() == {"secretKeyRef"}, (name, reference)
            values[name] = "<secret>"
    return values


def settings_of(values: dict[str, str]) -> Settings:
    """The Settings TaskMaster would start with: every value must parse."""
    given: dict[str, Any] = {k.lower(): v for k, v in values.items() if k in SETTINGS}
    return Settings(_env_file=None, **given)


def taskmaster_containers(rendered: Render) -> Iterator[tuple[Doc, Doc]]:
    for workload in rendered.workloads():
        for container in containers(workload):
            if is_taskmaster(container):
                yield workload, container


def test_every_variable_is_one_taskmaster_reads(rendered: Render) -> None:
    found = list(taskmaster_containers(rendered))
    assert {w["metadata"]["name"] for w, _ in found} == {
        "taskmaster-api",
        "taskmaster-relay",
        "taskmaster-migrate",
    }
    for workload, container in found:
        values = environment(rendered, container)
        assert values.keys() <= SETTINGS | DRIVER_VARIABLES, workload["metadata"]["name"]
        settings_of(values)
    for workload in rendered.workloads():
        for container in containers(workload):
            if not is_taskmaster(container):
                assert "env" not in container, workload["metadata"]["name"]
                assert "envFrom" not in container, workload["metadata"]["name"]


def test_secrets_are_only_referenced(rendered: Render) -> None:
    assert rendered.all("Secret") == []
    referenced: set[str] = set()
    for workload in rendered.workloads():
        for container in containers(workload):
            for name, value in environment(rendered, container).items():
                assert name not in SECRET_VARIABLES or value == "<secret>", name
                for url in value.split(","):
                    assert urlsplit(url.strip()).password is None, f"{name} holds a password"
            referenced |= {
                v["valueFrom"]["secretKeyRef"]["name"]
                for v in container.get("env", [])
                if "secretKeyRef" in v.get("valueFrom", {})
            }
        referenced |= {
            v["secret"]["secretName"]
            for v in pod_spec(workload).get("volumes", [])
            if "secret" in v
        }
    for ingress in rendered.all("Ingress"):
        referenced |= {tls["secretName"] for tls in ingress["spec"]["tls"]}
    assert referenced == SECRETS


def test_the_api_is_probed_where_taskmaster_answers(rendered: Render) -> None:
    api = rendered.one("Deployment", "taskmaster-api")
    (container,) = containers(api)
    settings = settings_of(environment(rendered, container))
    assert container["args"] == ["serve"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"http": settings.port}
    probes = {
        probe: (container[probe]["httpGet"]["path"], container[probe]["httpGet"]["port"])
        for probe in ("readinessProbe", "livenessProbe", "startupProbe")
    }
    assert probes == {
        "readinessProbe": ("/ready", "http"),
        "livenessProbe": ("/health", "http"),
        "startupProbe": ("/health", "http"),
    }
    assert settings.environment is Environment.PRODUCTION
    assert settings.host == "0.0.0.0"  # noqa: S104 - the pod's own interface, behind a Service
    assert settings.outbox_relay == "external"
    assert settings.workers == 1
    # Draining: /ready fails for DRAIN_SECONDS, then the requests held finish, one of which
    # may have waited DB_POOL_TIMEOUT for a connection.
    grace = pod_spec(api)["terminationGracePeriodSeconds"]
    assert grace > settings.drain_seconds + settings.db_pool_timeout
    assert "preStop" not in container.get("lifecycle", {})
    template = api["spec"]["template"]["metadata"]["annotations"]
    assert template["prometheus.io/port"] == str(settings.port)
    assert template["prometheus.io/path"] == "/metrics"


def test_the_relay_and_the_migration_run_the_same_image(rendered: Render) -> None:
    (api,) = containers(rendered.one("Deployment", "taskmaster-api"))
    (relay,) = containers(rendered.one("Deployment", "taskmaster-relay"))
    job = rendered.one("Job", "taskmaster-migrate")
    (migrate,) = containers(job)
    assert relay["image"] == migrate["image"] == api["image"]
    assert relay["args"] == ["relay"]
    assert migrate["args"] == ["migrate"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] > 0
    # The relay and the migration reach the database as the API does.
    for container in (relay, migrate):
        database = settings_of(environment(rendered, container)).database_url
        assert database == settings_of(environment(rendered, api)).database_url


# The database


def test_the_api_reads_from_each_replica_of_the_cluster(rendered: Render) -> None:
    cluster = rendered.one("Cluster", DATABASE)
    (container,) = containers(rendered.one("Deployment", "taskmaster-api"))
    settings = settings_of(environment(rendered, container))
    primary = urlsplit(settings.database_url)
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert primary.hostname == f"{DATABASE}-rw"
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    assert (primary.username, primary.path) == (initdb["owner"], f"/{initdb['database']}")
    instances = cluster["spec"]["instances"]
    hosts = [str(urlsplit(url).hostname) for url in settings.database_replica_urls]
    if instances == 1:
        assert hosts == []
        return
    # Each instance by name (not the -ro Service): the replay check and the read must meet
    # the same server. The certificate must name each of them for verify-full.
    assert hosts == [f"{DATABASE}-{n}" for n in range(1, instances + 1)]
    assert set(hosts) <= set(cluster["spec"]["certificates"]["serverAltDNSNames"])
    for host in hosts:
        selector = rendered.one("Service", host)["spec"]["selector"]
        assert selector == {"cnpg.io/cluster": DATABASE, "cnpg.io/instanceName": host}


def test_prod_runs_three_database_instances_and_dev_one(prod: Render, dev: Render) -> None:
    assert prod.one("Cluster", DATABASE)["spec"]["instances"] == 3
    assert prod.one("Cluster", DATABASE)["spec"]["affinity"]["podAntiAffinityType"] == "required"
    assert dev.one("Cluster", DATABASE)["spec"]["instances"] == 1


# Scaling


def test_the_api_scales_from_three_to_eight_pods_in_prod(prod: Render, dev: Render) -> None:
    """The strategy plans 8 backend instances for 10,000 users."""
    for rendered, bounds in ((prod, (3, 8)), (dev, (1, 2))):
        autoscaler = rendered.one("HorizontalPodAutoscaler", "taskmaster-api")["spec"]
        assert (autoscaler["minReplicas"], autoscaler["maxReplicas"]) == bounds
        assert autoscaler["scaleTargetRef"]["name"] == "taskmaster-api"
        (metric,) = autoscaler["metrics"]
        assert metric["resource"]["name"] == "cpu"
        # The autoscaler owns the count: a replicas field would reset it on every apply.
        assert "replicas" not in rendered.one("Deployment", "taskmaster-api")["spec"]


def test_a_disruption_budget_keeps_api_pods_serving(prod: Render, dev: Render) -> None:
    for rendered, kept in ((prod, 2), (dev, 0)):
        api = rendered.one("Deployment", "taskmaster-api")
        fewest = rendered.one("HorizontalPodAutoscaler", "taskmaster-api")["spec"]["minReplicas"]
        (budget,) = [
            pdb
            for pdb in rendered.all("PodDisruptionBudget")
            if selects(pdb["spec"]["selector"], pod_template_labels(api))
        ]
        spec = budget["spec"]
        available = (
            spec["minAvailable"] if "minAvailable" in spec else fewest - spec["maxUnavailable"]
        )
        assert available >= kept
        assert available < fewest or fewest == 0, "no node could ever be drained"


# The network


def selects(selector: Doc, labels: dict[str, str]) -> bool:
    assert selector.keys() <= {"matchLabels"}, "only matchLabels is read here"
    wanted: dict[str, str] = selector.get("matchLabels", {})
    return wanted.items() <= labels.items()


def pod_labels(rendered: Render) -> dict[str, dict[str, str]]:
    """Every kind of pod here, by a short name: each workload's, and the database's."""
    pods = {
        workload["metadata"]["labels"]["app.kubernetes.io/component"]: pod_template_labels(workload)
        for workload in rendered.workloads()
    }
    pods["database"] = {"cnpg.io/cluster": DATABASE, "cnpg.io/podRole": "instance"}
    return pods


def peer(rendered: Render, rule: Doc) -> str:
    """A rule's peer by name: a pod of this namespace, or `namespace/app` elsewhere."""
    if "namespaceSelector" in rule:
        namespace = rule["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        (app,) = rule["podSelector"]["matchLabels"].values()
        return f"{namespace}/{app}"
    (name,) = [
        n for n, labels in pod_labels(rendered).items() if selects(rule["podSelector"], labels)
    ]
    return name


def allowed(rendered: Render, pod: str, direction: str) -> dict[int, set[str]]:
    """Who may reach `pod` (direction "ingress"), or what it may reach ("egress"), by port."""
    labels, side = pod_labels(rendered)[pod], "from" if direction == "ingress" else "to"
    found: dict[int, set[str]] = {}
    for policy in rendered.all("NetworkPolicy"):
        if not selects(policy["spec"]["podSelector"], labels):
            continue
        for rule in policy["spec"].get(direction, []):
            assert rule.get(side), ("allows every peer", policy["metadata"]["name"])
            assert rule.get("ports"), ("allows every port", policy["metadata"]["name"])
            for port in rule["ports"]:
                found.setdefault(port["port"], set()).update(peer(rendered, p) for p in rule[side])
    return found


def test_network_policies_deny_what_they_do_not_allow(rendered: Render) -> None:
    policies = {p["metadata"]["name"]: p["spec"] for p in rendered.all("NetworkPolicy")}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    dns = {"kube-system/kube-dns"}
    assert allowed(rendered, "api", "ingress") == {
        8000: {"ingress-nginx/ingress-nginx", "monitoring/prometheus"}
    }
    assert allowed(rendered, "redis", "ingress") == {6379: {"api", "relay"}}
    assert allowed(rendered, "relay", "ingress") == {}
    assert allowed(rendered, "migrate", "ingress") == {}
    database = allowed(rendered, "database", "ingress")
    assert database[5432] == {"api", "relay", "migrate", "database", "cnpg-system/cloudnative-pg"}
    assert database[8000] == {"cnpg-system/cloudnative-pg"}
    for pod, reaches in {
        "api": {5432: {"database"}, 6379: {"redis"}},
        "relay": {5432: {"database"}, 6379: {"redis"}},
        "migrate": {5432: {"database"}},
        "redis": {},
    }.items():
        assert allowed(rendered, pod, "egress") == {53: dns} | reaches, pod


def test_metrics_stay_inside_and_live_updates_get_through(rendered: Render) -> None:
    paths: dict[str, Doc] = {}
    for ingress in rendered.all("Ingress"):
        assert ingress["spec"]["ingressClassName"] == "nginx"
        annotations = ingress["metadata"].get("annotations", {})
        assert not [a for a in annotations if a.endswith("snippet")], "snippets run as nginx"
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"] == {
                    "name": "taskmaster-api",
                    "port": {"name": "http"},
                }
                paths[path["path"]] = annotations
    assert paths.keys() == {"/", "/socket.io", "/metrics"}
    allowlist = "nginx.ingress.kubernetes.io/allowlist-source-range"
    assert paths["/metrics"][allowlist] == "127.0.0.1/32"
    assert allowlist not in paths["/"]
    assert allowlist not in paths["/socket.io"]
    assert paths["/socket.io"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    # Engine.IO pings every 25 s: an idle WebSocket must outlive that.
    assert int(paths["/socket.io"]["nginx.ingress.kubernetes.io/proxy-read-timeout"]) > 25


def test_every_service_selects_pods(rendered: Render) -> None:
    pods = pod_labels(rendered)
    for service in rendered.all("Service"):
        # A database instance's Service selects it by name as well: one pod of the cluster.
        wanted = {
            k: v for k, v in service["spec"]["selector"].items() if k != "cnpg.io/instanceName"
        }
        selector = {"matchLabels": wanted}
        assert any(selects(selector, labels) for labels in pods.values()), service["metadata"]


# Images


def test_prod_pins_every_image(prod: Render) -> None:
    images = [c["image"] for w in prod.workloads() for c in containers(w)]
    images.append(prod.one("Cluster", DATABASE)["spec"]["imageName"])
    for image in images:
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag not in ("", "latest"), image
        if image_name(image) == "taskmaster":
            assert re.fullmatch(r"\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?", tag), image
