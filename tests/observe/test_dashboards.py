"""The alert rules and the Grafana dashboard (deploy/) ask only for metrics TaskMaster exports.
promtool checks the rules' syntax and runs their unit tests (`make test`, ops-check)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import Counter, Gauge, Histogram

from taskmaster.observe import metrics

DEPLOY = Path(__file__).parents[2] / "deploy"
NAME = re.compile(r"\btaskmaster_[a-z_]+\b")
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}


def exported() -> set[str]:
    """Every series name the metrics module's metrics can produce."""
    names: set[str] = set()
    for metric in vars(metrics).values():
        if isinstance(metric, Counter | Gauge | Histogram):
            for family in metric.describe():
                names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    return names


def expressions(node: Any) -> Iterator[str]:
    """The PromQL expressions anywhere in a parsed document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                yield value
            else:
                yield from expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from expressions(item)


def asked(document: Any) -> set[str]:
    return {name for expr in expressions(document) for name in NAME.findall(expr)}


def test_the_alerts_ask_for_exported_metrics() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    names = asked(rules)
    assert names
    assert names <= exported()
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert {"TaskMasterErrorRate", "TaskMasterSlowRequests"} <= alerts
    assert {"TaskMasterPoolExhausted", "TaskMasterRelayLagging"} <= alerts


def test_the_dashboard_asks_for_exported_metrics_and_shows_each_part() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "taskmaster.json").read_text())
    names = asked(dashboard)
    assert names <= exported()
    families = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in names}
    shown = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in exported()}
    assert families == shown, "every metric has a panel"
