"""The Kafka the local stack runs (deploy/kafka/pom.xml) is the one compose.yaml pulls: one
version, written once in the pom and checked here wherever else it must appear."""
import re
from pathlib import Path
import xml.etree.ElementTree as ET

ROOT = Path(__file__).resolve().parents[2]


def pom_kafka_version():
    pom = ET.parse(ROOT / "deploy/kafka/pom.xml").getroot()
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = pom.find("m:properties/m:kafka.version", namespace)
    assert version is not None, "deploy/kafka/pom.xml has no <kafka.version> property"
    return version.text.strip()


def test_compose_pulls_the_kafka_of_the_local_stack():
    images = re.findall(r"apache/kafka:([0-9][^\s}]*)", (ROOT / "compose.yaml").read_text())
    assert images, "compose.yaml names no apache/kafka image"
    assert set(images) == {pom_kafka_version()}
