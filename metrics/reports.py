"""Scheduled and on-demand reports: asking for one, generating it, telling leadership.

A report is one row per kind and period. ``request_report`` creates it (or resets the
existing one) and queues the work after commit; ``generate_report`` claims it with a
conditional UPDATE, so two workers given the same id do it once, builds its content into
``data``, and emails leadership a link after the result is committed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from coe_portal import outbox
from coe_portal.mail import send_mail
from coe_portal.models import Department, User
from coe_portal.roles import Role
from coe_portal.spreadsheets import safe_cell
from metrics import access, kpis, snapshots
from metrics.models import Report
from metrics.readiness import DIMENSIONS, latest_submitted, organisation_profile

logger = logging.getLogger(__name__)


def _stale_before() -> dt.datetime:
    """A run started before this died with its worker (settings.REPORT_STALE_AFTER_SECONDS,
    longer than the task's hard time limit): it may be taken over."""
    return timezone.now() - dt.timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS)


def period_for(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete period of ``kind`` before ``today``: the previous month for
    adoption reports, the previous quarter for readiness reports."""
    if kind == Report.Kind.ADOPTION:
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    quarter_start_month = 3 * ((today.month - 1) // 3) + 1
    end = today.replace(month=quarter_start_month, day=1) - dt.timedelta(days=1)
    return end.replace(month=end.month - 2, day=1), end


def period_containing(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period of ``kind`` that ``day`` is in (for "generate now" on the current one)."""
    if kind == Report.Kind.ADOPTION:
        start = day.replace(day=1)
        next_start = (start + dt.timedelta(days=32)).replace(day=1)
    else:
        start = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
        next_start = (start + dt.timedelta(days=95)).replace(day=1)
    return start, next_start - dt.timedelta(days=1)


def request_report(
    kind: str, period_start: dt.date, *, actor=None, replace_ready: bool = True
) -> Report:
    """Queue a report of ``kind`` for the period starting ``period_start``. Asking again for
    the same period replaces the earlier report rather than adding another (unless
    ``replace_ready`` is false: the schedule keeps a ready report, so a second beat sends
    leadership no second email); asking while one is being generated changes nothing."""
    if actor is not None and not access.may_manage_reports(actor):
        raise PermissionDenied("Only CoE staff generate reports; leadership reads them.")
    start, end = period_containing(kind, period_start)
    with transaction.atomic():
        # Lock the period's row: of two people pressing "generate now" at once, the second
        # sees the first one's queued run instead of queueing another.
        report, created = Report.objects.select_for_update().get_or_create(
            kind=kind,
            period_start=start,
            defaults={"period_end": end, "requested_by": actor},
        )
        running = report.status in (Report.Status.PENDING, Report.Status.RUNNING)
        stale = report.started_at is None or report.started_at < _stale_before()
        if not created and running and not stale:
            return report
        if not created and not replace_ready and report.status == Report.Status.READY:
            return report
        if not created:
            report.status = Report.Status.PENDING
            report.progress = 0
            report.error = ""
            report.requested_by = actor
            report.save(update_fields=["status", "progress", "error", "requested_by"])
        # The pending row and the outbox message are saved together: a report asked for
        # while Redis is down is queued by the re-send once it is back.
        outbox.record("metrics.reports.queue_generation", report_id=report.pk)
    return report


def queue_generation(report_id: int) -> None:
    """Outbox handler: hand the report to a worker (generating it twice does it once)."""
    from metrics.tasks import generate_report_task

    generate_report_task.delay(report_id)


def generate_report(report_id: int, *, notify: bool = True) -> Report | None:
    """Build the report's content. Returns None when there is nothing to do: the report is
    gone, already built, or another worker has claimed it. Errors are recorded on the row
    (status "failed", the error, the attempt count) and re-raised for the task to decide
    whether to retry."""
    now = timezone.now()
    # Pending or failed runs, and a run whose worker was killed mid-way: its task comes back
    # (late acknowledgement) and finds the row "generating" since long before.
    claimable = Q(status__in=[Report.Status.PENDING, Report.Status.FAILED]) | Q(
        status=Report.Status.RUNNING, started_at__lt=_stale_before()
    )
    claimed = Report.objects.filter(claimable, pk=report_id).update(
        status=Report.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        finished_at=None,
        error="",
        progress=5,
    )
    if not claimed:
        return None
    report = Report.objects.get(pk=report_id)

    def progress(percent: int) -> None:
        Report.objects.filter(pk=report_id).update(progress=percent)

    try:
        data = BUILDERS[report.kind](report, progress)
        data["changes"] = _changes_since_previous(report, data)
    except Exception as exc:
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
            progress=0,
        )
        raise
    with transaction.atomic():
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.READY, data=data, progress=100, finished_at=timezone.now()
        )
        if notify:
            outbox.record("metrics.reports.email_leadership", report_id=report_id)
    report.refresh_from_db()
    return report


def _kpi_values(day: dt.date) -> dict[str, kpis.KpiValue]:
    """Every KPI on ``day``: from that day's snapshots, like the dashboards, so a report and
    the dashboard agree; computed from the live tables (as of that day) when the day has
    no complete snapshot."""
    stored = snapshots.series(dates=[day], kpi_slugs=kpis.REGISTRY, scopes=_all_scopes())
    values = {}
    for slug in kpis.REGISTRY:
        org = stored.get((slug, 0))
        if org is None:
            return kpis.compute_all(day)
        values[slug] = kpis.KpiValue(
            organisation=org.get(day),
            by_department={
                scope: series.get(day)
                for (kpi, scope), series in stored.items()
                if kpi == slug and scope != 0
            },
        )
    return values


def _all_scopes() -> list[int]:
    return [0, *Department.objects.values_list("id", flat=True)]


def _kpi_rows(as_of: dt.date, previous: dt.date) -> list[dict]:
    now_values = _kpi_values(as_of)
    before = _kpi_values(previous)
    return [
        {
            "kpi": slug,
            "label": kpi.label,
            "unit": kpi.unit,
            "value": now_values[slug].organisation,
            "previous": before[slug].organisation,
            "by_department": {str(k): v for k, v in now_values[slug].by_department.items()},
        }
        for slug, kpi in kpis.REGISTRY.items()
    ]


def build_adoption(report: Report, progress: Callable[[int], None]) -> dict:
    """KPIs at the end of the month against the end of the month before, overall and per
    department (from the snapshots of those days when they exist)."""
    previous_end = report.period_start - dt.timedelta(days=1)
    progress(20)
    rows = _kpi_rows(report.period_end, previous_end)
    progress(80)
    return {
        "kind": report.kind,
        "as_of": report.period_end.isoformat(),
        "compared_with": previous_end.isoformat(),
        "departments": _departments(),
        "kpis": rows,
    }


def build_readiness(report: Report, progress: Callable[[int], None]) -> dict:
    """Each department's latest submitted assessment by the end of the quarter, against
    the latest by the end of the quarter before."""
    end = _end_of(report.period_end)
    previous_end = _end_of(report.period_start - dt.timedelta(days=1))
    progress(20)
    latest = latest_submitted(as_of=end)
    before = latest_submitted(as_of=previous_end)
    progress(60)
    departments = _departments()
    rows = []
    for dept in departments:
        now_a, then_a = latest.get(dept["id"]), before.get(dept["id"])
        rows.append(
            {
                "department": dept["name"],
                "department_id": dept["id"],
                "period": now_a.period_label if now_a else None,
                "overall": float(now_a.overall) if now_a and now_a.overall else None,
                "previous_overall": float(then_a.overall) if then_a and then_a.overall else None,
                "dimensions": now_a.dimension_scores if now_a else {},
            }
        )
    progress(80)
    return {
        "kind": report.kind,
        "as_of": report.period_end.isoformat(),
        "dimensions": [{"code": d.code, "name": d.name} for d in DIMENSIONS],
        "organisation": organisation_profile(latest),
        "previous_organisation": organisation_profile(before),
        "departments": rows,
    }


BUILDERS: dict[str, Callable[[Report, Callable[[int], None]], dict]] = {
    Report.Kind.ADOPTION: build_adoption,
    Report.Kind.READINESS: build_readiness,
}


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _departments() -> list[dict]:
    return [{"id": d.pk, "name": d.name} for d in Department.objects.only("id", "name")]


def _changes_since_previous(report: Report, data: dict) -> dict:
    """What moved since the last ready report of the same kind (an earlier period)."""
    previous = (
        Report.objects.filter(
            kind=report.kind, status=Report.Status.READY, period_start__lt=report.period_start
        )
        .order_by("-period_start")
        .first()
    )
    if previous is None:
        return {"previous_report": None, "items": []}
    items = []
    if report.kind == Report.Kind.ADOPTION:
        before = {row["kpi"]: row["value"] for row in previous.data.get("kpis", [])}
        for row in data["kpis"]:
            old, new = before.get(row["kpi"]), row["value"]
            if old != new:
                items.append({"label": row["label"], "unit": row["unit"], "from": old, "to": new})
    else:
        before = {
            row["department_id"]: row["overall"] for row in previous.data.get("departments", [])
        }
        for row in data["departments"]:
            old, new = before.get(row["department_id"]), row["overall"]
            if old != new:
                items.append({"label": row["department"], "unit": "score", "from": old, "to": new})
    return {
        "previous_report": {"id": previous.pk, "period": previous.period_label},
        "items": items,
    }


def email_leadership(report_id: int) -> int:
    """Email everyone in the Leadership role a link to the ready report. Returns how many."""
    report = Report.objects.filter(pk=report_id, status=Report.Status.READY).first()
    if report is None:
        return 0
    recipients = list(
        User.objects.filter(groups__name=Role.LEADERSHIP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return 0
    link = settings.PORTAL_BASE_URL.rstrip("/") + report.get_absolute_url()
    send_mail(
        subject=f"[CoE Portal] {report} is ready",
        message=f"The {report.get_kind_display().lower()} report for {report.period_label} "
        f"is ready:\n\n{link}\n",
        from_email=None,
        recipient_list=recipients,
    )
    Report.objects.filter(pk=report_id).update(emailed_at=timezone.now())
    return len(recipients)


def as_csv(report: Report) -> str:
    """The report's figures as CSV: one row per KPI (adoption) or department (readiness)."""
    out = io.StringIO()
    writer = csv.writer(out)
    data = report.data or {}
    if report.kind == Report.Kind.ADOPTION:
        departments = data.get("departments", [])
        writer.writerow(
            ["kpi", "label", "organisation", "previous_period"]
            + [safe_cell(d["name"]) for d in departments]
        )
        for row in data.get("kpis", []):
            writer.writerow(
                [row["kpi"], safe_cell(row["label"]), _cell(row["value"]), _cell(row["previous"])]
                + [_cell(row["by_department"].get(str(d["id"]))) for d in departments]
            )
    else:
        dims = data.get("dimensions", [])
        writer.writerow(
            ["department", "assessment", "overall", "previous_overall"]
            + [safe_cell(d["name"]) for d in dims]
        )
        for row in data.get("departments", []):
            writer.writerow(
                [safe_cell(row["department"]), row["period"] or "", _cell(row["overall"]),
                 _cell(row["previous_overall"])]
                + [_cell(row["dimensions"].get(d["code"])) for d in dims]
            )  # fmt: skip
    return out.getvalue()


def _cell(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
