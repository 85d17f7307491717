"""A Redis cache that degrades instead of failing: when Redis is unreachable, reads miss and
writes are dropped (and logged), so pages keep working from the database."""

from __future__ import annotations

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _or_return(fallback):
    """Wrap a cache method so a Redis error logs and returns ``fallback(*args, **kwargs)``."""

    def wrap(method):
        @functools.wraps(method)
        def safe(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except RedisError as exc:
                logger.warning("cache %s skipped, Redis unavailable: %s", method.__name__, exc)
                return fallback(*args, **kwargs)

        return safe

    return wrap


def _missing_incr(*args, **kwargs):
    # Callers of incr() already handle a missing key (ValueError); an absent Redis is alike.
    raise ValueError("Redis unavailable")


class ReusedClient(RedisCacheClient):
    """Django makes a new ``redis.Redis`` for every cache call, and building one (its table of
    response callbacks) cost more than the round trip: a tenth of a millisecond, several
    times a page. A client is only a handle on its connection pool and safe to share between
    threads, so one per pool is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient

    get = _or_return(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _or_return(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _or_return(lambda *a, **k: False)(RedisCache.has_key)
    set = _or_return(lambda *a, **k: None)(RedisCache.set)
    set_many = _or_return(lambda *a, **k: [])(RedisCache.set_many)
    add = _or_return(lambda *a, **k: False)(RedisCache.add)
    touch = _or_return(lambda *a, **k: False)(RedisCache.touch)
    delete = _or_return(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _or_return(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _or_return(_missing_incr)(RedisCache.incr)
