"""A process of the stack dies (README, "Calling the API" and "The log pipeline"): requests keep being served or get a prompt 503/504,
service resumes when the process returns, no acknowledged order and no log event is lost.

These tests kill and restart processes through scripts/stack.sh; conftest.py runs them after
every other test, and each one starts again whatever it killed, pass or fail."""
import threading
import time
from collections import Counter

import httpx
import pytest

from e2e_support import (assert_json, assert_problem, describe, unique_request_id, wait_until)

pytestmark = pytest.mark.disruptive


def test_requests_succeed_while_the_logging_service_is_down_and_events_arrive_later(
        api, users, kafka_log, stack_control):
    stack_control.kill("logging")
    trace_id = unique_request_id("down-logging")
    started = time.monotonic()
    fields, response = users.register(headers={"X-Request-Id": trace_id})
    elapsed = time.monotonic() - started
    assert_json(response, 201)
    assert elapsed < 3.0, f"registration took {elapsed:.1f} s while logging was down"
    assert assert_json(api.get("/greeting", headers={"X-Request-Id": trace_id}), 200)
    assert api.get("/readyz").status_code == 200, "readiness does not depend on logging"
    stack_control.start()
    events = kafka_log.wait_for_events(trace_id, "user.registered", "http.access",
                                       "http.access", timeout=120)
    assert fields["password"] not in "\n".join(kafka_log.raw[trace_id])
    assert {(e["path"], e["status"]) for e in events if e["event"] == "http.access"} == \
        {("/users/register", 201), ("/greeting", 200)}


def test_an_api_replica_killed_while_logging_is_down_loses_no_domain_event(
        replicas, users, sql, kafka_log, stack_control):
    """order.placed and order.cancelled come from the db service's outbox (README, "Log
    events"): with the logging service down, the replica that answered dies holding its own
    events only; the order's reach Kafka once logging is back."""
    product_id = sql.create_product(stock=10)
    user = users.create(client=replicas[0])
    trace_id = unique_request_id("kill-api")
    headers = {**user.auth, "X-Request-Id": trace_id}
    stack_control.kill("logging")
    order = assert_json(replicas[0].post("/orders", json={"product_id": product_id,
                                                          "quantity": 1}, headers=headers), 201)
    assert_json(replicas[0].delete(f"/orders/{order['id']}", headers=headers), 200)
    stack_control.kill("api-1")
    stack_control.start()
    events = kafka_log.wait_for_events(trace_id, "order.placed", "order.cancelled", timeout=120)
    assert {e["order_id"] for e in events if e["event"].startswith("order.")} == {order["id"]}
    assert {e["service_name"] for e in events if e["event"].startswith("order.")} == {"merch-db"}


def test_killing_one_api_replica_under_load_loses_no_request(api, api_url, replicas, users, sql,
                                                             stack_control):
    """300+ GETs through nginx from 4 threads; api-1 is killed once 60 have completed, and the
    stream goes on until 200 more have completed after the kill. Every response is a 200."""
    product_id = sql.create_product(stock=10)
    user = users.create(client=replicas[0])
    order = assert_json(replicas[0].post("/orders", json={"product_id": product_id,
                                                          "quantity": 1},
                                         headers=user.auth), 201)

    lock = threading.Condition()
    outcomes = []
    state = {"after_kill": 0, "killed": False, "stop": False}

    def enough() -> bool:
        return state["stop"] or (
            state["killed"] and state["after_kill"] >= 200 and len(outcomes) >= 300)

    def worker():
        with httpx.Client(base_url=api_url, timeout=10) as client:
            while True:
                with lock:
                    if enough():
                        return
                try:
                    outcome = client.get(f"/products/{product_id}").status_code
                except httpx.HTTPError as error:
                    outcome = repr(error)
                with lock:
                    outcomes.append(outcome)
                    if state["killed"]:
                        state["after_kill"] += 1
                    lock.notify_all()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        with lock:
            assert lock.wait_for(lambda: len(outcomes) >= 60, timeout=60), \
                "the GET stream stalled"
        stack_control.kill("api-1")
        with lock:
            state["killed"] = True
            assert lock.wait_for(lambda: state["after_kill"] >= 200 and len(outcomes) >= 300,
                                 timeout=120), "the GET stream stalled after the kill"
    finally:
        with lock:
            state["stop"] = True
        for thread in threads:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a GET did not finish"

    failures = Counter(o for o in outcomes if o != 200)
    assert not failures, f"{sum(failures.values())} of {len(outcomes)} GETs failed: {failures}"
    assert state["after_kill"] >= 200
    # The order acknowledged by the killed replica is still there.
    assert assert_json(api.get(f"/orders/{order['id']}", headers=user.auth), 200) == order

    stack_control.start()
    wait_until(lambda: _status(replicas[0], "/readyz") == 200, 60, "api-1 to be ready again")
    assert assert_json(replicas[0].get(f"/orders/{order['id']}", headers=user.auth),
                       200) == order


def test_db_service_down_gives_a_prompt_503_or_504_and_service_resumes(
        api, replicas, users, sql, stack_control):
    product_id = sql.create_product(price="6.66", stock=10)
    user = users.create()
    order = assert_json(api.post("/orders", json={"product_id": product_id, "quantity": 2},
                                 headers=user.auth), 201)
    product = assert_json(api.get(f"/products/{product_id}"), 200)

    stack_control.kill("db")
    for method, path, headers in (("GET", f"/products/{product_id}", {}),
                                  ("GET", f"/orders/{order['id']}", user.auth),
                                  ("GET", f"/users/{user.id}", user.auth)):
        started = time.monotonic()
        response = api.request(method, path, headers=headers)
        elapsed = time.monotonic() - started
        assert elapsed <= 5.5, f"{method} {path} took {elapsed:.1f} s with the db service down"
        assert response.status_code in (503, 504), describe(response)
        assert_problem(response, response.status_code)
        if response.status_code == 503:
            retry_after = response.headers.get("retry-after", "")
            assert retry_after.isdigit() and int(retry_after) >= 1, \
                f"503 without a valid Retry-After: {retry_after!r}"
    for replica in replicas:
        wait_until(lambda: _status(replica, "/readyz") == 503, 10,
                   f"{replica.base_url}/readyz to report 503 while the db service is down")
        assert replica.get("/healthz").status_code == 200, "liveness does not depend on the db"

    stack_control.start()
    response = wait_until(lambda: _ok(api, f"/products/{product_id}"), 30,
                          "GET /products/{id} to succeed again")
    assert response.json() == {**product, "stock": 8}
    # No acknowledged order was lost.
    assert assert_json(api.get(f"/orders/{order['id']}", headers=user.auth), 200) == order
    assert assert_json(api.get(f"/users/{user.id}", headers=user.auth), 200) == user.body


def _status(client, path):
    try:
        return client.get(path, timeout=5).status_code
    except httpx.HTTPError:
        return None


def _ok(client, path):
    try:
        response = client.get(path, timeout=5)
    except httpx.HTTPError:
        return None
    return response if response.status_code == 200 else None
