"""merch-db ships its own start-up and shutdown lines through the logging service to Kafka."""
import json
import os
import subprocess
import time

import grpc
import pytest
from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
from grpc_health.v1 import health_pb2, health_pb2_grpc

from conftest import BUILD, ROOT, free_port, wait_for


@pytest.fixture
def postgres():
    # Under /tmp itself: the server runs as `postgres`, which must be able to enter the folder.
    env = dict(os.environ, PG_DIR=f"/tmp/merch-py-pg-{os.getpid()}", PG_PORT=str(free_port()))
    script = str(ROOT / "scripts" / "postgres.sh")
    subprocess.run([script, "start"], env=env, check=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{env['PG_PORT']}/merch"
    finally:
        subprocess.run([script, "destroy"], env=env, check=True)


def read_until(brokers, topic, matches, count, timeout=60):
    """Events for which `matches(event)` holds, read from the beginning until `count` are seen."""
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": "merch-py-test"})
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


def test_db_service_ships_its_start_and_stop(postgres, kafka, logging_service):
    brokers, topic = kafka
    port = free_port()
    env = dict(os.environ, DATABASE_URL=postgres, DB_SERVICE_HOST="127.0.0.1",
               DB_SERVICE_PORT=str(port), LOGGING_SERVICE_ADDR=logging_service)
    process = subprocess.Popen([str(BUILD / "services/db/merch-db")], env=env,
                               stderr=subprocess.PIPE, text=True)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)

            def serving():
                assert process.poll() is None, process.stderr.read()
                try:
                    return health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == \
                        health_pb2.HealthCheckResponse.SERVING
                except grpc.RpcError:
                    return False

            wait_for(serving, 30, "merch-db to serve")
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0

    def ours(event):
        return event["service_name"] == "merch-db" and event["event"] == "service.log"

    events = read_until(brokers, topic, lambda e: ours(e) and "stopped" in e["message"], 1)
    assert events, "the shutdown line never reached Kafka"
    # Two migrations, schema up to date, serving, signal received, stopped.
    messages = [e["message"] for e in read_until(brokers, topic, ours, 6)]
    assert any(m.startswith("merch-db serving on 127.0.0.1:") for m in messages), messages
    assert any(m.startswith("database schema up to date") for m in messages), messages
    assert all(e["level"] == "INFO" for e in events)
