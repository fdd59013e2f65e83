"""The public catalogue: api/openapi.yaml (products rows, Product, money and time formats) and the seed.
Products other than the seeded three are inserted with SQL, each with a unique name/category."""
import pytest

from e2e_support import (BAD_PATH_IDS, MAX_ID, SEEDED_PRODUCTS, assert_json,
                         assert_money_format, assert_problem, assert_product_shape, money_texts,
                         unique_hex)


def list_products(api, **params):
    response = api.get("/products", params=params)
    products = assert_json(response, 200)
    assert isinstance(products, list), products
    for product in products:
        assert_product_shape(product)
    if products:
        assert_money_format(response.text, "price")
    return products


def test_list_starts_with_the_seeded_products(api):
    response = api.get("/products")
    products = assert_json(response, 200)
    assert isinstance(products, list) and len(products) >= 3, products
    for product in products:
        assert_product_shape(product)
    ids = [p["id"] for p in products]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), "products are listed by id"
    for got, want in zip(products[:3], SEEDED_PRODUCTS):
        assert {k: got[k] for k in ("name", "category", "slogan", "description")} == \
            {k: want[k] for k in ("name", "category", "slogan", "description")}
    # Money is a JSON number written with exactly two decimals, in the raw text.
    assert_money_format(response.text, "price")
    assert money_texts(response.text, "price")[:3] == ["49.99", "19.99", "9.99"]
    assert [p["price"] for p in products[:3]] == [49.99, 19.99, 9.99]


def test_get_each_seeded_product_by_id(api):
    listed = list_products(api)[:3]
    assert len(listed) == len(SEEDED_PRODUCTS) == 3, listed
    for product, want in zip(listed, SEEDED_PRODUCTS):
        response = api.get(f"/products/{product['id']}")
        assert assert_json(response, 200) == {**product, "stock": response.json()["stock"]}
        assert money_texts(response.text, "price") == [want["price"]]
        assert type(response.json()["stock"]) is int


@pytest.mark.parametrize("price", ["10.00", "0.10", "0.00", "1234.50", "99999999.99", "0.01"])
def test_price_is_rendered_exactly_with_two_decimals(api, sql, price):
    category = f"e2e-{unique_hex()}"
    product_id = sql.create_product(price=price, stock=7, category=category)
    response = api.get(f"/products/{product_id}")
    product = assert_json(response, 200)
    assert_product_shape(product)
    assert money_texts(response.text, "price") == [price]
    assert product["stock"] == 7 and product["category"] == category
    listed = api.get("/products", params={"category": category})
    assert money_texts(listed.text, "price") == [price]


def test_unknown_product_is_404(api):
    assert_problem(api.get(f"/products/{MAX_ID}"), 404)


@pytest.mark.parametrize("bad_id", BAD_PATH_IDS)
def test_bad_product_id_is_400(api, bad_id):
    assert_problem(api.get(f"/products/{bad_id}"), 400)


def test_category_filter_is_exact_and_case_sensitive(api, sql):
    category = f"E2E Cat & {unique_hex()}"
    first = sql.create_product(category=category)
    second = sql.create_product(category=category)
    other_case = sql.create_product(category=category.lower())
    sql.create_product(category=category + "x")
    assert [p["id"] for p in list_products(api, category=category)] == [first, second]
    assert [p["id"] for p in list_products(api, category=category.lower())] == [other_case]
    assert list_products(api, category=category[:-1]) == []
    assert list_products(api, category=f"no-such-category-{unique_hex()}") == []


def test_category_filter_on_the_seed(api):
    apparel = list_products(api, category="Apparel")
    assert apparel and all(p["category"] == "Apparel" for p in apparel)
    assert "SUSTech Hoodie" in [p["name"] for p in apparel]
    assert "SUSTech Hoodie" not in [p["name"] for p in list_products(api, category="apparel")]
    stationery = list_products(api, category="Stationery")
    assert "SUSTech Notebook" in [p["name"] for p in stationery]
    assert "SUSTech Hoodie" not in [p["name"] for p in stationery]


def test_limit_and_offset_page_through_the_list(api, sql):
    sql.create_product()  # at least four products
    full = list_products(api, limit=100)
    assert len(full) >= 4
    assert list_products(api, limit=1) == full[:1]
    assert list_products(api, limit=2, offset=1) == full[1:3]
    # `full` is the first 100 only: there may be more products than that.
    assert list_products(api, offset=2, limit=len(full) - 2) == full[2:]
    assert list_products(api, offset=MAX_ID) == []
    assert len(list_products(api, limit=100)) == min(100, sql.product_count())


def test_default_limit_is_50(api, sql):
    while sql.product_count() < 51:
        sql.create_product()
    products = list_products(api)
    assert len(products) == 50
    assert products == list_products(api, limit=50, offset=0)


def test_unknown_query_parameters_are_ignored(api):
    assert list_products(api, foo="bar", limit=3) == list_products(api, limit=3)


@pytest.mark.parametrize("params,name", [
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "-1"}, "limit"),
    ({"limit": "abc"}, "limit"), ({"limit": "1.5"}, "limit"), ({"limit": ""}, "limit"),
    ({"limit": "1e1"}, "limit"), ({"limit": "99999999999999999999"}, "limit"),
    ({"offset": "-1"}, "offset"), ({"offset": "abc"}, "offset"), ({"offset": "1.5"}, "offset"),
    ({"offset": "2147483648"}, "offset"), ({"offset": ""}, "offset"),
])
def test_bad_limit_or_offset_is_400(api, params, name):
    assert_problem(api.get("/products", params=params), 400, detail_contains=name)
