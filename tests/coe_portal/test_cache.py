from __future__ import annotations

import pytest

from coe_portal.cache import ResilientRedisCache


@pytest.fixture
def dead_redis_cache():
    """A cache pointed at a port where nothing listens."""
    return ResilientRedisCache(
        "redis://127.0.0.1:1/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
    )


def test_reads_miss_and_writes_are_dropped_when_redis_is_down(dead_redis_cache):
    cache = dead_redis_cache
    cache.set("k", "v")
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is False
    assert cache.has_key("k") is False
    cache.delete("k")
    cache.delete_many(["a"])


def test_incr_reports_a_missing_key_when_redis_is_down(dead_redis_cache):
    with pytest.raises(ValueError, match="Redis unavailable"):
        dead_redis_cache.incr("k")


@pytest.mark.django_db
def test_login_still_works_when_the_cache_is_down(client, employee, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "coe_portal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.post("/login/", {"username": "emma", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
