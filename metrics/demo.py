"""Demo data for metrics: readiness assessments, a year of KPI snapshots and a few reports.

Runs last in ``seed_demo`` and is safe to run twice (assessments by their unique quarter,
snapshots by their unique date/KPI/scope, reports by their unique kind/period).

Snapshots: when the proposals' event log covers most of the year, the history is the real
back-fill (``snapshots.backfill``). Otherwise (freshly seeded proposals, reviews and
enrolments all start today) the proposal KPIs are a generated, plausible rising series so
the trends have a shape; the readiness index is always computed from the demo assessments;
the other KPIs (governance, learning) are computed from the demo data for today, with a
generated run-up to today's figure before it. The generated series are demo figures, not a
computation.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Min
from django.utils import timezone

from coe_portal.models import Department, User
from coe_portal.roles import Role
from metrics import kpis, readiness, reports, snapshots
from metrics.models import KpiSnapshot, ReadinessAssessment, Report
from usecases.models import UseCaseEvent

HISTORY_DAYS = 365
# Departments' starting maturity (1-5) and how fast it grows per quarter.
PROFILES = {
    "engineering": (3.0, 0.25),
    "customer-service": (2.6, 0.3),
    "finance": (2.2, 0.25),
    "marketing": (2.5, 0.2),
    "operations": (2.0, 0.3),
    "sales": (1.8, 0.2),
    "legal": (1.6, 0.15),
    "hr": (1.7, 0.2),
}


def seed(stdout) -> None:
    today = timezone.localdate()
    departments = list(Department.objects.all())
    assessed = _assessments(departments, today)
    days = _snapshots(departments, today)
    made = _reports(today)
    stdout.write(
        f"  {assessed} readiness assessments, {days} days of KPI snapshots, {made} reports"
    )


def _assessments(departments, today) -> int:
    """Four past quarters of submitted assessments per department, improving over time.
    Finance's current quarter is left open for its champion to fill in."""
    rng = random.Random(6)  # noqa: S311 (demo figures, not secrets)
    champion = User.objects.filter(groups__name=Role.CHAMPION).first()
    year, quarter = readiness.current_quarter(today)
    count = 0
    for dept in departments:
        base, growth = PROFILES.get(dept.code, (2.0, 0.2))
        y, q = year, quarter
        quarters = []
        for _ in range(4):
            y, q = readiness.previous_quarter(y, q)
            quarters.append((y, q))
        for step, (y, q) in enumerate(reversed(quarters)):
            answers = {}
            for i, code in enumerate(readiness.QUESTIONS):
                level = base + growth * step + (i % 3 - 1) * 0.4 + rng.uniform(-0.5, 0.5)
                answers[code] = {
                    "score": max(1, min(5, round(level))),
                    "evidence": "Discussed in the quarterly AI steering meeting."
                    if i % 4 == 0
                    else "",
                }
            dims, overall = readiness.score(answers)
            submitted_at = timezone.make_aware(
                dt.datetime(y, 3 * q, 20, 10, 0) if q < 4 else dt.datetime(y, 12, 15, 10, 0)
            )
            ReadinessAssessment.objects.update_or_create(
                department=dept,
                year=y,
                quarter=q,
                defaults={
                    "status": ReadinessAssessment.Status.SUBMITTED,
                    "answers": answers,
                    "dimension_scores": dims,
                    "overall": overall,
                    "created_by": champion,
                    "submitted_by": champion,
                    "submitted_at": submitted_at,
                },
            )
            count += 1
    return count


def _snapshots(departments, today) -> int:
    start = today - dt.timedelta(days=HISTORY_DAYS)
    first_event = UseCaseEvent.objects.aggregate(first=Min("created_at"))["first"]
    if first_event and timezone.localdate(first_event) <= start + dt.timedelta(days=60):
        snapshots.backfill(start, today)
        return HISTORY_DAYS + 1
    generated = _generated_series(departments, start, today)
    _readiness_series(start, today)
    _run_up_to_today(
        [slug for slug in kpis.REGISTRY if slug not in generated and slug != "readiness_index"],
        start,
        today,
    )
    return HISTORY_DAYS + 1


def _run_up_to_today(slugs: list[str], start: dt.date, today: dt.date) -> None:
    """Today's real figure for each KPI, and before today a deterministic series that
    arrives at it: improving towards today (rising, or falling where lower is better).
    Without this the demo's reviews and enrolments, all created at seeding time, would
    read zero all year and jump today. KPIs without history get today's value only."""
    current = kpis.compute_all(today, slugs)
    now = timezone.now()
    rows = []
    for offset in range((today - start).days + 1):
        day = start + dt.timedelta(days=offset)
        t = offset / HISTORY_DAYS  # 0 a year ago, 1 today
        wobble = ((offset * 37) % 11 - 5) / 100 if day < today else 0
        for slug, value in current.items():
            kpi = kpis.REGISTRY[slug]
            if day < today and not kpi.has_history:
                continue
            factor = (0.4 + 0.6 * t if kpi.higher_is_better else 1.8 - 0.8 * t) + wobble
            rows.append(_row(day, slug, None, _scaled(value.organisation, factor, kpi.unit), now))
            rows.extend(
                _row(day, slug, dept, _scaled(v, factor, kpi.unit), now)
                for dept, v in value.by_department.items()
            )
    _upsert(rows)


def _scaled(value: float | None, factor: float, unit: str) -> float | None:
    if value is None:
        return None
    scaled = _round(max(value * factor, 0), unit)
    return min(scaled, 100.0) if unit == "percent" else scaled


def _readiness_series(start: dt.date, today: dt.date) -> None:
    """The real readiness index for every day. It only moves when an assessment is
    submitted, so it is computed on those days (and the first) and carried over between
    them rather than recomputed 365 times."""
    change_days = {
        timezone.localdate(at)
        for at in ReadinessAssessment.objects.filter(submitted_at__isnull=False).values_list(
            "submitted_at", flat=True
        )
    }
    now = timezone.now()
    rows, current = [], None
    day = start
    while day <= today:
        if current is None or day in change_days:
            current = kpis.compute_all(day, ["readiness_index"])["readiness_index"]
        rows.append(_row(day, "readiness_index", None, current.organisation, now))
        rows.extend(
            _row(day, "readiness_index", dept, value, now)
            for dept, value in current.by_department.items()
        )
        day += dt.timedelta(days=1)
    _upsert(rows)


def _generated_series(departments, start: dt.date, today: dt.date) -> set[str]:
    """Rising demo figures for the proposal KPIs; departments share the organisation's
    totals by weight. Deterministic, so a second run writes the same values. Returns the
    KPIs it wrote."""
    weights = {d.pk: 1 + (i * 7) % 5 for i, d in enumerate(departments)}
    total_weight = sum(weights.values()) or 1
    rows = []
    now = timezone.now()
    for offset in range((today - start).days + 1):
        day = start + dt.timedelta(days=offset)
        t = offset / HISTORY_DAYS  # 0 a year ago, 1 today
        wobble = ((offset * 37) % 11 - 5) / 50
        org = {
            "stage_intake": 6 + 10 * t + 3 * wobble,
            "stage_review": 4 + 6 * t,
            "stage_approved": 2 + 5 * t,
            "stage_pilot": 1 + 7 * t,
            "stage_production": 0.5 + 9 * t * t,
            "new_proposals": 5 + 14 * t + 6 * wobble,
            "approval_rate": 55 + 15 * t + 10 * wobble,
            "median_days_to_decision": 34 - 16 * t + 4 * wobble,
            "estimated_value": 400_000 + 2_600_000 * t,
            "realised_value": 900_000 * t * t,
        }
        for slug, value in org.items():
            unit = kpis.REGISTRY[slug].unit
            share_kpi = unit in ("count", "money")
            rows.append(_row(day, slug, None, _round(value, unit), now))
            for dept in departments:
                share = weights[dept.pk] / total_weight
                dept_value = value * share if share_kpi else value + (weights[dept.pk] - 3) * 2
                rows.append(_row(day, slug, dept.pk, _round(dept_value, unit), now))
    _upsert(rows)
    return set(org)


def _upsert(rows: list[KpiSnapshot]) -> None:
    KpiSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["date", "kpi", "scope"],
        update_fields=["value", "computed_at"],
        batch_size=2000,
    )


def _round(value: float, unit: str) -> float:
    return float(round(value)) if unit in ("count", "money") else round(value, 1)


def _row(day, slug, dept_id, value, now) -> KpiSnapshot:
    return KpiSnapshot(
        date=day, kpi=slug, department_id=dept_id, scope=dept_id or 0, value=value, computed_at=now
    )


def _reports(today) -> int:
    """The last three monthly adoption reports and the last two quarterly readiness ones,
    generated here and now (no email)."""
    periods = []
    day = today
    for _ in range(3):
        start, end = reports.period_for(Report.Kind.ADOPTION, day)
        periods.append((Report.Kind.ADOPTION, start, end))
        day = start
    day = today
    for _ in range(2):
        start, end = reports.period_for(Report.Kind.READINESS, day)
        periods.append((Report.Kind.READINESS, start, end))
        day = start
    # Oldest first, so each report's "what changed" compares with the one before it.
    for kind, start, end in sorted(periods, key=lambda p: p[1]):
        report, _ = Report.objects.update_or_create(
            kind=kind,
            period_start=start,
            defaults={"period_end": end, "status": Report.Status.PENDING, "error": ""},
        )
        reports.generate_report(report.pk, notify=False)
    return len(periods)
