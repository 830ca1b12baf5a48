"""The hosted platforms' files (Render, Vercel) stay in step with the code: every variable they set
is one TaskMaster reads."""

from __future__ import annotations

import json
from typing import Any

import yaml

from taskmaster.api.headers import SECURITY_HEADERS
from taskmaster.browser_policy import STRICT_TRANSPORT, page_headers
from tests.deploy.tools import DEPLOY, SETTINGS

UVICORN_VARIABLES = {"FORWARDED_ALLOW_IPS"}
PLATFORM_VARIABLES = {"PYTHON_VERSION"}


def test_render_sets_only_variables_taskmaster_reads() -> None:
    blueprint: dict[str, Any] = yaml.safe_load((DEPLOY / "render.yaml").read_text())
    (api,) = [s for s in blueprint["services"] if s["type"] == "web"]
    keys = {variable["key"] for variable in api["envVars"]}
    known = SETTINGS | UVICORN_VARIABLES
    assert keys - PLATFORM_VARIABLES <= known
    assert {"DATABASE_URL", "REDIS_URL", "JWT_PRIVATE_KEY", "CORS_ORIGIN"} <= keys
    assert api["startCommand"].startswith("taskmaster serve")
    assert api["preDeployCommand"] == "taskmaster migrate"
    assert api["healthCheckPath"] == "/health"


def test_the_static_host_falls_back_to_the_app_and_caches_assets() -> None:
    config: dict[str, Any] = json.loads((DEPLOY / "vercel.json").read_text())
    assert config["rewrites"] == [{"source": "/(.*)", "destination": "/index.html"}]
    caching = {rule["source"]: rule["headers"][0]["value"] for rule in config["headers"]}
    assert caching["/assets/(.*)"] == "public, max-age=31536000, immutable"
    assert caching["/index.html"] == "no-cache"


def test_the_static_host_sends_the_apps_browser_policy() -> None:
    """The app on Vercel carries the policy the API gives it, naming the API of render.yaml
    (a deployment elsewhere writes its own API origin here, as in VITE_API_URL)."""
    config: dict[str, Any] = json.loads((DEPLOY / "vercel.json").read_text())
    (every_path,) = [rule for rule in config["headers"] if rule["source"] == "/(.*)"]
    sent = {header["key"].lower(): header["value"] for header in every_path["headers"]}
    blueprint: dict[str, Any] = yaml.safe_load((DEPLOY / "render.yaml").read_text())
    (api,) = [s["name"] for s in blueprint["services"] if s["type"] == "web"]
    for name, value in page_headers([f"https://{api}.onrender.com"]).items():
        assert sent.pop(name.lower()) == value
    assert sent.pop("strict-transport-security") == STRICT_TRANSPORT
    assert sent == {name.decode(): value.decode() for name, value in SECURITY_HEADERS}
