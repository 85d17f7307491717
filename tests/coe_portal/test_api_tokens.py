"""API tokens (/account/api-tokens/, coe_portal/tokens.py): hashed at rest, expiring, named,
several per person; revoked by their owner or in the Django admin."""

from __future__ import annotations

import hashlib
import importlib
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from coe_portal import tasks, tokens
from coe_portal.models import ApiToken
from tests.factories import UseCaseFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/account/api-tokens/"
API = "/api/v1/use-cases/"


def make_token(client, name="Reporting script", lifetime=90, creation_key=None):
    """POST the page's form as the signed-in person; the response."""
    data = {"name": name, "lifetime": lifetime, "creation_key": creation_key or uuid.uuid4()}
    return client.post(reverse("api_tokens"), data)


def new_key(response) -> str:
    return response.context["new_key"]


def api_status(key: str, url: str = API) -> int:
    return APIClient().get(url, headers={"Authorization": f"Token {key}"}).status_code


def test_the_database_keeps_a_digest_never_the_key(client, employee):
    client.force_login(employee)
    response = make_token(client)
    key = new_key(response)

    assert key.encode() in response.content  # shown this once
    token = ApiToken.objects.get(user=employee)
    assert token.digest == hashlib.sha512(key.encode()).hexdigest()
    assert key.startswith(token.token_key) and len(token.token_key) < len(key) // 4
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608 (our table)
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert key not in stored


def test_a_new_token_authenticates_api_requests_as_its_owner(client, employee):
    UseCaseFactory(owner=employee, title="Emma's own draft")  # only its owner sees a draft
    client.force_login(employee)
    key = new_key(make_token(client))

    response = APIClient().get(API, headers={"Authorization": f"Token {key}"})

    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Emma's own draft"]
    # Token-authenticated answers are private too (coe_portal/private_responses.py).
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))


def test_an_expired_token_is_refused_and_deleted(client, employee):
    client.force_login(employee)
    key = new_key(make_token(client))
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    assert api_status(key) == 401
    assert not ApiToken.objects.exists()


def test_an_unknown_or_malformed_key_is_refused_with_401(employee):
    assert api_status("coe_" + "0" * 64) == 401
    assert api_status("caf\u00e9") == 401  # not UTF-8 once on the wire: knox alone fails


def test_the_chosen_lifetime_sets_the_expiry(client, employee):
    client.force_login(employee)
    make_token(client, lifetime=7)
    expiry = ApiToken.objects.get(user=employee).expiry
    assert abs(expiry - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


def test_several_tokens_work_and_revoking_one_leaves_the_other(client, employee):
    client.force_login(employee)
    first = new_key(make_token(client, name="Reporting script"))
    second = new_key(make_token(client, name="Dashboard sync"))
    assert api_status(first) == api_status(second) == 200

    token = ApiToken.objects.get(name="Reporting script")
    response = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert api_status(first) == 401
    assert api_status(second) == 200
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["Dashboard sync"]


def test_revoking_needs_post(client, employee):
    client.force_login(employee)
    make_token(client)
    token = ApiToken.objects.get()
    assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405
    assert ApiToken.objects.exists()


def test_another_person_cannot_revoke_your_token(client, employee, colleague):
    client.force_login(employee)
    key = new_key(make_token(client))
    token = ApiToken.objects.get()

    client.force_login(colleague)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 404
    assert api_status(key) == 200


def test_another_person_does_not_see_your_tokens(client, employee, colleague):
    client.force_login(employee)
    make_token(client, name="Emma's reporting script")
    token = ApiToken.objects.get()

    client.force_login(colleague)
    text = client.get(PAGE).content.decode()

    assert "Emma&#x27;s reporting script" not in text and "Emma's reporting script" not in text
    assert token.token_key not in text
    assert "You have no API tokens" in text


def test_the_page_lists_name_dates_and_key_start_but_no_secret(client, employee):
    client.force_login(employee)
    key = new_key(make_token(client, name="Reporting script"))
    token = ApiToken.objects.get()

    text = client.get(PAGE).content.decode()

    assert "Reporting script" in text and f"{token.token_key}…" in text
    assert token.expiry.strftime("%Y") in text
    assert key not in text and token.digest not in text


def test_the_page_reads_the_tokens_in_one_query(client, employee, django_assert_max_num_queries):
    for name in ("One", "Two", "Three"):
        tokens.create_api_token(actor=employee, name=name, lifetime=30)
    client.force_login(employee)
    client.get(PAGE)  # the session's first read
    with django_assert_max_num_queries(5) as queries:  # session, person, roles, unread, tokens
        client.get(PAGE)
    assert sum("coe_portal_apitoken" in q["sql"] for q in queries.captured_queries) == 1


def test_a_name_is_required(client, employee):
    client.force_login(employee)
    response = make_token(client, name="  ")
    assert response.status_code == 200
    assert "Name the token after what will use it." in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("lifetime", ["0", "1000", "forever", ""])
def test_a_lifetime_not_offered_is_refused(client, employee, lifetime):
    client.force_login(employee)
    response = make_token(client, lifetime=lifetime)
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert response.context["form"].errors["lifetime"]


def test_a_name_already_in_use_is_refused(client, employee):
    client.force_login(employee)
    make_token(client, name="Reporting script")
    response = make_token(client, name="reporting SCRIPT")
    assert "You already have a token named" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_the_cap_refuses_one_more_token_and_says_what_to_do(client, employee, settings):
    settings.API_TOKENS_PER_PERSON = 2
    client.force_login(employee)
    make_token(client, name="One")
    make_token(client, name="Two")

    response = make_token(client, name="Three")

    assert ApiToken.objects.count() == 2
    assert response.context["new_key"] is None
    text = response.content.decode()
    assert "You have 2 tokens, the most one person may hold. Revoke one" in text


def test_the_cap_counts_live_tokens_only(client, employee, settings):
    settings.API_TOKENS_PER_PERSON = 1
    client.force_login(employee)
    make_token(client, name="Old")
    ApiToken.objects.update(expiry=timezone.now() - timedelta(days=1))

    assert new_key(make_token(client, name="New"))
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["New"]


def test_the_same_form_sent_twice_makes_one_token(client, employee):
    client.force_login(employee)
    form_key = uuid.uuid4()
    first = make_token(client, creation_key=form_key)
    again = make_token(client, creation_key=form_key)

    assert ApiToken.objects.count() == 1
    assert again.context["new_key"] is None
    assert new_key(first).encode() not in again.content
    assert "That form was already sent" in again.content.decode()


def test_each_blank_form_has_a_fresh_one_time_key(client, employee):
    client.force_login(employee)
    first = client.get(PAGE).context["form"]["creation_key"].value()
    after_making = make_token(client).context["form"]["creation_key"].value()
    assert first and after_making and first != after_making


def test_the_answer_with_a_key_is_not_cached(client, employee):
    client.force_login(employee)
    response = make_token(client)
    assert "no-store" in response["Cache-Control"]


# The Django admin


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_lists_tokens_without_digests(staff_client, employee):
    token, _ = tokens.create_api_token(actor=employee, name="Reporting script", lifetime=30)

    text = staff_client.get(reverse("admin:coe_portal_apitoken_changelist")).content.decode()
    detail = staff_client.get(reverse("admin:coe_portal_apitoken_change", args=[token.pk]))

    assert "Reporting script" in text and token.token_key in text and str(employee) in text
    assert token.digest not in text
    assert detail.status_code == 200 and token.digest not in detail.content.decode()


def test_admin_cannot_make_a_token(staff_client):
    assert staff_client.get(reverse("admin:coe_portal_apitoken_add")).status_code == 403


def test_admin_delete_revokes(staff_client, employee):
    token, key = tokens.create_api_token(actor=employee, name="Reporting script", lifetime=30)
    url = reverse("admin:coe_portal_apitoken_delete", args=[token.pk])

    confirm = staff_client.get(url).content.decode()
    response = staff_client.post(url, {"post": "yes"})

    assert token.digest not in confirm
    assert response.status_code == 302
    assert api_status(key) == 401


def test_admin_bulk_delete_revokes(staff_client, employee, colleague):
    _, kept_key = tokens.create_api_token(actor=colleague, name="Kept", lifetime=30)
    gone = [tokens.create_api_token(actor=employee, name=n, lifetime=30) for n in ("A", "B")]
    staff_client.post(
        reverse("admin:coe_portal_apitoken_changelist"),
        {"action": "delete_selected", "_selected_action": [t.pk for t, _ in gone], "post": "yes"},
    )
    assert [api_status(key) for _, key in gone] == [401, 401]
    assert api_status(kept_key) == 200


# Expired tokens are swept; DRF's plain tokens were moved


def test_the_hourly_sweep_forgets_expired_tokens_sessions_and_old_login_logs(employee, client):
    tokens.create_api_token(actor=employee, name="Live", lifetime=7)
    old, _ = tokens.create_api_token(actor=employee, name="Expired", lifetime=7)
    ApiToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    client.force_login(employee)
    live_session = client.session.session_key
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(seconds=1)
    )
    long_ago = timezone.now() - timedelta(days=settings.SIGN_IN_LOG_DAYS + 1)
    old_log = AccessLog.objects.create(username="employee", ip_address="10.0.0.1")
    AccessLog.objects.filter(pk=old_log.pk).update(attempt_time=long_ago)  # auto_now_add
    recent = AccessLog.objects.create(username="employee", ip_address="10.0.0.2")

    assert tasks.forget_expired_sign_ins.delay().get() == {
        "api_tokens": 1, "sessions": 1, "login_logs": 1, "login_failure_logs": 0,
    }  # fmt: skip
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["Live"]
    assert list(Session.objects.values_list("session_key", flat=True)) == [live_session]
    assert set(AccessLog.objects.filter(pk__in=[old_log.pk, recent.pk])) == {recent}


def test_the_sweep_is_scheduled_hourly():
    schedule = PeriodicTask.objects.get(task="coe_portal.tasks.forget_expired_sign_ins")
    assert schedule.enabled and schedule.interval.period == "hours"


def test_plain_drf_tokens_are_hashed_and_keep_working(employee):
    """Migration 0012 on a database that still has DRF's authtoken table."""
    plain_key = "0123456789abcdef0123456789abcdef01234567"  # DRF's format: 40 hex digits
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created datetime NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [plain_key, timezone.now() - timedelta(days=400), employee.pk],
        )
    migration = importlib.import_module("coe_portal.migrations.0012_move_plain_api_tokens")

    migration.forwards(apps, SimpleNamespace(connection=connection))

    token = ApiToken.objects.get(user=employee)
    assert token.name == "Token from before named tokens"
    assert token.created < timezone.now() - timedelta(days=399)
    assert timedelta(days=89) < token.expiry - timezone.now() <= timedelta(days=90)
    assert "authtoken_token" not in connection.introspection.table_names()
    assert api_status(plain_key) == 200


# The API's schema


def test_the_schema_describes_token_authentication(client, employee):
    client.force_login(employee)
    schema = client.get(reverse("api_schema"), {"format": "json"}).json()

    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "Authorization: Token <key>" in scheme["description"]
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert all({"apiToken": []} in op["security"] for op in operations)
