# snmplab gateway: the public REST API, /api/ws, user sessions, the MIB library, the events listener.
# Build from the repository root: docker build -f deploy/docker/gateway.Dockerfile .
# BASE_IMAGE lets an air-gapped site build from a locally made base
# (tools/build-base-images.sh makes one tagged python:3.11-slim).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
# A site's own package index, for builds without PyPI: --build-arg PIP_INDEX_URL=...
ARG PIP_INDEX_URL
ARG PIP_TRUSTED_HOST

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Same first layers in every service image, so the pinned dependencies are built once.
WORKDIR /app
COPY pyproject.toml ./
RUN python -c "import sys, tomllib; sys.stdout.write(chr(10).join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" >/tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt \
 && useradd --system --uid 10001 --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin snmplab
COPY deploy/docker/healthcheck.py /usr/local/bin/snmplab-healthcheck
RUN mkdir -p /data/gateway && chown snmplab:snmplab /data/gateway
COPY services ./services
COPY web ./web
# The standard MIB modules, fetched on the host by `make mibs` (tools/standard-mibs/fetch.sh)
# before the build; the wildcard keeps the build working, without them, if they are not.
COPY build/standard-mib[s] ./build/standard-mibs/
ENV SNMPLAB_GATEWAY_HOST=0.0.0.0 \
    SNMPLAB_EVENTS_LISTEN=0.0.0.0:19876 \
    SNMPLAB_GATEWAY_DATA_DIR=/data/gateway \
    SNMPLAB_WEB_DIR=/app/web \
    SNMPLAB_MIB_STANDARD_DIR=/app/build/standard-mibs

USER 10001:10001
EXPOSE 8000 19876/udp
HEALTHCHECK --interval=5s --timeout=4s --start-period=30s --retries=3 \
  CMD ["python", "/usr/local/bin/snmplab-healthcheck", "gateway"]
CMD ["python", "-m", "services.gateway"]
