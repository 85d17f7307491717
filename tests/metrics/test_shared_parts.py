"""The dashboards' shared parts (coe_portal.pagecache): rendered once for everyone with the
same roles and filters, fresh after every snapshot, submitted assessment or proposal change,
and never shown to someone whose roles make the dashboard differ."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coe_portal.roles import Role
from metrics import readiness, snapshots
from tests.factories import UseCaseFactory, UserFactory
from usecases.lifecycle import change_status

pytestmark = pytest.mark.django_db


def _get(client, user, url: str, **headers) -> tuple[str, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), len(queries)


def _body(page: str) -> str:
    return page.split('id="dashboard-body"')[1]


def _answers(score: int) -> dict:
    return {code: {"score": score, "evidence": "x"} for code in readiness.QUESTIONS}


@pytest.fixture
def second_leader(other_department):
    return UserFactory(username="lina", department=other_department, roles=[Role.LEADERSHIP])


def test_a_second_leader_gets_the_dashboard_without_its_queries(
    client, leader, second_leader, metrics_data
):
    first, first_queries = _get(client, leader, "/metrics/")
    second, second_queries = _get(client, second_leader, "/metrics/")

    assert _body(second) == _body(first)
    assert second_queries < first_queries
    # The session's person and their roles: no snapshot, department or proposal query.
    assert second_queries <= 3


def test_another_role_reuses_the_department_tables(client, leader, reviewer, metrics_data):
    """The comparison and the heatmap (a row per department) are the same for every role:
    a reviewer, whose tiles differ from leadership's, still does not work them out again."""

    def snapshot_and_readiness_queries(person) -> tuple[int, int]:
        client.force_login(person)
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/metrics/").content.decode()
        assert 'class="table heatmap"' in page and 'id="chart-comparison"' in page
        sqls = [q["sql"] for q in queries]
        return (
            sum("metrics_kpisnapshot" in sql for sql in sqls),
            sum("metrics_readinessassessment" in sql for sql in sqls),
        )

    leader_snapshots, leader_readiness = snapshot_and_readiness_queries(leader)
    reviewer_snapshots, reviewer_readiness = snapshot_and_readiness_queries(reviewer)

    assert leader_readiness > 0 and reviewer_readiness == 0
    assert reviewer_snapshots == leader_snapshots - 1  # not the comparison's


def test_the_htmx_body_and_the_page_share_their_parts(client, leader, second_leader, metrics_data):
    page, _ = _get(client, leader, "/metrics/?period=quarter")
    fragment, queries = _get(
        client, second_leader, "/metrics/?period=quarter", HTTP_HX_REQUEST="true"
    )

    assert fragment.strip().startswith('<div id="dashboard-body">')
    assert _body(fragment) in page
    assert queries <= 3


def test_each_filter_is_its_own_part(client, leader, department, other_department, metrics_data):
    everything, _ = _get(client, leader, "/metrics/")
    finance, _ = _get(client, leader, "/metrics/?department=finance")
    marketing, _ = _get(client, leader, "/metrics/?department=marketing")

    assert "<title>Adoption dashboard" in everything
    assert "<title>Finance dashboard" in finance
    assert " for <strong>Finance</strong>" in _body(finance)
    assert " for <strong>Marketing</strong>" in _body(marketing)
    assert '<option value="marketing" selected>' in marketing


def test_a_new_snapshot_shows_at_once(client, leader, metrics_data):
    today = timezone.localdate()
    before, _ = _get(client, leader, "/metrics/")
    assert f"Figures as of {today:%-d %B %Y}" in before

    tomorrow = today + dt.timedelta(days=1)
    snapshots.take_snapshots(tomorrow)

    after, _ = _get(client, leader, "/metrics/")
    assert f"Figures as of {tomorrow:%-d %B %Y}" in after


def test_a_submitted_assessment_shows_on_the_heatmap_at_once(
    client, leader, other_department, metrics_data
):
    champion = UserFactory(department=other_department, roles=[Role.CHAMPION])
    year, quarter = readiness.current_quarter()

    def marketing_row(page: str) -> str:
        return page.split('href="/metrics/readiness/marketing/">Marketing</a>')[1].split("</tr>")[0]

    before, _ = _get(client, leader, "/metrics/")
    assert f"{year} Q{quarter}" not in marketing_row(before)

    readiness.save_assessment(other_department, _answers(2), actor=champion)  # a draft
    draft, _ = _get(client, leader, "/metrics/")
    assert f"{year} Q{quarter}" not in marketing_row(draft)

    readiness.save_assessment(other_department, _answers(2), actor=champion, submit=True)
    submitted, _ = _get(client, leader, "/metrics/")
    assert f"{year} Q{quarter}" in marketing_row(submitted)
    assert "<strong>2.0</strong>" in marketing_row(submitted)


def test_the_department_radar_follows_a_submitted_assessment(
    client, champion, department, metrics_data
):
    url = f"/metrics/departments/{department.code}/"
    before, _ = _get(client, champion, url)
    year, quarter = readiness.current_quarter()
    assert f"Finance {year} Q{quarter}" not in before

    readiness.save_assessment(department, _answers(4), actor=champion, submit=True)

    after, _ = _get(client, champion, url)
    assert f"Finance {year} Q{quarter}" in after


def test_the_scatter_follows_proposal_changes(client, leader, department, metrics_data):
    before, _ = _get(client, leader, "/metrics/")
    idea = UseCaseFactory(
        title="Draft tender answers",
        status="draft",
        owner__department=department,
        value_score=99,
        feasibility_score=70,
    )
    assert "Draft tender answers" not in before

    change_status(idea.pk, "submitted", actor=idea.owner)

    after, _ = _get(client, leader, "/metrics/")
    assert "Draft tender answers" in after


@pytest.mark.parametrize("first", ["leader", "champion"])
def test_tiles_link_only_where_the_viewer_may_go(
    client, first, leader, champion, department, metrics_data
):
    """Leadership and a department's champion see the department's dashboard with the
    same figures but different links: the register is for leadership, the review queue for
    champions. Whoever comes first, the other must not get their links."""
    url = f"/metrics/departments/{department.code}/"
    queue = reverse("governance:queue")
    register = reverse("governance:register")
    people = {"leader": leader, "champion": champion}
    pages = {}
    for name in [first, *(n for n in people if n != first)]:
        pages[name], _ = _get(client, people[name], url)

    assert f'href="{register}?department={department.pk}"' in pages["leader"]
    assert f'href="{queue}' not in pages["leader"]
    assert f'href="{queue}?overdue=1&amp;department={department.pk}"' in pages["champion"]
    assert f'href="{register}' not in pages["champion"]


def test_a_cached_dashboard_is_still_refused_to_those_who_may_not_see_it(
    client, leader, champion, employee, other_department, metrics_data
):
    _get(client, leader, "/metrics/")
    _get(client, leader, f"/metrics/departments/{other_department.code}/")

    for person in (champion, employee):
        client.force_login(person)
        assert client.get("/metrics/").status_code == 403
    # Finance's champion may not see Marketing's dashboard, cached or not.
    client.force_login(champion)
    assert client.get(f"/metrics/departments/{other_department.code}/").status_code == 403
