"""Fixtures of the black-box end-to-end tests. They speak only HTTP (through nginx and to each
api replica), SQL (to arrange data), Kafka (to read log events) and, for the disruptive tests,
scripts/stack.sh. The stack itself is started by `make up`, which writes .run/stack.env."""
import json
import os
import shlex
import subprocess
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from e2e_support import assert_json, bearer, unique_hex

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REPLICA_URLS = "http://127.0.0.1:8081,http://127.0.0.1:8082"
REQUIRED_ENV = ("API_URL", "DATABASE_URL", "KAFKA_BROKERS", "KAFKA_TOPIC", "JWT_SECRET")
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=3.0)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "disruptive: kills and restarts stack processes (run last, one at a time)")


def pytest_collection_modifyitems(config, items):
    """Disruptive tests run after every other test, so that no other test sees a killed process."""
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)


# ---------------------------------------------------------------------------------------------
# The running stack.

def read_env_file(path: Path) -> dict:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].strip()
        name, sep, value = line.partition("=")
        if not sep:
            continue
        parsed = shlex.split(value, posix=True) if value.strip() else [""]
        values[name.strip()] = parsed[0] if parsed else ""
    return values


@pytest.fixture(scope="session")
def stack() -> dict:
    """The variables of .run/stack.env (or $MERCH_STACK_ENV), once the api answers. Fails fast,
    for every test, when the stack is not running."""
    path = Path(os.environ.get("MERCH_STACK_ENV", ROOT / ".run" / "stack.env"))
    if not path.is_file():
        pytest.fail(f"{path} not found: the stack is not running; run `make up` first",
                    pytrace=False)
    env = read_env_file(path)
    missing = [name for name in REQUIRED_ENV if not env.get(name)]
    if missing:
        pytest.fail(f"{path} lacks {', '.join(missing)}; run `make up` again", pytrace=False)
    try:
        response = httpx.get(env["API_URL"].rstrip("/") + "/readyz", timeout=5.0)
    except httpx.HTTPError as error:
        response, failure = None, error
    if response is None:
        pytest.fail(f"the api at {env['API_URL']} does not answer ({failure!r}); "
                    "run `make up` first", pytrace=False)
    if response.status_code != 200:
        pytest.fail(f"{env['API_URL']}/readyz answers {response.status_code}: the stack is not "
                    "ready; run `make up` first", pytrace=False)
    return env


@pytest.fixture(scope="session")
def api_url(stack) -> str:
    return stack["API_URL"].rstrip("/")


@pytest.fixture(scope="session")
def api(api_url):
    """An HTTP client for nginx (the public base URL)."""
    with httpx.Client(base_url=api_url, timeout=HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture(scope="session")
def replica_urls(stack) -> list:
    """The replicas' own base URLs: $API_REPLICA_URLS, else API_REPLICA_URLS of stack.env, else
    :8081 and :8082."""
    listed = os.environ.get("API_REPLICA_URLS") or stack.get("API_REPLICA_URLS") or \
        DEFAULT_REPLICA_URLS
    urls = [u.strip().rstrip("/") for u in listed.split(",") if u.strip()]
    assert len(urls) >= 2, "API_REPLICA_URLS must name at least two replicas"
    return urls


@pytest.fixture(scope="session")
def replicas(replica_urls):
    """One HTTP client per api replica, talking to it directly (not through nginx)."""
    clients = [httpx.Client(base_url=url, timeout=HTTP_TIMEOUT) for url in replica_urls]
    for client in clients:
        try:
            client.get("/healthz")
        except httpx.HTTPError as error:
            pytest.fail(f"api replica {client.base_url} does not answer ({error!r})",
                        pytrace=False)
    yield clients
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def jwt_secret(stack) -> bytes:
    return stack["JWT_SECRET"].encode()


# ---------------------------------------------------------------------------------------------
# Users.

@dataclass
class User:
    id: int
    sid: str
    username: str
    email: str
    password: str
    token: str
    body: dict  # the User object the api returned at registration

    @property
    def auth(self) -> dict:
        return bearer(self.token)


class Users:
    """Registers fresh users with unique sid, username and email, and logs them in."""

    def __init__(self, client: httpx.Client):
        self.client = client

    @staticmethod
    def fields(**overrides) -> dict:
        h = uuid.uuid4().hex
        values = {
            "sid": "t" + h[:14],                          # 15 characters, has a letter
            "username": "u_" + h[:20],
            "email": f"E2E.{h[:20]}@Mail.SUSTech.edu.cn",  # mixed case: stored as given
            "password": f"pw-{h[20:32]}-Qx",
        }
        values.update(overrides)
        return values

    def register(self, client=None, headers=None, **overrides):
        fields = self.fields(**overrides)
        response = (client or self.client).post("/users/register", json=fields,
                                                headers=headers or {})
        return fields, response

    def login(self, client=None, headers=None, **body) -> httpx.Response:
        return (client or self.client).post("/users/login", json=body, headers=headers or {})

    def token(self, client=None, **body) -> str:
        response = self.login(client, **body)
        return assert_json(response, 200)["token"]

    def create(self, client=None, **overrides) -> User:
        fields, response = self.register(client, **overrides)
        body = assert_json(response, 201)
        token = self.token(client, username=fields["username"], password=fields["password"])
        return User(id=body["id"], sid=fields["sid"], username=fields["username"],
                    email=fields["email"], password=fields["password"], token=token, body=body)


@pytest.fixture(scope="session")
def users(api) -> Users:
    return Users(api)


@pytest.fixture
def user(users) -> User:
    """A fresh, logged-in user."""
    return users.create()


@pytest.fixture
def other_user(users) -> User:
    return users.create()


# ---------------------------------------------------------------------------------------------
# SQL, to arrange data the REST api cannot create (products, stock).

class Sql:
    def __init__(self, url: str):
        import psycopg
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as error:
            # The URL holds the password: name the server only.
            where = url.split("@")[-1]
            pytest.fail(f"cannot connect to DATABASE_URL (...@{where}): {error}", pytrace=False)

    def value(self, query: str, params=()):
        row = self.conn.execute(query, params).fetchone()
        return None if row is None else row[0]

    def create_product(self, price: str = "49.99", stock: int = 10, category: str = None,
                       name: str = None) -> int:
        name = name or f"E2E Product {uuid.uuid4()}"
        category = category or f"e2e-{unique_hex()}"
        return self.value(
            "INSERT INTO products (name, description, category, price, slogan, stock) "
            "VALUES (%s, %s, %s, %s::numeric, %s, %s) RETURNING id",
            (name, "Made by the end-to-end tests.", category, price, "Test slogan.", stock))

    def stock(self, product_id: int) -> int:
        return self.value("SELECT stock FROM products WHERE id = %s", (product_id,))

    def set_stock(self, product_id: int, stock: int) -> None:
        self.conn.execute("UPDATE products SET stock = %s WHERE id = %s", (stock, product_id))

    def set_price(self, product_id: int, price: str) -> None:
        self.conn.execute("UPDATE products SET price = %s::numeric WHERE id = %s",
                          (price, product_id))

    def user_is_active(self, user_id: int) -> bool:
        return self.value("SELECT is_active FROM users WHERE id = %s", (user_id,))

    def order_status(self, order_id: int) -> str:
        return self.value("SELECT status FROM orders WHERE id = %s", (order_id,))

    def order_count(self, product_id: int, status: str = None) -> int:
        if status is None:
            return self.value("SELECT count(*) FROM orders WHERE product_id = %s", (product_id,))
        return self.value("SELECT count(*) FROM orders WHERE product_id = %s AND status = %s",
                          (product_id, status))

    def product_count(self) -> int:
        return self.value("SELECT count(*) FROM products")

    def close(self):
        self.conn.close()


@pytest.fixture(scope="session")
def sql(stack):
    db = Sql(stack["DATABASE_URL"])
    yield db
    db.close()


# ---------------------------------------------------------------------------------------------
# Kafka: every event of log-channel from the start of the session on, indexed by trace_id. Not
# from the beginning: a local topic that `make bench` filled holds millions of events, and reading
# them first made the first waits time out.

class KafkaLog:
    def __init__(self, brokers: str, topic: str):
        from confluent_kafka import Consumer, KafkaException, TopicPartition
        self.consumer = Consumer({"bootstrap.servers": brokers,
                                  "group.id": f"merch-e2e-{uuid.uuid4()}",
                                  "enable.auto.commit": False,
                                  "enable.partition.eof": False})
        try:
            metadata = self.consumer.list_topics(topic, timeout=10)
        except KafkaException as error:
            pytest.fail(f"Kafka at {brokers} does not answer: {error}", pytrace=False)
        topic_metadata = metadata.topics.get(topic)
        if topic_metadata is None or topic_metadata.error is not None or \
                not topic_metadata.partitions:
            pytest.fail(f"Kafka topic {topic!r} not found at {brokers}", pytrace=False)
        starts = []
        for p in topic_metadata.partitions:
            _, high = self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            starts.append(TopicPartition(topic, p, high))
        self.consumer.assign(starts)
        self.raw = defaultdict(list)     # trace_id -> raw JSON texts, in arrival order
        self.events = defaultdict(list)  # trace_id -> parsed events, in arrival order

    def _poll(self, timeout: float) -> None:
        for message in self.consumer.consume(num_messages=10000, timeout=timeout):
            if message.error():
                if message.error().fatal():
                    pytest.fail(f"Kafka consumer error: {message.error()}")
                continue
            if message.value() is None:
                continue
            text = message.value().decode("utf-8", errors="replace")
            try:
                event = json.loads(text)
            except ValueError:
                continue
            if isinstance(event, dict) and isinstance(event.get("trace_id"), str):
                self.raw[event["trace_id"]].append(text)
                self.events[event["trace_id"]].append(event)

    def unique_events(self, trace_id: str) -> list:
        """The trace's events with duplicates (same event_id; delivery is at least once) removed."""
        seen, out = set(), []
        for event in self.events[trace_id]:
            key = event.get("event_id")
            if key not in seen:
                seen.add(key)
                out.append(event)
        return out

    def wait(self, trace_id: str, condition, what: str, timeout: float = 60.0) -> list:
        deadline = time.monotonic() + timeout
        while True:
            events = self.unique_events(trace_id)
            if condition(events):
                return events
            if time.monotonic() > deadline:
                summary = [(e.get("event"), e.get("status")) for e in events]
                pytest.fail(f"timed out after {timeout} s waiting for {what} with trace_id "
                            f"{trace_id!r}; got {summary}")
            self._poll(0.25)

    def wait_for_events(self, trace_id: str, *names: str, timeout: float = 60.0) -> list:
        """Waits until the trace has at least as many distinct events of each name as `names`
        lists (a name may repeat); returns the trace's distinct events."""
        wanted = Counter(names)

        def complete(events):
            have = Counter(e.get("event") for e in events)
            return all(have[name] >= count for name, count in wanted.items())

        return self.wait(trace_id, complete, f"events {dict(wanted)}", timeout)

    def close(self):
        self.consumer.close()


# Autouse, so that it is set up (and takes the topic's end offsets) before any test or fixture
# of the session makes an event.
@pytest.fixture(scope="session", autouse=True)
def kafka_log(stack):
    log = KafkaLog(stack["KAFKA_BROKERS"], stack["KAFKA_TOPIC"])
    yield log
    log.close()


# ---------------------------------------------------------------------------------------------
# The lead's helper for the disruptive tests.

def run_stack_script(*args: str, timeout: float = 300.0) -> None:
    script = ROOT / "scripts" / "stack.sh"
    if not script.exists():
        pytest.fail(f"{script} is missing: the failure tests need `scripts/stack.sh kill NAME` "
                    "and `scripts/stack.sh start`", pytrace=False)
    try:
        result = subprocess.run([str(script), *args], cwd=ROOT, capture_output=True, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"scripts/stack.sh {' '.join(args)} did not return within {timeout} s")
    assert result.returncode == 0, (f"scripts/stack.sh {' '.join(args)} exited "
                                    f"{result.returncode}: {result.stdout}{result.stderr}")


@pytest.fixture
def stack_control(stack):
    """`kill(name)` SIGKILLs one process of the stack; `start()` starts whatever is not running
    and returns once /readyz through nginx answers 200. Whatever was killed is started again
    when the test ends, pass or fail."""

    class Control:
        def __init__(self):
            self.killed = []

        def kill(self, name: str) -> None:
            self.killed.append(name)
            run_stack_script("kill", name, timeout=60)

        def start(self) -> None:
            run_stack_script("start")
            self.killed.clear()

    control = Control()
    yield control
    if control.killed:
        run_stack_script("start")

