"""merch-db ships its own start-up and shutdown lines through the logging service to Kafka."""
import os
import subprocess

import pytest

from conftest import BUILD, ROOT, free_port, read_events, wait_serving


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


def test_db_service_ships_its_start_and_stop(postgres, kafka, logging_service, pki):
    brokers, topic = kafka
    port = free_port()
    env = dict(os.environ, DATABASE_URL=postgres, DB_SERVICE_HOST="127.0.0.1",
               DB_SERVICE_PORT=str(port), LOGGING_SERVICE_ADDR=logging_service,
               GRPC_TLS_DIR=pki.identity("db"))
    process = subprocess.Popen([str(BUILD / "services/db/merch-db")], env=env,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_serving(pki.channel(f"127.0.0.1:{port}", "api", "db"), process, "merch-db")
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0

    def ours(event):
        return event["service_name"] == "merch-db" and event["event"] == "service.log"

    events = read_events(brokers, topic, lambda e: ours(e) and "stopped" in e["message"], 1)
    assert events, "the shutdown line never reached Kafka"
    # Two migrations, schema up to date, serving, signal received, stopped.
    messages = [e["message"] for e in read_events(brokers, topic, ours, 6)]
    assert any(m.startswith("merch-db serving on 127.0.0.1:") for m in messages), messages
    assert any(m.startswith("database schema up to date") for m in messages), messages
    assert all(e["level"] == "INFO" for e in events)
