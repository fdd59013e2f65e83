"""Registration, login and the caller's own account: api/openapi.yaml (users rows, input rules, bodies)."""
import json
import uuid
from datetime import datetime, timezone

import pytest

from e2e_support import (BAD_PATH_IDS, BODY_LIMIT, MAX_ID, TOKEN_RE, USER_FIELDS, assert_json,
                         assert_no_secrets, assert_problem, assert_unauthorized,
                         assert_user_shape, bearer, describe, unique_hex, without_trace)

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def shared_user(users):
    """A user for tests that only read, or whose requests must change nothing."""
    return users.create()


def new_username() -> str:
    return "n_" + unique_hex(20)


def new_email() -> str:
    return f"New.{unique_hex(20)}@Example.ORG"


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def get_self(api, user, token=None):
    return api.get(f"/users/{user.id}", headers=bearer(token or user.token))


# ---------------------------------------------------------------------------------------------
# Registration.

def test_register_returns_201_the_user_and_its_location(users):
    fields, response = users.register()
    body = assert_json(response, 201)
    assert_user_shape(body)
    assert body == {"id": body["id"], "sid": fields["sid"], "username": fields["username"],
                    "email": fields["email"], "is_active": True,
                    "created_at": body["created_at"]}
    assert response.headers.get("location") == f"/users/{body['id']}"
    age = abs(datetime.now(timezone.utc) - parse_time(body["created_at"])).total_seconds()
    assert age < 300, f"created_at {body['created_at']} is not now"
    assert_no_secrets(response, fields["password"])


def test_register_stores_the_email_as_given(users):
    email = f"MiXeD.{unique_hex()}+Tag@Sub.Example.COM"
    _, response = users.register(email=email)
    assert assert_json(response, 201)["email"] == email


def test_no_user_response_carries_a_password_or_hash(api, users):
    fields, registered = users.register()
    assert_no_secrets(registered, fields["password"])
    user_id = registered.json()["id"]
    login = users.login(username=fields["username"], password=fields["password"])
    assert_json(login, 200)
    assert_no_secrets(login, fields["password"])
    token = login.json()["token"]
    got = api.get(f"/users/{user_id}", headers=bearer(token))
    assert_json(got, 200)
    assert_no_secrets(got, fields["password"], token)
    patched = api.patch(f"/users/{user_id}", json={"username": new_username()},
                        headers=bearer(token))
    assert_json(patched, 200)
    assert_no_secrets(patched, fields["password"], token)
    new_password = f"pw-{unique_hex()}-new"
    changed = api.patch(f"/users/{user_id}", json={"password": new_password},
                        headers=bearer(token))
    assert_json(changed, 200)
    assert_no_secrets(changed, fields["password"], new_password, token)
    for body in (registered.json(), login.json()["user"], got.json(), patched.json(),
                 changed.json()):
        assert set(body) == USER_FIELDS


def test_register_with_a_taken_sid_is_409_naming_sid(users, shared_user):
    fields, response = users.register(sid=shared_user.sid)
    assert_problem(response, 409, detail_contains="sid")
    assert_unauthorized(users.login(username=fields["username"], password=fields["password"]))


def test_sid_is_unique_case_sensitively(users, shared_user):
    assert shared_user.sid != shared_user.sid.upper()
    _, response = users.register(sid=shared_user.sid.upper())
    assert assert_json(response, 201)["sid"] == shared_user.sid.upper()


@pytest.mark.parametrize("variant", [str.upper, str.swapcase])
def test_register_with_a_username_differing_only_in_case_is_409(users, shared_user, variant):
    fields, response = users.register(username=variant(shared_user.username))
    assert_problem(response, 409, detail_contains="username")
    assert_unauthorized(users.login(sid=fields["sid"], password=fields["password"]))


@pytest.mark.parametrize("variant", [str.lower, str.upper, lambda s: s])
def test_register_with_an_email_differing_only_in_case_is_409(users, shared_user, variant):
    fields, response = users.register(email=variant(shared_user.email))
    assert_problem(response, 409, detail_contains="email")
    assert_unauthorized(users.login(sid=fields["sid"], password=fields["password"]))


def email_of_length(length: int) -> str:
    domain = "@example.com"
    local = unique_hex(32)
    return local + "x" * (length - len(domain) - len(local)) + domain


BAD_FIELDS = [
    ("sid", "a" * 16), ("sid", "ab-12"), ("sid", "ab 12"), ("sid", ""), ("sid", "学号123"),
    ("sid", "abc\n"), ("sid", "abc_1"),
    ("username", "ab"), ("username", "a" * 51), ("username", "bad name"),
    ("username", "bad!name"), ("username", "名字名字"), ("username", ""),
    ("username", "tab\tx"),
    ("email", "no-at-sign.example.com"), ("email", "two@@example.com"),
    ("email", "a@b@example.com"), ("email", "@example.com"), ("email", "local@"),
    ("email", "sp ace@example.com"), ("email", "tab\t@example.com"),
    ("email", "new\nline@example.com"), ("email", "ctl\x01@example.com"),
    ("email", "del\x7f@example.com"), ("email", "nel\x85@example.com"), ("email", ""),
    ("email", email_of_length(255)),
    ("password", "a" * 7), ("password", "a" * 129), ("password", ""),
    ("password", "密码密码密码密"),  # 7 characters, 21 bytes
    ("password", "\U0001F512" * 129),  # 129 characters
    # wrong types
    ("sid", 123), ("sid", None), ("sid", 1.5), ("sid", True), ("username", ["abc"]),
    ("username", None), ("email", {"a": "b"}), ("password", 12345678), ("password", True),
    ("password", None),
]


@pytest.mark.parametrize("name,value", BAD_FIELDS,
                         ids=[f"{n}={v!r}"[:60] for n, v in BAD_FIELDS])
def test_register_with_a_bad_field_is_400_naming_it(users, name, value):
    fields, response = users.register(**{name: value})
    assert_problem(response, 400, detail_contains=name)


GOOD_FIELDS = [
    ("sid", lambda: "S" + uuid.uuid4().hex[:14].upper()),
    ("username", lambda: "A." + unique_hex(20) + "_-" + "z" * 26),  # 50 characters
    ("email", lambda: email_of_length(254)),
    ("email", lambda: f"ünï.{unique_hex()}@bücher.example"),
    ("password", lambda: "p" * 128),
    ("password", lambda: "密码密码密码密码"),  # 8 multi-byte characters
    ("password", lambda: "\U0001F512" * 128),  # 128 characters, 512 bytes
]


@pytest.mark.parametrize("name,make", GOOD_FIELDS,
                         ids=["sid-15-upper", "username-50", "email-254", "email-unicode",
                              "password-128", "password-8-multibyte", "password-128-emoji"])
def test_register_accepts_boundary_values_and_login_works(users, name, make):
    value = make()
    fields, response = users.register(**{name: value})
    body = assert_json(response, 201)
    if name != "password":
        assert body[name] == value
    else:
        assert_no_secrets(response, value)
    login = users.login(sid=fields["sid"], password=fields["password"])
    assert assert_json(login, 200)["user"] == body


def test_password_in_json_escapes_counts_code_points(api, users):
    """128 astral characters written as surrogate-pair escapes are 128 characters."""
    fields = users.fields(password="\U0001F600" * 128)
    body = json.dumps(fields, ensure_ascii=True).encode()
    assert b"\\ud83d\\ude00" in body
    response = api.post("/users/register", content=body, headers=JSON)
    assert_json(response, 201)
    login = api.post("/users/login", content=json.dumps(
        {"sid": fields["sid"], "password": fields["password"]}, ensure_ascii=True).encode(),
        headers=JSON)
    assert_json(login, 200)


def test_register_with_an_unknown_field_is_400_naming_it(users):
    fields, response = users.register(role="admin")
    assert_problem(response, 400, detail_contains="role")
    assert_unauthorized(users.login(sid=fields["sid"], password=fields["password"]))


@pytest.mark.parametrize("missing", ["sid", "username", "email", "password"])
def test_register_with_a_missing_field_is_400_naming_it(api, users, missing):
    fields = users.fields()
    del fields[missing]
    assert_problem(api.post("/users/register", json=fields), 400, detail_contains=missing)


def test_register_with_a_duplicated_key_is_400(api, users):
    fields = users.fields()
    other_sid = users.fields()["sid"]
    raw = (f'{{"sid":"{fields["sid"]}","username":"{fields["username"]}",'
           f'"email":"{fields["email"]}","password":"{fields["password"]}",'
           f'"sid":"{other_sid}"}}').encode()
    assert_problem(api.post("/users/register", content=raw, headers=JSON), 400)
    for sid in (fields["sid"], other_sid):
        assert_unauthorized(api.post("/users/login",
                                     json={"sid": sid, "password": fields["password"]}))


MALFORMED = {
    "truncated": b'{"sid": "abc", ',
    "unquoted-key": b'{sid: "abc"}',
    "single-quotes": b"{'sid': 'abc'}",
    "trailing-comma": b'{"sid": "abc",}',
    "trailing-garbage": b'{"sid": "abc"} x',
    "two-documents": b'{} {}',
    "empty": b"",
    "whitespace": b"   ",
    "invalid-utf8": b'{"sid": "\xff\xfe"}',
    "lone-surrogate-escape": b'{"password": "\\ud800abcdefgh"}',
    "nan": b'{"sid": NaN}',
    "comment": b'{"sid": "abc" /* c */}',
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_register_with_malformed_json_is_400(api, raw):
    assert_problem(api.post("/users/register", content=raw, headers=JSON), 400)


@pytest.mark.parametrize("raw", [b"[]", b'["a"]', b'"text"', b"null", b"42", b"true"])
def test_register_with_json_that_is_not_an_object_is_400(api, raw):
    assert_problem(api.post("/users/register", content=raw, headers=JSON), 400)


def test_register_accepts_a_json_content_type_with_charset(api, users):
    fields = users.fields()
    response = api.post("/users/register", content=json.dumps(fields).encode(),
                        headers={"Content-Type": "application/json; charset=utf-8"})
    assert assert_json(response, 201)["sid"] == fields["sid"]


@pytest.mark.parametrize("path", ["/users/register", "/users/login"])
@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/xml", None,
])
def test_body_without_a_json_content_type_is_415(api, users, path, content_type):
    fields = users.fields()
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = api.post(path, content=json.dumps(fields).encode(), headers=headers)
    assert "content-type" not in response.request.headers or content_type is not None
    assert_problem(response, 415)
    if path == "/users/register":
        assert_unauthorized(users.login(sid=fields["sid"], password=fields["password"]))


def sized_body(size: int) -> bytes:
    """A JSON object of exactly `size` bytes (valid JSON, with an unknown field)."""
    prefix, suffix = b'{"sid":"abc","padding":"', b'"}'
    return prefix + b"x" * (size - len(prefix) - len(suffix)) + suffix


def chunks(body: bytes, size: int = 4096):
    for start in range(0, len(body), size):
        yield body[start:start + size]


@pytest.fixture(params=["nginx", "replica-1", "replica-2"])
def any_client(request, api, replicas):
    return {"nginx": api, "replica-1": replicas[0], "replica-2": replicas[1]}[request.param]


@pytest.mark.parametrize("path", ["/users/register", "/users/login"])
def test_body_over_64_kib_is_413(any_client, path):
    body = sized_body(BODY_LIMIT + 1)
    assert len(body) == 65537
    assert_problem(any_client.post(path, content=body, headers=JSON), 413)


@pytest.mark.parametrize("path", ["/users/register", "/users/login"])
def test_chunked_body_over_64_kib_is_413(any_client, path):
    response = any_client.post(path, content=chunks(sized_body(BODY_LIMIT + 1)), headers=JSON)
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert_problem(response, 413)


def test_body_of_exactly_64_kib_is_not_413(any_client):
    body = sized_body(BODY_LIMIT)
    assert len(body) == 65536
    assert_problem(any_client.post("/users/register", content=body, headers=JSON), 400,
                   detail_contains="padding")


def test_chunked_register_within_the_limit_works(any_client, users):
    fields = users.fields()
    response = any_client.post("/users/register", content=chunks(json.dumps(fields).encode(), 7),
                               headers=JSON)
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert assert_json(response, 201)["username"] == fields["username"]


# ---------------------------------------------------------------------------------------------
# Login.

def assert_login_ok(response, user) -> dict:
    body = assert_json(response, 200)
    assert set(body) == {"token", "token_type", "expires_in", "user"}, body
    assert isinstance(body["token"], str) and TOKEN_RE.fullmatch(body["token"]), body["token"]
    assert body["token_type"] == "Bearer"
    assert type(body["expires_in"]) is int and body["expires_in"] == 86400
    assert body["user"] == user.body
    assert_no_secrets(response, user.password)
    return body


def test_login_by_username(users, shared_user):
    response = users.login(username=shared_user.username, password=shared_user.password)
    body = assert_login_ok(response, shared_user)
    assert users.client.get(f"/users/{shared_user.id}",
                            headers=bearer(body["token"])).status_code == 200


@pytest.mark.parametrize("variant", [str.upper, str.swapcase])
def test_login_by_username_ignores_case(users, shared_user, variant):
    response = users.login(username=variant(shared_user.username), password=shared_user.password)
    assert assert_login_ok(response, shared_user)["user"]["username"] == shared_user.username


def test_login_by_sid(users, shared_user):
    assert_login_ok(users.login(sid=shared_user.sid, password=shared_user.password), shared_user)


def test_login_by_sid_is_case_sensitive(users, shared_user):
    assert_unauthorized(users.login(sid=shared_user.sid.upper(), password=shared_user.password))


@pytest.mark.parametrize("body", [
    lambda u: {"username": u.username, "sid": u.sid, "password": u.password},
    lambda u: {"password": u.password},
    lambda u: {"username": u.username},
    lambda u: {"sid": u.sid},
    lambda u: {"username": u.username, "password": u.password, "remember": True},
    lambda u: {"username": u.username, "password": None},
    lambda u: {"username": 5, "password": u.password},
    lambda u: {"username": "ab", "password": u.password},
    lambda u: {"sid": "a-b", "password": u.password},
    lambda u: {"sid": u.sid, "password": "short"},
    lambda u: {},
], ids=["both-username-and-sid", "neither", "no-password", "sid-no-password", "unknown-field",
        "null-password", "number-username", "short-username", "bad-sid", "short-password",
        "empty-object"])
def test_login_with_a_bad_body_is_400(users, shared_user, body):
    assert_problem(users.login(**body(shared_user)), 400)


def test_login_failures_are_401_with_identical_bodies(api, users):
    victim = users.create()
    deactivated = users.create()
    assert api.delete(f"/users/{deactivated.id}", headers=deactivated.auth).status_code == 204
    attempts = {
        "unknown username": {"username": "nobody_" + unique_hex(20), "password": "whatever-123"},
        "unknown sid": {"sid": "x" + unique_hex(14), "password": "whatever-123"},
        "wrong password": {"username": victim.username, "password": victim.password + "x"},
        "wrong password by sid": {"sid": victim.sid, "password": "wrong-" + unique_hex()},
        "deactivated by username": {"username": deactivated.username,
                                    "password": deactivated.password},
        "deactivated by sid": {"sid": deactivated.sid, "password": deactivated.password},
    }
    bodies = {}
    for what, body in attempts.items():
        response = users.login(**body)
        bodies[what] = without_trace(assert_unauthorized(response))
        assert_no_secrets(response, body["password"])
    assert len({json.dumps(b, sort_keys=True) for b in bodies.values()}) == 1, bodies


# ---------------------------------------------------------------------------------------------
# GET, PATCH, DELETE /users/{id}.

def test_get_own_user(api, user):
    assert assert_json(get_self(api, user), 200) == user.body


def test_another_users_resource_is_403_whether_or_not_it_exists(api, user, other_user):
    bodies = []
    for target in (other_user.id, MAX_ID):
        for method, kwargs in (("GET", {}), ("PATCH", {"json": {"username": new_username()}}),
                               ("DELETE", {})):
            response = api.request(method, f"/users/{target}", headers=user.auth, **kwargs)
            bodies.append((method, without_trace(assert_problem(response, 403))))
    for method in ("GET", "PATCH", "DELETE"):
        same_method = [b for m, b in bodies if m == method]
        assert same_method[0] == same_method[1], "403 must not reveal whether the user exists"
    # Nothing happened to the other user.
    assert assert_json(get_self(api, other_user), 200) == other_user.body
    assert_json(api.post("/users/login", json={"username": other_user.username,
                                               "password": other_user.password}), 200)


def test_patch_username_only(api, users, user):
    username = new_username()
    response = api.patch(f"/users/{user.id}", json={"username": username}, headers=user.auth)
    body = assert_json(response, 200)
    assert body == {**user.body, "username": username}
    assert assert_json(get_self(api, user), 200) == body
    assert_json(users.login(username=username.upper(), password=user.password), 200)
    assert_unauthorized(users.login(username=user.username, password=user.password))


def test_patch_email_only_stores_it_as_given(api, user):
    email = new_email()
    response = api.patch(f"/users/{user.id}", json={"email": email}, headers=user.auth)
    assert assert_json(response, 200) == {**user.body, "email": email}
    assert assert_json(get_self(api, user), 200)["email"] == email


def test_patch_all_fields_at_once(api, users, user):
    change = {"username": new_username(), "email": new_email(),
              "password": f"pw-{unique_hex()}-all"}
    response = api.patch(f"/users/{user.id}", json=change, headers=user.auth)
    body = assert_json(response, 200)
    assert body == {**user.body, "username": change["username"], "email": change["email"]}
    login = users.login(username=change["username"], password=change["password"])
    assert assert_json(login, 200)["user"] == body


@pytest.mark.parametrize("change", [
    lambda u: {"username": u.username},
    lambda u: {"username": u.username.upper()},
    lambda u: {"email": u.email},
    lambda u: {"email": u.email.lower()},
    lambda u: {"username": u.username.swapcase(), "email": u.email.swapcase()},
], ids=["same-username", "own-username-other-case", "same-email", "own-email-other-case",
        "both-other-case"])
def test_patch_to_own_values_is_not_a_conflict(api, user, change):
    values = change(user)
    response = api.patch(f"/users/{user.id}", json=values, headers=user.auth)
    assert assert_json(response, 200) == {**user.body, **values}


def test_patch_with_an_empty_object_is_400(api, user):
    assert_problem(api.patch(f"/users/{user.id}", json={}, headers=user.auth), 400)
    assert assert_json(get_self(api, user), 200) == user.body


@pytest.mark.parametrize("field", ["username", "email"])
@pytest.mark.parametrize("owner_state", ["active", "deactivated"])
def test_patch_to_a_value_taken_by_another_user_is_409(api, users, user, field, owner_state):
    owner = users.create()
    if owner_state == "deactivated":
        assert api.delete(f"/users/{owner.id}", headers=owner.auth).status_code == 204
    taken = getattr(owner, field).swapcase()
    response = api.patch(f"/users/{user.id}", json={field: taken}, headers=user.auth)
    assert_problem(response, 409, detail_contains=field)
    assert assert_json(get_self(api, user), 200) == user.body


def test_patch_with_one_taken_value_changes_nothing(api, user, other_user):
    response = api.patch(f"/users/{user.id}", headers=user.auth,
                         json={"username": new_username(), "email": other_user.email})
    assert_problem(response, 409, detail_contains="email")
    assert assert_json(get_self(api, user), 200) == user.body


MASS_ASSIGNMENT = [("is_active", False), ("id", 1), ("password_hash", "$argon2id$v=19$x"),
                   ("sid", "hacked1"), ("created_at", "2000-01-01T00:00:00.000Z"),
                   ("token_version", 99), ("role", "admin")]


@pytest.mark.parametrize("field,value", MASS_ASSIGNMENT, ids=[f for f, _ in MASS_ASSIGNMENT])
@pytest.mark.parametrize("with_valid_change", [False, True], ids=["alone", "with-username"])
def test_patch_cannot_assign_other_fields(api, users, user, field, value, with_valid_change):
    change = {field: value}
    if with_valid_change:
        change["username"] = new_username()
    response = api.patch(f"/users/{user.id}", json=change, headers=user.auth)
    assert_problem(response, 400, detail_contains=field)
    assert assert_json(get_self(api, user), 200) == user.body
    assert_json(users.login(sid=user.sid, password=user.password), 200)


BAD_PATCH = [("username", "x"), ("username", "bad name"), ("username", None), ("username", 5),
             ("email", "no-at"), ("email", "a b@c.d"), ("email", None), ("password", "short"),
             ("password", "p" * 129), ("password", None), ("password", 12345678)]


@pytest.mark.parametrize("field,value", BAD_PATCH, ids=[f"{f}={v!r}" for f, v in BAD_PATCH])
def test_patch_with_a_bad_value_is_400(api, users, user, field, value):
    response = api.patch(f"/users/{user.id}", json={field: value}, headers=user.auth)
    assert_problem(response, 400, detail_contains=field)
    assert assert_json(get_self(api, user), 200) == user.body
    assert_json(users.login(sid=user.sid, password=user.password), 200)


def test_patch_with_malformed_json_or_duplicated_key_is_400(api, shared_user):
    for raw in (b'{"username": ', b'[]', b'{"username":"aaa_1","username":"bbb_2"}'):
        response = api.patch(f"/users/{shared_user.id}", content=raw,
                             headers={**JSON, **shared_user.auth})
        assert_problem(response, 400)
    assert assert_json(get_self(api, shared_user), 200) == shared_user.body


def test_patch_without_a_json_content_type_is_415(api, shared_user):
    response = api.patch(f"/users/{shared_user.id}", content=b'{"username":"abc_def"}',
                         headers={"Content-Type": "text/plain", **shared_user.auth})
    assert_problem(response, 415)
    assert assert_json(get_self(api, shared_user), 200) == shared_user.body


def test_password_change_revokes_old_tokens(api, users, user):
    second_token = users.token(sid=user.sid, password=user.password)
    new_password = f"pw-{unique_hex()}-changed"
    response = api.patch(f"/users/{user.id}", json={"password": new_password}, headers=user.auth)
    assert assert_json(response, 200) == user.body
    for token in (user.token, second_token):
        assert_unauthorized(get_self(api, user, token))
        assert_unauthorized(api.get("/orders", headers=bearer(token)))
        assert_unauthorized(api.patch(f"/users/{user.id}", json={"username": new_username()},
                                      headers=bearer(token)))
    assert_unauthorized(users.login(username=user.username, password=user.password))
    login = users.login(username=user.username, password=new_password)
    token = assert_json(login, 200)["token"]
    assert assert_json(get_self(api, user, token), 200) == user.body


def test_deactivation(api, users, sql, user):
    product_id = sql.create_product(price="9.99", stock=5)
    order = assert_json(api.post("/orders", json={"product_id": product_id, "quantity": 1},
                                 headers=user.auth), 201)
    response = api.delete(f"/users/{user.id}", headers=user.auth)
    assert response.status_code == 204, describe(response)
    assert response.content == b""
    assert response.headers.get("x-request-id")
    # Every token is refused, login fails.
    assert_unauthorized(get_self(api, user))
    assert_unauthorized(api.get("/orders", headers=user.auth))
    assert_unauthorized(api.delete(f"/users/{user.id}", headers=user.auth))
    assert_unauthorized(users.login(username=user.username, password=user.password))
    assert_unauthorized(users.login(sid=user.sid, password=user.password))
    # The row and its orders are kept; the values stay taken.
    assert sql.user_is_active(user.id) is False
    assert sql.order_status(order["id"]) == "placed"
    assert sql.stock(product_id) == 4
    assert_problem(users.register(sid=user.sid)[1], 409, detail_contains="sid")
    assert_problem(users.register(username=user.username.upper())[1], 409,
                   detail_contains="username")
    assert_problem(users.register(email=user.email.lower())[1], 409, detail_contains="email")


# ---------------------------------------------------------------------------------------------
# Path ids.

@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("bad_id", BAD_PATH_IDS)
def test_bad_user_id_in_path_is_400(api, shared_user, method, bad_id):
    kwargs = {"json": {"username": new_username()}} if method == "PATCH" else {}
    response = api.request(method, f"/users/{bad_id}", headers=shared_user.auth, **kwargs)
    assert_problem(response, 400)
    assert assert_json(get_self(api, shared_user), 200) == shared_user.body


def test_bad_user_id_without_a_token_is_401(api):
    assert_unauthorized(api.get("/users/abc"))
