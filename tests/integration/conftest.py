"""Fixtures that start real components for the cross-language tests: a Kafka broker
(scripts/kafka.sh) and the C++ services from the build tree."""
import importlib.resources
import json
import os
import shutil
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


class Pki:
    """A private CA and the identities api, db, logging and "intruder" (signed, served by no
    service), made by the project's scripts/pki.sh; each identity is a folder for GRPC_TLS_DIR."""

    def __init__(self, folder: Path):
        self.dir = folder
        subprocess.run([str(ROOT / "scripts" / "pki.sh"), str(folder), "api", "db", "logging",
                        "intruder"], check=True, stdout=subprocess.DEVNULL)

    def identity(self, name: str) -> str:
        return str(self.dir / name)

    def channel(self, address: str, client: str, server: str) -> grpc.Channel:
        """A channel to `address` as identity `client`, which requires the server to prove
        identity `server` (what the services' own clients do)."""
        folder = self.dir / client
        credentials = grpc.ssl_channel_credentials(
            root_certificates=(folder / "ca.crt").read_bytes(),
            private_key=(folder / "tls.key").read_bytes(),
            certificate_chain=(folder / "tls.crt").read_bytes())
        return grpc.secure_channel(address, credentials,
                                   options=[("grpc.ssl_target_name_override", server)])


@pytest.fixture(scope="session")
def pki():
    folder = Path(tempfile.mkdtemp(prefix="merch-py-pki-"))
    yield Pki(folder)
    shutil.rmtree(folder, ignore_errors=True)


def wait_serving(channel: grpc.Channel, process: subprocess.Popen, name: str,
                 timeout: float = 30) -> None:
    """Waits until the gRPC server behind `channel` reports SERVING on grpc.health.v1; fails at
    once if `process` exits. Closes the channel."""
    with channel:
        health = health_pb2_grpc.HealthStub(channel)

        def serving() -> bool:
            assert process.poll() is None, process.stderr.read()
            try:
                return health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == \
                    health_pb2.HealthCheckResponse.SERVING
            except grpc.RpcError:
                return False

        wait_for(serving, timeout, f"{name} to serve")


def end_offsets(brokers: str, topic: str) -> dict:
    """Each partition's end offset now: pass it to read_events as `after` to read only what is
    written from now on."""
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": "merch-py-test",
                         "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in partitions}
    finally:
        consumer.close()


def read_events(brokers: str, topic: str, matches, count: int, timeout: float = 60,
                after: dict = None) -> list:
    """Events (parsed JSON) of `topic` for which `matches(event)` holds, read from the beginning of
    every partition (or from the offsets `after` names, see end_offsets), in partition order,
    until `count` are found or `timeout` seconds pass."""
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": "merch-py-test",
                         "enable.auto.commit": False})
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, (after or {}).get(p, OFFSET_BEGINNING))
                     for p in partitions])
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
    yield logging_pb2, logging_pb2_grpc
    sys.path.remove(str(out))
    shutil.rmtree(out, ignore_errors=True)


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
def logging_service(kafka, pki):
    """merch-logging from the build tree, serving over mutual TLS (identity "logging", from
    `pki`); yields its address."""
    brokers, topic = kafka
    port = free_port()
    env = dict(os.environ, LOGGING_SERVICE_HOST="127.0.0.1", LOGGING_SERVICE_PORT=str(port),
               KAFKA_BROKERS=brokers, KAFKA_TOPIC=topic, GRPC_TLS_DIR=pki.identity("logging"))
    process = subprocess.Popen([str(BUILD / "services/logging/merch-logging")], env=env,
                               stderr=subprocess.PIPE, text=True)
    address = f"127.0.0.1:{port}"
    try:
        wait_serving(pki.channel(address, "api", "logging"), process, "merch-logging")
        yield address
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
