from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from metrics import kpis, snapshots
from metrics.models import KpiSnapshot
from metrics.tasks import take_kpi_snapshots
from tests.factories import DepartmentFactory, UseCaseFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 30)


def _rows():
    return sorted(KpiSnapshot.objects.values_list("date", "kpi", "scope", "value"))


def test_taking_snapshots_twice_stores_the_same_rows(department, other_department):
    UseCaseFactory(owner__department=department, department=department, status="submitted")

    first = snapshots.take_snapshots(DAY)
    rows = _rows()
    second = snapshots.take_snapshots(DAY)

    assert first == second == len(kpis.REGISTRY) * 3  # organisation + two departments
    assert _rows() == rows


def test_a_second_run_replaces_values_that_changed(department):
    snapshots.take_snapshots(DAY)
    KpiSnapshot.objects.filter(kpi="stage_intake").update(value=99)

    snapshots.take_snapshots(DAY)

    assert set(KpiSnapshot.objects.filter(kpi="stage_intake").values_list("value", flat=True)) == {
        0
    }


def test_the_daily_task_is_an_upsert_too(department):
    take_kpi_snapshots.delay(DAY.isoformat())
    take_kpi_snapshots.delay(DAY.isoformat())

    assert KpiSnapshot.objects.filter(date=DAY).count() == len(kpis.REGISTRY) * 2


def test_organisation_row_is_unique_per_date_and_kpi():
    KpiSnapshot.objects.create(date=DAY, kpi="stage_intake", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiSnapshot.objects.create(date=DAY, kpi="stage_intake", value=2)


def test_backfill_command_covers_every_day_and_can_run_again(department):
    out = StringIO()
    call_command("backfill_kpis", "--start", "2026-06-01", "--end", "2026-06-10", stdout=out)
    call_command("backfill_kpis", "--start", "2026-06-01", "--end", "2026-06-10", stdout=out)

    dates = set(KpiSnapshot.objects.values_list("date", flat=True))
    assert len(dates) == 10
    assert KpiSnapshot.objects.count() == 10 * len(kpis.REGISTRY) * 2
    assert "Stored" in out.getvalue()


def test_backfill_counts_a_proposal_only_from_the_day_it_reached_its_stage(department):
    from django.utils import timezone

    from usecases.models import UseCase, UseCaseEvent

    uc = UseCaseFactory(owner__department=department, department=department, status="submitted")
    when = timezone.make_aware(dt.datetime(2026, 6, 5, 9, 0))
    UseCase.objects.filter(pk=uc.pk).update(
        created_at=when, submitted_at=when, status_changed_at=when
    )
    UseCaseEvent.objects.create(
        use_case=uc, kind="transition", to_status="submitted", created_at=when
    )

    snapshots.backfill(dt.date(2026, 6, 3), dt.date(2026, 6, 7))

    series = dict(
        KpiSnapshot.objects.filter(kpi="stage_intake", scope=0).values_list("date", "value")
    )
    assert [series[dt.date(2026, 6, d)] for d in range(3, 8)] == [0, 0, 1, 1, 1]


def test_month_ends_are_twelve_and_end_with_the_latest_day():
    dates = snapshots.month_ends(dt.date(2026, 3, 14))

    assert len(dates) == 12
    assert dates[-1] == dt.date(2026, 3, 14)
    assert dates[-2] == dt.date(2026, 2, 28)
    assert dates[0] == dt.date(2025, 4, 30)


def test_unknown_departments_are_not_invented():
    DepartmentFactory(code="solo")
    snapshots.take_snapshots(DAY)
    assert KpiSnapshot.objects.filter(date=DAY).count() == len(kpis.REGISTRY) * 2
