"""At many departments the dashboard's comparison and heatmap show the busiest few, say so,
and leave the whole list to their CSVs (issue 17: pages at most 100 KB)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from coe_portal.models import Department
from metrics.models import KpiSnapshot
from metrics.views import DEPARTMENTS_SHOWN
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

MANY = DEPARTMENTS_SHOWN + 5


@pytest.fixture
def departments():
    today = timezone.localdate()
    made = [DepartmentFactory(name=f"Dept {n:02d}", code=f"d{n:02d}") for n in range(MANY)]
    rows = [KpiSnapshot(date=today, kpi="stage_intake", scope=0, value=0)]
    for n, department in enumerate(made):  # Dept 00 has the fewest proposals
        rows.append(
            KpiSnapshot(
                date=today, kpi="stage_intake", department=department, scope=department.pk,
                value=n,
            )
        )  # fmt: skip
    KpiSnapshot.objects.bulk_create(rows)
    return made


def _rows(body: str, table_id: str) -> list[str]:
    section = body[body.index(f'id="{table_id}"') :]
    section = section[: section.index("</section>")]
    return [name for name in (f"Dept {n:02d}" for n in range(MANY)) if f">{name}<" in section]


def test_the_page_shows_the_busiest_departments_and_says_so(client, leader, departments):
    client.force_login(leader)
    body = client.get("/metrics/").content.decode()
    shown = _rows(body, "chart-comparison")
    assert len(shown) == DEPARTMENTS_SHOWN
    assert "Dept 00" not in shown and f"Dept {MANY - 1:02d}" in shown
    assert len(_rows(body, "chart-heatmap")) == DEPARTMENTS_SHOWN
    every = Department.objects.count()
    assert f"The {DEPARTMENTS_SHOWN} departments with the most proposals, of {every}" in body


def test_the_department_filtered_to_is_always_shown(client, leader, departments):
    client.force_login(leader)
    body = client.get("/metrics/", {"department": "d00"}).content.decode()
    assert "Dept 00" in _rows(body, "chart-comparison")


def test_the_csv_has_every_department(client, leader, departments):
    client.force_login(leader)
    response = client.get(reverse("metrics:dashboard_csv", args=["comparison"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 + Department.objects.count()
