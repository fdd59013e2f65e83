# A local stand-in for the postgres:17 image, for the compose test only (no registry is reachable
# there): Debian 12's PostgreSQL (15), with the parts of the official image's interface that
# compose.yaml uses: POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB at the first start, data in
# /var/lib/postgresql/data, pg_isready on the PATH, port 5432 with password authentication.
ARG DEBIAN_IMAGE=debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint /usr/local/bin/postgres-entrypoint
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
