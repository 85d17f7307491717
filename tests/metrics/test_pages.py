"""The metrics pages: what they show, their links, htmx partials and bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import readiness, snapshots
from metrics.models import KpiSnapshot, ReadinessAssessment, Report
from tests.factories import (
    DepartmentFactory,
    ReadinessAssessmentFactory,
    UseCaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _grow(departments: int, proposals: int, days: int) -> None:
    """More of everything, to show the query count does not depend on it."""
    for _i in range(departments):
        dept = DepartmentFactory()
        ReadinessAssessmentFactory(department=dept, year=2026, quarter=1)
        for j in range(proposals):
            UseCaseFactory(owner__department=dept, department=dept,
                           status=["submitted", "in_review", "in_pilot"][j % 3])  # fmt: skip
    today = timezone.localdate()
    for d in range(days):
        snapshots.take_snapshots(today - dt.timedelta(days=d))


@pytest.mark.parametrize("size", [(0, 0, 1), (4, 6, 40)])
def test_leadership_dashboard_queries_do_not_grow_with_data(
    client, leader, department, size, django_assert_max_num_queries
):
    _grow(*size)
    client.force_login(leader)
    # 13 with the session read (database sessions, so a logout is final).
    with django_assert_max_num_queries(13):
        response = client.get("/metrics/?department=finance&period=quarter")
    assert response.status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get("/metrics/").status_code == 200


@pytest.mark.parametrize("size", [(0, 0, 1), (4, 6, 40)])
def test_department_dashboard_queries_do_not_grow_with_data(
    client, champion, department, size, django_assert_max_num_queries
):
    _grow(*size)
    client.force_login(champion)
    with django_assert_max_num_queries(12):
        assert client.get("/metrics/departments/finance/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/metrics/readiness/finance/").status_code == 200


def test_tiles_link_to_the_proposals_behind_them(client, leader, department, metrics_data):
    client.force_login(leader)

    text = client.get("/metrics/?department=finance").content.decode()

    assert f'href="/proposals/?status=in_pilot&amp;department={department.pk}"' in text
    assert "/proposals/?status=in_production" in text
    assert 'href="/metrics/readiness/finance/"' in text  # the readiness tile


def test_governance_and_learning_tiles_lead_to_their_lists(
    client, coe_admin, department, metrics_data
):
    client.force_login(coe_admin)

    text = client.get("/metrics/?department=finance").content.decode()

    queue = reverse("governance:queue") + f"?overdue=1&department={department.pk}"
    register = reverse("governance:register") + f"?department={department.pk}"
    coverage = reverse("skilling:coverage") + "?department=finance"
    assert f'href="{queue.replace("&", "&amp;")}" data-kpi="reviews_breaching_sla"' in text
    assert f'href="{register}" data-kpi="open_conditions"' in text
    for slug in ["staff_trained_share", "path_completion", "active_learners"]:
        assert f'href="{coverage}" data-kpi="{slug}"' in text
    for url in [queue, register, coverage]:
        assert client.get(url).status_code == 200


def test_leadership_sees_reviews_past_sla_as_a_figure_not_a_link_to_a_refusal(
    client, leader, department, metrics_data
):
    client.force_login(leader)

    text = client.get("/metrics/?department=finance").content.decode()

    assert '<div class="tile kpi-tile static" data-kpi="reviews_breaching_sla"' in text
    assert reverse("governance:queue") not in text
    assert f'href="{reverse("governance:register")}?department={department.pk}"' in text


def test_readiness_page_shows_the_measured_signals_beside_the_assessment(
    client, champion, metrics_data
):
    client.force_login(champion)

    text = client.get("/metrics/readiness/finance/").content.decode()

    for label in ["Staff who completed a path", "Adoption roles covered", "Reviews on time",
                  "Open conditions", "In pilot", "In production"]:  # fmt: skip
        assert f"<span>{label}</span>" in text


def test_filters_through_htmx_return_only_the_dashboard_body(client, leader, metrics_data):
    client.force_login(leader)

    response = client.get("/metrics/?department=finance", headers={"HX-Request": "true"})
    text = response.content.decode()

    assert text.lstrip().startswith('<div id="dashboard-body">')
    assert "<html" not in text
    assert "for <strong>Finance</strong>" in text


def test_going_back_to_a_filtered_dashboard_gets_the_whole_page(client, leader, metrics_data):
    """htmx asks for the page again on "back" (no history cache): a history restore must
    get the whole page, not the body, or the browser shows a page without its layout."""
    client.force_login(leader)

    response = client.get(
        "/metrics/?department=finance",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_full_page_keeps_the_filters_in_the_url(client, leader, metrics_data):
    client.force_login(leader)

    text = client.get("/metrics/?department=finance&period=year").content.decode()

    assert 'hx-push-url="true"' in text
    assert '<option value="finance" selected>' in text
    assert "/metrics/charts/funnel.csv?period=year&amp;department=finance" in text


def test_every_chart_has_its_data_and_a_table(client, leader, metrics_data):
    client.force_login(leader)

    text = client.get("/metrics/").content.decode()

    for chart in ["funnel", "trends", "value", "comparison", "scatter"]:
        assert f'data-source="chart-{chart}-data"' in text
        assert f'id="chart-{chart}-data" type="application/json"' in text
    assert 'class="table heatmap"' in text
    assert "vendor/chartjs/chart.umd.min.js" in text
    # Long tables (a row per department) scroll in their card: keyboard users reach them.
    assert text.count('tabindex="0" role="region" aria-label="') == 5  # the charts' tables
    assert 'heatmap-wrap" tabindex="0" role="region" aria-labelledby="heatmap-title"' in text


def test_value_feasibility_chart_shows_only_what_the_viewer_may_see(client, leader, department):
    UseCaseFactory(title="Someone's secret draft", status="draft", owner__department=department)
    UseCaseFactory(title="A submitted idea", status="submitted", owner__department=department,
                   value_score=80, feasibility_score=60)  # fmt: skip
    snapshots.take_snapshots(timezone.localdate())
    client.force_login(leader)

    text = client.get("/metrics/").content.decode()

    assert "A submitted idea" in text
    assert "secret draft" not in text


def test_chart_csv_has_the_table_figures(client, leader, metrics_data):
    client.force_login(leader)

    response = client.get("/metrics/charts/funnel.csv")

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "Stage,Proposals"
    assert lines[1] == "Submitted / in triage,0"


def test_unknown_chart_is_404(client, leader, metrics_data):
    client.force_login(leader)
    assert client.get("/metrics/charts/nope.csv").status_code == 404


def test_dashboard_without_snapshots_says_what_to_do(client, leader):
    client.force_login(leader)
    assert b"No figures yet" in client.get("/metrics/").content
    assert KpiSnapshot.objects.count() == 0


def test_champion_saves_a_draft_and_then_submits_through_the_form(client, champion, department):
    client.force_login(champion)
    form = {f"{code}__score": "3" for code in readiness.QUESTIONS}

    response = client.post("/metrics/readiness/finance/assess/",
                           {"strategy_goals__score": "4", "save": "1"})  # fmt: skip
    assert response.status_code == 302
    assert ReadinessAssessment.objects.get().status == "draft"

    incomplete = client.post("/metrics/readiness/finance/assess/",
                             {"strategy_goals__score": "4", "submit": "1"})  # fmt: skip
    assert incomplete.status_code == 200
    assert b"Score every question" in incomplete.content

    done = client.post("/metrics/readiness/finance/assess/", {**form, "submit": "1"})
    assessment = ReadinessAssessment.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/metrics/assessments/{assessment.pk}/"
    assert assessment.status == "submitted"
    assert assessment.overall == 3


def test_a_submitted_quarter_sends_the_champion_to_the_history(client, champion, department):
    year, quarter = readiness.current_quarter()
    done = ReadinessAssessmentFactory(department=department, year=year, quarter=quarter)
    client.force_login(champion)

    response = client.get("/metrics/readiness/finance/assess/")

    assert response.status_code == 302
    assert response["Location"] == done.get_absolute_url()


def test_generate_now_queues_the_report_and_the_page_polls_until_ready(
    client, leader, coe_admin, department, django_capture_on_commit_callbacks
):
    client.force_login(coe_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/metrics/reports/", {"report": "adoption:2026-05-01"})
    report = Report.objects.get()
    assert response["Location"] == report.get_absolute_url()
    assert report.status == "pending"

    page = client.get(report.get_absolute_url()).content.decode()
    assert f'hx-get="/metrics/reports/{report.pk}/status/"' in page
    assert 'hx-trigger="every 1s"' in page

    for callback in callbacks:  # the commit happens: the (inline) task runs
        callback()
    status = client.get(f"/metrics/reports/{report.pk}/status/", headers={"HX-Request": "true"})
    assert status["HX-Redirect"] == report.get_absolute_url()
    ready = client.get(report.get_absolute_url()).content.decode()
    assert "What changed since the last report" in ready
    assert "Download HTML" in ready


def test_report_downloads_are_attachments(client, leader, metrics_data):
    client.force_login(leader)
    report = metrics_data["report"]

    html = client.get(f"/metrics/reports/{report.pk}/download.html")
    csv = client.get(f"/metrics/reports/{report.pk}/download.csv")

    assert html["Content-Disposition"] == 'attachment; filename="coe-adoption-report-2026-05.html"'
    assert b"Adoption (monthly) report" in html.content
    assert csv["Content-Disposition"] == 'attachment; filename="coe-adoption-report-2026-05.csv"'


def test_nav_shows_dashboards_to_leadership_and_my_department_to_champions(
    client, leader, champion, employee
):
    client.force_login(leader)
    text = client.get("/").content.decode()
    assert ">Dashboards</a>" in text and ">Reports</a>" in text

    client.force_login(champion)
    text = client.get("/").content.decode()
    assert ">My department</a>" in text and ">Dashboards</a>" not in text
    assert "Readiness assessment" in text

    client.force_login(employee)
    text = client.get("/").content.decode()
    assert "Dashboards" not in text and "My department" not in text


def test_user_without_department_is_told_why(client):
    client.force_login(UserFactory(department=None))
    assert client.get("/metrics/readiness/").status_code == 403


def test_leadership_home_links_the_latest_report(client, leader, metrics_data):
    client.force_login(leader)

    text = client.get("/").content.decode()

    assert "Latest report: adoption (monthly), May 2026" in text
    assert f'href="/metrics/reports/{metrics_data["report"].pk}/"' in text
