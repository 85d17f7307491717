"""A logout is final whatever Redis does.

Sessions used to be read through the cache (``cached_db``): a logout during a Redis outage
deleted the database row, the cache delete was dropped (the cache degrades rather than
fails), and a Redis that came back from its dump served the old session again, so the
cookie of a person who had logged out worked once more. Sessions now live in the database
alone; this test plays the outage against a Redis of its own with persistence.
"""

from __future__ import annotations

import pytest
import redis
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import UserFactory
from tests.processes import ThrowawayRedis, stop_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_redis(tmp_path):
    server = ThrowawayRedis(directory=tmp_path)
    server.start()
    cache = {
        "default": {
            "BACKEND": "coe_portal.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=cache):
        yield server
    stop_process(server.process)


def test_a_logout_during_a_redis_outage_stays_a_logout(own_redis):
    person = UserFactory()
    browser = Client()
    browser.force_login(person)
    assert browser.get(reverse("home"), secure=True).status_code == 200
    cookie = browser.cookies["sessionid"].value
    redis.Redis.from_url(own_redis.url).save()  # what a persistent Redis holds when it stops

    own_redis.stop()
    response = browser.post(reverse("logout"), secure=True)
    assert response.status_code == 302

    own_redis.start()  # back with the dump from before the logout
    stale = Client()
    stale.cookies["sessionid"] = cookie
    response = stale.get(reverse("home"), secure=True)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
