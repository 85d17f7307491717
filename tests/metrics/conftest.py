from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coe_portal.roles import Role
from metrics import snapshots
from metrics.models import Report
from tests.factories import ReadinessAssessmentFactory, UserFactory


@pytest.fixture
def other_champion(other_department):
    """A champion, but of Marketing: the pages of Finance are not theirs."""
    return UserFactory(username="cleo", department=other_department, roles=[Role.CHAMPION])


@pytest.fixture
def metrics_data(department, other_department):
    """Today's snapshots, a submitted Finance assessment and a ready report."""
    snapshots.take_snapshots(timezone.localdate())
    assessment = ReadinessAssessmentFactory(department=department, year=2026, quarter=1)
    report = Report.objects.create(
        kind="adoption",
        period_start=dt.date(2026, 5, 1),
        period_end=dt.date(2026, 5, 31),
        status="ready",
        data={"kpis": [], "departments": [], "changes": {"previous_report": None, "items": []}},
    )
    return {"assessment": assessment, "report": report}
