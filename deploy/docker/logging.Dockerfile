# merch-logging, the logging service (gRPC in, Kafka out). Built from the repository root
# (compose.yaml does this):
#   docker build -f deploy/docker/logging.Dockerfile -t merch-store/logging .
# The runtime image holds only the binary and the shared libraries it links (readelf -d
# NEEDED, mapped to packages with dpkg -S).

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libpqxx-dev libpq-dev librdkafka-dev libjwt-dev libsodium-dev prometheus-cpp-dev \
      libspdlog-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY proto proto
COPY libs libs
COPY services services
COPY bench bench
COPY api api
COPY db db
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMERCH_BUILD_TESTS=OFF \
 && cmake --build /build --target merch-logging

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 librdkafka++1 \
      libboost-json1.81.0 libspdlog1.10 libfmt9 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin merch
COPY --from=build /build/services/logging/merch-logging /usr/local/bin/merch-logging
USER merch
ENV LOGGING_SERVICE_HOST=0.0.0.0 LOGGING_SERVICE_PORT=50052
EXPOSE 50052
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD bash -c '</dev/tcp/127.0.0.1/${LOGGING_SERVICE_PORT:-50052}' || exit 1
ENTRYPOINT ["/usr/local/bin/merch-logging"]
