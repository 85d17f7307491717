from __future__ import annotations

import json
import logging

import pytest

from coe_portal.request_log import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_password_validators_are_on(settings):
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "MinimumLengthValidator" in names and "CommonPasswordValidator" in names


def test_session_expires(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


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
