"""Metrics tasks through Redis and a real Celery worker, on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from coe_portal.roles import Role
from metrics import reports
from metrics.models import KpiSnapshot, Report
from metrics.tasks import take_kpi_snapshots
from tests.factories import DepartmentFactory, UseCaseFactory, UserFactory
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_generate_now_is_run_by_the_worker_and_regenerating_replaces_it(celery_worker):
    dept = DepartmentFactory(code="metrics-int")
    UseCaseFactory(owner__department=dept, department=dept, status="submitted")
    UserFactory(username="int-leader", department=dept, roles=[Role.LEADERSHIP])  # its reader
    staff = UserFactory(username="int-admin", department=dept, roles=[Role.COE_ADMIN])
    start = timezone.localdate().replace(day=1)

    report = reports.request_report("adoption", start, actor=staff)  # queued on commit

    ready = wait_until(
        lambda: Report.objects.filter(pk=report.pk, status="ready").first(), timeout=60
    )
    assert ready.attempts == 1
    assert ready.progress == 100
    assert any(row["kpi"] == "stage_intake" and row["value"] == 1 for row in ready.data["kpis"])

    again = reports.request_report("adoption", start, actor=staff)
    wait_until(lambda: Report.objects.filter(pk=again.pk, status="ready", attempts=2).exists())
    assert again.pk == report.pk
    assert Report.objects.filter(kind="adoption", period_start=start).count() == 1
    assert not mail.outbox  # sent by the worker process, not this one


def test_snapshot_task_through_the_worker_is_an_upsert(celery_worker):
    DepartmentFactory(code="metrics-int-2")
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    take_kpi_snapshots.delay(day)
    first = wait_until(lambda: KpiSnapshot.objects.filter(date=day).count())
    take_kpi_snapshots.delay(day)
    take_kpi_snapshots.delay(day)
    # The worker runs one task at a time (solo pool): a fourth one finishing means the
    # two before it have finished too.
    marker = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    take_kpi_snapshots.delay(marker)
    wait_until(lambda: KpiSnapshot.objects.filter(date=marker).exists())

    assert KpiSnapshot.objects.filter(date=day).count() == first
