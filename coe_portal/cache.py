"""A Redis cache that degrades instead of failing: when Redis is unreachable, reads miss and
writes are dropped (and logged), so pages keep working from the database."""

from __future__ import annotations

import functools
import logging

from django.core.cache.backends.redis import RedisCache
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


class ResilientRedisCache(RedisCache):
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
