"""Defects that trying the running stack from outside once found, each pinned: nginx's own
errors as problems, bytes that are not UTF-8 in a logged path, NUL in text input, tokens with
only the contract's claims, one 401 body for every rejected token with the reason in an
auth.failed event, and stored hashes that cannot choose their own cost."""
import ctypes
import ctypes.util
import json
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from e2e_support import (ISSUER, TOKEN_LIFETIME, assert_json, assert_problem,
                         assert_unauthorized, bearer, make_token, raw_request, unique_request_id)

PROBLEM_FIELDS = {"type", "title", "status", "detail", "trace_id"}


def send_raw(base_url: str, request: bytes, timeout: float = 10.0):
    """Sends exactly these bytes and parses the answer (status, lower-case headers, body)."""
    url = urlsplit(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = body[:int(headers["content-length"])]
    return int(status_line.split(" ")[1]), headers, body


def assert_nginx_problem(status: int, headers: dict, body: bytes, expected: int) -> dict:
    assert status == expected, (status, headers, body[:200])
    assert headers.get("content-type", "").split(";")[0] == "application/problem+json", headers
    assert headers.get("x-request-id"), f"no X-Request-Id: {headers}"
    problem = json.loads(body)
    assert set(problem) == PROBLEM_FIELDS and problem["status"] == expected, problem
    assert problem["trace_id"] == headers["x-request-id"], problem
    return problem


def host(api_url: str) -> bytes:
    return urlsplit(api_url).netloc.encode()


@pytest.mark.parametrize("name,request_bytes,expected", [
    ("NUL in the path", b"GET /products/%00 HTTP/1.1\r\nHost: H\r\n\r\n", 400),
    ("Content-Length with Transfer-Encoding",
     b"POST /orders HTTP/1.1\r\nHost: H\r\nContent-Length: 2\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("an over-long header line",
     b"GET /greeting HTTP/1.1\r\nHost: H\r\nX-Long: " + b"a" * 20000 + b"\r\n\r\n", 431),
    ("an over-long URI", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: H\r\n\r\n", 414),
    ("an unknown Transfer-Encoding",
     b"POST /orders HTTP/1.1\r\nHost: H\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    ("HTTP/2.0 in the request line", b"GET /greeting HTTP/2.0\r\nHost: H\r\n\r\n", 505),
])
def test_nginx_own_errors_are_problems_with_a_request_id(api_url, name, request_bytes, expected):
    request = request_bytes.replace(b"Host: H", b"Host: " + host(api_url))
    status, headers, body = send_raw(api_url, request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
    assert_nginx_problem(status, headers, body, expected)


def test_trace_is_a_405_problem_with_the_paths_allow(api_url):
    for path, allow in (("/orders", "GET, POST"), ("/users/7", "GET, PATCH, DELETE"),
                        ("/greeting", "GET")):
        status, headers, body = send_raw(
            api_url, f"TRACE {path} HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-1\r\n"
                     f"Connection: close\r\n\r\n".encode())
        problem = assert_nginx_problem(status, headers, body, 405)
        assert headers.get("allow") == allow, (path, headers)
        assert problem["trace_id"] == "trace-1"
    status, headers, body = send_raw(
        api_url, b"TRACE /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert_nginx_problem(status, headers, body, 404)


def test_a_path_that_is_not_utf8_loses_no_event(api, api_url, kafka_log):
    """The raw bytes of the path go into the http.access event escaped, and the events of the
    requests around it all reach Kafka."""
    good = [unique_request_id("utf8-good") for _ in range(20)]
    bad = unique_request_id("utf8-bad")
    for index, request_id in enumerate(good):
        if index == 10:
            response = raw_request(api_url, "GET", "/\xff\xfe", [("X-Request-Id", bad)])
            assert response.status_code == 404
        assert api.get("/greeting", headers={"X-Request-Id": request_id}).status_code == 200
    for request_id in good:
        kafka_log.wait_for_events(request_id, "http.access")
    [event] = kafka_log.wait_for_events(bad, "http.access")
    assert event["path"] == "/\\xFF\\xFE", event


def test_nul_in_text_input_is_a_400(api, users):
    assert_problem(api.get("/products", params={"category": "Apparel\x00x"}), 400,
                   detail_contains="category")
    fields = users.fields(username="nul\x00user")
    assert_problem(api.post("/users/register", json=fields), 400, detail_contains="username")
    fields = users.fields(password="password\x00with-nul")
    assert_problem(api.post("/users/register", json=fields), 400, detail_contains="password")


def test_an_empty_category_is_a_400(api):
    assert_problem(api.get("/products", params={"category": ""}), 400, detail_contains="category")


def contract_token(user_id: int, iat: int, secret: bytes) -> str:
    return make_token({"sub": str(user_id), "iat": iat, "exp": iat + TOKEN_LIFETIME,
                       "iss": ISSUER}, secret)


def test_a_token_with_only_the_contracts_claims_is_judged_by_its_issue_time(
        api, users, jwt_secret):
    user = users.create()
    token = contract_token(user.id, int(time.time()), jwt_secret)
    assert_json(api.get(f"/users/{user.id}", headers=bearer(token)), 200)
    # A password change revokes every token issued before it (to the second).
    issued_before = int(time.time()) - 5
    old = contract_token(user.id, issued_before, jwt_secret)
    assert_json(api.patch(f"/users/{user.id}", json={"password": "a brand new password"},
                          headers=user.auth), 200)
    assert_unauthorized(api.get(f"/users/{user.id}", headers=bearer(old)))
    fresh = contract_token(user.id, int(time.time()) + 1, jwt_secret)
    assert_json(api.get(f"/users/{user.id}", headers=bearer(fresh)), 200)


def test_every_rejected_token_gets_one_body_and_an_event_with_the_reason(
        api, users, jwt_secret, kafka_log):
    revoked_user = users.create()
    revoked_token = revoked_user.token
    assert_json(api.patch(f"/users/{revoked_user.id}", json={"password": "another password 1"},
                          headers=revoked_user.auth), 200)
    deactivated = users.create()
    assert api.delete(f"/users/{deactivated.id}", headers=deactivated.auth).status_code == 204
    now = int(time.time())
    unknown = make_token({"sub": "2147483000", "iat": now, "exp": now + TOKEN_LIFETIME,
                          "iss": ISSUER, "ver": 1}, jwt_secret)
    forged = make_token({"sub": str(deactivated.id), "iat": now, "exp": now + TOKEN_LIFETIME,
                         "iss": ISSUER, "ver": 1}, b"not-the-secret-of-this-stack-0123456789")
    cases = {"revoked": revoked_token, "deactivated": deactivated.token,
             "does not exist": unknown, "signature": forged}
    bodies = []
    for reason, token in cases.items():
        request_id = unique_request_id("rej")
        body = assert_unauthorized(api.get("/orders",
                                           headers={"X-Request-Id": request_id, **bearer(token)}))
        bodies.append({k: v for k, v in body.items() if k != "trace_id"})
        [event] = [e for e in kafka_log.wait_for_events(request_id, "auth.failed", "http.access")
                   if e["event"] == "auth.failed"]
        assert reason in event.get("reason", ""), (reason, event)
    assert all(body == bodies[0] for body in bodies), bodies


def argon2id_hash(password: str, opslimit: int, memlimit: int) -> str:
    """A genuine argon2id PHC string with the given parameters, from libsodium itself."""
    path = ctypes.util.find_library("sodium")
    assert path, "libsodium is not installed"
    sodium = ctypes.CDLL(path)
    assert sodium.sodium_init() >= 0
    out = ctypes.create_string_buffer(128)
    secret = password.encode()
    assert sodium.crypto_pwhash_str_alg(out, secret, ctypes.c_ulonglong(len(secret)),
                                        ctypes.c_ulonglong(opslimit), ctypes.c_size_t(memlimit),
                                        ctypes.c_int(2)) == 0  # 2: crypto_pwhash_ALG_ARGON2ID13
    return out.value.decode()


def test_a_stored_hash_with_other_parameters_fails_closed(api, users, sql):
    user = users.create()
    costly = argon2id_hash(user.password, 3, 19 * 1024 * 1024)
    assert costly.startswith("$argon2id$v=19$m=19456,t=3,p=1$"), costly
    sql.conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (costly, user.id))
    assert_unauthorized(api.post("/users/login",
                                 json={"username": user.username, "password": user.password}))


def test_postgres_wants_its_password_and_the_stacks_secrets_are_private(stack):
    """README, "Security model": the local PostgreSQL takes no passwordless connection, and
    every secret of .run/ (the database password, the JWT secret, the settings that hold both,
    the private keys of the services' certificates and of their CA) is readable by its owner
    only."""
    import psycopg
    url = urlsplit(stack["DATABASE_URL"])
    assert url.password, "the stack's DATABASE_URL has no password"
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=url.hostname, port=url.port, user=url.username,
                        dbname=url.path.lstrip("/"), password="", connect_timeout=5)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=url.hostname, port=url.port, user=url.username,
                        dbname=url.path.lstrip("/"), password="not-" + url.password,
                        connect_timeout=5)
    psycopg.connect(stack["DATABASE_URL"], connect_timeout=5).close()

    run = Path(__file__).resolve().parents[2] / ".run"
    secrets = [run / "postgres" / "password", run / "jwt_secret", run / "stack.env",
               run / "pki" / "ca.key"] + sorted((run / "pki").glob("*/tls.key"))
    assert len(secrets) == 7, secrets
    for path in secrets:
        mode = path.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{path} has mode {oct(mode)}"
