"""Every metric the Grafana dashboard (deploy/grafana) and the alerts (deploy/prometheus) query
is one the running services export: the stack's /metrics endpoints (METRICS_URLS of
.run/stack.env: both api replicas, merch-db and merch-logging) are scraped and compared."""
import json
import re
from pathlib import Path

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
METRIC_RE = re.compile(r"\b(merch_[a-z0-9_]+)")
SUFFIXES = ("_bucket", "_sum", "_count")


def queried_metrics() -> dict:
    """metric name -> where it is queried."""
    found = {}
    dashboard = json.loads((ROOT / "deploy/grafana/merch-store.json").read_text())
    for panel in dashboard["panels"]:
        exprs = [t["expr"] for t in panel["targets"]]
        assert any(METRIC_RE.search(e) for e in exprs), f"panel {panel['title']!r} queries nothing"
        for expr in exprs:
            for name in METRIC_RE.findall(expr):
                found.setdefault(name, f"grafana panel {panel['title']!r}")
    alerts = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    for group in alerts["groups"]:
        for rule in group["rules"]:
            for name in METRIC_RE.findall(rule["expr"]):
                found.setdefault(name, f"alert {rule['alert']}")
    return found


@pytest.fixture(scope="module")
def exported(stack) -> set:
    urls = [u for u in stack.get("METRICS_URLS", "").split(",") if u]
    assert len(urls) == 4, f"METRICS_URLS should list 4 endpoints: {urls}"
    names = set()
    for url in urls:
        response = httpx.get(url, timeout=5.0)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        families = {line.split()[2] for line in response.text.splitlines()
                    if line.startswith("# TYPE ")}
        assert families, f"{url} exports nothing"
        names |= families
    return names


def test_every_queried_metric_is_exported(exported):
    queried = queried_metrics()
    assert queried, "the dashboard and alerts query no merch_ metric"
    missing = {}
    for name, where in queried.items():
        base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)
                     and name[: -len(s)] in exported), name)
        if base not in exported:
            missing[name] = where
    assert not missing, f"queried but not exported: {missing}"


def test_db_and_logging_export_their_required_families(exported):
    for name in ("merch_db_pool_connections_in_use", "merch_db_pool_waiting",
                 "merch_grpc_server_handled_total", "merch_grpc_server_handling_seconds",
                 "merch_logging_events_received_total", "merch_logging_events_published_total",
                 "merch_logging_events_rejected_total", "merch_logging_kafka_delivery_seconds",
                 "merch_logging_kafka_delivery_errors_total"):
        assert name in exported, name
