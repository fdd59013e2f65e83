"""merch-logs, the project's follower of the log topic (make logs), reads back what a client
streamed through the logging service: readable lines, --json, the hourly files, following new
events only, and its answers to bad options, a missing broker and a stop signal."""
import json
import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import BUILD, free_port, wait_for

MERCH_LOGS = BUILD / "services/logging/merch-logs"
# A fixed time (2025-11-21T13:16:40.123Z), so that the readable time and the hourly file's name
# are known in advance.
EVENT_TIME = 1763731000123
HOURLY_FILE = "log-channel-2025-11-21-13.jsonl"


def make_events(logging_pb2, trace_id, first=0):
    """Three events of one trace: a request, an order and a login, one millisecond apart."""
    specs = [
        ("http.access", "GET /products/1",
         {"method": "GET", "path": "/products/1", "status": 200, "latency_ms": 1.25}),
        ("order.placed", "order 17 placed", {"order_id": 17, "quantity": 2}),
        ("user.login", "user logged in", {"user_id": 5}),
    ]
    return [
        logging_pb2.LogMessage(
            level=logging_pb2.INFO, service_name="merch-api", message=message,
            timestamp=EVENT_TIME + first + i, trace_id=trace_id, event=event,
            event_id=str(uuid.uuid4()), attributes_json=json.dumps(attributes))
        for i, (event, message, attributes) in enumerate(specs)
    ]


def stream(stubs, channel, messages):
    """Streams the messages through `channel` (pki.channel, as the api); once the service answers
    success, Kafka holds them all."""
    logging_pb2, logging_pb2_grpc = stubs
    with channel:
        response = logging_pb2_grpc.LoggingServiceStub(channel).StreamLogs(iter(messages),
                                                                            timeout=30)
    assert response.success and response.accepted == len(messages)


def tool_env():
    """The test's environment without the variables that would change merch-logs' defaults."""
    return {k: v for k, v in os.environ.items()
            if k not in ("KAFKA_BROKERS", "KAFKA_TOPIC", "NO_COLOR")}


def run_logs(*args, timeout=60):
    result = subprocess.run([str(MERCH_LOGS), *args], env=tool_env(), capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result


def start_logs(tmp_path, *args):
    """merch-logs in the background, its stderr in a file; returns (process, stderr reader)."""
    stderr_path = tmp_path / "merch-logs.stderr"
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen([str(MERCH_LOGS), *args], env=tool_env(),
                                   stdout=subprocess.PIPE, stderr=stderr, text=True)
    return process, stderr_path.read_text


def stop(process):
    if process.poll() is None:
        process.kill()
        process.wait()


def test_readable_lines_show_each_event_of_the_trace(stubs, kafka, logging_service, pki):
    brokers, _ = kafka
    trace_id = f"logs-{uuid.uuid4()}"
    messages = make_events(stubs[0], trace_id)
    stream(stubs, pki.channel(logging_service, "api", "logging"), messages)

    result = run_logs("--brokers", brokers, "--from-beginning", "--trace-id", trace_id,
                      "--max-events", "3", "--exit-at-end")
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout
    # The readable line shows the trace id's first 8 characters.
    short_trace = f"trace={trace_id[:8]}…"
    for line, message in zip(lines, messages):
        assert message.event in line and short_trace in line and "merch-api" in line, line
    assert lines[0].startswith("2025-11-21T13:16:40.123Z INFO  merch-api  http.access ")
    assert lines[0].endswith("GET /products/1 → 200 (1.2 ms)")
    assert lines[1].endswith("order 17 placed order_id=17 quantity=2")
    assert lines[2].endswith("user logged in user_id=5")
    assert "following log-channel" in result.stderr

    # The short form a line shows is itself a valid --trace-id; so is the full id.
    prefix = run_logs("--brokers", brokers, "--from-beginning", "--trace-id", trace_id[:13],
                      "--exit-at-end")
    assert prefix.stdout.splitlines() == lines


def test_json_lines_are_the_published_events(stubs, kafka, logging_service, pki):
    brokers, _ = kafka
    trace_id = f"logs-json-{uuid.uuid4()}"
    messages = make_events(stubs[0], trace_id)
    stream(stubs, pki.channel(logging_service, "api", "logging"), messages)

    result = run_logs("--brokers", brokers, "--from-beginning", "--trace-id", trace_id,
                      "--json", "--max-events", "3", "--exit-at-end")
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["event_id"] for e in events] == [m.event_id for m in messages]
    assert events[0] == {
        "level": "INFO", "service_name": "merch-api", "message": "GET /products/1",
        "timestamp": EVENT_TIME, "trace_id": trace_id, "event": "http.access",
        "event_id": messages[0].event_id, "method": "GET", "path": "/products/1",
        "status": 200, "latency_ms": 1.25,
    }


def test_hourly_file_holds_exactly_the_events_shown(stubs, kafka, logging_service, pki, tmp_path):
    brokers, _ = kafka
    trace_id = f"logs-hourly-{uuid.uuid4()}"
    messages = make_events(stubs[0], trace_id)
    stream(stubs, pki.channel(logging_service, "api", "logging"), messages)
    hourly_dir = tmp_path / "hourly" / "nested"  # made by merch-logs

    # --exit-at-end alone: every event of the trace, and nothing else, reaches the file.
    result = run_logs("--brokers", brokers, "--from-beginning", "--trace-id", trace_id,
                      "--exit-at-end", "--hourly-dir", str(hourly_dir))
    assert len(result.stdout.splitlines()) == 3
    assert sorted(p.name for p in hourly_dir.iterdir()) == [HOURLY_FILE]
    lines = (hourly_dir / HOURLY_FILE).read_text().splitlines()
    assert [json.loads(line)["event_id"] for line in lines] == [m.event_id for m in messages]
    assert all(json.loads(line)["trace_id"] == trace_id for line in lines)


def test_without_from_beginning_only_new_events_are_shown(stubs, kafka, logging_service, pki,
                                                          tmp_path):
    brokers, _ = kafka
    trace_id = f"logs-new-{uuid.uuid4()}"
    old = make_events(stubs[0], trace_id)[:1]
    stream(stubs, pki.channel(logging_service, "api", "logging"), old)

    process, stderr = start_logs(tmp_path, "--brokers", brokers, "--trace-id", trace_id,
                                 "--json", "--max-events", "2")
    try:
        # The start positions are fixed when it says it is following.
        wait_for(lambda: "following log-channel" in stderr() or process.poll() is not None,
                 60, "merch-logs to follow the topic")
        new = make_events(stubs[0], trace_id, first=10)[1:]
        stream(stubs, pki.channel(logging_service, "api", "logging"), new)
        out, _ = process.communicate(timeout=60)
    finally:
        stop(process)
    assert process.returncode == 0, stderr()
    assert [json.loads(line)["event_id"] for line in out.splitlines()] == \
        [m.event_id for m in new]


def test_a_stop_signal_closes_the_consumer_and_exits_0(kafka, tmp_path):
    brokers, _ = kafka
    for sent in (signal.SIGINT, signal.SIGTERM):
        process, stderr = start_logs(tmp_path, "--brokers", brokers, "--trace-id", "nobody")
        try:
            wait_for(lambda: "following log-channel" in stderr() or process.poll() is not None,
                     60, "merch-logs to follow the topic")
            # Still running, so that the signal is what ends it.
            assert process.poll() is None and "following log-channel" in stderr(), stderr()
            process.send_signal(sent)
            assert process.wait(timeout=30) == 0, stderr()
        finally:
            stop(process)


def test_an_unreachable_broker_is_reported_once_and_retried(tmp_path):
    process, stderr = start_logs(tmp_path, "--brokers", f"127.0.0.1:{free_port()}")
    try:
        wait_for(lambda: "waiting for Kafka" in stderr() or process.poll() is not None, 30,
                 "merch-logs to report the missing broker")
        # It keeps retrying (a few attempts in these seconds) rather than giving up.
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=3)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        stop(process)
    assert stderr().count("waiting for Kafka") == 1, stderr()


def test_bad_options_print_the_usage_and_exit_2():
    for args in (["--no-such-option"], ["--max-events", "0"], ["--brokers"], ["stray"]):
        result = subprocess.run([str(MERCH_LOGS), *args], env=tool_env(), capture_output=True,
                                text=True, timeout=30)
        assert result.returncode == 2, args
        assert "usage: merch-logs" in result.stderr and result.stdout == ""
    result = subprocess.run([str(MERCH_LOGS), "--help"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0 and "--hourly-dir DIR" in result.stdout
