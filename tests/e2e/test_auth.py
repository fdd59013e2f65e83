"""Bearer tokens (api/openapi.yaml, bearerAuth). Tokens are built by hand (hmac, hashlib, base64); the real secret
comes from .run/stack.env, so a token differs from a valid one in exactly one respect."""
import hashlib
import time

import pytest

from e2e_support import (ISSUER, MAX_ID, TOKEN_LIFETIME, assert_json, assert_problem,
                         assert_unauthorized, b64url, b64url_json, bearer, make_token, raw_request,
                         sign, token_parts, unique_hex)

WRONG_SECRET = b"this-is-not-the-secret-of-the-stack-0123456789"


def claims_for(user_id: int, **changes) -> dict:
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + TOKEN_LIFETIME, "iss": ISSUER, "ver": 1}
    for name, value in changes.items():
        if value is ...:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


@pytest.fixture(scope="module")
def victim(users):
    return users.create()


def get_self(api, user_id, authorization=None):
    headers = {} if authorization is None else {"Authorization": authorization}
    return api.get(f"/users/{user_id}", headers=headers)


def test_login_token_is_hs256_with_the_contract_claims(victim, jwt_secret):
    header, claims, signature = token_parts(victim.token)
    assert header.get("alg") == "HS256", header
    signing_input = victim.token.rsplit(".", 1)[0]
    assert sign(signing_input, jwt_secret) == signature, "not signed with JWT_SECRET"
    assert claims["sub"] == str(victim.id)
    assert claims["iss"] == ISSUER
    assert type(claims["iat"]) is int and type(claims["exp"]) is int, claims
    assert claims["exp"] == claims["iat"] + TOKEN_LIFETIME
    assert abs(claims["iat"] - time.time()) < 300, claims
    assert claims.get("ver") == 1, "a new user's token carries token version 1"


def test_self_made_token_with_the_real_secret_is_accepted(api, victim, jwt_secret):
    token = make_token(claims_for(victim.id), jwt_secret)
    assert assert_json(get_self(api, victim.id, f"Bearer {token}"), 200) == victim.body


def test_token_issued_slightly_in_the_future_is_accepted(api, victim, jwt_secret):
    """Only an iat more than 60 s in the future is refused."""
    now = int(time.time()) + 20
    token = make_token(claims_for(victim.id, iat=now, exp=now + TOKEN_LIFETIME), jwt_secret)
    assert assert_json(get_self(api, victim.id, f"Bearer {token}"), 200) == victim.body


def forged(victim, secret):
    """name -> Authorization header value (None: no header). Each differs from a valid token of
    `victim` in one respect."""
    uid = victim.id
    now = int(time.time())
    valid_header = b64url_json({"alg": "HS256", "typ": "JWT"})
    valid_payload = b64url_json(claims_for(uid))
    _, real_payload, real_signature = victim.token.split(".")
    real_header = victim.token.split(".")[0]
    tampered_claims = token_parts(victim.token)[1]
    tampered_claims["exp"] = tampered_claims["exp"] + 3600
    past = now - TOKEN_LIFETIME - 3600
    future = now + 300
    return {
        "no-header": None,
        "basic-scheme": "Basic dXNlcjpwYXNzd29yZA==",
        "token-without-scheme": victim.token,
        "bearer-without-token": "Bearer",
        "bearer-garbage": "Bearer garbage",
        "bearer-three-garbage-parts": "Bearer a.b.c",
        "two-parts": f"Bearer {valid_header}.{valid_payload}",
        "four-parts": f"Bearer {victim.token}.{real_signature}",
        "alg-none-unsigned": "Bearer " + make_token(claims_for(uid), secret,
                                                    header={"alg": "none", "typ": "JWT"})
                                         .rsplit(".", 1)[0] + ".",
        "alg-none-signed": "Bearer " + make_token(claims_for(uid), secret,
                                                  header={"alg": "none", "typ": "JWT"}),
        "alg-missing": "Bearer " + make_token(claims_for(uid), secret, header={"typ": "JWT"}),
        "alg-hs512": "Bearer " + make_token(claims_for(uid), secret,
                                            header={"alg": "HS512", "typ": "JWT"},
                                            digest=hashlib.sha512),
        "alg-hs384": "Bearer " + make_token(claims_for(uid), secret,
                                            header={"alg": "HS384", "typ": "JWT"},
                                            digest=hashlib.sha384),
        "alg-rs256": "Bearer " + make_token(claims_for(uid), secret,
                                            header={"alg": "RS256", "typ": "JWT"}),
        "wrong-key": "Bearer " + make_token(claims_for(uid), WRONG_SECRET),
        "empty-signature": f"Bearer {valid_header}.{valid_payload}.",
        "tampered-payload": f"Bearer {real_header}.{b64url_json(tampered_claims)}.{real_signature}",
        "other-users-payload": f"Bearer {real_header}.{b64url_json(claims_for(MAX_ID))}."
                               f"{real_signature}",
        "truncated-signature": f"Bearer {victim.token[:-2]}",
        "expired": "Bearer " + make_token(
            claims_for(uid, iat=past, exp=past + TOKEN_LIFETIME), secret),
        "expired-beyond-leeway": "Bearer " + make_token(
            claims_for(uid, iat=now - TOKEN_LIFETIME - 120, exp=now - 120), secret),
        "issued-in-the-future": "Bearer " + make_token(
            claims_for(uid, iat=future, exp=future + TOKEN_LIFETIME), secret),
        "wrong-iss": "Bearer " + make_token(claims_for(uid, iss="someone-else"), secret),
        "iss-other-case": "Bearer " + make_token(claims_for(uid, iss=ISSUER.upper()), secret),
        "missing-sub": "Bearer " + make_token(claims_for(uid, sub=...), secret),
        "missing-iat": "Bearer " + make_token(claims_for(uid, iat=...), secret),
        "missing-exp": "Bearer " + make_token(claims_for(uid, exp=...), secret),
        "missing-iss": "Bearer " + make_token(claims_for(uid, iss=...), secret),
        "sub-as-number": "Bearer " + make_token(claims_for(uid, sub=uid), secret),
        "sub-not-digits": "Bearer " + make_token(claims_for(uid, sub=f"user{uid}"), secret),
        "iat-as-string": "Bearer " + make_token(claims_for(uid, iat=str(now)), secret),
        "exp-as-string": "Bearer " + make_token(
            claims_for(uid, exp=str(now + TOKEN_LIFETIME)), secret),
        "payload-not-json": "Bearer " + make_token(b"not json", secret),
        "payload-not-object": "Bearer " + make_token(b"[1,2,3]", secret),
        "header-not-json": "Bearer " + b64url(b"{alg") + f".{valid_payload}." +
                           sign(b64url(b"{alg") + f".{valid_payload}", secret),
    }


FORGED_NAMES = [
    "no-header", "basic-scheme", "token-without-scheme", "bearer-without-token",
    "bearer-garbage", "bearer-three-garbage-parts", "two-parts", "four-parts",
    "alg-none-unsigned", "alg-none-signed", "alg-missing", "alg-hs512", "alg-hs384", "alg-rs256",
    "wrong-key", "empty-signature", "tampered-payload", "other-users-payload",
    "truncated-signature", "expired", "expired-beyond-leeway", "issued-in-the-future",
    "wrong-iss", "iss-other-case", "missing-sub", "missing-iat", "missing-exp", "missing-iss",
    "sub-as-number", "sub-not-digits", "iat-as-string", "exp-as-string", "payload-not-json",
    "payload-not-object", "header-not-json",
]


@pytest.mark.parametrize("name", FORGED_NAMES)
def test_forged_token_is_401_with_www_authenticate(api, victim, jwt_secret, name):
    tokens = forged(victim, jwt_secret)
    assert set(tokens) == set(FORGED_NAMES)
    assert_unauthorized(get_self(api, victim.id, tokens[name]))
    assert_unauthorized(api.get("/orders", headers={} if tokens[name] is None
                                else {"Authorization": tokens[name]}))


def test_bearer_with_an_empty_token_is_401(api_url, victim):
    response = raw_request(api_url, "GET", f"/users/{victim.id}",
                           [("Authorization", "Bearer "), ("X-Request-Id", "auth-empty-bearer")])
    assert response.status_code == 401
    assert response.headers.get("www-authenticate", "").startswith("Bearer")
    assert response.headers.get("content-type", "").startswith("application/problem+json")
    assert response.json()["trace_id"] == "auth-empty-bearer"


def test_valid_token_of_a_user_that_does_not_exist_is_401(api, jwt_secret):
    token = make_token(claims_for(MAX_ID), jwt_secret)
    assert_unauthorized(api.get("/orders", headers=bearer(token)))
    assert_unauthorized(api.get(f"/users/{MAX_ID}", headers=bearer(token)))


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/users/{id}", None),
    ("PATCH", "/users/{id}", {"username": "never_" + unique_hex()}),
    ("DELETE", "/users/{id}", None),
    ("GET", "/orders", None),
    ("POST", "/orders", {"product_id": 1, "quantity": 1}),
    ("GET", "/orders/1", None),
    ("DELETE", "/orders/1", None),
])
def test_every_protected_operation_needs_a_token(api, victim, method, path, body):
    path = path.format(id=victim.id)
    kwargs = {} if body is None else {"json": body}
    assert_unauthorized(api.request(method, path, **kwargs))
    assert_unauthorized(api.request(method, path, headers=bearer("garbage"), **kwargs))


def test_authentication_comes_before_validation(api, victim):
    """401 before 400 (README: 413 and 415, then 401, then 400)."""
    assert_unauthorized(api.post("/orders", json={"product_id": "x", "quantity": 99}))
    assert_unauthorized(api.patch(f"/users/{victim.id}", json={}))
    assert_unauthorized(api.get("/orders?limit=0"))
    assert_unauthorized(api.get("/orders/abc"))


def test_a_revoked_token_gets_its_401_before_validation(api, users):
    """A well-signed token that the db service refuses (revoked by a password change, or of a
    deactivated user) is a 401 also where the request's input is bad, as no token at all is."""
    changed = users.create()
    revoked = changed.auth
    assert_json(api.patch(f"/users/{changed.id}", json={"password": f"pw-{unique_hex()}-v2"},
                          headers=revoked), 200)
    deactivated = users.create()
    assert api.delete(f"/users/{deactivated.id}", headers=deactivated.auth).status_code == 204
    for user, auth in ((changed, revoked), (deactivated, deactivated.auth)):
        assert_unauthorized(api.post("/orders", json={"product_id": "x", "quantity": 99},
                                     headers=auth))
        assert_unauthorized(api.post("/orders", json={"product_id": 1, "quantity": 1},
                                     headers={**auth, "Idempotency-Key": "k" * 256}))
        assert_unauthorized(api.get("/orders?limit=0", headers=auth))
        assert_unauthorized(api.get("/orders/abc", headers=auth))
        assert_unauthorized(api.delete("/orders/0", headers=auth))
        assert_unauthorized(api.get("/users/abc", headers=auth))
        assert_unauthorized(api.patch(f"/users/{user.id}", json={"username": 5}, headers=auth))


def test_token_of_the_old_version_is_refused_after_a_password_change(api, users, jwt_secret):
    user = users.create()
    new_password = f"pw-{unique_hex()}-v2"
    assert_json(api.patch(f"/users/{user.id}", json={"password": new_password},
                          headers=user.auth), 200)
    # iat after the change, but the token version is the old one.
    now = int(time.time()) + 1
    stale = make_token(claims_for(user.id, iat=now, exp=now + TOKEN_LIFETIME, ver=1), jwt_secret)
    assert_unauthorized(get_self(api, user.id, f"Bearer {stale}"))
    fresh = users.token(sid=user.sid, password=new_password)
    assert token_parts(fresh)[1]["ver"] > 1, "a password change bumps the token version"
    assert assert_json(get_self(api, user.id, f"Bearer {fresh}"), 200) == user.body


def test_forbidden_is_not_unauthorized(api, victim, other_user):
    """A valid token for another user's resource is a 403, not a 401."""
    response = api.get(f"/users/{victim.id}", headers=other_user.auth)
    assert_problem(response, 403)
