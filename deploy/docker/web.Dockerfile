# snmplab web: nginx serving the static UI (web/) and proxying /api/ and /api/ws to the gateway.
# Build from the repository root: docker build -f deploy/docker/web.Dockerfile .
# NGINX_IMAGE lets an air-gapped site build from a locally made base
# (tools/build-base-images.sh makes a Debian stand-in tagged nginx:bookworm).
ARG NGINX_IMAGE=nginx:bookworm
FROM ${NGINX_IMAGE}

COPY nginx.conf /etc/nginx/nginx.conf
COPY web /usr/share/snmplab/web

USER nginx
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=4s --start-period=10s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/nginx-health"]
CMD ["nginx", "-g", "daemon off;"]
