"""Orders: api/openapi.yaml (orders rows, Order, idempotency, stock). Products are inserted with SQL so
that every test owns its stock."""
import json
import string
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import pytest

from e2e_support import (BAD_PATH_IDS, BODY_LIMIT, MAX_ID, assert_json, assert_money_format,
                         assert_order_shape, assert_problem, assert_unauthorized, describe,
                         money_texts, without_trace)

JSON = {"Content-Type": "application/json"}


def place(client, user, product_id, quantity=1, key=None):
    headers = dict(user.auth)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/orders", json={"product_id": product_id, "quantity": quantity},
                       headers=headers)


def place_ok(client, user, product_id, quantity=1, key=None) -> dict:
    response = place(client, user, product_id, quantity, key)
    order = assert_json(response, 201)
    assert_order_shape(order)
    assert response.headers.get("location") == f"/orders/{order['id']}"
    return order


def stock_of(api, product_id) -> int:
    return assert_json(api.get(f"/products/{product_id}"), 200)["stock"]


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


def run_concurrently(count: int, make_client, action) -> list:
    """Runs action(client, i) for i in range(count) on `count` threads, each with its own
    connection, released together by a barrier; returns the results in order."""
    barrier = threading.Barrier(count)

    def task(i):
        with make_client() as client:
            barrier.wait(timeout=60)
            return action(client, i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(task, range(count)))


# ---------------------------------------------------------------------------------------------
# Placing orders.

def test_place_order_returns_201_the_order_and_its_location(api, sql, user):
    product_id = sql.create_product(price="49.99", stock=10)
    response = place(api, user, product_id, 3)
    order = assert_json(response, 201)
    assert_order_shape(order)
    assert order == {"id": order["id"], "user_id": user.id, "product_id": product_id,
                     "quantity": 3, "unit_price": 49.99, "total_price": 149.97,
                     "status": "placed", "created_at": order["created_at"],
                     "cancelled_at": None}
    assert response.headers.get("location") == f"/orders/{order['id']}"
    assert money_texts(response.text, "unit_price") == ["49.99"]
    assert money_texts(response.text, "total_price") == ["149.97"]
    created = datetime.strptime(order["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    age = abs(datetime.now(timezone.utc) - created.replace(tzinfo=timezone.utc)).total_seconds()
    assert age < 300
    assert stock_of(api, product_id) == 7
    assert sql.stock(product_id) == 7
    assert sql.order_count(product_id) == 1


@pytest.mark.parametrize("price,quantity,total", [
    ("10.00", 1, "10.00"), ("0.10", 3, "0.30"), ("19.99", 3, "59.97"), ("33.33", 3, "99.99"),
    ("0.00", 2, "0.00"), ("1.01", 3, "3.03"), ("9.99", 2, "19.98"), ("0.07", 3, "0.21"),
    ("12345678.90", 3, "37037036.70"), ("99999999.99", 3, "299999999.97"),
])
def test_order_money_is_exact_with_two_decimals(api, sql, user, price, quantity, total):
    product_id = sql.create_product(price=price, stock=5)
    response = place(api, user, product_id, quantity)
    order = assert_json(response, 201)
    assert money_texts(response.text, "unit_price") == [price]
    assert money_texts(response.text, "total_price") == [total]
    got = api.get(f"/orders/{order['id']}", headers=user.auth)
    assert money_texts(got.text, "unit_price") == [price]
    assert money_texts(got.text, "total_price") == [total]
    listed = api.get("/orders", headers=user.auth)
    assert_json(listed, 200)
    assert_money_format(listed.text, "unit_price", "total_price")


def test_unit_price_is_the_price_when_the_order_was_placed(api, sql, user):
    product_id = sql.create_product(price="20.00", stock=5)
    order = place_ok(api, user, product_id, 2)
    sql.set_price(product_id, "25.50")
    response = api.get(f"/orders/{order['id']}", headers=user.auth)
    assert assert_json(response, 200) == order
    assert money_texts(response.text, "unit_price") == ["20.00"]
    assert money_texts(response.text, "total_price") == ["40.00"]


@pytest.fixture
def stocked(sql):
    """A product with stock 5."""
    return sql.create_product(price="5.00", stock=5)


BAD_QUANTITIES = {"zero": "0", "four": "4", "negative": "-1", "string": '"1"', "float": "1.0",
                  "exponent": "1e0", "null": "null", "bool": "true", "huge": "2147483648",
                  "fraction": "1.5", "array": "[1]"}


@pytest.mark.parametrize("raw", BAD_QUANTITIES.values(), ids=BAD_QUANTITIES.keys())
def test_bad_quantity_is_400_and_changes_nothing(api, sql, user, stocked, raw):
    body = f'{{"product_id": {stocked}, "quantity": {raw}}}'.encode()
    response = api.post("/orders", content=body, headers={**JSON, **user.auth})
    assert_problem(response, 400, detail_contains="quantity")
    assert sql.stock(stocked) == 5 and sql.order_count(stocked) == 0


BAD_PRODUCT_IDS = {"zero": "0", "negative": "-1", "too-big": "2147483648", "string": '"1"',
                   "float": "1.0", "null": "null", "bool": "false", "object": "{}"}


@pytest.mark.parametrize("raw", BAD_PRODUCT_IDS.values(), ids=BAD_PRODUCT_IDS.keys())
def test_bad_product_id_in_body_is_400(api, user, raw):
    body = f'{{"product_id": {raw}, "quantity": 1}}'.encode()
    response = api.post("/orders", content=body, headers={**JSON, **user.auth})
    assert_problem(response, 400, detail_contains="product_id")


@pytest.mark.parametrize("template", [
    '{{"quantity": 1}}',
    '{{"product_id": {pid}}}',
    '{{"product_id": {pid}, "quantity": 1, "user_id": 1}}',
    '{{"product_id": {pid}, "quantity": 1, "quantity": 2}}',
    '{{"product_id": {pid}, "product_id": {pid}, "quantity": 1}}',
    '{{"product_id": {pid}, "quantity": 1',
    '[{{"product_id": {pid}, "quantity": 1}}]',
    '',
    'null',
], ids=["missing-product_id", "missing-quantity", "unknown-field", "duplicated-quantity",
        "duplicated-product_id", "truncated", "array", "empty", "null"])
def test_bad_order_body_is_400_and_changes_nothing(api, sql, user, stocked, template):
    body = template.format(pid=stocked).encode()
    response = api.post("/orders", content=body, headers={**JSON, **user.auth})
    assert_problem(response, 400)
    assert sql.stock(stocked) == 5 and sql.order_count(stocked) == 0


@pytest.mark.parametrize("authenticated", [True, False], ids=["with-token", "without-token"])
@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_order_without_a_json_content_type_is_415(api, sql, user, stocked, authenticated,
                                                   content_type):
    headers = dict(user.auth) if authenticated else {}
    if content_type:
        headers["Content-Type"] = content_type
    body = json.dumps({"product_id": stocked, "quantity": 1}).encode()
    assert_problem(api.post("/orders", content=body, headers=headers), 415)
    assert sql.stock(stocked) == 5


def big_order_body(size: int) -> bytes:
    prefix, suffix = b'{"product_id": 1, "quantity": 1, "padding": "', b'"}'
    return prefix + b"x" * (size - len(prefix) - len(suffix)) + suffix


@pytest.mark.parametrize("authenticated", [True, False], ids=["with-token", "without-token"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_order_body_over_64_kib_is_413(api, user, authenticated, chunked):
    body = big_order_body(BODY_LIMIT + 1)
    content = (body[i:i + 8192] for i in range(0, len(body), 8192)) if chunked else body
    headers = {**JSON, **(user.auth if authenticated else {})}
    assert_problem(api.post("/orders", content=content, headers=headers), 413)


def test_unknown_product_is_404(api, user):
    assert_problem(place(api, user, MAX_ID, 1), 404)


def test_insufficient_stock_is_409_and_reserves_nothing(api, sql, user):
    product_id = sql.create_product(price="3.00", stock=2)
    assert_problem(place(api, user, product_id, 3), 409)
    assert sql.stock(product_id) == 2 and sql.order_count(product_id) == 0
    place_ok(api, user, product_id, 2)
    assert stock_of(api, product_id) == 0
    assert_problem(place(api, user, product_id, 1), 409)
    assert sql.stock(product_id) == 0 and sql.order_count(product_id) == 1


# ---------------------------------------------------------------------------------------------
# Reading and cancelling.

def test_list_is_the_callers_orders_newest_first_with_paging(api, sql, users, user):
    product_id = sql.create_product(price="2.50", stock=20)
    placed = [place_ok(api, user, product_id, q) for q in (1, 2, 3)]
    newest_first = list(reversed(placed))
    response = api.get("/orders", headers=user.auth)
    assert assert_json(response, 200) == newest_first
    assert_money_format(response.text, "unit_price", "total_price")
    assert assert_json(api.get("/orders", params={"limit": 2}, headers=user.auth), 200) == \
        newest_first[:2]
    assert assert_json(api.get("/orders", params={"limit": 2, "offset": 2},
                               headers=user.auth), 200) == newest_first[2:]
    assert assert_json(api.get("/orders", params={"offset": 3}, headers=user.auth), 200) == []
    # Another user sees none of them; a new user has none.
    stranger = users.create()
    place_ok(api, stranger, product_id, 1)
    theirs = assert_json(api.get("/orders", headers=stranger.auth), 200)
    assert len(theirs) == 1 and theirs[0]["user_id"] == stranger.id
    assert assert_json(api.get("/orders", headers=user.auth), 200) == newest_first
    # Cancelled orders stay listed.
    cancelled = assert_json(api.delete(f"/orders/{placed[1]['id']}", headers=user.auth), 200)
    assert assert_json(api.get("/orders", headers=user.auth), 200) == \
        [placed[2], cancelled, placed[0]]


def test_new_user_has_no_orders(api, user):
    assert assert_json(api.get("/orders", headers=user.auth), 200) == []


@pytest.mark.parametrize("params,name", [
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "-1"}, "limit"),
    ({"limit": "abc"}, "limit"), ({"offset": "-1"}, "offset"), ({"offset": "x"}, "offset"),
])
def test_bad_order_list_paging_is_400(api, user, params, name):
    assert_problem(api.get("/orders", params=params, headers=user.auth), 400,
                   detail_contains=name)


def test_get_own_order(api, sql, user):
    order = place_ok(api, user, sql.create_product(stock=3), 1)
    assert assert_json(api.get(f"/orders/{order['id']}", headers=user.auth), 200) == order


def test_another_users_order_is_404_like_a_missing_one(api, sql, user, other_user):
    product_id = sql.create_product(stock=5)
    order = place_ok(api, user, product_id, 2)
    bodies = {}
    for method in ("GET", "DELETE"):
        foreign = api.request(method, f"/orders/{order['id']}", headers=other_user.auth)
        missing = api.request(method, f"/orders/{MAX_ID}", headers=other_user.auth)
        bodies[method] = (without_trace(assert_problem(foreign, 404)),
                          without_trace(assert_problem(missing, 404)))
        assert bodies[method][0] == bodies[method][1], "a 404 must not reveal other users' orders"
    assert assert_json(api.get(f"/orders/{order['id']}", headers=user.auth), 200) == order
    assert sql.stock(product_id) == 3


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize("bad_id", BAD_PATH_IDS)
def test_bad_order_id_is_400(api, user, method, bad_id):
    assert_problem(api.request(method, f"/orders/{bad_id}", headers=user.auth), 400)


def test_cancel_returns_the_cancelled_order_and_restores_stock_once(api, sql, user):
    product_id = sql.create_product(price="7.25", stock=10)
    order = place_ok(api, user, product_id, 3)
    assert sql.stock(product_id) == 7
    response = api.delete(f"/orders/{order['id']}", headers=user.auth)
    cancelled = assert_json(response, 200)
    assert_order_shape(cancelled)
    assert cancelled == {**order, "status": "cancelled", "cancelled_at": cancelled["cancelled_at"]}
    assert cancelled["cancelled_at"] >= order["created_at"]
    assert money_texts(response.text, "total_price") == ["21.75"]
    assert stock_of(api, product_id) == 10
    assert assert_json(api.get(f"/orders/{order['id']}", headers=user.auth), 200) == cancelled
    assert_problem(api.delete(f"/orders/{order['id']}", headers=user.auth), 409)
    assert sql.stock(product_id) == 10
    assert assert_json(api.get(f"/orders/{order['id']}", headers=user.auth), 200) == cancelled


def test_concurrent_cancels_restore_stock_exactly_once(api, api_url, sql, user):
    product_id = sql.create_product(stock=10)
    order = place_ok(api, user, product_id, 2)
    statuses = run_concurrently(
        10, lambda: httpx.Client(base_url=api_url, timeout=30),
        lambda client, _: client.delete(f"/orders/{order['id']}", headers=user.auth).status_code)
    assert Counter(statuses) == {200: 1, 409: 9}, statuses
    assert sql.stock(product_id) == 10


# ---------------------------------------------------------------------------------------------
# Idempotency-Key.

def test_same_key_and_body_replays_byte_for_byte(api, sql, user):
    product_id = sql.create_product(price="11.11", stock=10)
    key = new_key()
    first = place(api, user, product_id, 2, key)
    assert_json(first, 201)
    again = place(api, user, product_id, 2, key)
    assert again.status_code == 201, describe(again)
    assert again.content == first.content
    assert again.headers.get("location") == first.headers.get("location")
    assert sql.stock(product_id) == 8 and sql.order_count(product_id) == 1
    assert len(assert_json(api.get("/orders", headers=user.auth), 200)) == 1


def test_replay_after_cancel_returns_the_original_response(api, sql, user):
    product_id = sql.create_product(stock=10)
    key = new_key()
    first = place(api, user, product_id, 3, key)
    order = assert_json(first, 201)
    assert_json(api.delete(f"/orders/{order['id']}", headers=user.auth), 200)
    assert sql.stock(product_id) == 10
    again = place(api, user, product_id, 3, key)
    assert again.status_code == 201, describe(again)
    assert again.content == first.content
    assert sql.stock(product_id) == 10 and sql.order_count(product_id) == 1
    assert assert_json(api.get(f"/orders/{order['id']}", headers=user.auth),
                       200)["status"] == "cancelled"


def test_replay_works_across_replicas(replicas, sql, user):
    product_id = sql.create_product(stock=10)
    key = new_key()
    first = place(replicas[0], user, product_id, 1, key)
    assert_json(first, 201)
    again = place(replicas[1], user, product_id, 1, key)
    assert again.status_code == 201 and again.content == first.content, describe(again)
    assert sql.stock(product_id) == 9 and sql.order_count(product_id) == 1


def test_same_key_with_another_body_is_422(api, sql, user):
    product_id = sql.create_product(stock=10)
    other_product = sql.create_product(stock=10)
    key = new_key()
    place_ok(api, user, product_id, 1, key)
    assert_problem(place(api, user, product_id, 2, key), 422)
    assert_problem(place(api, user, other_product, 1, key), 422)
    assert sql.stock(product_id) == 9 and sql.stock(other_product) == 10
    assert sql.order_count(product_id) == 1 and sql.order_count(other_product) == 0


def test_keys_are_per_user(api, sql, user, other_user):
    product_id = sql.create_product(stock=10)
    key = new_key()
    mine = place_ok(api, user, product_id, 1, key)
    theirs = place_ok(api, other_user, product_id, 1, key)
    assert mine["id"] != theirs["id"] and theirs["user_id"] == other_user.id
    assert sql.stock(product_id) == 8


def test_empty_key_is_400(api, sql, user, stocked):
    assert_problem(place(api, user, stocked, 1, ""), 400, detail_contains="Idempotency-Key")
    assert sql.stock(stocked) == 5 and sql.order_count(stocked) == 0


def test_key_of_256_characters_is_400(api, sql, user, stocked):
    assert_problem(place(api, user, stocked, 1, "k" * 256), 400)
    assert sql.stock(stocked) == 5 and sql.order_count(stocked) == 0


def test_key_of_255_printable_characters_is_accepted(api, sql, user, stocked):
    printable = string.ascii_letters + string.digits + string.punctuation + " "
    key = (uuid.uuid4().hex + "-" + printable * 3)[:254] + "Z"
    assert len(key) == 255
    first = place(api, user, stocked, 1, key)
    assert_json(first, 201)
    again = place(api, user, stocked, 1, key)
    assert again.status_code == 201 and again.content == first.content
    assert sql.stock(stocked) == 4


def test_a_failed_request_stores_nothing_so_its_retry_runs_afresh(api, sql, user):
    product_id = sql.create_product(price="4.00", stock=0)
    key = new_key()
    assert_problem(place(api, user, product_id, 1, key), 409)
    sql.set_stock(product_id, 5)
    retry = place(api, user, product_id, 1, key)
    order = assert_json(retry, 201)
    assert sql.stock(product_id) == 4
    # A 400 with a key stores nothing either: the same key with another, valid body is fine.
    key = new_key()
    bad = api.post("/orders", content=f'{{"product_id": {product_id}, "quantity": 4}}'.encode(),
                   headers={**JSON, **user.auth, "Idempotency-Key": key})
    assert_problem(bad, 400)
    second = place_ok(api, user, product_id, 2, key)
    assert second["id"] != order["id"] and sql.stock(product_id) == 2


def test_racing_repeats_of_one_key_place_one_order(api_url, sql, user):
    product_id = sql.create_product(price="8.88", stock=50)
    key = new_key()
    responses = run_concurrently(
        20, lambda: httpx.Client(base_url=api_url, timeout=60),
        lambda client, _: place(client, user, product_id, 2, key))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 20}, [describe(r) for r in responses if r.status_code != 201][:3]
    assert len({r.content for r in responses}) == 1, "every repeat replays the same bytes"
    assert len({r.json()["id"] for r in responses}) == 1
    assert sql.order_count(product_id) == 1
    assert sql.stock(product_id) == 48


# ---------------------------------------------------------------------------------------------
# Stock under concurrency.

def test_concurrent_orders_never_oversell(api, api_url, sql, users):
    product_id = sql.create_product(price="1.00", stock=100)
    buyers = [users.create() for _ in range(5)]
    responses = run_concurrently(
        150, lambda: httpx.Client(base_url=api_url, timeout=60),
        lambda client, i: place(client, buyers[i % len(buyers)], product_id, 1))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 100, 409: 50}, statuses
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409)
    assert stock_of(api, product_id) == 0
    assert sql.stock(product_id) == 0
    assert sql.order_count(product_id, "placed") == 100
    assert len({r.json()["id"] for r in responses if r.status_code == 201}) == 100


def test_orders_of_a_deactivated_user_are_refused(api, sql, user):
    product_id = sql.create_product(stock=5)
    assert api.delete(f"/users/{user.id}", headers=user.auth).status_code == 204
    assert_unauthorized(place(api, user, product_id, 1))
    assert sql.stock(product_id) == 5
