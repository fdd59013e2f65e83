"""Greeting, probes, metrics, the OpenAPI document, and what every response shares: problem
documents, 404 and 405, X-Request-Id and traceparent (api/openapi.yaml)."""
import re
import uuid
from pathlib import Path

import pytest
import yaml

from e2e_support import (GREETING, REQUEST_ID_RE, allowed_methods, assert_json, assert_problem,
                         assert_request_id, describe, media_type, wait_until)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/", "/greeting"])
def test_greeting_body_is_exact(api, path):
    response = api.get(path)
    assert assert_json(response, 200) == GREETING
    assert response.json() == {"message": "Welcome to SUSTech Store API"}


def test_healthz_is_200_on_nginx_and_every_replica(api, replicas):
    for client in [api, *replicas]:
        assert assert_json(client.get("/healthz"), 200) == {"status": "ok"}


def test_readyz_is_200_on_nginx_and_every_replica(api, replicas):
    for client in [api, *replicas]:
        assert assert_json(client.get("/readyz"), 200) == {"status": "ready"}


# ---------------------------------------------------------------------------------------------
# Metrics.

SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text: str):
    """(types: name -> type, samples: list of (name, labels dict, value))."""
    types, samples = {}, []
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            types[name] = kind.strip()
        elif line and not line.startswith("#"):
            match = SAMPLE_RE.match(line)
            assert match, f"not a Prometheus sample line: {line!r}"
            labels = dict(LABEL_RE.findall(match.group(3) or ""))
            samples.append((match.group(1), labels, float(match.group(4))))
    return types, samples


def scrape(client):
    response = client.get("/metrics")
    assert response.status_code == 200, describe(response)
    assert media_type(response) == "text/plain", describe(response)
    assert_request_id(response)
    return parse_metrics(response.text)


def test_metrics_expose_the_required_families_on_every_replica(api, replicas):
    api.get("/greeting")
    for client in replicas:
        client.get("/greeting")
        types, samples = scrape(client)
        assert types.get("merch_http_requests_total") == "counter", types
        assert types.get("merch_http_request_duration_seconds") == "histogram", types
        assert types.get("merch_grpc_client_errors_total") == "counter", types
        assert types.get("merch_log_queue_depth") == "gauge", types
        assert types.get("merch_log_events_dropped_total") == "counter", types

        names = {name for name, _, _ in samples}
        requests = [labels for name, labels, _ in samples if name == "merch_http_requests_total"]
        assert requests, "no merch_http_requests_total samples after a request"
        for labels in requests:
            assert {"route", "method", "status"} <= set(labels), labels
        for suffix in ("_bucket", "_sum", "_count"):
            assert "merch_http_request_duration_seconds" + suffix in names, sorted(names)
        assert any(name == "merch_http_request_duration_seconds_bucket" and
                   labels.get("le") == "+Inf" for name, labels, _ in samples)
        assert "merch_log_queue_depth" in names
        assert "merch_log_events_dropped_total" in names
        # The db service's failure codes exist before any failure (at 0 on a fresh replica).
        failures = {labels.get("code") for name, labels, _ in samples
                    if name == "merch_grpc_client_errors_total"}
        assert {"UNAVAILABLE", "DEADLINE_EXCEEDED"} <= failures, failures
        queue = [v for name, _, v in samples if name == "merch_log_queue_depth"]
        assert all(v >= 0 for v in queue), queue


def greeting_count(client) -> float:
    _, samples = scrape(client)
    return sum(value for name, labels, value in samples
               if name == "merch_http_requests_total" and labels.get("method") == "GET"
               and labels.get("status") == "200" and labels.get("route") == "/greeting")


def test_metrics_count_each_request_by_route_method_and_status(replicas):
    client = replicas[0]
    before = greeting_count(client)
    for _ in range(3):
        assert client.get("/greeting").status_code == 200
    wait_until(lambda: greeting_count(client) >= before + 3, 5,
               'merch_http_requests_total{route="/greeting",method="GET",status="200"} '
               "to grow by 3")


# ---------------------------------------------------------------------------------------------
# The OpenAPI document.

def test_openapi_document_is_the_repository_file(api):
    response = api.get("/openapi.yaml")
    assert response.status_code == 200, describe(response)
    assert media_type(response) == "application/yaml", describe(response)
    assert_request_id(response)
    document = yaml.safe_load(response.text)
    assert document["openapi"] == "3.0.3"
    repo_file = ROOT / "api" / "openapi.yaml"
    assert document == yaml.safe_load(repo_file.read_text(encoding="utf-8"))
    assert response.content == repo_file.read_bytes()


# ---------------------------------------------------------------------------------------------
# 404 and 405.

@pytest.mark.parametrize("path", [
    "/no-such-path", "/products/", "/greeting/", "/users", "/users/", "/orders/1/items",
    "/users/register/", "/api/products",
])
def test_unknown_path_is_a_404_problem(api, path):
    assert_problem(api.get(path), 404)


METHOD_TABLE = [
    ("PUT", "/products", {"GET"}),
    ("POST", "/products", {"GET"}),
    ("DELETE", "/products/1", {"GET"}),
    ("DELETE", "/greeting", {"GET"}),
    ("POST", "/greeting", {"GET"}),
    ("DELETE", "/", {"GET"}),
    ("GET", "/users/register", {"POST"}),
    ("PUT", "/users/register", {"POST"}),
    ("PATCH", "/users/register", {"POST"}),
    ("DELETE", "/users/register", {"POST"}),
    ("GET", "/users/login", {"POST"}),
    ("PATCH", "/users/login", {"POST"}),
    ("DELETE", "/users/login", {"POST"}),
    ("POST", "/users/1", {"GET", "PATCH", "DELETE"}),
    ("PUT", "/users/1", {"GET", "PATCH", "DELETE"}),
    ("PUT", "/orders", {"GET", "POST"}),
    ("DELETE", "/orders", {"GET", "POST"}),
    ("PATCH", "/orders/1", {"GET", "DELETE"}),
    ("POST", "/orders/1", {"GET", "DELETE"}),
    ("POST", "/healthz", {"GET"}),
    ("POST", "/readyz", {"GET"}),
    ("PUT", "/openapi.yaml", {"GET"}),
]


def test_metrics_are_served_by_each_replica_not_by_nginx(api, replicas):
    """Prometheus scrapes each replica (deploy/prometheus); nginx, the public entry, refuses."""
    assert_problem(api.get("/metrics"), 404)
    response = replicas[0].post("/metrics")
    assert_problem(response, 405)
    assert allowed_methods(response) == {"GET"}


@pytest.mark.parametrize("method,path,allow", METHOD_TABLE,
                         ids=[f"{m} {p}" for m, p, _ in METHOD_TABLE])
def test_wrong_method_is_a_405_problem_with_allow(api, method, path, allow):
    response = api.request(method, path)
    assert_problem(response, 405)
    assert allowed_methods(response) == allow, response.headers.get("allow")


# ---------------------------------------------------------------------------------------------
# X-Request-Id.

@pytest.mark.parametrize("method,path", [
    ("GET", "/"), ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"),
    ("GET", "/openapi.yaml"), ("GET", "/products"), ("GET", "/no-such-path"),
    ("DELETE", "/greeting"), ("GET", "/orders"), ("POST", "/users/login"),
    # The web face, served by nginx itself: pages, a redirect, a missing file.
    ("GET", "/shop/"), ("GET", "/docs/"), ("HEAD", "/shop/"), ("GET", "/shop"),
    ("GET", "/shop/no-such-file.js"),
])
def test_every_response_carries_a_generated_request_id(api, method, path):
    first = api.request(method, path)
    second = api.request(method, path)
    assert assert_request_id(first) != assert_request_id(second), \
        "two requests without X-Request-Id got the same generated id"


@pytest.mark.parametrize("request_id", [
    "a", "req-0123456789abcdef", "Az09._~:+=@/-", "r" * 128,
], ids=["one-char", "plain", "every-punctuation", "128-chars"])
def test_valid_client_request_id_is_echoed(api, request_id):
    assert REQUEST_ID_RE.fullmatch(request_id)
    for path, status in (("/greeting", 200), ("/shop/", 200), ("/docs", 301)):
        response = api.get(path, headers={"X-Request-Id": request_id})
        assert response.status_code == status, describe(response)
        assert response.headers.get("x-request-id") == request_id, path


@pytest.mark.parametrize("request_id", [
    "bad id!", "r" * 129, "", "a,b", "<script>", "a;b", "semi\"quote",
], ids=["space-bang", "129-chars", "empty", "comma", "angle", "semicolon", "quote"])
def test_invalid_client_request_id_is_replaced_by_a_generated_one(api, request_id):
    response = api.get("/greeting", headers={"X-Request-Id": request_id})
    assert response.status_code == 200, "an invalid X-Request-Id is never a reason to reject"
    generated = assert_request_id(response)
    assert generated != request_id


@pytest.mark.parametrize("request_id", ["bad id!", "r" * 129])
def test_problem_trace_id_is_the_replacement_of_an_invalid_request_id(api, request_id):
    response = api.get("/no-such-path", headers={"X-Request-Id": request_id})
    body = assert_problem(response, 404)
    assert body["trace_id"] != request_id


def test_problem_trace_id_is_the_client_request_id(api):
    request_id = f"meta-{uuid.uuid4()}"
    response = api.get("/no-such-path", headers={"X-Request-Id": request_id})
    assert response.headers.get("x-request-id") == request_id
    assert assert_problem(response, 404)["trace_id"] == request_id


# ---------------------------------------------------------------------------------------------
# traceparent.

def traceparent() -> tuple:
    trace_id = uuid.uuid4().hex
    return trace_id, f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"


def test_valid_traceparent_sets_the_trace_id_and_keeps_the_request_id(api):
    trace_id, header = traceparent()
    request_id = f"meta-{uuid.uuid4()}"
    response = api.get("/no-such-path",
                       headers={"X-Request-Id": request_id, "traceparent": header})
    assert response.headers.get("x-request-id") == request_id
    assert_problem(response, 404, trace_id=trace_id)


def test_valid_traceparent_without_request_id(api):
    trace_id, header = traceparent()
    response = api.get("/no-such-path", headers={"traceparent": header})
    assert_request_id(response)
    assert_problem(response, 404, trace_id=trace_id)


def test_valid_traceparent_on_a_success_is_accepted(api):
    _, header = traceparent()
    request_id = f"meta-{uuid.uuid4()}"
    response = api.get("/greeting", headers={"X-Request-Id": request_id, "traceparent": header})
    assert assert_json(response, 200) == GREETING
    assert response.headers.get("x-request-id") == request_id


INVALID_TRACEPARENTS = {
    "garbage": "not-a-traceparent",
    "all-zero-trace-id": "00-" + "0" * 32 + "-00f067aa0ba902b7-01",
    "all-zero-parent-id": "00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0" * 16 + "-01",
    "short-trace-id": "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    "non-hex": "00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01",
    "version-ff": "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "missing-flags": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
    "empty": "",
}


@pytest.mark.parametrize("value", INVALID_TRACEPARENTS.values(), ids=INVALID_TRACEPARENTS.keys())
def test_invalid_traceparent_is_ignored(api, value):
    request_id = f"meta-{uuid.uuid4()}"
    response = api.get("/no-such-path", headers={"X-Request-Id": request_id, "traceparent": value})
    assert response.headers.get("x-request-id") == request_id
    assert_problem(response, 404, trace_id=request_id)
    ok = api.get("/greeting", headers={"traceparent": value})
    assert ok.status_code == 200, "an invalid traceparent is never a reason to reject"
