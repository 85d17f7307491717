"""No pinned page reads a large table without an index (PostgreSQL only).

Each page of test_query_counts is asked once; every SELECT it ran is explained again with
sequential scans disabled. With them off PostgreSQL still picks a Seq Scan when no index can
serve the query at all, so a Seq Scan on a large table in any plan means a filter, join or
ordering that no index backs: on 100,000 proposals that page would read the whole table.
The test tables are tiny, so without that setting every plan would be a Seq Scan.
"""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import skip_or_fail
from tests.performance.data import grow, make_world
from tests.performance.test_query_counts import CASES, _url

pytestmark = pytest.mark.django_db

# Tables that grow with the company and its history (issue 7: 100,000 proposals, 150,000
# reviews, 300,000 enrolments, 20,000 people, two years of daily snapshots).
LARGE_TABLES = frozenset(
    {
        "usecases_usecase",
        "usecases_usecaseevent",
        "usecases_comment",
        "usecases_endorsement",
        "usecases_follow",
        "usecases_attachment",
        "usecases_notification",
        "governance_review",
        "governance_riskassessment",
        "governance_triage",
        "governance_condition",
        "governance_registerentry",
        "governance_answer",
        "skilling_enrolment",
        "skilling_learningresource",
        "skilling_learnerprofile",
        "skilling_event",
        "skilling_eventregistration",
        "metrics_kpisnapshot",
        "coe_portal_user",
    }
)
_CURSOR = re.compile(r"^DECLARE .*? CURSOR .*?FOR ", re.DOTALL)


@pytest.fixture(autouse=True)
def _postgres_only():
    if not settings.IS_POSTGRES:
        skip_or_fail("query plans are PostgreSQL's: set DATABASE_URL=postgres://…")


def _seq_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in LARGE_TABLES:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += _seq_scans(child)
    return found


def _selects(captured) -> list[str]:
    statements = []
    for query in captured:
        sql = _CURSOR.sub("", query["sql"].strip())
        if sql.upper().startswith("SELECT"):
            statements.append(sql)
    return statements


@pytest.mark.parametrize(("who", "view"), CASES, ids=[f"{w}-{p}" for w, p in CASES])
def test_no_page_query_needs_a_sequential_scan_of_a_large_table(
    client, department, employee, people, who, view
):
    world = make_world(department, employee)
    grow(world, 8)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client.force_login(people[who])
    url = _url(view, world)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in _selects(context.captured_queries):
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            if tables := _seq_scans(plan[0]["Plan"]):
                problems.append(f"{sorted(set(tables))}: {sql[:400]}")
        cursor.execute("SET LOCAL enable_seqscan = on")
    assert not problems, f"{view} as {who} reads whole tables:\n" + "\n".join(problems)
