"""Contract tests: api/openapi.yaml must describe exactly the REST API of the specification (README, "Calling the API").

Run with `python -m pytest tests/contract` (see tests/requirements.txt for the packages).
"""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry
from referencing.jsonschema import DRAFT4

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = REPO_ROOT / "api" / "openapi.yaml"
DOC_URI = "urn:merch-store:openapi.yaml"

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# The REST API, one row per (method, path), with whether a bearer token is required.
REST_OPERATIONS = {
    ("get", "/"): False,
    ("get", "/greeting"): False,
    ("post", "/users/register"): False,
    ("post", "/users/login"): False,
    ("get", "/users/{id}"): True,
    ("patch", "/users/{id}"): True,
    ("delete", "/users/{id}"): True,
    ("get", "/products"): False,
    ("get", "/products/{id}"): False,
    ("post", "/orders"): True,
    ("get", "/orders"): True,
    ("get", "/orders/{id}"): True,
    ("delete", "/orders/{id}"): True,
    ("get", "/healthz"): False,
    ("get", "/readyz"): False,
    ("get", "/metrics"): False,
    ("get", "/openapi.yaml"): False,
}

# The success status of each operation and, exactly, the error statuses it documents.
BODY = {400, 413, 415}
DB = {503, 504}
EXPECTED_RESPONSES = {
    ("get", "/"): {200},
    ("get", "/greeting"): {200},
    ("post", "/users/register"): {201, 409} | BODY | DB,
    ("post", "/users/login"): {200, 401} | BODY | DB,
    ("get", "/users/{id}"): {200, 400, 401, 403} | DB,
    ("patch", "/users/{id}"): {200, 401, 403, 409} | BODY | DB,
    ("delete", "/users/{id}"): {204, 400, 401, 403} | DB,
    ("get", "/products"): {200, 400} | DB,
    ("get", "/products/{id}"): {200, 400, 404} | DB,
    ("post", "/orders"): {201, 401, 404, 409, 422} | BODY | DB,
    ("get", "/orders"): {200, 400, 401} | DB,
    ("get", "/orders/{id}"): {200, 400, 401, 404} | DB,
    ("delete", "/orders/{id}"): {200, 400, 401, 404, 409} | DB,
    ("get", "/healthz"): {200},
    ("get", "/readyz"): {200, 503},
    ("get", "/metrics"): {200, 404},  # 404 through the public nginx
    ("get", "/openapi.yaml"): {200},
}

ERROR_COMPONENTS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "IdempotencyKeyReused",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}

RESPONSE_OBJECTS = {
    "User": {"id", "sid", "username", "email", "is_active", "created_at"},
    "Product": {"id", "name", "description", "category", "price", "slogan", "stock", "created_at"},
    "Order": {
        "id", "user_id", "product_id", "quantity", "unit_price", "total_price", "status",
        "created_at", "cancelled_at",
    },
    "LoginResponse": {"token", "token_type", "expires_in", "user"},
    "Problem": {"type", "title", "status", "detail", "trace_id"},
    "Greeting": {"message"},
}

TIME_DESCRIPTION = "RFC 3339 UTC, millisecond precision, e.g. 2026-11-21T13:16:00.123Z"
INT32_MAX = 2147483647
REQUEST_ID_PATTERN = "^[A-Za-z0-9._~:+=@/-]{1,128}$"


@pytest.fixture(scope="module")
def doc():
    with OPENAPI_PATH.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve(doc, node):
    """Follows local $refs until `node` is not a reference."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are expected, got {ref}"
        assert ref not in seen, f"reference cycle at {ref}"
        seen.add(ref)
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def words(text):
    """Collapses the line breaks of YAML block scalars so phrases can be searched."""
    return " ".join(text.split())


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield method, path, item, op


def operation(doc, method, path):
    return doc["paths"][path][method]


def effective_parameters(doc, path_item, op):
    """Path-level parameters overridden by operation-level ones, keyed by (in, name)."""
    params = {}
    for raw in path_item.get("parameters", []) + op.get("parameters", []):
        p = resolve(doc, raw)
        params[(p["in"], p["name"])] = p
    return params


def prop(doc, schema_name, field):
    schema = resolve(doc, doc["components"]["schemas"][schema_name])
    return resolve(doc, schema["properties"][field])


def object_schemas(doc, schema):
    """Every object schema reachable through $ref, oneOf, anyOf and allOf."""
    schema = resolve(doc, schema)
    combined = [s for key in ("oneOf", "anyOf", "allOf") for s in schema.get(key, [])]
    if not combined:
        return [schema]
    own = [schema] if "type" in schema or "properties" in schema else []
    return own + [o for s in combined for o in object_schemas(doc, s)]


def _exact_multiple_of(validator, divisor, instance, schema):
    # jsonschema checks multipleOf in binary floating point, which rejects 19.99 for 0.01.
    # Money is decimal by contract, so it is checked in decimal arithmetic here.
    if not validator.is_type(instance, "number"):
        return
    if Decimal(repr(instance)) % Decimal(repr(divisor)) != 0:
        yield ValidationError(f"{instance!r} is not a multiple of {divisor!r}")


DecimalOAS30Validator = extend(OAS30Validator, {"multipleOf": _exact_multiple_of})


@pytest.fixture(scope="module")
def schema_validator(doc):
    registry = Registry().with_resource(DOC_URI, DRAFT4.create_resource(doc))

    def make(name):
        return DecimalOAS30Validator(
            {"$ref": f"{DOC_URI}#/components/schemas/{name}"},
            registry=registry,
            format_checker=OAS30Validator.FORMAT_CHECKER,
        )

    return make


# --- the document as a whole -------------------------------------------------------------------


def test_is_valid_openapi_30_document(doc):
    assert doc["openapi"] == "3.0.3"
    validate_openapi(doc)


def test_info_and_servers(doc):
    assert doc["info"]["title"] == "SUSTech Merch Store API"
    assert doc["info"]["version"] == "1.0.0"
    assert len(doc["info"]["description"]) > 200
    assert doc["servers"] == [{"url": "http://127.0.0.1:8080"}]


def test_operations_are_exactly_the_spec_table(doc):
    found = {(method, path) for method, path, _, _ in operations(doc)}
    assert found == set(REST_OPERATIONS)


def test_every_operation_has_unique_id_and_summary(doc):
    ids = [op.get("operationId") for _, _, _, op in operations(doc)]
    assert all(ids) and len(ids) == len(set(ids))
    assert all(op.get("summary") for _, _, _, op in operations(doc))


# --- schemas -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name,fields", sorted(RESPONSE_OBJECTS.items()))
def test_response_objects_have_exactly_the_spec_fields(doc, name, fields):
    schema = doc["components"]["schemas"][name]
    assert schema["type"] == "object"
    assert set(schema["properties"]) == fields
    assert set(schema["required"]) == fields
    assert schema["additionalProperties"] is False


def test_every_request_body_schema_is_closed(doc):
    checked = 0
    for method, path, _, op in operations(doc):
        if "requestBody" not in op:
            continue
        body = resolve(doc, op["requestBody"])
        assert body["required"] is True, (method, path)
        assert set(body["content"]) == {"application/json"}, (method, path)
        for schema in object_schemas(doc, body["content"]["application/json"]["schema"]):
            assert schema.get("type") == "object", (method, path)
            assert schema.get("additionalProperties") is False, (method, path)
            checked += 1
    # register, login (two alternatives), update user, place order
    assert checked == 5


def test_request_bodies_use_the_named_schemas(doc):
    expected = {
        ("post", "/users/register"): "RegisterRequest",
        ("post", "/users/login"): "LoginRequest",
        ("patch", "/users/{id}"): "UpdateUserRequest",
        ("post", "/orders"): "PlaceOrderRequest",
    }
    found = {
        (method, path): op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for method, path, _, op in operations(doc)
        if "requestBody" in op
    }
    assert found == {k: f"#/components/schemas/{v}" for k, v in expected.items()}


def test_request_body_required_fields(doc):
    schemas = doc["components"]["schemas"]
    assert set(schemas["RegisterRequest"]["required"]) == {"sid", "username", "email", "password"}
    assert set(schemas["PlaceOrderRequest"]["required"]) == {"product_id", "quantity"}
    update = schemas["UpdateUserRequest"]
    assert "required" not in update
    assert update["minProperties"] == 1
    assert set(update["properties"]) == {"username", "email", "password"}
    alternatives = [resolve(doc, s) for s in schemas["LoginRequest"]["oneOf"]]
    assert sorted(sorted(a["required"]) for a in alternatives) == [
        ["password", "sid"],
        ["password", "username"],
    ]
    for alternative in alternatives:
        assert set(alternative["properties"]) == set(alternative["required"])


SID = ("pattern", "^[A-Za-z0-9]{1,15}$")
USERNAME = ("pattern", "^[A-Za-z0-9_.-]{3,50}$")
EMAIL_PATTERN = ("pattern", r"^[^@\s\x00-\x1F\x7F-\x9F]+@[^@\s\x00-\x1F\x7F-\x9F]+$")
ID_BOUNDS = [("type", "integer"), ("format", "int32"), ("minimum", 1), ("maximum", INT32_MAX)]
PASSWORD_BOUNDS = [("type", "string"), ("minLength", 8), ("maxLength", 128)]
QUANTITY_BOUNDS = [("type", "integer"), ("minimum", 1), ("maximum", 3)]

FIELD_RULES = (
    [(s, "sid", [SID]) for s in ("RegisterRequest", "LoginWithSid", "User")]
    + [(s, "username", [USERNAME]) for s in ("RegisterRequest", "LoginWithUsername",
                                             "UpdateUserRequest", "User")]
    + [(s, "email", [EMAIL_PATTERN, ("maxLength", 254)])
       for s in ("RegisterRequest", "UpdateUserRequest", "User")]
    + [(s, "password", PASSWORD_BOUNDS) for s in ("RegisterRequest", "LoginWithUsername",
                                                  "LoginWithSid", "UpdateUserRequest")]
    + [("PlaceOrderRequest", "product_id", ID_BOUNDS),
       ("PlaceOrderRequest", "quantity", QUANTITY_BOUNDS),
       ("Order", "quantity", QUANTITY_BOUNDS)]
    + [(s, f, ID_BOUNDS) for s, f in (("User", "id"), ("Product", "id"), ("Order", "id"),
                                      ("Order", "user_id"), ("Order", "product_id"))]
    + [(s, f, [("type", "number"), ("multipleOf", 0.01)])
       for s, f in (("Product", "price"), ("Order", "unit_price"), ("Order", "total_price"))]
    + [(s, "created_at", [("type", "string"), ("format", "date-time")])
       for s in ("User", "Product", "Order")]
    + [("Order", "cancelled_at", [("type", "string"), ("format", "date-time"),
                                  ("nullable", True)]),
       ("Order", "status", [("enum", ["placed", "cancelled"])]),
       ("LoginResponse", "token_type", [("enum", ["Bearer"])]),
       ("LoginResponse", "expires_in", [("type", "integer"), ("enum", [86400])]),
       ("User", "is_active", [("type", "boolean")]),
       ("Greeting", "message", [("enum", ["Welcome to SUSTech Store API"])]),
       ("Problem", "trace_id", [("type", "string"), ("pattern", REQUEST_ID_PATTERN)]),
       ("Problem", "status", [("type", "integer"), ("minimum", 400), ("maximum", 599)])]
)


@pytest.mark.parametrize(
    "schema_name,field,rules", FIELD_RULES, ids=[f"{s}.{f}" for s, f, _ in FIELD_RULES]
)
def test_field_patterns_and_bounds(doc, schema_name, field, rules):
    schema = prop(doc, schema_name, field)
    for key, value in rules:
        assert schema.get(key) == value, f"{schema_name}.{field}: {key}"


PARAMETER_RULES = [
    ("get", "/users/{id}", "path", "id", ID_BOUNDS),
    ("patch", "/users/{id}", "path", "id", ID_BOUNDS),
    ("delete", "/users/{id}", "path", "id", ID_BOUNDS),
    ("get", "/products/{id}", "path", "id", ID_BOUNDS),
    ("get", "/orders/{id}", "path", "id", ID_BOUNDS),
    ("delete", "/orders/{id}", "path", "id", ID_BOUNDS),
    ("get", "/products", "query", "limit",
     [("type", "integer"), ("minimum", 1), ("maximum", 100), ("default", 50)]),
    ("get", "/products", "query", "offset", [("type", "integer"), ("minimum", 0), ("default", 0)]),
    ("get", "/products", "query", "category",
     [("type", "string"), ("minLength", 1), ("maxLength", 100), ("pattern", r"^[^\x00]+$")]),
    ("get", "/orders", "query", "limit",
     [("type", "integer"), ("minimum", 1), ("maximum", 100), ("default", 50)]),
    ("get", "/orders", "query", "offset", [("type", "integer"), ("minimum", 0), ("default", 0)]),
    ("post", "/orders", "header", "Idempotency-Key",
     [("type", "string"), ("minLength", 1), ("maxLength", 255),
      ("pattern", r"^[\x20-\x7E]{1,255}$")]),
]


@pytest.mark.parametrize(
    "method,path,location,name,rules",
    PARAMETER_RULES,
    ids=[f"{m} {p} {n}" for m, p, _, n, _ in PARAMETER_RULES],
)
def test_parameter_patterns_and_bounds(doc, method, path, location, name, rules):
    params = effective_parameters(doc, doc["paths"][path], operation(doc, method, path))
    param = params[(location, name)]
    assert param["required"] is (location == "path")
    schema = resolve(doc, param["schema"])
    for key, value in rules:
        assert schema.get(key) == value, f"{method} {path} {name}: {key}"


def test_query_parameters_are_exactly_the_spec_ones(doc):
    for method, path, item, op in operations(doc):
        query = {n for (loc, n) in effective_parameters(doc, item, op) if loc == "query"}
        expected = {
            "/products": {"category", "limit", "offset"},
            "/orders": {"limit", "offset"} if method == "get" else set(),
        }.get(path, set())
        assert query == expected, (method, path)


def test_an_order_total_reaches_the_largest_price_times_the_largest_quantity(doc):
    # total_price = unit_price x quantity is computed, not stored: with the largest price and
    # quantity it exceeds Money's maximum, and the document must admit what the server returns.
    money = resolve(doc, doc["components"]["schemas"]["Money"])
    quantity = prop(doc, "Order", "quantity")
    total = prop(doc, "Order", "total_price")
    assert Decimal(str(total["maximum"])) == Decimal(str(money["maximum"])) * quantity["maximum"]
    assert total["minimum"] == money["minimum"] == 0


def test_money_and_time_descriptions(doc):
    for schema_name, field in (("Product", "price"), ("Order", "unit_price"),
                               ("Order", "total_price")):
        description = words(prop(doc, schema_name, field)["description"])
        assert "exactly two decimals" in description
        assert "without binary floating point" in description
    for schema_name, field in (("User", "created_at"), ("Product", "created_at"),
                               ("Order", "created_at"), ("Order", "cancelled_at")):
        assert TIME_DESCRIPTION in prop(doc, schema_name, field)["description"]


# --- security ----------------------------------------------------------------------------------


def test_bearer_scheme(doc):
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    for phrase in ("HS256", "sustech-merch-store", "86400", "60 s", "deactivated",
                   "password change", "WWW-Authenticate: Bearer"):
        assert phrase in words(scheme["description"]), phrase


def test_bearer_auth_on_exactly_the_authenticated_operations(doc):
    assert "security" not in doc  # no global requirement that public operations would inherit
    for method, path, _, op in operations(doc):
        expected = [{"bearerAuth": []}] if REST_OPERATIONS[(method, path)] else None
        assert op.get("security") == expected, (method, path)
        if expected:
            assert "401" in op["responses"], (method, path)


# --- headers -----------------------------------------------------------------------------------


def test_tracing_request_headers_on_every_operation(doc):
    for method, path, item, op in operations(doc):
        params = effective_parameters(doc, item, op)
        request_id = params[("header", "X-Request-Id")]
        assert request_id["required"] is False
        # Any value is accepted (an invalid one is replaced, never refused), so the parameter
        # has no pattern; its description states the pattern of a valid id.
        assert "pattern" not in resolve(doc, request_id["schema"])
        assert REQUEST_ID_PATTERN in request_id["description"]
        assert "replaced" in words(request_id["description"])
        assert params[("header", "traceparent")]["required"] is False


def test_idempotency_key_only_on_post_orders(doc):
    for method, path, item, op in operations(doc):
        params = effective_parameters(doc, item, op)
        assert (("header", "Idempotency-Key") in params) == ((method, path) == ("post", "/orders"))
    key = effective_parameters(doc, doc["paths"]["/orders"], operation(doc, "post", "/orders"))[
        ("header", "Idempotency-Key")
    ]
    assert key["required"] is False
    for phrase in ("byte for byte", "422", "24 hours", "waits", "stores nothing"):
        assert phrase in words(key["description"]), phrase


def all_responses(doc):
    for method, path, _, op in operations(doc):
        for status, response in op["responses"].items():
            yield method, path, status, resolve(doc, response)
    for name, response in doc["components"]["responses"].items():
        yield "component", name, None, response


def test_every_response_carries_x_request_id(doc):
    for method, path, status, response in all_responses(doc):
        assert response["headers"]["X-Request-Id"] == {
            "$ref": "#/components/headers/X-Request-Id"
        }, (method, path, status)
    header = doc["components"]["headers"]["X-Request-Id"]
    assert header["required"] is True
    assert resolve(doc, header["schema"])["pattern"] == REQUEST_ID_PATTERN


@pytest.mark.parametrize(
    "status,header", [("201", "Location"), ("401", "WWW-Authenticate"), ("503", "Retry-After")]
)
def test_status_specific_response_headers(doc, status, header):
    seen = 0
    for _, _, response_status, response in all_responses(doc):
        if response_status == status:
            assert response["headers"][header] == {"$ref": f"#/components/headers/{header}"}
            seen += 1
    assert seen > 0


def test_method_not_allowed_carries_allow(doc):
    response = doc["components"]["responses"]["MethodNotAllowed"]
    assert response["headers"]["Allow"] == {"$ref": "#/components/headers/Allow"}


def test_created_responses_point_at_the_new_resource(doc):
    assert set(
        (m, p) for m, p, s, _ in all_responses(doc) if s == "201"
    ) == {("post", "/users/register"), ("post", "/orders")}


# --- responses ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status,name", sorted(ERROR_COMPONENTS.items()))
def test_error_response_components(doc, status, name):
    response = doc["components"]["responses"][name]
    assert set(response["content"]) == {"application/problem+json"}
    schema = response["content"]["application/problem+json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Problem"}


@pytest.mark.parametrize("method,path", sorted(EXPECTED_RESPONSES))
def test_operation_responses(doc, method, path):
    responses = operation(doc, method, path)["responses"]
    assert {int(s) for s in responses} == EXPECTED_RESPONSES[(method, path)]
    for status, response in responses.items():
        if int(status) >= 400:
            assert response == {
                "$ref": f"#/components/responses/{ERROR_COMPONENTS[int(status)]}"
            }, (method, path, status)


def test_success_media_types(doc):
    def media(method, path, status):
        return set(resolve(doc, operation(doc, method, path)["responses"][status])["content"])

    assert media("get", "/metrics", "200") == {"text/plain"}
    assert media("get", "/openapi.yaml", "200") == {"application/yaml"}
    assert "content" not in operation(doc, "delete", "/users/{id}")["responses"]["204"]
    for method, path, status, response in all_responses(doc):
        if status and status.startswith("2") and path not in ("/metrics", "/openapi.yaml"):
            assert set(response.get("content", {"application/json": None})) == {
                "application/json"
            }, (method, path, status)


def test_success_bodies(doc):
    def schema_of(method, path, status):
        response = resolve(doc, operation(doc, method, path)["responses"][status])
        return response["content"]["application/json"]["schema"]

    ref = "#/components/schemas/{}".format
    assert schema_of("get", "/", "200") == {"$ref": ref("Greeting")}
    assert schema_of("get", "/greeting", "200") == {"$ref": ref("Greeting")}
    assert schema_of("post", "/users/register", "201") == {"$ref": ref("User")}
    assert schema_of("post", "/users/login", "200") == {"$ref": ref("LoginResponse")}
    for method in ("get", "patch"):
        assert schema_of(method, "/users/{id}", "200") == {"$ref": ref("User")}
    assert schema_of("get", "/products", "200")["items"] == {"$ref": ref("Product")}
    assert schema_of("get", "/products/{id}", "200") == {"$ref": ref("Product")}
    assert schema_of("post", "/orders", "201") == {"$ref": ref("Order")}
    assert schema_of("get", "/orders", "200")["items"] == {"$ref": ref("Order")}
    for method in ("get", "delete"):
        assert schema_of(method, "/orders/{id}", "200") == {"$ref": ref("Order")}


def test_every_component_response_is_used_except_405(doc):
    used = {
        response["$ref"].rsplit("/", 1)[1]
        for _, _, _, op in operations(doc)
        for response in op["responses"].values()
        if "$ref" in response
    }
    # No operation can answer 405: it answers the methods that no operation defines.
    assert set(doc["components"]["responses"]) - used == {"MethodNotAllowed"}


# --- instances against the schemas -------------------------------------------------------------

GOOD_REGISTER = {
    "sid": "12110000",
    "username": "alice_01",
    "email": "alice@sustech.edu.cn",
    "password": "correct horse",
}
GOOD_USER = {
    "id": 42,
    "sid": "12110000",
    "username": "alice_01",
    "email": "alice@sustech.edu.cn",
    "is_active": True,
    "created_at": "2026-11-21T13:16:00.123Z",
}
GOOD_PRODUCT = {
    "id": 2,
    "name": "SUSTech Water Bottle",
    "description": "Insulated 600 ml stainless-steel bottle printed with the SUSTech logo.",
    "category": "Drinkware",
    "price": 19.99,
    "slogan": "Refill, reuse, represent.",
    "stock": 500,
    "created_at": "2026-11-21T13:16:00.123Z",
}
GOOD_ORDER = {
    "id": 7,
    "user_id": 42,
    "product_id": 1,
    "quantity": 3,
    "unit_price": 49.99,
    "total_price": 149.97,
    "status": "placed",
    "created_at": "2026-11-21T13:16:00.123Z",
    "cancelled_at": None,
}
GOOD_PROBLEM = {
    "type": "about:blank",
    "title": "Not Found",
    "status": 404,
    "detail": "no product with id 9",
    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
}
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl"


def with_(base, **changes):
    return {**base, **changes}


def without(base, key):
    return {k: v for k, v in base.items() if k != key}


INSTANCE_CASES = [
    # RegisterRequest
    ("RegisterRequest", GOOD_REGISTER, True),
    ("RegisterRequest", with_(GOOD_REGISTER, role="admin"), False),
    ("RegisterRequest", without(GOOD_REGISTER, "password"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, sid="A" * 15), True),
    ("RegisterRequest", with_(GOOD_REGISTER, sid="A" * 16), False),
    ("RegisterRequest", with_(GOOD_REGISTER, sid=""), False),
    ("RegisterRequest", with_(GOOD_REGISTER, sid="121-1"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, sid=12110000), False),
    ("RegisterRequest", with_(GOOD_REGISTER, username="ab"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, username="abc"), True),
    ("RegisterRequest", with_(GOOD_REGISTER, username="a" * 50), True),
    ("RegisterRequest", with_(GOOD_REGISTER, username="a" * 51), False),
    ("RegisterRequest", with_(GOOD_REGISTER, username="a.b-c_d"), True),
    ("RegisterRequest", with_(GOOD_REGISTER, username="alice bob"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, email="a@b@c"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, email="a@"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, email="@b"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, email="ab"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, email="a b@c"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, email="a\u0001b@c"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, email="ü@例え.jp"), True),
    ("RegisterRequest", with_(GOOD_REGISTER, email="a" * 252 + "@b"), True),
    ("RegisterRequest", with_(GOOD_REGISTER, email="a" * 253 + "@b"), False),
    ("RegisterRequest", with_(GOOD_REGISTER, password="x" * 7), False),
    ("RegisterRequest", with_(GOOD_REGISTER, password="x" * 8), True),
    ("RegisterRequest", with_(GOOD_REGISTER, password="é" * 8), True),
    ("RegisterRequest", with_(GOOD_REGISTER, password="x" * 128), True),
    ("RegisterRequest", with_(GOOD_REGISTER, password="x" * 129), False),
    ("RegisterRequest", with_(GOOD_REGISTER, password=None), False),
    # LoginRequest
    ("LoginRequest", {"username": "alice_01", "password": "correct horse"}, True),
    ("LoginRequest", {"sid": "12110000", "password": "correct horse"}, True),
    ("LoginRequest", {"username": "alice_01", "sid": "12110000", "password": "correct horse"},
     False),
    ("LoginRequest", {"password": "correct horse"}, False),
    ("LoginRequest", {"username": "alice_01"}, False),
    ("LoginRequest", {"sid": "12110000", "password": "correct horse", "remember": True}, False),
    # UpdateUserRequest
    ("UpdateUserRequest", {}, False),
    ("UpdateUserRequest", {"email": "new@sustech.edu.cn"}, True),
    ("UpdateUserRequest", {"password": "another secret"}, True),
    ("UpdateUserRequest", without(GOOD_REGISTER, "sid"), True),
    ("UpdateUserRequest", {"sid": "12110001"}, False),
    ("UpdateUserRequest", {"is_active": False}, False),
    ("UpdateUserRequest", {"username": "ab"}, False),
    # PlaceOrderRequest
    ("PlaceOrderRequest", {"product_id": 1, "quantity": 1}, True),
    ("PlaceOrderRequest", {"product_id": 1, "quantity": 3}, True),
    ("PlaceOrderRequest", {"product_id": 1, "quantity": 0}, False),
    ("PlaceOrderRequest", {"product_id": 1, "quantity": 4}, False),
    ("PlaceOrderRequest", {"product_id": 1, "quantity": 2.0}, False),
    ("PlaceOrderRequest", {"product_id": 1, "quantity": "1"}, False),
    ("PlaceOrderRequest", {"product_id": 1, "quantity": True}, False),
    ("PlaceOrderRequest", {"product_id": 0, "quantity": 1}, False),
    ("PlaceOrderRequest", {"product_id": INT32_MAX, "quantity": 1}, True),
    ("PlaceOrderRequest", {"product_id": INT32_MAX + 1, "quantity": 1}, False),
    ("PlaceOrderRequest", {"product_id": 1}, False),
    ("PlaceOrderRequest", {"product_id": 1, "quantity": 1, "price": 0.01}, False),
    # User
    ("User", GOOD_USER, True),
    ("User", with_(GOOD_USER, password_hash="$argon2id$v=19$..."), False),
    ("User", with_(GOOD_USER, is_active="yes"), False),
    ("User", without(GOOD_USER, "created_at"), False),
    ("User", with_(GOOD_USER, created_at="2026-11-21T13:16:00Z"), False),
    ("User", with_(GOOD_USER, created_at="2026-11-21T21:16:00.123+08:00"), False),
    ("User", with_(GOOD_USER, created_at="2026-13-21T13:16:00.123Z"), False),
    # Product
    ("Product", GOOD_PRODUCT, True),
    ("Product", with_(GOOD_PRODUCT, price=10.0), True),
    ("Product", with_(GOOD_PRODUCT, price=19.999), False),
    ("Product", with_(GOOD_PRODUCT, price="19.99"), False),
    ("Product", with_(GOOD_PRODUCT, stock=-1), False),
    ("Product", with_(GOOD_PRODUCT, stock=0), True),
    ("Product", without(GOOD_PRODUCT, "slogan"), False),
    # Order
    ("Order", GOOD_ORDER, True),
    ("Order", with_(GOOD_ORDER, status="cancelled", cancelled_at="2026-11-21T14:00:00.000Z"), True),
    ("Order", with_(GOOD_ORDER, status="shipped"), False),
    ("Order", without(GOOD_ORDER, "cancelled_at"), False),
    ("Order", with_(GOOD_ORDER, cancelled_at="soon"), False),
    ("Order", with_(GOOD_ORDER, quantity=4), False),
    ("Order", with_(GOOD_ORDER, unit_price=19.99, total_price=39.98, quantity=2), True),
    ("Order", with_(GOOD_ORDER, total_price=149.975), False),
    ("Order", with_(GOOD_ORDER, user_id=None), False),
    # LoginResponse
    ("LoginResponse",
     {"token": TOKEN, "token_type": "Bearer", "expires_in": 86400, "user": GOOD_USER}, True),
    ("LoginResponse",
     {"token": TOKEN, "token_type": "bearer", "expires_in": 86400, "user": GOOD_USER}, False),
    ("LoginResponse",
     {"token": TOKEN, "token_type": "Bearer", "expires_in": 3600, "user": GOOD_USER}, False),
    ("LoginResponse",
     {"token": "not a jwt", "token_type": "Bearer", "expires_in": 86400, "user": GOOD_USER},
     False),
    ("LoginResponse",
     {"token": TOKEN, "token_type": "Bearer", "expires_in": 86400,
      "user": with_(GOOD_USER, password="x" * 8)}, False),
    # Problem, Greeting
    ("Problem", GOOD_PROBLEM, True),
    ("Problem", without(GOOD_PROBLEM, "trace_id"), False),
    ("Problem", with_(GOOD_PROBLEM, status=200), False),
    ("Problem", with_(GOOD_PROBLEM, errors=[]), False),
    ("Problem", with_(GOOD_PROBLEM, trace_id="req 1"), False),
    ("Greeting", {"message": "Welcome to SUSTech Store API"}, True),
    ("Greeting", {"message": "Hello"}, False),
]


@pytest.mark.parametrize(
    "schema_name,instance,valid",
    INSTANCE_CASES,
    ids=[f"{i:02d}-{s}-{'ok' if v else 'bad'}" for i, (s, _, v) in enumerate(INSTANCE_CASES)],
)
def test_instances_against_schemas(schema_validator, schema_name, instance, valid):
    errors = list(schema_validator(schema_name).iter_errors(instance))
    assert (not errors) == valid, [e.message for e in errors]


HEADER_CASES = [
    ("IdempotencyKey", "order-2026-11-21-0001", True),
    ("IdempotencyKey", "k" * 255, True),
    ("IdempotencyKey", "k" * 256, False),
    ("IdempotencyKey", "", False),
    ("IdempotencyKey", "caf\u00e9", False),
    ("IdempotencyKey", "tab\there", False),
    # The server replaces an invalid X-Request-Id instead of refusing it, so the request
    # parameter admits any string; the response header's schema has the pattern.
    ("XRequestId", "req-1.a_b~c:d+e=f@g/h", True),
    ("XRequestId", "r" * 129, True),
    ("XRequestId", "req 1", True),
]

RESPONSE_REQUEST_ID_CASES = [
    ("req-1.a_b~c:d+e=f@g/h", True),
    ("r" * 128, True),
    ("r" * 129, False),
    ("", False),
    ("req 1", False),
]


@pytest.mark.parametrize("value,valid", RESPONSE_REQUEST_ID_CASES)
def test_response_request_id_against_its_header_schema(doc, value, valid):
    schema = resolve(doc, doc["components"]["headers"]["X-Request-Id"]["schema"])
    errors = list(OAS30Validator(schema).iter_errors(value))
    assert (not errors) == valid, [e.message for e in errors]


@pytest.mark.parametrize(
    "parameter,value,valid",
    HEADER_CASES,
    ids=[f"{i:02d}-{p}-{'ok' if v else 'bad'}" for i, (p, _, v) in enumerate(HEADER_CASES)],
)
def test_header_values_against_parameter_schemas(doc, parameter, value, valid):
    schema = resolve(doc, doc["components"]["parameters"][parameter]["schema"])
    errors = list(OAS30Validator(schema).iter_errors(value))
    assert (not errors) == valid, [e.message for e in errors]


def test_schema_examples_are_valid(doc, schema_validator):
    with_examples = [n for n, s in doc["components"]["schemas"].items() if "example" in s]
    assert {"User", "Product", "Order"} <= set(with_examples)
    for name in with_examples:
        schema_validator(name).validate(doc["components"]["schemas"][name]["example"])
