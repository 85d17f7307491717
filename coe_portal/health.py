"""What /healthz checks: the database always, Redis when it is configured."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection


def check_database() -> str | None:
    """None when the database answers, else the error."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means "not healthy"; the message says which
        return f"{type(exc).__name__}: {exc}"
    return None


def check_redis() -> str | None:
    """None when Redis answers a PING (or is not configured), else the error."""
    if not settings.REDIS_URL:
        return None
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
    except redis.RedisError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def health_report() -> tuple[bool, dict]:
    """(healthy, details) for the health endpoint."""
    checks = {"database": check_database()}
    if settings.REDIS_URL:
        checks["redis"] = check_redis()
    healthy = all(error is None for error in checks.values())
    return healthy, {
        "status": "ok" if healthy else "error",
        "checks": {name: error or "ok" for name, error in checks.items()},
    }
