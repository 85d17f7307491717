"""Who may open each metrics page and API endpoint: every role, every view."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "employee", "other_champion", "champion", "reviewer", "coe_admin", "leader"]
STAFF = {"reviewer": 200, "coe_admin": 200, "leader": 200}
ANON_PAGE = {"anonymous": 302}  # to the login page
ANON_API = {"anonymous": 401}

# page (with {assessment} / {report} filled in), then the status each role gets.
PAGES = [
    ("/metrics/", {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/metrics/?department=finance&period=year",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/metrics/charts/funnel.csv",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/metrics/charts/heatmap.csv",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/metrics/charts/trends.csv?department=finance&scope=department",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 200, **STAFF}),
    ("/metrics/charts/radar.csv?department=finance",
     {**ANON_PAGE, "employee": 200, "other_champion": 403, "champion": 200, **STAFF}),
    ("/metrics/departments/finance/",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 200, **STAFF}),
    ("/metrics/readiness/",
     {**ANON_PAGE, "employee": 302, "other_champion": 302, "champion": 302, **STAFF}),
    ("/metrics/readiness/finance/",
     {**ANON_PAGE, "employee": 200, "other_champion": 403, "champion": 200, **STAFF}),
    ("/metrics/readiness/finance/assess/",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 200,
      "reviewer": 403, "coe_admin": 403, "leader": 403}),
    ("/metrics/assessments/{assessment}/",
     {**ANON_PAGE, "employee": 200, "other_champion": 404, "champion": 200, **STAFF}),
    ("/metrics/reports/",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/metrics/reports/{report}/",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/metrics/reports/{report}/status/",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/metrics/reports/{report}/download.csv",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/metrics/reports/{report}/download.html",
     {**ANON_PAGE, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/api/v1/kpi-snapshots/",
     {**ANON_API, "employee": 403, "other_champion": 200, "champion": 200, **STAFF}),
    ("/api/v1/readiness-assessments/",
     {**ANON_API, "employee": 200, "other_champion": 200, "champion": 200, **STAFF}),
    ("/api/v1/readiness-assessments/{assessment}/",
     {**ANON_API, "employee": 200, "other_champion": 404, "champion": 200, **STAFF}),
    ("/api/v1/reports/",
     {**ANON_API, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
    ("/api/v1/reports/{report}/",
     {**ANON_API, "employee": 403, "other_champion": 403, "champion": 403, **STAFF}),
]  # fmt: skip
CASES = [(url, role, expected[role]) for url, expected in PAGES for role in ROLES]


@pytest.mark.parametrize(("url", "role", "status"), CASES)
def test_each_role_gets_the_expected_answer(client, request, metrics_data, url, role, status):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = url.format(assessment=metrics_data["assessment"].pk, report=metrics_data["report"].pk)

    response = client.get(url)

    assert response.status_code == status, response.content[:300]


def test_champion_sees_only_their_department_and_organisation_snapshots(
    client, champion, metrics_data, department, other_department
):
    client.force_login(champion)

    rows = client.get("/api/v1/kpi-snapshots/?page_size=1000").json()["results"]
    more = client.get("/api/v1/kpi-snapshots/?department=marketing").json()["results"]

    assert {row["department"] for row in rows} <= {None, "finance"}
    assert more == []


def test_snapshot_series_filters_by_kpi_department_and_dates(client, leader, metrics_data):
    client.force_login(leader)

    org = client.get("/api/v1/kpi-snapshots/?kpi=approval_rate&department=organisation").json()
    finance = client.get("/api/v1/kpi-snapshots/?kpi=stage_intake&department=finance").json()
    none = client.get("/api/v1/kpi-snapshots/?date_before=2000-01-01").json()

    assert [(r["kpi"], r["department"]) for r in org["results"]] == [("approval_rate", None)]
    assert [(r["kpi"], r["department"]) for r in finance["results"]] == [
        ("stage_intake", "finance")
    ]
    assert none["count"] == 0


def test_employee_sees_only_submitted_assessments_of_their_department(
    client, employee, champion, department, metrics_data
):
    from metrics import readiness

    readiness.save_assessment(department, {"data_quality": {"score": 2}}, actor=champion)
    client.force_login(employee)

    rows = client.get("/api/v1/readiness-assessments/").json()["results"]

    assert [row["status"] for row in rows] == ["submitted"]


def test_champion_sees_their_departments_draft(client, champion, department, metrics_data):
    from metrics import readiness

    readiness.save_assessment(department, {"data_quality": {"score": 2}}, actor=champion)
    client.force_login(champion)

    rows = client.get("/api/v1/readiness-assessments/").json()["results"]

    assert sorted(row["status"] for row in rows) == ["draft", "submitted"]
