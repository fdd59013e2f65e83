# merch-api, the REST gateway (one image, two replicas in compose.yaml). Built from the repository
# root (compose.yaml does this):
#   docker build -f deploy/docker/api.Dockerfile -t merch-store/api .
# The OpenAPI document is compiled into the binary; the runtime image holds only the binary, the
# shared libraries it links (readelf -d NEEDED, mapped to packages with dpkg -S) and curl for the
# health check.

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
 && cmake --build /build --target merch-api

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 libsodium23 libssl3 \
      libboost-json1.81.0 libboost-url1.81.0 libprometheus-cpp-core1.0 libspdlog1.10 libfmt9 \
      curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin merch
COPY --from=build /build/services/api/merch-api /usr/local/bin/merch-api
USER merch
ENV API_HOST=0.0.0.0 API_PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -sf "http://127.0.0.1:${API_PORT:-8081}/healthz" >/dev/null || exit 1
ENTRYPOINT ["/usr/local/bin/merch-api"]
