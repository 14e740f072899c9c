# docklab's own image: multi-stage, non-root, gunicorn, data on a volume.
#   docker build -t docklab .            (official Python slim image)
#   docker build --build-arg BASE_IMAGE=local/python-base:bookworm -t docklab .
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY docker/extra-ca/ /tmp/extra-ca/
COPY pyproject.toml constraints.txt ./
COPY docklab/__init__.py docklab/__init__.py
COPY grader/__init__.py grader/__init__.py
# Dependencies only (the app itself is copied as source below); an extra CA, if given, serves pip here only.
RUN set -e; \
    if ls /tmp/extra-ca/*.crt >/dev/null 2>&1; then \
      cat /etc/ssl/certs/ca-certificates.crt /tmp/extra-ca/*.crt > /tmp/ca-bundle.crt 2>/dev/null \
        || cat /tmp/extra-ca/*.crt > /tmp/ca-bundle.crt; \
      export PIP_CERT=/tmp/ca-bundle.crt; \
    fi; \
    python3 -m venv /opt/venv; \
    /opt/venv/bin/pip install --no-cache-dir --quiet -c constraints.txt '.[postgres]'; \
    /opt/venv/bin/pip uninstall --yes --quiet docklab
COPY . /app
RUN /opt/venv/bin/python -c "import sys; sys.path.insert(0, '/app'); \
from docklab.i18n import compile_catalogs; compile_catalogs()" \
 && rm -rf /app/tests /app/benchmarks /app/.git /app/.venv /app/instance /app/docker/extra-ca

# xterm.js for the browser terminal, exactly as package-lock.json says; npm stays in this stage.
FROM ${BASE_IMAGE} AS xterm
WORKDIR /src
COPY docker/extra-ca/ /tmp/extra-ca/
COPY package.json package-lock.json ./
RUN set -e; \
    if ls /tmp/extra-ca/*.crt >/dev/null 2>&1; then \
      cat /tmp/extra-ca/*.crt > /tmp/extra-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; \
    fi; \
    if ! command -v npm >/dev/null 2>&1; then \
      apt-get update -qq; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        ca-certificates nodejs npm >/dev/null; \
    fi; \
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

FROM ${BASE_IMAGE}
ARG BASE_IMAGE
LABEL org.opencontainers.image.title="docklab" \
      org.opencontainers.image.description="Docker quizzes and auto-graded labs" \
      org.docklab.base-image="${BASE_IMAGE}"
RUN (getent group docklab || groupadd --system docklab) \
 && (id docklab || useradd --system --gid docklab --home-dir /app --shell /usr/sbin/nologin docklab) \
 && mkdir -p /data && chown docklab:docklab /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app /app
COPY --from=xterm --chown=root:root /src/node_modules/@xterm /app/node_modules/@xterm
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/docklab.sqlite3 \
    DOCKLAB_INSTANCE_PATH=/data \
    PORT=8000
USER docklab
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python3 -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"
ENTRYPOINT ["/app/docker/entrypoint.sh"]
