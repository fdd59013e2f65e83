"""Plain helpers of the end-to-end tests: the contract's patterns, problem and shape checks,
hand-made JWTs and a raw HTTP/1.1 request for what an HTTP client refuses to send.

Everything here is a pure function of its arguments; the fixtures that talk to the stack live
in conftest.py."""
import base64
import hashlib
import hmac
import json
import re
import socket
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

# Patterns of the contract (api/openapi.yaml).
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._~:+=@/-]{1,128}")
TIMESTAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
WWW_AUTHENTICATE_RE = re.compile(r"Bearer( .*)?")
MONEY_TEXT_RE = re.compile(r"\d+\.\d{2}")

ISSUER = "sustech-merch-store"
TOKEN_LIFETIME = 86400
GREETING = {"message": "Welcome to SUSTech Store API"}
PROBLEM_FIELDS = {"type", "title", "status", "detail", "trace_id"}
USER_FIELDS = {"id", "sid", "username", "email", "is_active", "created_at"}
PRODUCT_FIELDS = {"id", "name", "description", "category", "price", "slogan", "stock", "created_at"}
ORDER_FIELDS = {"id", "user_id", "product_id", "quantity", "unit_price", "total_price", "status",
                "created_at", "cancelled_at"}
MAX_ID = 2147483647
BODY_LIMIT = 64 * 1024

# The seeded catalogue (db/migrations/V002__seed_products.sql), in id order.
SEEDED_PRODUCTS = [
    {"name": "SUSTech Hoodie", "category": "Apparel", "price": "49.99",
     "slogan": "Campus colours, all winter long.",
     "description": "Heavyweight cotton-blend hoodie with the embroidered SUSTech crest."},
    {"name": "SUSTech Water Bottle", "category": "Drinkware", "price": "19.99",
     "slogan": "Refill, reuse, represent.",
     "description": "Insulated 600 ml stainless-steel bottle printed with the SUSTech logo."},
    {"name": "SUSTech Notebook", "category": "Stationery", "price": "9.99",
     "slogan": "Ideas start on paper.",
     "description": "A5 dot-grid notebook, 160 pages, SUSTech cover."},
]

# Path ids that are not plain decimal digits in 1..2147483647 (each one a 400).
BAD_PATH_IDS = ["0", "-1", "2147483648", "99999999999999999999", "abc", "1.0", "01", "+1",
                "1e3", "0x10"]


def unique_hex(length: int = 12) -> str:
    return uuid.uuid4().hex[:length]


def unique_request_id(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4()}"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def wait_until(condition, timeout: float, what: str, interval: float = 0.05):
    """Polls `condition` until it returns a truthy value, which is returned; fails the test after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# Response checks.

def media_type(response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def describe(response) -> str:
    """One line that says what came back, for assertion messages."""
    return (f"{response.request.method} {response.request.url} -> {response.status_code} "
            f"{dict(response.headers)} {response.text[:500]!r}")


def assert_request_id(response) -> str:
    request_id = response.headers.get("x-request-id")
    assert request_id is not None, f"no X-Request-Id: {describe(response)}"
    assert REQUEST_ID_RE.fullmatch(request_id), f"invalid X-Request-Id {request_id!r}"
    return request_id


def assert_problem(response, status: int, *, detail_contains=(), trace_id=None) -> dict:
    """An RFC 9457 problem of the contract: the status, application/problem+json, exactly the
    five fields, and trace_id equal to X-Request-Id (or to `trace_id` when given, e.g. the
    trace-id of a traceparent)."""
    assert response.status_code == status, f"expected {status}: {describe(response)}"
    assert media_type(response) == "application/problem+json", describe(response)
    request_id = assert_request_id(response)
    body = response.json()
    assert isinstance(body, dict) and set(body) == PROBLEM_FIELDS, f"problem fields: {body}"
    assert type(body["status"]) is int and body["status"] == status, body
    for name in ("type", "title", "detail", "trace_id"):
        assert isinstance(body[name], str), body
    assert body["title"], body
    expected_trace = request_id if trace_id is None else trace_id
    assert body["trace_id"] == expected_trace, \
        f"trace_id {body['trace_id']!r} != {expected_trace!r}"
    if isinstance(detail_contains, str):
        detail_contains = (detail_contains,)
    for word in detail_contains:
        assert word.lower() in body["detail"].lower(), \
            f"detail should name {word!r}: {body['detail']!r}"
    return body


def assert_unauthorized(response) -> dict:
    body = assert_problem(response, 401)
    challenge = response.headers.get("www-authenticate")
    assert challenge is not None and WWW_AUTHENTICATE_RE.fullmatch(challenge), \
        f"WWW-Authenticate: {challenge!r}"
    return body


def without_trace(problem: dict) -> dict:
    return {k: v for k, v in problem.items() if k != "trace_id"}


def assert_json(response, status: int):
    assert response.status_code == status, f"expected {status}: {describe(response)}"
    assert media_type(response) == "application/json", describe(response)
    assert_request_id(response)
    return response.json()


def is_int(value) -> bool:
    return type(value) is int


def is_number(value) -> bool:
    return type(value) in (int, float)


def assert_id(value) -> None:
    assert is_int(value) and 1 <= value <= MAX_ID, f"not an id: {value!r}"


def assert_user_shape(user: dict) -> None:
    assert set(user) == USER_FIELDS, f"User fields: {sorted(user)}"
    assert_id(user["id"])
    for name in ("sid", "username", "email"):
        assert isinstance(user[name], str), user
    assert type(user["is_active"]) is bool, user
    assert TIMESTAMP_RE.fullmatch(user["created_at"]), user


def assert_product_shape(product: dict) -> None:
    assert set(product) == PRODUCT_FIELDS, f"Product fields: {sorted(product)}"
    assert_id(product["id"])
    for name in ("name", "description", "category", "slogan"):
        assert isinstance(product[name], str), product
    assert is_number(product["price"]) and product["price"] >= 0, product
    assert is_int(product["stock"]) and product["stock"] >= 0, product
    assert TIMESTAMP_RE.fullmatch(product["created_at"]), product


def assert_order_shape(order: dict) -> None:
    assert set(order) == ORDER_FIELDS, f"Order fields: {sorted(order)}"
    for name in ("id", "user_id", "product_id"):
        assert_id(order[name])
    assert is_int(order["quantity"]) and 1 <= order["quantity"] <= 3, order
    assert order["status"] in ("placed", "cancelled"), order
    assert TIMESTAMP_RE.fullmatch(order["created_at"]), order
    if order["status"] == "placed":
        assert order["cancelled_at"] is None, order
    else:
        assert isinstance(order["cancelled_at"], str) and \
            TIMESTAMP_RE.fullmatch(order["cancelled_at"]), order


def money_texts(raw: str, name: str) -> list:
    """The literal texts of every JSON number written for member `name` in a raw body."""
    return re.findall(r'"' + re.escape(name) + r'"\s*:\s*(-?[0-9][0-9.eE+-]*)', raw)


def assert_money_format(raw: str, *names: str) -> None:
    for name in names:
        texts = money_texts(raw, name)
        assert texts, f"no {name!r} number in {raw[:300]!r}"
        for text in texts:
            assert MONEY_TEXT_RE.fullmatch(text), \
                f"{name} written as {text!r}, not with two decimals"


def find_secret_keys(value, path="") -> list:
    """Keys anywhere in a JSON value that look like a password or a hash."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if "password" in key.lower() or "hash" in key.lower():
                found.append(path + "/" + key)
            found.extend(find_secret_keys(item, path + "/" + key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(find_secret_keys(item, f"{path}/{index}"))
    return found


def assert_no_secrets(response, *secrets: str) -> None:
    text = response.text
    assert "$argon2" not in text, f"a hash leaked: {text[:300]!r}"
    for secret in secrets:
        assert secret not in text, "a password or token leaked into a response"
    if text:
        assert find_secret_keys(response.json()) == [], text[:300]


def allowed_methods(response) -> set:
    allow = response.headers.get("allow")
    assert allow is not None, f"no Allow header: {describe(response)}"
    return {part.strip().upper() for part in allow.split(",") if part.strip()}


# ---------------------------------------------------------------------------------------------
# JWTs made by hand (HS256 etc. with hmac; no JWT library).

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_json(value) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def sign(signing_input: str, secret: bytes, digest=hashlib.sha256) -> str:
    return b64url(hmac.new(secret, signing_input.encode("ascii"), digest).digest())


def make_token(claims, secret: bytes, *, header=None, digest=hashlib.sha256) -> str:
    """A JWT with `header` (default HS256) and `claims` (a dict, or raw bytes for a payload
    that is not JSON), signed with HMAC(`digest`) under `secret`."""
    header = {"alg": "HS256", "typ": "JWT"} if header is None else header
    payload = b64url(claims) if isinstance(claims, bytes) else b64url_json(claims)
    signing_input = f"{b64url_json(header)}.{payload}"
    return f"{signing_input}.{sign(signing_input, secret, digest)}"


def token_parts(token: str):
    header, payload, signature = token.split(".")
    return (json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), signature)


def token_claims(token: str) -> dict:
    return token_parts(token)[1]


# ---------------------------------------------------------------------------------------------
# Raw HTTP/1.1, for requests httpx refuses to build (e.g. a header value with trailing space).

@dataclass
class RawResponse:
    status_code: int
    headers: dict = field(default_factory=dict)  # lower-case name -> value (last one wins)
    body: bytes = b""

    def json(self):
        return json.loads(self.body)


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2:]
    return out


def raw_request(base_url: str, method: str, path: str, headers: list, body: bytes = b"",
                timeout: float = 10.0) -> RawResponse:
    """Sends one request exactly as given (headers as (name, value) pairs, Connection: close
    added) and reads the whole response."""
    url = urlsplit(base_url)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {url.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with socket.create_connection((url.hostname, url.port or 80), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    response = RawResponse(status_code=int(status_line.split(" ")[1]))
    for line in header_lines:
        name, _, value = line.partition(":")
        response.headers[name.strip().lower()] = value.strip()
    if response.headers.get("transfer-encoding", "").lower() == "chunked":
        payload = _dechunk(payload)
    elif "content-length" in response.headers:
        payload = payload[:int(response.headers["content-length"])]
    response.body = payload
    return response
