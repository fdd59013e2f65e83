"""The compose stack as a user runs it (compose.yaml, deploy/docker/Dockerfile), through its nginx.
Run by tests/compose/run, which builds the images, brings the stack up and tears it down; it sets
COMPOSE_API_URL, COMPOSE_ROOT, DOCKER_HOST, COMPOSE_PROJECT_NAME and COMPOSE_FILE."""
import json
import os
import re
import subprocess
import time
import uuid

import httpx
import pytest

API_URL = os.environ.get("COMPOSE_API_URL", "")
ROOT = os.environ.get("COMPOSE_ROOT", "")
PROJECT = os.environ.get("COMPOSE_PROJECT_NAME", "")
TIMEOUT = httpx.Timeout(15.0, connect=3.0)


@pytest.fixture(scope="module")
def api():
    if not (API_URL and ROOT and PROJECT):
        pytest.fail("run through tests/compose/run (COMPOSE_API_URL, COMPOSE_ROOT and "
                    "COMPOSE_PROJECT_NAME are not set)", pytrace=False)
    with httpx.Client(base_url=API_URL, timeout=TIMEOUT) as client:
        yield client


def run(*command, timeout=120) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command} exited {result.returncode}: {result.stderr}"
    return result.stdout


def container(service: str) -> str:
    """The id of the running container of a compose service."""
    ids = run("podman", "ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}",
              "--filter", f"label=com.docker.compose.service={service}").split()
    assert len(ids) == 1, f"{service}: expected one running container, found {ids}"
    return ids[0]


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.5)


def events_of(trace_id: str) -> list:
    """The events of one trace in the log topic, read with merch-logs inside the logging
    container (what README "Deployment" tells compose users to run)."""
    output = run("podman", "exec", container("logging"), "merch-logs", "--json",
                 "--from-beginning", "--exit-at-end", "--trace-id", trace_id)
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_register_login_order_cancel_and_the_events_in_kafka(api):
    trace_id = "compose-" + uuid.uuid4().hex
    headers = {"X-Request-Id": trace_id}
    h = uuid.uuid4().hex
    fields = {"sid": "c" + h[:14], "username": "c_" + h[:20],
              "email": f"compose.{h[:12]}@mail.sustech.edu.cn", "password": f"pw-{h[20:32]}-Cx"}

    registered = api.post("/users/register", json=fields, headers=headers)
    assert registered.status_code == 201, registered.text
    assert registered.headers["x-request-id"] == trace_id
    login = api.post("/users/login", json={"username": fields["username"],
                                           "password": fields["password"]}, headers=headers)
    assert login.status_code == 200, login.text
    auth = {**headers, "Authorization": f"Bearer {login.json()['token']}"}

    products = api.get("/products").json()
    hoodie = next(p for p in products if p["name"] == "SUSTech Hoodie")
    order = api.post("/orders", json={"product_id": hoodie["id"], "quantity": 1}, headers=auth)
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    assert api.get(f"/products/{hoodie['id']}").json()["stock"] == hoodie["stock"] - 1
    cancelled = api.delete(f"/orders/{order_id}", headers=auth)
    assert cancelled.status_code == 200, cancelled.text
    assert api.get(f"/products/{hoodie['id']}").json()["stock"] == hoodie["stock"]

    wanted = {"user.registered", "user.login", "order.placed", "order.cancelled"}
    events = wait_until(lambda: (lambda e: e if wanted <= {x["event"] for x in e} and
                                 sum(x["event"] == "http.access" for x in e) >= 4 else None)(
                                     events_of(trace_id)),
                        60, f"the events of trace {trace_id} in Kafka")
    for event in events:
        assert event["trace_id"] == trace_id, event
        assert fields["password"] not in json.dumps(event), "a password reached the log topic"
    access = sorted((e["method"], e["path"], e["status"]) for e in events
                    if e["event"] == "http.access")
    assert ("POST", "/users/register", 201) in access, access
    assert ("DELETE", f"/orders/{order_id}", 200) in access, access


def test_metrics_stay_off_nginx_and_every_service_serves_its_own(api):
    response = api.get("/metrics")
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    # Inside the compose network (from an api container, which has curl), each service's own.
    api_container = container("api-1")
    for url, family in [("http://127.0.0.1:8081/metrics", "merch_http_requests_total"),
                        ("http://db:50061/metrics", "merch_db_pool_connections_in_use"),
                        ("http://db:50061/metrics", "merch_grpc_server_handled_total"),
                        ("http://logging:50062/metrics", "merch_logging_events_published_total")]:
        text = run("podman", "exec", api_container, "curl", "-sf", url)
        assert f"# TYPE {family} " in text, f"{url} lacks {family}"


def test_the_web_face_is_served_beside_the_api(api):
    """The storefront and the API explorer come with the nginx image (its web stage), as
    `make up` serves them: pages, their scripts and styles, and the explorer's document."""
    for page in ("/shop/", "/docs/"):
        response = api.get(page)
        assert response.status_code == 200, f"{page}: {response.status_code} {response.text[:200]}"
        assert response.headers["content-type"].startswith("text/html"), page
        assert response.headers.get("x-request-id"), page
        files = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', response.text)
        assert files, f"{page} names no script or style"
        for name in files:
            url = name if name.startswith("/") else page + name.removeprefix("./")
            asset = api.get(url)
            assert asset.status_code == 200, f"{url}: {asset.status_code}"
    assert api.get("/openapi.yaml").status_code == 200


def test_nginx_is_published_on_loopback_only(api):
    ports = run("podman", "port", container("nginx"))
    bindings = [line.split("->", 1)[1].strip() for line in ports.splitlines() if "->" in line]
    assert bindings, ports
    assert all(b.startswith("127.0.0.1:") for b in bindings), bindings


def test_nginx_finds_recreated_api_containers(api):
    """The api containers get new addresses when recreated; nginx resolves their name again."""
    before = {container("api-1"), container("api-2")}
    run("docker-compose", "--project-directory", ROOT, "up", "-d", "--no-deps", "--no-build",
        "--force-recreate", "api-1", "api-2", timeout=300)
    after = {container("api-1"), container("api-2")}
    assert not before & after, "the api containers were not recreated"

    def all_ok():
        return all(api.get("/readyz").status_code == 200 for _ in range(6))
    wait_until(all_ok, 90, "nginx to answer 200 through the recreated api containers")
