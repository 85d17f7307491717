"""Every pinned page costs the same number of queries with 5 rows as with 40, and at most
MAX_QUERIES. A loop that queries per row (an N+1) fails here before it reaches production;
so does a page whose count creeps past the budget.

Each case builds 5 rows of everything, asks the page (once to warm per-process caches, then
counted), grows the data to 40 and asks again: the two counts must be equal.
"""

from __future__ import annotations

import pytest

from tests.performance.data import grow, make_world

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15
SMALL, LARGE = 5, 40


def _url(view, world):
    dept = world.department.pk
    return {
        "home": "/",
        "explore": "/proposals/",
        "explore_filtered": f"/proposals/?department={dept}&status=submitted&status=in_review"
        "&q=contracts",
        "explore_sorted": "/proposals/?sort=endorsed",
        "proposal": f"/proposals/{world.featured.pk}/",
        "similar": "/proposals/similar/?title=Summarise+supplier+contracts&problem=renewal",
        "my_proposals": "/proposals/mine/",
        "notifications": "/proposals/notifications/",
        "queue": "/governance/queue/",
        "register": "/governance/register/",
        "governance_case": f"/governance/proposals/{world.featured.pk}/",
        "catalog": "/learning/?q=Resource",
        "my_learning": "/learning/my/",
        "events": "/learning/events/",
        "coverage": "/learning/coverage/",
        "dashboard": "/metrics/",
        "department_dashboard": f"/metrics/departments/{world.department.code}/",
        "api_use_cases": "/api/v1/use-cases/",
        "api_queue": "/api/v1/governance/queue/",
        "api_register": "/api/v1/governance/register/",
    }[view]


# (who asks, page)
CASES = [
    ("employee", "home"),
    ("champion", "home"),
    ("reviewer", "home"),
    ("coe_admin", "home"),
    ("leader", "home"),
    ("employee", "explore"),
    ("employee", "explore_filtered"),
    ("employee", "explore_sorted"),
    ("reviewer", "explore"),
    ("employee", "proposal"),
    ("reviewer", "proposal"),
    ("reviewer", "governance_case"),
    ("employee", "similar"),
    ("employee", "my_proposals"),
    ("employee", "notifications"),
    ("reviewer", "queue"),
    ("champion", "queue"),
    ("leader", "register"),
    ("employee", "catalog"),
    ("employee", "my_learning"),
    ("employee", "events"),
    ("leader", "coverage"),
    ("champion", "coverage"),
    ("leader", "dashboard"),
    ("champion", "department_dashboard"),
    ("employee", "api_use_cases"),
    ("reviewer", "api_queue"),
    ("leader", "api_register"),
]


def _count(client, url, assert_max_queries) -> int:
    client.get(url)  # warm: sessions, per-process caches
    with assert_max_queries(MAX_QUERIES) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)


@pytest.mark.parametrize(("who", "view"), CASES, ids=[f"{w}-{p}" for w, p in CASES])
def test_page_queries_are_few_and_do_not_grow_with_rows(
    client, department, employee, people, who, view, django_assert_max_num_queries
):
    world = make_world(department, employee)
    url = _url(view, world)
    client.force_login(people[who])
    grow(world, SMALL)
    small = _count(client, url, django_assert_max_num_queries)
    grow(world, LARGE - SMALL)
    large = _count(client, url, django_assert_max_num_queries)
    assert small == large, (
        f"{view} as {who}: {small} queries with {SMALL} rows, {large} with {LARGE}"
    )
