# Stand-in for the nginx image the web Dockerfile defaults to, built from the same local
# Debian bookworm root filesystem (tools/build-base-images.sh). Debian's nginx-light has
# everything nginx.conf uses (static files, proxy, WebSocket upgrade, headers).
ARG ROOTFS_IMAGE=localhost/snmplab-bookworm-base
FROM ${ROOTFS_IMAGE}

COPY certs/ /usr/local/share/ca-certificates/

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nginx-light curl ca-certificates \
 && update-ca-certificates \
 && rm -f /etc/nginx/sites-enabled/default \
 && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nginx \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log \
 && apt-get clean && rm -rf /var/lib/apt/lists/*

EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
