# The gateway as a container: locked runtime dependencies, no build tools, non-root.
# Configure with GATEWAY_* variables, DATABASE_URL (the gateway's own database) and REDIS_URL
# (see gateway.example.toml); GATEWAY_BACKOFFICE__DATABASE_URL names the back office's.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GATEWAY_SERVER__HOST=0.0.0.0 \
    GATEWAY_BACKOFFICE__DATA_DIR=/data

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
COPY resolvers ./resolvers
COPY connectors ./connectors
COPY ledger ./ledger
COPY backoffice ./backoffice
COPY kernel ./kernel
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /data gateway \
    && mkdir -p /data && chown gateway /data

USER gateway
EXPOSE 8000
# /readyz, not /healthz: it fails only while the gateway can answer nothing (not started, or an
# empty back office), never for one failing source, so "unhealthy" means what it says.
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"
# `demo` migrates and seeds on first start; production runs `commerce-gateway db upgrade`
# once per release (a job, or an init container), then `serve`, which refuses an older database.
# The same image runs the outbox worker: `commerce-gateway worker`, beside `serve` with
# GATEWAY_OUTBOX__IN_PROCESS=false (any number of workers share the PostgreSQL outbox).
CMD ["commerce-gateway", "serve"]
