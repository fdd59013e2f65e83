"""A Python gRPC client (stubs generated from proto/ at test time) streams events to the C++
logging service over mutual TLS, and they reach Kafka with the fields of the README's "The log
pipeline". Only the api and db identities are served (README, "Security model")."""
import json
import time
import uuid

import grpc

from conftest import read_events


def test_python_client_streams_events_into_kafka(stubs, kafka, logging_service, pki):
    logging_pb2, logging_pb2_grpc = stubs
    brokers, topic = kafka
    trace_id = f"py-{uuid.uuid4()}"
    now = int(time.time() * 1000)
    messages = [
        logging_pb2.LogMessage(
            level=logging_pb2.INFO, service_name="python-client", message=f"event {i}",
            timestamp=now + i, trace_id=trace_id, event="http.access",
            event_id=str(uuid.uuid4()),
            attributes_json=json.dumps({"method": "GET", "path": f"/products/{i + 1}",
                                        "status": 200, "latency_ms": 0.5}))
        for i in range(20)
    ]
    with pki.channel(logging_service, "api", "logging") as channel:
        stub = logging_pb2_grpc.LoggingServiceStub(channel)
        response = stub.StreamLogs(iter(messages), timeout=30)
    assert response.success
    assert response.accepted == 20

    events = read_events(brokers, topic, lambda e: e.get("trace_id") == trace_id, 20)
    assert sorted(e["event_id"] for e in events) == sorted(m.event_id for m in messages)
    first = next(e for e in events if e["event_id"] == messages[0].event_id)
    assert first == {
        "level": "INFO", "service_name": "python-client", "message": "event 0",
        "timestamp": now, "trace_id": trace_id, "event": "http.access",
        "event_id": messages[0].event_id, "method": "GET", "path": "/products/1",
        "status": 200, "latency_ms": 0.5,
    }
    # One trace, one key, one partition: the events arrive in the order they were sent.
    assert [e["event_id"] for e in events] == [m.event_id for m in messages]


def test_python_client_gets_invalid_argument_for_a_bad_message(stubs, logging_service, pki):
    logging_pb2, logging_pb2_grpc = stubs
    bad = logging_pb2.LogMessage(level=logging_pb2.INFO, service_name="python-client",
                                 message="no event id", timestamp=1, trace_id="py-bad",
                                 event="test.event")
    with pki.channel(logging_service, "api", "logging") as channel:
        stub = logging_pb2_grpc.LoggingServiceStub(channel)
        try:
            stub.StreamLogs(iter([bad]), timeout=30)
            raise AssertionError("expected INVALID_ARGUMENT")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "event_id is missing" in error.details()


def one_event(logging_pb2, trace_id):
    return logging_pb2.LogMessage(level=logging_pb2.INFO, service_name="merch-api",
                                  message="forged?", timestamp=int(time.time() * 1000),
                                  trace_id=trace_id, event="order.placed",
                                  event_id=str(uuid.uuid4()))


def test_the_db_identity_may_stream_too(stubs, kafka, logging_service, pki):
    logging_pb2, logging_pb2_grpc = stubs
    trace_id = f"py-db-{uuid.uuid4()}"
    with pki.channel(logging_service, "db", "logging") as channel:
        response = logging_pb2_grpc.LoggingServiceStub(channel).StreamLogs(
            iter([one_event(logging_pb2, trace_id)]), timeout=30)
    assert response.success and response.accepted == 1


def test_anyone_else_is_refused_and_nothing_is_published(stubs, kafka, logging_service, pki):
    logging_pb2, logging_pb2_grpc = stubs
    brokers, topic = kafka
    trace_id = f"py-forged-{uuid.uuid4()}"
    attempts = {
        # No certificate at all: the handshake fails.
        "plaintext": (grpc.insecure_channel(logging_service), grpc.StatusCode.UNAVAILABLE),
        # A certificate the store's CA signed, for an identity the service does not serve.
        "intruder": (pki.channel(logging_service, "intruder", "logging"),
                     grpc.StatusCode.PERMISSION_DENIED),
    }
    for name, (channel, expected) in attempts.items():
        with channel:
            try:
                logging_pb2_grpc.LoggingServiceStub(channel).StreamLogs(
                    iter([one_event(logging_pb2, trace_id)]), timeout=10)
                raise AssertionError(f"{name}: the stream was accepted")
            except grpc.RpcError as error:
                assert error.code() == expected, (name, error.code(), error.details())
    # A marker through the front door: once it is in Kafka, a forged event would be too.
    marker = f"py-marker-{uuid.uuid4()}"
    with pki.channel(logging_service, "api", "logging") as channel:
        logging_pb2_grpc.LoggingServiceStub(channel).StreamLogs(
            iter([one_event(logging_pb2, marker)]), timeout=30)
    assert read_events(brokers, topic, lambda e: e.get("trace_id") == marker, 1)
    assert read_events(brokers, topic, lambda e: e.get("trace_id") == trace_id, 1, timeout=2) == []
