from __future__ import annotations

import json
import logging

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token

from coe_portal import login_throttle
from coe_portal.request_log import JsonFormatter, RequestIdFilter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_user(settings):
    """A user whose failure counters start and end empty (the cache may be a shared Redis)."""
    settings.LOGIN_FAILURES_PER_USER = 3
    user = UserFactory(username="lockme")
    keys = [key for key, _ in login_throttle._keys("lockme", "127.0.0.1")]
    cache.delete_many(keys)
    yield user
    cache.delete_many(keys)


def _login(client, password):
    return client.post(reverse("login"), {"username": "lockme", "password": password})


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, locked_user):
    for _ in range(3):
        assert b"correct username and password" in _login(client, "wrong").content

    response = _login(client, "pw-for-tests-only")

    assert response.status_code == 200
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(client, locked_user):
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, "pw-for-tests-only").status_code == 302
    client.logout()
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, "pw-for-tests-only").status_code == 302


def test_password_validators_are_on(settings):
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "MinimumLengthValidator" in names and "CommonPasswordValidator" in names


def test_session_expires(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


def test_api_token_is_created_used_and_revoked(client, employee):
    api = reverse("api_schema")
    client.force_login(employee)
    response = client.post(reverse("api_token"), {"action": "create"})
    key = Token.objects.get(user=employee).key
    assert key.encode() in response.content

    client.logout()
    assert client.get(api, headers={"Authorization": f"Token {key}"}).status_code == 200

    client.force_login(employee)
    client.post(reverse("api_token"), {"action": "revoke"})
    client.logout()
    assert client.get(api, headers={"Authorization": f"Token {key}"}).status_code == 401


def test_replacing_a_token_invalidates_the_old_one(client, employee):
    client.force_login(employee)
    client.post(reverse("api_token"), {"action": "create"})
    old = Token.objects.get(user=employee).key
    client.post(reverse("api_token"), {"action": "create"})
    assert Token.objects.get(user=employee).key != old
    assert not Token.objects.filter(key=old).exists()


def test_token_page_shows_only_a_prefix_of_an_existing_token(client, employee):
    token = Token.objects.create(user=employee)
    client.force_login(employee)
    text = client.get(reverse("api_token")).content.decode()
    assert token.key[:6] in text
    assert token.key not in text


def test_livez_needs_nothing(client):
    response = client.get("/livez", secure=True)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_every_response_carries_a_request_id(client):
    generated = client.get("/livez", secure=True)["X-Request-ID"]
    assert len(generated) == 32
    passed = client.get("/livez", secure=True, headers={"X-Request-ID": "lb-1234"})
    assert passed["X-Request-ID"] == "lb-1234"
    refused = client.get("/livez", secure=True, headers={"X-Request-ID": "<script>"})
    assert refused["X-Request-ID"] != "<script>"


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("coe", logging.WARNING, __file__, 1, "disk %s", ("low",), None)
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "disk low"
    assert line["level"] == "WARNING"
    assert line["request_id"] == "-"
