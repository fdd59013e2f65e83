"""A Python gRPC client (stubs generated from proto/ at test time) streams events to the C++
logging service, and they reach Kafka with the fields of the README's "The log pipeline"."""
import json
import time
import uuid

import grpc

from conftest import read_events


def test_python_client_streams_events_into_kafka(stubs, kafka, logging_service):
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
    with grpc.insecure_channel(logging_service) as channel:
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


def test_python_client_gets_invalid_argument_for_a_bad_message(stubs, logging_service):
    logging_pb2, logging_pb2_grpc = stubs
    bad = logging_pb2.LogMessage(level=logging_pb2.INFO, service_name="python-client",
                                 message="no event id", timestamp=1, trace_id="py-bad",
                                 event="test.event")
    with grpc.insecure_channel(logging_service) as channel:
        stub = logging_pb2_grpc.LoggingServiceStub(channel)
        try:
            stub.StreamLogs(iter([bad]), timeout=30)
            raise AssertionError("expected INVALID_ARGUMENT")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "event_id is missing" in error.details()
