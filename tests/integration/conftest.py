"""Fixtures that start real components for the cross-language tests: a Kafka broker
(scripts/kafka.sh) and the C++ services from the build tree."""
import importlib.resources
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import pytest
from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MERCH_BUILD_DIR", ROOT / "build"))
WELL_KNOWN_PROTOS = importlib.resources.files("grpc_tools") / "_proto"  # timestamp.proto, ...


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str) -> None:
    """Polls `condition` every 20 ms until it holds; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def wait_serving(address: str, process: subprocess.Popen, name: str, timeout: float = 30) -> None:
    """Waits until the gRPC server at `address` reports SERVING on grpc.health.v1; fails at once
    if `process` exits."""
    with grpc.insecure_channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)

        def serving() -> bool:
            assert process.poll() is None, process.stderr.read()
            try:
                return health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == \
                    health_pb2.HealthCheckResponse.SERVING
            except grpc.RpcError:
                return False

        wait_for(serving, timeout, f"{name} to serve")


def read_events(brokers: str, topic: str, matches, count: int, timeout: float = 60) -> list:
    """Events (parsed JSON) of `topic` for which `matches(event)` holds, read from the beginning of
    every partition, in partition order, until `count` are found or `timeout` seconds pass."""
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": "merch-py-test",
                         "enable.auto.commit": False})
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    found = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < count and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None and not message.error():
                event = json.loads(message.value())
                if matches(event):
                    found.append(event)
    finally:
        consumer.close()
    return found


@pytest.fixture(scope="session")
def stubs():
    """Python stubs generated from proto/ at test time."""
    out = Path(tempfile.mkdtemp(prefix="merch-stubs-"))
    for proto in ["merch/v1/logging.proto", "merch/v1/db.proto"]:
        code = protoc.main(["protoc", f"-I{ROOT / 'proto'}", f"-I{WELL_KNOWN_PROTOS}",
                            f"--python_out={out}", f"--grpc_python_out={out}", proto])
        assert code == 0, f"protoc failed for {proto}"
    sys.path.insert(0, str(out))
    from merch.v1 import logging_pb2, logging_pb2_grpc  # noqa: E402
    return logging_pb2, logging_pb2_grpc


@pytest.fixture(scope="session")
def kafka():
    """A private Kafka broker with the log topic; yields (brokers, topic)."""
    env = dict(os.environ, KAFKA_DIR=tempfile.mkdtemp(prefix="merch-py-kafka-"),
               KAFKA_PORT=str(free_port()), KAFKA_CONTROLLER_PORT=str(free_port()),
               KAFKA_TOPIC="log-channel")
    script = str(ROOT / "scripts" / "kafka.sh")
    subprocess.run([script, "start"], env=env, check=True)
    try:
        yield f"127.0.0.1:{env['KAFKA_PORT']}", env["KAFKA_TOPIC"]
    finally:
        subprocess.run([script, "destroy"], env=env, check=True)


@pytest.fixture
def logging_service(kafka):
    """merch-logging from the build tree, serving; yields its address."""
    brokers, topic = kafka
    port = free_port()
    env = dict(os.environ, LOGGING_SERVICE_HOST="127.0.0.1", LOGGING_SERVICE_PORT=str(port),
               KAFKA_BROKERS=brokers, KAFKA_TOPIC=topic)
    process = subprocess.Popen([str(BUILD / "services/logging/merch-logging")], env=env,
                               stderr=subprocess.PIPE, text=True)
    address = f"127.0.0.1:{port}"
    try:
        wait_serving(address, process, "merch-logging")
        yield address
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
