# snmplab trapd: the trap and inform receiver (UDP 1162), its trap store and control API.
# Build from the repository root: docker build -f deploy/docker/trapd.Dockerfile .
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
RUN mkdir -p /data/trapd && chown snmplab:snmplab /data/trapd
COPY services ./services

ENV SNMPLAB_TRAPD_CONTROL_HOST=0.0.0.0 \
    SNMPLAB_TRAPD_SNMP_HOST=0.0.0.0 \
    SNMPLAB_TRAPD_DATA_DIR=/data/trapd

USER 10001:10001
EXPOSE 1162/udp 8002
HEALTHCHECK --interval=5s --timeout=4s --start-period=30s --retries=3 \
  CMD ["python", "/usr/local/bin/snmplab-healthcheck", "trapd"]
CMD ["python", "-m", "services.trapd"]
