# A local stand-in for the apache/kafka image, for the compose test only (no registry is
# reachable there): the Kafka jars the local stack runs (deploy/kafka/pom.xml, fetched by
# scripts/kafka.sh jars and put into the build context by tests/compose/run) on Debian 12's Java,
# with the parts of the official image's interface that compose.yaml uses: KAFKA_* variables
# turned into server properties, CLUSTER_ID to format the storage at the first start, and
# /opt/kafka/bin/kafka-topics.sh and kafka-broker-api-versions.sh.
ARG DEBIAN_IMAGE=debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean \
 && mkdir -p /usr/share/man/man1 \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless \
 && useradd --system --uid 1000 --no-create-home --shell /usr/sbin/nologin appuser
COPY libs/ /opt/kafka/libs/
COPY bin/ /opt/kafka/bin/
EXPOSE 9092
ENTRYPOINT ["/opt/kafka/bin/kafka-entrypoint"]
