from __future__ import annotations

import pytest
from django.urls import reverse

from coe_portal.models import PortalSettings

pytestmark = pytest.mark.django_db

HOME_SECTIONS = {
    "employee": [],
    "champion": ["For department champions"],
    "reviewer": ["For CoE reviewers"],
    "leader": ["For leadership"],
    "coe_admin": ["For CoE admins", "For CoE reviewers"],
}
ALL_SECTIONS = {s for sections in HOME_SECTIONS.values() for s in sections}


@pytest.mark.parametrize("fixture", HOME_SECTIONS)
def test_home_shows_the_sections_of_each_role(
    client, request, fixture, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(fixture))
    # 8: the session (read from the database, so a logout is final), and the queue tile of
    # staff and champions fetches the ids of open re-reviews (or of reviews routed to
    # champions) before counting, so the count can use an index.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("home"))
    text = response.content.decode()
    assert "Start here" in text
    for section in ALL_SECTIONS:
        assert (section in text) is (section in HOME_SECTIONS[fixture]), section


def test_how_it_works_is_seeded_by_the_migration(client, employee):
    client.force_login(employee)
    response = client.get(reverse("how_it_works"))
    assert b"From proposal to decision" in response.content


def test_how_it_works_strips_scripts_and_handlers(client, coe_admin, employee):
    client.force_login(coe_admin)
    payload = (
        '## Hi\n\n<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    )
    response = client.post(reverse("how_it_works_edit"), {"how_it_works": payload})
    assert response.status_code == 302

    client.force_login(employee)
    text = client.get(reverse("how_it_works")).content.decode()
    assert "<h2>Hi</h2>" in text
    assert "<script>alert" not in text
    assert "onerror" not in text
    assert "javascript:" not in text


def test_saving_an_empty_page_is_refused_and_keeps_the_old_text(client, coe_admin):
    before = PortalSettings.load().how_it_works
    client.force_login(coe_admin)
    response = client.post(reverse("how_it_works_edit"), {"how_it_works": "   "})
    assert response.status_code == 200
    assert b"Write at least a few lines" in response.content
    assert PortalSettings.load().how_it_works == before


def test_saving_records_who_and_when(client, coe_admin):
    client.force_login(coe_admin)
    client.post(reverse("how_it_works_edit"), {"how_it_works": "## New charter"})
    page = PortalSettings.load()
    assert page.how_it_works == "## New charter"
    assert page.how_it_works_updated_by == coe_admin
    assert page.how_it_works_updated_at is not None


def test_preview_renders_markdown(client, coe_admin):
    client.force_login(coe_admin)
    response = client.post(reverse("markdown_preview"), {"how_it_works": "**bold**"})
    assert response.content == b"<p><strong>bold</strong></p>"


def test_healthz_is_open_and_reports_the_database(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz", secure=True)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_answers_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz", secure=True)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert "ConnectionError" in body["checks"]["redis"]


def test_settings_row_is_single():
    PortalSettings(review_sla_days=5).save()
    PortalSettings(review_sla_days=7).save()
    assert PortalSettings.objects.count() == 1
    assert PortalSettings.load().review_sla_days == 7


def test_api_docs_need_login(client, employee):
    assert client.get(reverse("api_schema")).status_code == 401
    client.force_login(employee)
    assert client.get(reverse("api_schema")).status_code == 200
