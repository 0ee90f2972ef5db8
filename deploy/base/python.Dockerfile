# Stand-in for python:3.11-slim, built from a Debian bookworm root filesystem made locally
# with debootstrap (tools/build-base-images.sh). For sites that cannot pull from a registry:
# the service Dockerfiles build on it unchanged. Debian's python3 is 3.11.
ARG ROOTFS_IMAGE=localhost/snmplab-bookworm-base
FROM ${ROOTFS_IMAGE}

# CA certificates of the building host (e.g. a site's TLS-inspecting proxy), copied into the
# build context by tools/build-base-images.sh at build time; never kept in the repository.
COPY certs/ /usr/local/share/ca-certificates/

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-pip python3-venv python-is-python3 ca-certificates \
 && update-ca-certificates \
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED \
 && ln -sf /usr/bin/pip3 /usr/local/bin/pip \
 && apt-get clean && rm -rf /var/lib/apt/lists/*

ENV LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PYTHONUNBUFFERED=1
CMD ["python3"]
