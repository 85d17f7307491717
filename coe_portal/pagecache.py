"""Parts of pages that many people share, rendered once and kept until what they show
changes.

Most of a page's cost is rendering (templates, forms, serializers), not SQL, and much of what
is rendered is the same for many readers: page 1 of Explore is the same for every employee
who has no drafts. Such a part is kept in the cache (Redis) under a key made of:

- its **topics**, named counters (``"proposals"``, ``"proposal:<id>"``, ``"inbox:<user id>"``)
  that the logic functions bump with ``changed`` when they change what the topic covers. A
  bump makes every key made before it unreachable (the old entries expire unread);
- its **audience**: who sees the same thing (everyone; one department's champions; one
  person). It must never be wider than the part's visibility rules;
- whatever else it varies on (the query string).

Views pass lazy values (``SimpleLazyObject``) and templates wrap the part in
``{% sharedpart key %}`` (coe_portal/templatetags/shared_parts.py), so a hit runs neither the
part's queries nor its templates. A page of several parts gets their keys from ``keys``,
which reads the parts themselves as well, in two round trips in all. The few per-person
bits a shared part may hold (the CSRF token of its forms, ``{% notfor person %}``) are
cached as slots and filled per reader. Changes made outside the logic functions (the admin,
a shell) show within ``TTL``. Without Redis every read misses and pages are rendered as
before.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.crypto import salted_hmac

TTL = 300
# Counters expire too, or one per proposal and per person would pile up in Redis. Safe while
# longer than TTL: a counter made again starts from the clock, a value no key has used, and
# the parts cached while it was missing (under 0) expire before it can be missing again.
COUNTER_TTL = 24 * 3600
_COUNTER = "pagecache:topic:{}"


def changed(*topics: str) -> None:
    """Bump ``topics`` now and again once the current transaction commits.

    Now, so that later reads in the same transaction (the page a view renders after a
    change) do not meet the parts cached before it; after the commit, so that a part rebuilt
    by another request in between, from the data as it was before the commit, is dropped.
    """
    _bump(topics)
    transaction.on_commit(lambda: _bump(topics))


def _bump(topics: Iterable[str]) -> None:
    for topic in topics:
        counter = _COUNTER.format(topic)
        # A counter starts from the clock, not from 0: one lost (evicted, Redis restarted)
        # and made again must not meet the keys of its first life.
        cache.add(counter, time.time_ns(), COUNTER_TTL)
        with contextlib.suppress(ValueError):  # Redis unavailable: nothing is read from it
            cache.incr(counter)


def key(name: str, *vary, topics: Iterable[str]) -> str:
    """The cache key of part ``name`` for the current state of ``topics`` and ``vary`` (the
    audience first, then e.g. the query string)."""
    topics = list(topics)
    return _key(name, vary, topics, cache.get_many([_COUNTER.format(t) for t in topics]))


def _key(name: str, vary: Iterable, topics: Iterable[str], state: dict) -> str:
    counters = [_COUNTER.format(topic) for topic in topics]
    # The database too: two portals (staging, a benchmark) sharing one Redis database must
    # not serve each other's parts. (Sharing counters only costs them extra rebuilds.)
    database = connection.settings_dict["NAME"]
    raw = "\x1f".join([database, *(str(state.get(c, 0)) for c in counters), *map(str, vary)])
    # Salted with SECRET_KEY: parts hold slots marked with it (templatetags/shared_parts.py),
    # and after a new key no part whose slots it would not fill is read again.
    return f"pagecache:{name}:{salted_hmac('pagecache', raw, algorithm='sha256').hexdigest()}"


class PartKey(str):
    """A part's key, with what the cache held under it when ``keys`` read it (None: not
    there), so that rendering the part needs no further round trip."""

    held = None


def keys(name: str, *vary, parts: dict[str, Iterable[str]]) -> dict[str, PartKey]:
    """The keys of several parts of one page, ``parts`` naming each one's topics, that share
    ``vary`` (as in ``key``), each with what the cache holds under it: two round trips in
    all (the topics' counters, then the parts), rather than two per part."""
    parts = {part: list(topics) for part, topics in parts.items()}
    counters = {_COUNTER.format(topic) for topics in parts.values() for topic in topics}
    state = cache.get_many(sorted(counters))
    part_keys = {
        part: PartKey(_key(f"{name}:{part}", vary, topics, state)) for part, topics in parts.items()
    }
    held = cache.get_many(list(part_keys.values()))
    for part_key in part_keys.values():
        part_key.held = held.get(part_key)
    return part_keys


def get_or_set(part_key: str, build, ttl: int = TTL):
    """The value under ``part_key``, or ``build()`` kept there for ``ttl`` seconds."""
    # A PartKey comes with what the cache held moments ago (``keys``): no second look.
    value = part_key.held if isinstance(part_key, PartKey) else cache.get(part_key)
    if value is None:
        value = build()
        cache.set(part_key, value, ttl)
    return value
