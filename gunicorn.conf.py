"""gunicorn settings for the web process (read automatically from the working directory)."""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Sync workers: on two cores, three of them had the lowest p95 (../shared/RECIPES.md).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# On SIGTERM, workers finish the requests they are serving for up to this long.
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
# Recycle workers now and then so a slow leak never grows unbounded.
max_requests = 5000
max_requests_jitter = 500
# Load the app once in the master: a recycled worker is a fork, ready at once, instead of
# a second of imports during which the others carry its load (seen as latency spikes in
# the benchmark). Django opens database and Redis connections lazily, in each worker.
preload_app = True


def on_starting(server):
    """In the master, after the app is loaded and before any worker is forked."""
    from coe_portal.warmup import warm

    server.log.info("compiled %d templates before forking the workers", warm())


accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "request_id": "%({x-request-id}o)s", "method": "%(m)s", '
    '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s}'
)
