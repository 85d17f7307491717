from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from metrics import reports
from metrics.models import Report
from metrics.tasks import generate_report_task, generate_scheduled_report
from tests.factories import UseCaseFactory
from usecases.models import UseCase

pytestmark = pytest.mark.django_db

MAY = dt.date(2026, 5, 1)


@pytest.mark.parametrize(
    ("kind", "today", "start", "end"),
    [
        ("adoption", dt.date(2026, 6, 1), dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
        ("adoption", dt.date(2026, 1, 15), dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        ("readiness", dt.date(2026, 7, 1), dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        ("readiness", dt.date(2026, 2, 10), dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    ],
)
def test_the_scheduled_period_is_the_last_complete_one(kind, today, start, end):
    assert reports.period_for(kind, today) == (start, end)


def test_requesting_a_report_generates_it_after_commit(
    leader, coe_admin, department, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.request_report("adoption", MAY, actor=coe_admin)

    report.refresh_from_db()
    assert report.status == "ready"
    assert report.progress == 100
    assert report.period_end == dt.date(2026, 5, 31)
    assert [row["kpi"] for row in report.data["kpis"]][:1] == ["stage_intake"]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [leader.email]
    assert report.get_absolute_url() in mailoutbox[0].body


def test_regenerating_replaces_the_report_instead_of_adding_one(
    leader, coe_admin, department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = reports.request_report("adoption", MAY, actor=coe_admin)
    UseCaseFactory(owner__department=department, department=department, status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        again = reports.request_report("adoption", dt.date(2026, 5, 17), actor=coe_admin)

    assert again.pk == first.pk
    assert Report.objects.count() == 1
    again.refresh_from_db()
    assert again.status == "ready"
    assert again.attempts == 2


def test_a_second_run_of_the_same_task_does_nothing(
    leader, coe_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.request_report("readiness", MAY, actor=coe_admin)

    assert reports.generate_report(report.pk) is None
    report.refresh_from_db()
    assert report.attempts == 1


def test_a_run_whose_worker_died_is_taken_over_by_the_redelivered_task(settings):
    from django.utils import timezone

    settings.REPORT_STALE_AFTER_SECONDS = 60
    report = Report.objects.create(
        kind="adoption", period_start=MAY, period_end=dt.date(2026, 5, 31), status="running",
        attempts=1, started_at=timezone.now() - dt.timedelta(seconds=30),
    )  # fmt: skip
    # Still within the time limit: perhaps alive, so left alone.
    assert reports.generate_report(report.pk, notify=False) is None
    Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - dt.timedelta(seconds=61))
    assert reports.generate_report(report.pk, notify=False).status == "ready"
    report.refresh_from_db()
    assert report.attempts == 2


def test_a_failure_is_recorded_and_the_next_request_retries_it(
    leader, coe_admin, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(report, progress):
        raise ValueError("no figures for this month")

    monkeypatch.setitem(reports.BUILDERS, "adoption", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.request_report("adoption", MAY, actor=coe_admin)
    report.refresh_from_db()
    assert report.status == "failed"
    assert report.error == "ValueError: no figures for this month"
    assert report.attempts == 1

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        reports.request_report("adoption", MAY, actor=coe_admin)
    report.refresh_from_db()
    assert report.status == "ready"
    assert report.error == ""
    assert report.attempts == 2


def test_a_transient_database_error_is_retried_by_the_task(monkeypatch):
    report = Report.objects.create(
        kind="adoption", period_start=MAY, period_end=dt.date(2026, 5, 31)
    )
    calls = []
    real = reports.BUILDERS["adoption"]

    def flaky(report, progress):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(report, progress)

    monkeypatch.setitem(reports.BUILDERS, "adoption", flaky)

    # Inline, Celery runs the retry at once (no countdown) and then reports the Retry.
    generate_report_task.apply(args=[report.pk], throw=False)

    report.refresh_from_db()
    assert len(calls) == 2
    assert report.status == "ready"
    assert report.error == ""
    assert report.attempts == 2


def test_a_bug_is_recorded_but_not_retried(monkeypatch):
    report = Report.objects.create(
        kind="adoption", period_start=MAY, period_end=dt.date(2026, 5, 31)
    )
    calls = []

    def buggy(report, progress):
        calls.append(1)
        raise KeyError("oops")

    monkeypatch.setitem(reports.BUILDERS, "adoption", buggy)

    assert generate_report_task.apply(args=[report.pk]).get() == "failed"
    report.refresh_from_db()
    assert len(calls) == 1
    assert report.status == "failed"
    assert "KeyError" in report.error


def test_what_changed_compares_with_the_previous_report(
    leader, coe_admin, department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reports.request_report("adoption", dt.date(2026, 4, 1), actor=coe_admin)
    uc = UseCaseFactory(owner__department=department, department=department, status="submitted")
    UseCase.objects.filter(pk=uc.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 5, 10, 9, 0))
    )
    with django_capture_on_commit_callbacks(execute=True):
        may = reports.request_report("adoption", MAY, actor=coe_admin)

    may.refresh_from_db()
    changes = may.data["changes"]
    assert changes["previous_report"]["period"] == "April 2026"
    labels = {item["label"] for item in changes["items"]}
    assert "Submitted / in triage" in labels


def test_the_beat_entry_point_queues_last_months_report(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pk = generate_scheduled_report.delay("adoption").get()
    report = Report.objects.get(pk=pk)
    assert report.kind == "adoption"
    assert report.status == "ready"
    assert report.requested_by is None


def test_a_second_beat_keeps_the_ready_report_and_emails_once(
    leader, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        first = generate_scheduled_report.delay("adoption").get()
    with django_capture_on_commit_callbacks(execute=True):
        second = generate_scheduled_report.delay("adoption").get()
    assert first == second
    assert Report.objects.get(pk=first).attempts == 1
    assert len(mailoutbox) == 1


def test_csv_has_a_row_per_kpi(leader, coe_admin, department, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.request_report("adoption", MAY, actor=coe_admin)
    report.refresh_from_db()

    lines = reports.as_csv(report).strip().splitlines()

    assert lines[0].startswith("kpi,label,organisation,previous_period,Finance")
    assert len(lines) == 1 + len(report.data["kpis"])


def test_employees_cannot_request_reports(employee):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        reports.request_report("adoption", MAY, actor=employee)


def test_schedules_exist_and_are_editable_rows():
    from django_celery_beat.models import PeriodicTask

    names = set(
        PeriodicTask.objects.filter(task__startswith="metrics.").values_list("name", flat=True)
    )
    assert names == {"Daily KPI snapshots", "Monthly adoption report", "Quarterly readiness report"}


def test_adoption_report_reads_the_snapshots_the_dashboard_shows(
    leader, coe_admin, department, django_capture_on_commit_callbacks
):
    from metrics import snapshots
    from metrics.models import KpiSnapshot

    snapshots.take_snapshots(dt.date(2026, 5, 31))
    KpiSnapshot.objects.filter(date=dt.date(2026, 5, 31), kpi="stage_pilot", scope=0).update(
        value=7
    )

    with django_capture_on_commit_callbacks(execute=True):
        report = reports.request_report("adoption", MAY, actor=coe_admin)

    report.refresh_from_db()
    pilot = next(row for row in report.data["kpis"] if row["kpi"] == "stage_pilot")
    assert pilot["value"] == 7
    assert pilot["previous"] == 0  # 30 April has no snapshots: computed from the tables
