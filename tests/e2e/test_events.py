"""Log events in Kafka (README, "The log pipeline"): every request's events carry its trace id and the fields of
§5; one http.access per request; no password, token or hash in any event."""
import time
import uuid
from collections import Counter

from e2e_support import (assert_json, assert_problem, bearer, make_token, unique_hex,
                         unique_request_id)

LEVELS = {"DEBUG", "INFO", "WARN", "ERROR"}
BASE_FIELDS = {"level", "service_name", "message", "timestamp", "trace_id", "event", "event_id"}


def now_ms() -> int:
    return int(time.time() * 1000)


def assert_event_shape(event: dict, trace_id: str, started_ms: int) -> None:
    assert BASE_FIELDS <= set(event), f"event lacks {BASE_FIELDS - set(event)}: {event}"
    assert event["level"] in LEVELS, event
    assert isinstance(event["service_name"], str) and event["service_name"], event
    assert isinstance(event["message"], str), event
    assert type(event["timestamp"]) is int, event
    assert started_ms - 60_000 <= event["timestamp"] <= now_ms() + 60_000, \
        f"timestamp is not Unix milliseconds of now: {event}"
    assert event["trace_id"] == trace_id
    assert isinstance(event["event"], str) and event["event"], event
    assert isinstance(event["event_id"], str) and event["event_id"], event
    if event["event"] == "http.access":
        assert event.get("method") in {"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD",
                                       "OPTIONS"}, event
        assert isinstance(event.get("path"), str) and event["path"].startswith("/"), event
        assert type(event.get("status")) is int, event
        assert type(event.get("latency_ms")) in (int, float) and event["latency_ms"] >= 0, event


def assert_trace(kafka_log, trace_id: str, started_ms: int, secrets=()) -> None:
    """Every event of the trace has the §5 shape, duplicates (at-least-once) are identical, and
    no secret appears anywhere in the raw JSON."""
    by_id = {}
    for event in kafka_log.events[trace_id]:
        assert_event_shape(event, trace_id, started_ms)
        previous = by_id.setdefault(event["event_id"], event)
        assert previous == event, "two different events share an event_id"
    raw = "\n".join(kafka_log.raw[trace_id])
    assert "$argon2" not in raw, "a password hash reached Kafka"
    for secret in secrets:
        assert secret not in raw, "a password or token reached Kafka"


def access_events(events):
    return sorted((e["method"], e["path"], e["status"]) for e in events
                  if e["event"] == "http.access")


def test_register_login_and_order_events_share_the_request_id(api, users, sql, kafka_log):
    started = now_ms()
    trace_id = unique_request_id("ev")
    headers = {"X-Request-Id": trace_id}
    fields, registered = users.register(headers=headers)
    assert assert_json(registered, 201)
    assert registered.headers["x-request-id"] == trace_id
    login = users.login(headers=headers, username=fields["username"],
                        password=fields["password"])
    token = assert_json(login, 200)["token"]
    product_id = sql.create_product(stock=5)
    order = api.post("/orders", json={"product_id": product_id, "quantity": 1},
                     headers={**headers, **bearer(token)})
    assert_json(order, 201)

    events = kafka_log.wait_for_events(trace_id, "user.registered", "user.login", "order.placed",
                                       "http.access", "http.access", "http.access")
    assert_trace(kafka_log, trace_id, started, secrets=(fields["password"], token))
    counts = Counter(e["event"] for e in events)
    assert counts["user.registered"] == 1 and counts["user.login"] == 1 and \
        counts["order.placed"] == 1 and counts["http.access"] == 3, counts
    assert access_events(events) == sorted([("POST", "/users/register", 201),
                                            ("POST", "/users/login", 200),
                                            ("POST", "/orders", 201)])
    # Domain events come from the db service's outbox, the request's own from the api.
    assert {e["event"]: e["service_name"] for e in events} == {
        "user.registered": "merch-db", "order.placed": "merch-db", "user.login": "merch-api",
        "http.access": "merch-api"}
    [placed] = [e for e in events if e["event"] == "order.placed"]
    assert {k: placed[k] for k in ("order_id", "product_id", "quantity")} == \
        {"order_id": order.json()["id"], "product_id": product_id, "quantity": 1}


def test_failed_login_gives_user_login_failed(users, user, kafka_log):
    started = now_ms()
    trace_id = unique_request_id("ev-fail")
    wrong_password = f"wrong-{unique_hex()}"
    response = users.login(headers={"X-Request-Id": trace_id}, username=user.username,
                           password=wrong_password)
    assert response.status_code == 401
    events = kafka_log.wait_for_events(trace_id, "user.login_failed", "http.access")
    assert_trace(kafka_log, trace_id, started, secrets=(wrong_password, user.password))
    assert access_events(events) == [("POST", "/users/login", 401)]
    assert "user.login" not in {e["event"] for e in events}


def test_rejected_token_gives_auth_failed_without_the_token(api, user, kafka_log):
    started = now_ms()
    trace_id = unique_request_id("ev-auth")
    forged = make_token({"sub": str(user.id), "iat": int(time.time()),
                         "exp": int(time.time()) + 86400, "iss": "sustech-merch-store",
                         "ver": 1}, b"not-the-secret-of-this-stack-0123456789")
    response = api.get("/orders", headers={"X-Request-Id": trace_id, **bearer(forged)})
    assert response.status_code == 401
    events = kafka_log.wait_for_events(trace_id, "auth.failed", "http.access")
    assert_trace(kafka_log, trace_id, started, secrets=(forged, forged.split(".")[2]))
    assert access_events(events) == [("GET", "/orders", 401)]


def test_account_and_cancel_events(api, users, sql, kafka_log):
    started = now_ms()
    user = users.create()
    trace_id = unique_request_id("ev-acct")
    headers = {"X-Request-Id": trace_id}
    product_id = sql.create_product(stock=5)
    order = assert_json(api.post("/orders", json={"product_id": product_id, "quantity": 2},
                                 headers={**headers, **user.auth}), 201)
    assert_json(api.delete(f"/orders/{order['id']}", headers={**headers, **user.auth}), 200)
    assert_json(api.patch(f"/users/{user.id}", json={"username": "ev_" + unique_hex(20)},
                          headers={**headers, **user.auth}), 200)
    new_password = f"pw-{unique_hex()}-ev"
    assert_json(api.patch(f"/users/{user.id}", json={"password": new_password},
                          headers={**headers, **user.auth}), 200)
    token = users.token(sid=user.sid, password=new_password)
    response = api.delete(f"/users/{user.id}", headers={**headers, **bearer(token)})
    assert response.status_code == 204

    events = kafka_log.wait_for_events(trace_id, "order.placed", "order.cancelled",
                                       "user.updated", "user.updated", "user.deactivated",
                                       *["http.access"] * 5)
    assert_trace(kafka_log, trace_id, started,
                 secrets=(user.password, new_password, user.token, token))
    assert access_events(events) == sorted([
        ("POST", "/orders", 201), ("DELETE", f"/orders/{order['id']}", 200),
        ("PATCH", f"/users/{user.id}", 200), ("PATCH", f"/users/{user.id}", 200),
        ("DELETE", f"/users/{user.id}", 204)])


def test_every_request_has_one_access_event_even_an_error(api, kafka_log):
    started = now_ms()
    trace_id = unique_request_id("ev-err")
    assert_problem(api.get("/no-such-path", headers={"X-Request-Id": trace_id}), 404)
    assert_problem(api.delete("/greeting", headers={"X-Request-Id": trace_id}), 405)
    assert api.get("/greeting", headers={"X-Request-Id": trace_id}).status_code == 200
    events = kafka_log.wait_for_events(trace_id, *["http.access"] * 3)
    assert_trace(kafka_log, trace_id, started)
    assert access_events(events) == sorted([("GET", "/no-such-path", 404),
                                            ("DELETE", "/greeting", 405),
                                            ("GET", "/greeting", 200)])


def test_traceparent_trace_id_is_the_events_trace_id(users, kafka_log):
    started = now_ms()
    trace_id = uuid.uuid4().hex
    request_id = unique_request_id("ev-tp")
    fields, response = users.register(headers={
        "X-Request-Id": request_id, "traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"})
    assert_json(response, 201)
    assert response.headers["x-request-id"] == request_id
    events = kafka_log.wait_for_events(trace_id, "user.registered", "http.access")
    assert_trace(kafka_log, trace_id, started, secrets=(fields["password"],))
    assert access_events(events) == [("POST", "/users/register", 201)]


def test_generated_request_id_is_the_events_trace_id(api, kafka_log):
    started = now_ms()
    response = api.get("/greeting", headers={"X-Request-Id": "bad id!"})
    generated = response.headers["x-request-id"]
    assert generated != "bad id!"
    events = kafka_log.wait_for_events(generated, "http.access")
    assert_trace(kafka_log, generated, started)
    assert access_events(events) == [("GET", "/greeting", 200)]
