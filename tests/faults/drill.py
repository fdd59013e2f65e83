#!/usr/bin/env python3
"""The fault drill (tests/faults/README.md): steady mixed traffic through nginx while each process
of the stack is SIGKILLed and restarted, then a slow and a black-holed dependency through the
TCP proxies; after each phase, what every client was told is checked against PostgreSQL and
Kafka.

Run by tests/faults/run (make test-faults), which starts the proxies and the stack first. Exits
1 when an assertion of any phase fails, 2 when the drill cannot run."""
import argparse
import json
import os
import random
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx
import psycopg
from confluent_kafka import Consumer, KafkaException, TopicPartition

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_EVENTS = ("user.registered", "user.updated", "user.deactivated", "order.placed",
                 "order.cancelled")

# Tunables (documented in README.md).
CLIENTS = 6                # concurrent traffic clients
GRACE = 2.0                # seconds after readiness regained that still count as the fault window
RESUME_LIMIT = 10.0        # service must answer again within this many seconds of the return
OP_DEADLINE = 45.0         # a client retries one operation (same key) for at most this long
EVENT_DEADLINE = 25.0      # how long the domain events of a phase may take to reach Kafka
HOLD_REQUESTS = 12         # a fault lasts until the traffic has had this many answers under it
HOLD_MIN, HOLD_MAX = 1.0, 6.0  # ... but at least / at most this long (seconds)
WARM_REQUESTS = 40         # answered requests before the fault is injected
AFTER_REQUESTS = 60        # answered requests after the fault window, before traffic stops
PROXY_DELAY_MS = 2000
RSS_GROWTH_LIMIT = 64 << 20    # bytes an api replica may grow during a proxy phase
QUEUE_DEPTH_LIMIT = 20000      # shipper queue depth an api replica may reach during one


class DrillError(Exception):
    """The drill cannot run (the stack or a tool is missing): exit 2, loudly."""


def log(message: str) -> None:
    print(f"faults: [{time.strftime('%H:%M:%S')}] {message}", flush=True)


def read_env_file(path: Path) -> dict:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        parsed = shlex.split(value) if value.strip() else [""]
        values[name.strip()] = parsed[0] if parsed else ""
    return values


def wait_for(condition, timeout: float, interval: float = 0.05):
    """Polls until `condition()` is truthy (returned) or `timeout` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# The stack: scripts/stack.sh, readiness, the proxies' control ports, /proc and /metrics.

class Stack:
    def __init__(self, env: dict):
        self.env = env
        self.api_url = env["API_URL"].rstrip("/")
        self.replica_urls = [u.strip().rstrip("/") for u in env["API_REPLICA_URLS"].split(",")]
        self.proxies = {"api-db": os.environ.get("FAULTS_API_DB_CONTROL"),
                        "db-pg": os.environ.get("FAULTS_DB_PG_CONTROL")}

    def script(self, *args: str, timeout: float = 120.0) -> None:
        result = subprocess.run([str(ROOT / "scripts" / "stack.sh"), *args], cwd=ROOT,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise DrillError(f"scripts/stack.sh {' '.join(args)} exited {result.returncode}: "
                             f"{result.stdout[-2000:]}{result.stderr[-2000:]}")

    def status(self, url: str, path: str) -> int:
        try:
            return httpx.get(url + path, timeout=2.0).status_code
        except httpx.HTTPError:
            return 0

    def ready(self, product_id: int) -> bool:
        """Each replica's /readyz and a product read through nginx answer 200."""
        return all(self.status(url, "/readyz") == 200 for url in self.replica_urls) and \
            self.status(self.api_url, f"/products/{product_id}") == 200

    def proxy(self, name: str, command: str) -> dict:
        address = self.proxies.get(name)
        if not address:
            raise DrillError(f"no control address for the {name} proxy "
                             "(FAULTS_API_DB_CONTROL / FAULTS_DB_PG_CONTROL): run via "
                             "tests/faults/run")
        host, _, port = address.rpartition(":")
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(command.encode() + b"\n")
            answer = sock.makefile().readline()
        reply = json.loads(answer)
        if not reply.get("ok"):
            raise DrillError(f"proxy {name}: {command!r} -> {reply}")
        return reply

    def api_pids(self) -> list:
        pids = []
        for name in ("api-1", "api-2"):
            try:
                pids.append(int((ROOT / ".run" / f"{name}.pid").read_text().strip()))
            except (OSError, ValueError):
                pass
        return pids

    @staticmethod
    def rss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def queue_depths(self) -> list:
        depths = []
        for url in self.replica_urls:
            try:
                text = httpx.get(url + "/metrics", timeout=2.0).text
            except httpx.HTTPError:
                continue
            match = re.search(r"^merch_log_queue_depth(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.M)
            if match:
                depths.append(float(match.group(1)))
        return depths


# ---------------------------------------------------------------------------------------------
# Kafka: the domain events of this run (trace ids with the run's prefix), read in the
# background from where the topic ended when the drill started.

class EventLog:
    def __init__(self, brokers: str, topic: str, prefix: str):
        self.prefix = prefix
        self.lock = threading.Lock()
        self.events = defaultdict(list)  # trace_id -> [event]
        self.stop = threading.Event()
        self.consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"faults-{prefix}",
                                  "enable.auto.commit": False, "enable.partition.eof": False,
                                  "log_level": 0})  # quiet while a phase kills the broker
        try:
            metadata = self.consumer.list_topics(topic, timeout=10)
        except KafkaException as error:
            raise DrillError(f"Kafka at {brokers} does not answer: {error}")
        partitions = metadata.topics.get(topic)
        if partitions is None or partitions.error is not None or not partitions.partitions:
            raise DrillError(f"Kafka topic {topic!r} not found at {brokers}")
        assignment = []
        for p in partitions.partitions:
            _, high = self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            assignment.append(TopicPartition(topic, p, high))
        self.consumer.assign(assignment)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            for message in self.consumer.consume(num_messages=5000, timeout=0.2):
                if message.error() or message.value() is None:
                    continue
                try:
                    event = json.loads(message.value())
                except ValueError:
                    continue
                trace = event.get("trace_id") if isinstance(event, dict) else None
                if isinstance(trace, str) and trace.startswith(self.prefix) and \
                        event.get("event") in DOMAIN_EVENTS:
                    with self.lock:
                        self.events[trace].append(event)

    def find(self, trace_id: str, name: str, order_id=None) -> bool:
        with self.lock:
            for event in self.events.get(trace_id, ()):
                # The order's id must match where the event names one.
                if event.get("event") == name and \
                        (order_id is None or event.get("order_id", order_id) == order_id):
                    return True
        return False

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        self.consumer.close()


# ---------------------------------------------------------------------------------------------
# Traffic.

@dataclass
class Attempt:
    op: str
    started: float
    ended: float
    status: int          # 0: no HTTP answer
    problem: bool        # the answer was application/problem+json
    expected: bool       # the answer is one this operation may get
    error: str = ""


@dataclass
class Change:
    """An acknowledged change, whose domain event must reach Kafka."""
    event: str
    trace_id: str
    order_id: int = None
    retried: bool = False   # acknowledged only after attempts that got no success
    replayed: bool = False  # ... by a replay of an earlier attempt (created before it was sent)


@dataclass
class PhaseRecord:
    attempts: list = field(default_factory=list)
    orders: dict = field(default_factory=dict)     # order id -> (status told, product, qty)
    changes: list = field(default_factory=list)
    unresolved: list = field(default_factory=list)  # operations whose retries got no answer
    # Changes an attempt without answer made, which the client learnt of only from a retry's
    # 409/401: not acknowledged, so their events are reported, not asserted.
    unacknowledged: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts.append(attempt)

    def answered_since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for a in self.attempts if a.ended >= moment)


def new_trace_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[len(prefix):]


def traceparent(trace_id: str) -> str:
    return f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"


class Client(threading.Thread):
    """One shopper: its own user, a closed loop of mixed operations, each retried with the same
    key (and trace id) on a 5xx or a failed connection until it gets an answer."""

    def __init__(self, index: int, api_url: str, record: PhaseRecord, products: list,
                 prefix: str, stop: threading.Event, seed: int):
        super().__init__(daemon=True, name=f"client-{index}")
        self.http = httpx.Client(base_url=api_url, timeout=httpx.Timeout(10.0, connect=2.0),
                                 limits=httpx.Limits(max_keepalive_connections=1))
        self.record, self.products, self.prefix, self.stop = record, products, prefix, stop
        self.rng = random.Random(seed)
        self.user = None       # dict: id, username, password, token
        self.placed = []       # order ids told placed, not cancelled
        self.failure = None
        self.last_sent = 0.0   # wall-clock time the last attempt was sent

    # -- one HTTP attempt ----------------------------------------------------------------------
    def attempt(self, op: str, method: str, path: str, ok: set, headers=None, body=None,
                trace_id=None):
        headers = dict(headers or {})
        if trace_id:
            headers["traceparent"] = traceparent(trace_id)
        started = time.monotonic()
        self.last_sent = time.time()
        try:
            response = self.http.request(method, path, headers=headers, json=body)
        except httpx.HTTPError as error:
            self.record.add(Attempt(op, started, time.monotonic(), 0, False, False,
                                    type(error).__name__))
            return None
        problem = response.headers.get("content-type", "").startswith("application/problem+json")
        self.record.add(Attempt(op, started, time.monotonic(), response.status_code, problem,
                                response.status_code in ok))
        return response

    def retrying(self, op: str, method: str, path: str, ok: set, ok_retry=frozenset(),
                 **kwargs):
        """Repeats the attempt while it gets no answer or a 5xx; returns (response, retried).
        `ok_retry`: answers that are expected too once an earlier attempt may have committed."""
        deadline = time.monotonic() + OP_DEADLINE
        backoff, retried = 0.1, False
        while True:
            response = self.attempt(op, method, path, ok | (ok_retry if retried else set()),
                                    **kwargs)
            if response is not None and response.status_code < 500:
                return response, retried
            if time.monotonic() + backoff > deadline:
                return None, retried
            time.sleep(backoff)  # retry pacing, not synchronisation
            backoff, retried = min(backoff * 2, 1.0), True

    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.user['token']}"}

    def unresolved(self, what: str) -> None:
        with self.record.lock:
            self.record.unresolved.append(what)

    # -- operations ----------------------------------------------------------------------------
    def register(self, keep: bool) -> None:
        h = uuid.uuid4().hex
        fields = {"sid": "f" + h[:14], "username": "fd_" + h[:20],
                  "email": f"fd.{h[:20]}@faults.sustech.edu.cn", "password": f"pw-{h[20:32]}"}
        trace_id = new_trace_id(self.prefix)
        response, retried = self.retrying("register", "POST", "/users/register", {201},
                                          ok_retry={409}, body=fields, trace_id=trace_id)
        if response is None:
            return self.unresolved(f"register {fields['username']}")
        if response.status_code == 201:
            with self.record.lock:
                self.record.changes.append(Change("user.registered", trace_id))
            user_id = response.json()["id"]
        elif response.status_code == 409 and retried:
            with self.record.lock:
                self.record.unacknowledged.append(Change("user.registered", trace_id))
            user_id = None
        else:
            raise AssertionError(f"register: {response.status_code} {response.text[:200]}")
        if keep:
            self.user = {"id": user_id, "username": fields["username"],
                         "password": fields["password"], "token": None}
            self.login()

    def login(self) -> None:
        response, _ = self.retrying("login", "POST", "/users/login", {200},
                                    body={"username": self.user["username"],
                                          "password": self.user["password"]})
        if response is None or response.status_code != 200:
            raise AssertionError(f"login of {self.user['username']}: "
                                 f"{response.status_code if response else 'no answer'}")
        body = response.json()
        self.user["token"] = body["token"]
        self.user["id"] = body["user"]["id"]

    def read(self) -> None:
        product = self.rng.choice(self.products)
        path = f"/products/{product}" if self.rng.random() < 0.7 else "/products?limit=20"
        self.attempt("read", "GET", path, {200})

    def order(self) -> None:
        product = self.rng.choice(self.products)
        quantity = self.rng.randint(1, 3)
        trace_id = new_trace_id(self.prefix)
        key = f"faults-{uuid.uuid4()}"
        response, retried = self.retrying(
            "order", "POST", "/orders", {201}, ok_retry={200}, trace_id=trace_id,
            headers={**self.auth(), "Idempotency-Key": key},
            body={"product_id": product, "quantity": quantity})
        if response is None:
            return self.unresolved(f"order key {key}")
        if response.status_code not in (200, 201) or (response.status_code == 200 and not retried):
            raise AssertionError(f"order: {response.status_code} {response.text[:200]}")
        order = response.json()
        if order["status"] != "placed" or order["product_id"] != product or \
                order["quantity"] != quantity:
            raise AssertionError(f"order answered {order} for {product} x {quantity}")
        # A replay answers the original 201 byte for byte; it shows in created_at, which is
        # older than the answering attempt (one clock: the stack runs on this machine).
        created = datetime.strptime(order["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ") \
            .replace(tzinfo=timezone.utc).timestamp()
        replayed = retried and created < self.last_sent
        with self.record.lock:
            self.record.orders[order["id"]] = ("placed", product, quantity)
            self.record.changes.append(Change("order.placed", trace_id, order["id"],
                                              retried=retried, replayed=replayed))
        self.placed.append(order["id"])

    def cancel(self) -> None:
        order_id = self.placed.pop(self.rng.randrange(len(self.placed)))
        trace_id = new_trace_id(self.prefix)
        response, retried = self.retrying("cancel", "DELETE", f"/orders/{order_id}", {200},
                                          ok_retry={409}, headers=self.auth(), trace_id=trace_id)
        if response is None:
            self.placed.append(order_id)
            return self.unresolved(f"cancel {order_id}")
        if response.status_code == 200:
            with self.record.lock:
                status, product, quantity = self.record.orders[order_id]
                self.record.orders[order_id] = ("cancelled", product, quantity)
                self.record.changes.append(Change("order.cancelled", trace_id, order_id))
        elif response.status_code == 409 and (retried or "already cancelled" in response.text):
            # An earlier attempt cancelled it and its answer was lost: the client now knows
            # the order is cancelled, but no success was acknowledged. The earlier attempt may
            # be nginx's, not the client's: when a replica dies after committing a DELETE and
            # before answering, nginx sends the same (idempotent) request to the other replica
            # (proxy_next_upstream), whose answer is the 409. This client never cancels an order
            # twice, so the 409 can only mean that.
            with self.record.lock:
                status, product, quantity = self.record.orders[order_id]
                self.record.orders[order_id] = ("cancelled", product, quantity)
                self.record.unacknowledged.append(Change("order.cancelled", trace_id, order_id))
        else:
            raise AssertionError(f"cancel {order_id}: {response.status_code} "
                                 f"{response.text[:200]}")

    def change_password(self) -> None:
        new_password = f"pw-{uuid.uuid4().hex[:16]}"
        trace_id = new_trace_id(self.prefix)
        response, retried = self.retrying("password", "PATCH", f"/users/{self.user['id']}",
                                          {200}, ok_retry={401}, headers=self.auth(),
                                          trace_id=trace_id,
                                          body={"password": new_password})
        if response is None:
            return self.unresolved(f"password change of user {self.user['id']}")
        if response.status_code == 200:
            with self.record.lock:
                self.record.changes.append(Change("user.updated", trace_id))
            self.user["password"] = new_password
        elif response.status_code == 401 and retried:
            # An earlier attempt changed it (which revoked the token) and its answer was lost.
            with self.record.lock:
                self.record.unacknowledged.append(Change("user.updated", trace_id))
            self.user["password"] = new_password
        else:
            raise AssertionError(f"password change: {response.status_code} "
                                 f"{response.text[:200]}")
        self.login()

    def setup(self) -> None:
        self.register(keep=True)
        if self.user is None:
            raise AssertionError("its user's registration got no answer")

    def run(self) -> None:
        try:
            self.setup()
            while not self.stop.is_set():
                roll = self.rng.random()
                if roll < 0.40:
                    self.read()
                elif roll < 0.72:
                    self.order()
                elif roll < 0.86 and self.placed:
                    self.cancel()
                elif roll < 0.93:
                    self.register(keep=False)
                else:
                    self.change_password()
                time.sleep(self.rng.uniform(0.01, 0.05))  # the traffic's own pacing
        except Exception as error:  # reported as the phase's failure, with its text
            self.failure = f"{self.name}: {type(error).__name__}: {error}"
        finally:
            self.http.close()


# ---------------------------------------------------------------------------------------------
# Phases.

@dataclass
class Phase:
    name: str
    kind: str          # kill | slow | blackhole
    target: str        # the process, or the proxy (api-db | db-pg)


PHASES = [Phase(name, "kill", name) for name in
          ("api-1", "api-2", "db", "logging", "kafka", "postgres", "nginx")] + [
    Phase("slow-api-db", "slow", "api-db"), Phase("blackhole-api-db", "blackhole", "api-db"),
    Phase("slow-db-pg", "slow", "db-pg"), Phase("blackhole-db-pg", "blackhole", "db-pg")]


class Sql:
    """The drill's own PostgreSQL connection (direct, not through a proxy); it opens a new one
    when a phase killed the server under it."""

    def __init__(self, url: str):
        self.url = url
        self.conn = None

    def execute(self, query: str, params=()):
        for tries_left in (2, 1, 0):
            try:
                if self.conn is None or self.conn.closed:
                    # A bounded statement: a hang shows as an error, not a stalled drill.
                    self.conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5,
                                                options="-c statement_timeout=20000")
                return self.conn.execute(query, params)
            except psycopg.OperationalError:
                self.conn = None
                if not tries_left:
                    raise


class Drill:
    def __init__(self, stack: Stack, sql: Sql, events: EventLog, prefix: str,
                 blackhole_end: str = "drop"):
        self.stack, self.sql, self.events, self.prefix = stack, sql, events, prefix
        self.blackhole_end = blackhole_end

    def create_products(self, count: int, stock: int) -> list:
        ids = []
        for _ in range(count):
            ids.append(self.sql.execute(
                "INSERT INTO products (name, description, category, price, slogan, stock) "
                "VALUES (%s, 'Made by the fault drill.', %s, 12.34, 'Drill.', %s) RETURNING id",
                (f"Drill {uuid.uuid4()}", f"faults-{self.prefix}", stock)).fetchone()[0])
        return ids

    def run_phase(self, phase: Phase) -> dict:
        log(f"phase {phase.name}: starting traffic")
        start_stock = 1_000_000
        products = self.create_products(2, start_stock)
        record = PhaseRecord()
        stop = threading.Event()
        clients = [Client(i, self.stack.api_url, record, products, self.prefix, stop,
                          seed=random.randrange(1 << 30)) for i in range(CLIENTS)]
        result = {"phase": phase.name, "failures": []}
        fail = result["failures"].append
        samples = []
        sampling = threading.Event()

        def sample():  # RSS and shipper queue depth of the api replicas, twice a second
            while not sampling.is_set():
                samples.append((time.monotonic(), {p: self.stack.rss(p) for p in
                                                   self.stack.api_pids()},
                                self.stack.queue_depths()))
                sampling.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        for client in clients:
            client.start()
        window_start = window_end = time.monotonic()
        try:
            if not wait_for(lambda: record.answered_since(0) >= WARM_REQUESTS or
                            not any(c.is_alive() for c in clients), 30) or \
                    record.answered_since(0) < WARM_REQUESTS:
                fail(f"the stack was not healthy before the fault: the traffic did not get "
                     f"{WARM_REQUESTS} answers within 30 s; the fault was not injected")
                return result
            log(f"phase {phase.name}: {record.answered_since(0)} answers before the fault")
            baseline_rss = {p: self.stack.rss(p) for p in self.stack.api_pids()}
            if phase.kind != "kill":
                sampler.start()
            window_start = time.monotonic()
            self.inject(phase)
            wait_for(lambda: record.answered_since(window_start) >= HOLD_REQUESTS and
                     time.monotonic() - window_start >= HOLD_MIN,
                     HOLD_MAX)  # how long the fault lasts: traffic-paced, bounded
            restoring = time.monotonic()
            try:
                self.restore(phase)
            except DrillError as error:  # e.g. scripts/stack.sh start found it not ready
                fail(f"the return failed: {error}")
            returned = time.monotonic()
            result["restart_s"] = round(returned - restoring, 2)
            resumed = wait_for(lambda: self.stack.ready(products[0]) and time.monotonic(),
                               RESUME_LIMIT + 20)
            resume_s = (resumed - returned) if resumed else None
            window_end = (resumed or time.monotonic()) + GRACE
            result.update(fault_s=round(returned - window_start, 2),
                          resume_s=round(resume_s, 2) if resume_s is not None else None,
                          window_s=round(window_end - window_start, 2))
            if resume_s is None or resume_s > RESUME_LIMIT:
                fail(f"service did not resume within {RESUME_LIMIT} s of the return "
                     f"(resumed after {resume_s} s)")
            if not wait_for(lambda: record.answered_since(window_end) >= AFTER_REQUESTS, 60):
                fail(f"the traffic did not get {AFTER_REQUESTS} answers within 60 s after the "
                     "fault window")
        finally:
            stop.set()
            sampling.set()
            for client in clients:
                client.join(timeout=OP_DEADLINE + 15)
            if phase.kind != "kill":
                self.restore(phase, quiet=True)  # the proxy passes whatever happened
            for client in clients:
                if client.is_alive():
                    fail(f"{client.name} did not finish its operation")
                if client.failure:
                    fail(client.failure)
        if result["failures"] and "restart_s" not in result:
            return result  # not injected: nothing to check
        self.check(phase, record, products, start_stock, window_start, window_end, result)
        if phase.kind != "kill":
            self.check_growth(baseline_rss, samples, result)
        return result

    def inject(self, phase: Phase) -> None:
        log(f"phase {phase.name}: inject")
        if phase.kind == "kill":
            self.stack.script("kill", phase.target)
        elif phase.kind == "slow":
            self.stack.proxy(phase.target, f"delay {PROXY_DELAY_MS}")
        else:
            self.stack.proxy(phase.target, "blackhole")

    def restore(self, phase: Phase, quiet: bool = False) -> None:
        if phase.kind == "kill":
            self.stack.script("start", timeout=180)
        else:
            if phase.kind == "blackhole" and self.blackhole_end == "drop":
                # The partition ends with the stalled connections reset (as by a peer that
                # restarted), then new ones pass.
                self.stack.proxy(phase.target, "drop")
            elif phase.kind == "blackhole" and self.blackhole_end == "strand":
                # New connections pass; the stalled ones never move again and are never reset.
                self.stack.proxy(phase.target, "strand")
                return
            # pass: also heals a partition (stalled connections move on).
            self.stack.proxy(phase.target, "pass")
        if not quiet:
            log(f"phase {phase.name}: returned")

    def check(self, phase, record, products, start_stock, window_start, window_end, result):
        fail = result["failures"].append
        # Orders: what the clients were told against the database.
        rows = self.sql.execute(
            "SELECT id, status, product_id, quantity FROM orders WHERE product_id = ANY(%s)",
            (products,)).fetchall()
        in_db = {row[0]: row[1:] for row in rows}
        missing = [oid for oid in record.orders if oid not in in_db]
        wrong = [(oid, told[0], in_db[oid][0]) for oid, told in record.orders.items()
                 if oid in in_db and in_db[oid][0] != told[0]]
        phantom = [oid for oid in in_db if oid not in record.orders]
        if missing:
            fail(f"{len(missing)} acknowledged orders are not in the database: {missing[:10]}")
        if wrong:
            fail(f"{len(wrong)} orders differ from what the client was told "
                 f"(id, told, stored): {wrong[:10]}")
        if phantom:
            fail(f"{len(phantom)} orders exist that no client was acknowledged for: "
                 f"{phantom[:10]}")
        if record.unresolved:
            fail(f"{len(record.unresolved)} operations got no answer within {OP_DEADLINE} s of "
                 f"retries: {record.unresolved[:5]}")
        # Stock: start - placed + cancelled.
        for product in products:
            told = [(s, q) for s, p, q in record.orders.values() if p == product]
            expected = start_stock - sum(q for _, q in told) + \
                sum(q for s, q in told if s == "cancelled")
            stock = self.sql.execute("SELECT stock FROM products WHERE id = %s",
                                     (product,)).fetchone()[0]
            if stock != expected:
                fail(f"product {product}: stock {stock}, expected {expected} "
                     f"(start {start_stock} - placed + cancelled)")
        # Domain events of every acknowledged change.
        changes = list(record.changes)
        found = lambda c: self.events.find(c.trace_id, c.event, c.order_id)
        wait_for(lambda: all(found(c) for c in changes), EVENT_DEADLINE, interval=0.25)
        lost = [c for c in changes if not found(c)]
        if lost:
            by_name = Counter(c.event for c in lost)
            after_retry = sum(1 for c in lost if c.retried)
            after_replay = sum(1 for c in lost if c.replayed)
            fail(f"{len(lost)} of {len(changes)} acknowledged changes have no domain event in "
                 f"Kafka after {EVENT_DEADLINE} s: {dict(by_name)}; {after_retry} of them are "
                 f"orders acknowledged only after a retry ({after_replay} visibly by the replay "
                 f"of an earlier attempt that committed but got no answer: created before the "
                 f"answering attempt was sent); e.g. {[(c.event, c.trace_id, c.order_id) for c in lost[:3]]}")
        # Failures outside the fault window.
        outside, inside = Counter(), Counter()
        for a in record.attempts:
            if a.expected:
                continue
            what = f"{a.op} {a.status or a.error}"
            if a.ended < window_start or a.started > window_end:
                if a.status in (503, 504) and a.problem:
                    continue
                outside[what] += 1
            else:
                inside[what] += 1
        if outside:
            fail(f"{sum(outside.values())} requests outside the fault window failed with other "
                 f"than a 503/504 problem: {dict(outside)}")
        result.update(
            requests=len(record.attempts),
            acknowledged_orders=len(record.orders),
            cancelled_orders=sum(1 for s, _, _ in record.orders.values() if s == "cancelled"),
            replayed_orders=sum(1 for c in changes if c.replayed),
            events_checked=len(changes), events_lost=len(lost),
            events_lost_after_retry=sum(1 for c in lost if c.retried),
            events_lost_after_replay=sum(1 for c in lost if c.replayed),
            lost_orders=len(missing), phantom_orders=len(phantom),
            committed_unacknowledged=len(record.unacknowledged),
            unacknowledged_without_event=sum(1 for c in record.unacknowledged if not found(c)),
            failed_in_window=dict(inside), failed_outside_window=dict(outside),
            changes=dict(Counter(c.event for c in changes)))

    def check_growth(self, baseline_rss: dict, samples: list, result: dict) -> None:
        fail = result["failures"].append
        growth = 0
        for pid, base in baseline_rss.items():
            peaks = [values[pid] for _, values, _ in samples if values.get(pid)]
            if peaks:
                growth = max(growth, max(peaks) - base)
        depth = max((d for _, _, depths in samples for d in depths), default=0)
        result.update(api_rss_growth_mib=round(growth / (1 << 20), 1),
                      max_log_queue_depth=int(depth), samples=len(samples))
        if not samples:
            fail("no memory or queue sample was taken during the phase")
        if growth > RSS_GROWTH_LIMIT:
            fail(f"an api replica's RSS grew by {growth >> 20} MiB during the phase "
                 f"(limit {RSS_GROWTH_LIMIT >> 20} MiB)")
        if depth > QUEUE_DEPTH_LIMIT:
            fail(f"an api replica's log queue reached {depth:.0f} events "
                 f"(limit {QUEUE_DEPTH_LIMIT})")


def main() -> int:
    parser = argparse.ArgumentParser(description="The fault drill (tests/faults/README.md)")
    parser.add_argument("--phase", action="append", default=[],
                        help="run only this phase (repeatable): " +
                        ", ".join(p.name for p in PHASES))
    parser.add_argument("--out", default=str(ROOT / "build" / "faults"),
                        help="folder for results.json")
    parser.add_argument("--time-limit", type=float, default=360.0,
                        help="seconds after which no further phase starts")
    parser.add_argument("--blackhole-end", choices=("drop", "heal", "strand"), default="drop",
                        help="how a black hole ends: its stalled connections reset (drop, the "
                        "default), moving again (heal), or stalled for ever while new ones pass "
                        "(strand)")
    args = parser.parse_args()
    known = {p.name: p for p in PHASES}
    unknown = [name for name in args.phase if name not in known]
    if unknown:
        parser.error(f"unknown phase {unknown}; known: {list(known)}")
    phases = [known[name] for name in args.phase] or PHASES

    began = time.monotonic()
    env_path = Path(os.environ.get("MERCH_STACK_ENV", ROOT / ".run" / "stack.env"))
    if not env_path.is_file():
        raise DrillError(f"{env_path} not found: the stack is not running")
    env = read_env_file(env_path)
    stack = Stack(env)
    if stack.status(stack.api_url, "/readyz") != 200:
        raise DrillError(f"{stack.api_url}/readyz does not answer 200: the stack is not ready")
    prefix = uuid.uuid4().hex[:8]
    sql = Sql(env["DATABASE_URL"])
    try:
        sql.execute("SELECT 1")
    except psycopg.OperationalError as error:
        raise DrillError(f"cannot connect to DATABASE_URL: {error}")
    events = EventLog(env["KAFKA_BROKERS"], env["KAFKA_TOPIC"], prefix)
    drill = Drill(stack, sql, events, prefix, args.blackhole_end)
    results = []
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        for phase in phases:
            if time.monotonic() - began > args.time_limit:
                results.append({"phase": phase.name, "failures": [
                    f"not run: the drill's time limit of {args.time_limit} s was reached"]})
                continue
            phase_began = time.monotonic()
            result = drill.run_phase(phase)
            result["seconds"] = round(time.monotonic() - phase_began, 1)
            results.append(result)
            summary(result)
            (out / "results.json").write_text(json.dumps(
                {"prefix": prefix, "phases": results}, indent=2) + "\n")
    finally:
        events.close()
    total = round(time.monotonic() - began, 1)
    (out / "results.json").write_text(json.dumps(
        {"prefix": prefix, "seconds": total, "phases": results,
         "passed": all(not r["failures"] for r in results)}, indent=2) + "\n")
    print(table(results))
    failed = [r["phase"] for r in results if r["failures"]]
    log(f"{len(results)} phases in {total} s; results in {out / 'results.json'}")
    if failed:
        log(f"FAILED phases: {', '.join(failed)}")
        return 1
    log("every phase passed")
    return 0


def summary(result: dict) -> None:
    verdict = "FAILED" if result["failures"] else "passed"
    log(f"phase {result['phase']} {verdict} in {result.get('seconds')} s: "
        f"{result.get('requests')} requests, {result.get('acknowledged_orders')} acknowledged "
        f"orders, {result.get('events_checked')} events checked, lost "
        f"{result.get('events_lost')} events / {result.get('lost_orders')} orders, resumed "
        f"after {result.get('resume_s')} s")
    for failure in result["failures"]:
        log(f"  FAIL {result['phase']}: {failure}")


def table(results: list) -> str:
    head = ("phase", "requests", "acked orders", "events", "lost events", "lost orders",
            "phantom", "resume s", "verdict")
    rows = [head] + [(r["phase"], r.get("requests", "-"), r.get("acknowledged_orders", "-"),
                      r.get("events_checked", "-"), r.get("events_lost", "-"),
                      r.get("lost_orders", "-"), r.get("phantom_orders", "-"),
                      r.get("resume_s", "-"), "FAILED" if r["failures"] else "passed")
                     for r in results]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(row, widths)) for row in rows)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DrillError as error:
        log(f"CANNOT RUN: {error}")
        sys.exit(2)
