"""Metrics at scale (``manage.py generate_data``): quarterly readiness assessments per
department and a daily KPI snapshot for every KPI, department and day of the history.

The funnel KPIs (proposals per stage, new proposals, estimated value) and the readiness
index are the real history of the generated data, counted from each proposal's steps and
each department's assessments with running sums (a back-fill through ``kpis.compute_all``
would take hours at this size). The others are plausible generated figures: they give the
dashboards a shape, not a computation.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from coe_portal.scale import ScaleRun
from metrics import kpis, readiness
from metrics.models import KpiSnapshot, ReadinessAssessment
from usecases.choices import Status

LIVE_VALUE = frozenset(
    kpis.STAGES["approved"][1] + kpis.STAGES["pilot"][1] + kpis.STAGES["production"][1]
)
GENERATED = {
    # slug: (a year and more ago, today, wobble)
    "approval_rate": (55.0, 72.0, 4.0),
    "median_days_to_decision": (38.0, 19.0, 3.0),
    "reviews_breaching_sla": (0.04, 0.015, 0.005),  # per proposal in the department
    "review_on_time_share": (61.0, 84.0, 4.0),
    "open_conditions": (0.03, 0.05, 0.005),  # per proposal in the department
    "active_learners": (0.08, 0.22, 0.02),  # per person in the department
    "staff_trained_share": (12.0, 58.0, 1.0),
    "path_completion": (1.0, 9.0, 0.3),
}


def generate(run: ScaleRun) -> None:
    assessments = _assessments(run)
    _snapshots(run, assessments)


def _assessments(run: ScaleRun) -> dict[int, list[tuple[dt.date, float]]]:
    """Eight past quarters per department, submitted and improving; the current quarter a
    draft for one department in five. Returns {department: [(submitted on, overall)]}."""
    rng, shared = run.rng, run.shared
    year, quarter = readiness.current_quarter(run.today)
    quarters = []
    y, q = year, quarter
    for _ in range(8):
        y, q = readiness.previous_quarter(y, q)
        quarters.append((y, q))
    quarters.reverse()
    rows, history = [], defaultdict(list)
    champions = shared["champions"]
    for k, dept in enumerate(shared["department_ids"]):
        base, growth = rng.uniform(1.4, 3.0), rng.uniform(0.08, 0.3)
        author = (champions.get(dept) or [shared["demo"]["champion"]])[0]
        periods = [*quarters, (year, quarter)] if k % 5 == 0 else quarters
        for step, (y, q) in enumerate(periods):
            draft = (y, q) == (year, quarter)
            answers = {}
            for i, code in enumerate(readiness.QUESTIONS):
                level = base + growth * step + (i % 3 - 1) * 0.4 + rng.uniform(-0.6, 0.6)
                answers[code] = {"score": max(1, min(5, round(level))), "evidence": ""}
            dims, overall = readiness.score(answers)
            end_month = 3 * q
            submitted = run.now.replace(year=y, month=end_month, day=20, hour=10, minute=0)
            rows.append(
                (dept, y, q, "draft" if draft else "submitted", answers, dims, overall, author,
                 None if draft else author, None if draft else submitted,
                 run.now if draft else submitted, run.now if draft else submitted)
            )  # fmt: skip
            if not draft and overall is not None:
                history[dept].append((submitted.date(), float(overall)))
    run.write(
        ReadinessAssessment,
        ["department_id", "year", "quarter", "status", "answers", "dimension_scores", "overall",
         "created_by_id", "submitted_by_id", "submitted_at", "created_at", "updated_at"],
        rows,
    )  # fmt: skip
    return history


def _snapshots(run: ScaleRun, assessments: dict[int, list[tuple[dt.date, float]]]) -> None:
    shared = run.shared
    days = run.size.kpi_days
    first = run.today - dt.timedelta(days=days - 1)
    dept_ids = shared["department_ids"]
    index = {d: i + 1 for i, d in enumerate(dept_ids)}  # 0 is the organisation
    scopes = len(dept_ids) + 1

    def day_of(moment: dt.datetime) -> int:
        return max((moment.date() - first).days, 0)

    # Running sums: +x on the day a state starts, -x the day it ends, per KPI and scope.
    deltas = {
        slug: [[0.0] * (days + 1) for _ in range(scopes)]
        for slug in [*kpis.STAGES_KPIS, "new_proposals", "estimated_value"]
    }
    stage_of = {s: f"stage_{slug}" for slug, (_, ss) in kpis.STAGES.items() for s in ss}

    def add(slug: str, dept: int, start: int, end: int, amount: float = 1.0) -> None:
        if start >= days or end <= start:
            return
        for scope in (0, index[dept]):
            deltas[slug][scope][start] += amount
            deltas[slug][scope][min(end, days)] -= amount

    for p in shared["proposals"]:
        value = float(p.answers["estimated_annual_value"] or 0)
        for j, (status, when) in enumerate(p.steps):
            start = day_of(when)
            end = day_of(p.steps[j + 1][1]) if j + 1 < len(p.steps) else days
            if status in stage_of:
                add(stage_of[status], p.department_id, start, end)
            if status in LIVE_VALUE:
                add("estimated_value", p.department_id, start, end, value)
            if status == Status.SUBMITTED:
                add("new_proposals", p.department_id, start, start + kpis.NEW_PROPOSALS_WINDOW_DAYS)

    series = {}
    for slug, per_scope in deltas.items():
        series[slug] = []
        for row in per_scope:
            total, values = 0.0, []
            for amount in row[:days]:
                total += amount
                values.append(round(total))
            series[slug].append(values)
    sizes = [sum(len(v) for v in shared["members"].values())] + [
        len(shared["members"][d]) for d in dept_ids
    ]
    proposals_per_scope = [0] * scopes
    for p in shared["proposals"]:
        proposals_per_scope[0] += 1
        proposals_per_scope[index[p.department_id]] += 1

    realised_share = 0.6  # as generated: realised value is 60% of the estimate in production
    now = run.now

    def rows():
        readiness_points = {d: sorted(v) for d, v in assessments.items()}
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            t = offset / max(days - 1, 1)
            wobble = math.sin(offset / 9.0)
            for scope in range(scopes):
                dept = dept_ids[scope - 1] if scope else None
                for slug in deltas:
                    yield (day, slug, dept, dept or 0, float(series[slug][scope][offset]), now)
                production = series["stage_production"][scope][offset]
                estimate = series["estimated_value"][scope][offset]
                live = sum(
                    series[f"stage_{s}"][scope][offset] for s in ("approved", "pilot", "production")
                )
                realised = estimate * production / live * realised_share if live else 0.0
                yield (day, "realised_value", dept, dept or 0, float(round(realised)), now)
                for slug, (then, today, jitter) in GENERATED.items():
                    value = then + (today - then) * t + jitter * wobble * ((scope % 7) / 7 + 0.5)
                    if slug in ("reviews_breaching_sla", "open_conditions"):
                        value = round(max(value, 0) * proposals_per_scope[scope])
                    elif slug == "active_learners":
                        value = round(max(value, 0) * sizes[scope])
                    else:
                        value = round(min(max(value, 0), 100), 1)
                    yield (day, slug, dept, dept or 0, float(value), now)
                yield (
                    day,
                    "readiness_index",
                    dept,
                    dept or 0,
                    _readiness(readiness_points, dept, day),
                    now,
                )
                # Role profiles have no history: role coverage exists for today only.
                value = None if offset < days - 1 else round(40 + 50 * ((scope * 37) % 10) / 10, 1)
                yield (day, "role_coverage", dept, dept or 0, value, now)

    run.write(
        KpiSnapshot, ["date", "kpi", "department_id", "scope", "value", "computed_at"], rows()
    )


def _readiness(points: dict[int, list[tuple[dt.date, float]]], dept: int | None, day: dt.date):
    """The department's latest submitted score by ``day``; the organisation's is the mean."""
    if dept is not None:
        latest = None
        for submitted, overall in points.get(dept, []):
            if submitted <= day:
                latest = overall
        return latest
    values = [v for d in points if (v := _readiness(points, d, day)) is not None]
    return round(sum(values) / len(values), 2) if values else None
