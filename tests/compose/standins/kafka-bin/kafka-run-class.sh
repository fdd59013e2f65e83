#!/usr/bin/env bash
# Runs a Kafka main class on the image's jars (as the official distribution's script does).
exec java ${KAFKA_HEAP_OPTS:--Xms64m -Xmx256m} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -Djava.awt.headless=true -Dlog4j.configuration=file:/opt/kafka/config/tools-log4j.properties \
  -cp '/opt/kafka/libs/*' "$@"
