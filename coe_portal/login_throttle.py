"""Failed-login throttling: a username or address that fails too often is locked out for a
while. Counters live in the cache, which is Redis in production, so every web process
sees the same counts."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    return [
        (_key("user", username), settings.LOGIN_FAILURES_PER_USER),
        (_key("address", address), settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def is_locked(username: str, address: str) -> bool:
    """True when the username or the address has failed too often recently."""
    counts = cache.get_many([key for key, _ in _keys(username, address)])
    return any(counts.get(key, 0) >= limit for key, limit in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    for key, _limit in _keys(username, address):
        # add() starts the window only on the first failure; incr() keeps its expiry.
        if not cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def clear_failures(username: str) -> None:
    cache.delete(_key("user", username))
