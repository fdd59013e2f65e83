"""Revocation takes effect at once on every replica (api/openapi.yaml, bearerAuth): a change made through replica 1
is enforced by replica 2 on the very next request. Also: each replica accepts the other's
tokens."""
from e2e_support import assert_json, assert_unauthorized, bearer, unique_hex


def test_each_replica_accepts_the_other_replicas_tokens(users, replicas):
    first, second = replicas[0], replicas[1]
    user = users.create(client=first)
    token_from_second = users.token(client=second, sid=user.sid, password=user.password)
    assert assert_json(second.get(f"/users/{user.id}", headers=user.auth), 200) == user.body
    assert assert_json(first.get(f"/users/{user.id}", headers=bearer(token_from_second)),
                       200) == user.body


def test_deactivation_on_one_replica_is_enforced_by_the_other_at_once(users, replicas):
    first, second = replicas[0], replicas[1]
    user = users.create(client=first)
    assert_json(second.get("/orders", headers=user.auth), 200)  # valid on replica 2 before
    response = first.delete(f"/users/{user.id}", headers=user.auth)
    assert response.status_code == 204
    assert_unauthorized(second.get(f"/users/{user.id}", headers=user.auth))
    assert_unauthorized(second.get("/orders", headers=user.auth))
    assert_unauthorized(first.get("/orders", headers=user.auth))
    assert_unauthorized(users.login(client=second, sid=user.sid, password=user.password))


def test_password_change_on_one_replica_is_enforced_by_the_other_at_once(users, replicas):
    first, second = replicas[0], replicas[1]
    user = users.create(client=first)
    token_from_second = users.token(client=second, username=user.username,
                                    password=user.password)
    assert_json(second.get("/orders", headers=user.auth), 200)
    new_password = f"pw-{unique_hex()}-r"
    changed = first.patch(f"/users/{user.id}", json={"password": new_password},
                          headers=user.auth)
    assert_json(changed, 200)
    for token in (user.token, token_from_second):
        assert_unauthorized(second.get(f"/users/{user.id}", headers=bearer(token)))
        assert_unauthorized(second.get("/orders", headers=bearer(token)))
    assert_unauthorized(users.login(client=second, sid=user.sid, password=user.password))
    fresh = users.token(client=second, sid=user.sid, password=new_password)
    assert assert_json(first.get(f"/users/{user.id}", headers=bearer(fresh)), 200) == user.body
