"""The KPIs: each one named function over the database, in one registry.

Every function takes a ``KpiContext`` (the date the value is "as of", plus per-date data
shared between KPIs so the expensive query runs once) and returns a ``KpiValue``: the
organisation-wide value and a value per department id. The daily snapshot and the back-fill
call the same functions, so history and today are computed the same way.

"As of" a past date, a proposal's status is taken from its event log (the last status change
on or before that day). Fields without a history (realised annual value, a proposal's
department) are read as they are now: a back-fill of those is an approximation.

KPIs that need governance and skilling data live in the section at the end, written against
those apps' models as they stand, and are registered only once those apps are merged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from statistics import mean, median

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from coe_portal.models import Department
from usecases.choices import Status
from usecases.models import UseCase, UseCaseEvent

# Funnel stages over the lifecycle: the label, and the statuses that make it up.
STAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "intake": ("Submitted / in triage", (Status.SUBMITTED, Status.TRIAGE)),
    "review": ("In review", (Status.IN_REVIEW, Status.CHANGES_REQUESTED)),
    "approved": ("Approved", (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS)),
    "pilot": ("In pilot", (Status.IN_PILOT,)),
    "production": ("In production", (Status.IN_PRODUCTION,)),
}
STAGES_KPIS = [f"stage_{slug}" for slug in STAGES]
APPROVED_OUTCOMES = frozenset(
    {
        Status.APPROVED,
        Status.APPROVED_WITH_CONDITIONS,
        Status.IN_PILOT,
        Status.IN_PRODUCTION,
        Status.RETIRED,
    }
)
NEW_PROPOSALS_WINDOW_DAYS = 30
DECISION_WINDOW_DAYS = 365


@dataclass
class KpiValue:
    """The organisation-wide value and one value per department id (None = not defined)."""

    organisation: float | None
    by_department: dict[int, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Kpi:
    slug: str
    label: str
    unit: str  # "count", "percent", "days", "money", "score"
    compute: Callable[[KpiContext], KpiValue]
    help: str = ""
    # Statuses of the proposal list behind the figure (drill-down), if any.
    statuses: tuple[str, ...] = ()
    # True when a higher value is better (arrows on the tiles are coloured by it).
    higher_is_better: bool = True


@dataclass(frozen=True)
class ProposalRow:
    department_id: int
    status: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    estimated: Decimal | None
    realised: Decimal | None


class KpiContext:
    """What the KPIs of one date share: the end of that day and each proposal's status then."""

    def __init__(self, as_of: dt.date):
        self.as_of = as_of
        start_of_next_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
        self.end = timezone.make_aware(start_of_next_day)

    @cached_property
    def department_ids(self) -> list[int]:
        return list(Department.objects.values_list("id", flat=True))

    @cached_property
    def proposals(self) -> list[ProposalRow]:
        """Every proposal that existed by the end of the day, with its status then.

        The status is the target of the last status change by then; a proposal with no
        such event (created before the event log, or by an import) counts with its current
        status if that status was reached by then, and as a draft otherwise.
        """
        last_change = (
            UseCaseEvent.objects.filter(
                use_case=OuterRef("pk"),
                kind=UseCaseEvent.Kind.TRANSITION,
                created_at__lt=self.end,
            )
            .order_by("-created_at", "-id")
            .values("to_status")[:1]
        )
        rows = (
            UseCase.objects.filter(created_at__lt=self.end)
            .annotate(status_then=Subquery(last_change))
            .values_list(
                "department_id",
                "status_then",
                "status",
                "status_changed_at",
                "submitted_at",
                "decided_at",
                "estimated_annual_value",
                "realised_annual_value",
            )
        )
        result = []
        for dept, then, now, changed_at, submitted, decided, estimated, realised in rows:
            if then is None:
                then = now if changed_at is None or changed_at < self.end else Status.DRAFT
            result.append(
                ProposalRow(
                    department_id=dept,
                    status=then,
                    submitted_at=submitted if submitted and submitted < self.end else None,
                    decided_at=decided if decided and decided < self.end else None,
                    estimated=estimated,
                    realised=realised,
                )
            )
        return result


def _by_department(
    ctx: KpiContext,
    rows: Iterable[ProposalRow],
    reduce: Callable[[list[ProposalRow]], float | None],
) -> KpiValue:
    """Apply ``reduce`` to all rows and to each department's rows (every department gets a
    value, so a department with no proposals shows 0 rather than a gap)."""
    rows = list(rows)
    grouped: dict[int, list[ProposalRow]] = defaultdict(list)
    for row in rows:
        grouped[row.department_id].append(row)
    return KpiValue(
        organisation=reduce(rows),
        by_department={dept: reduce(grouped.get(dept, [])) for dept in ctx.department_ids},
    )


def _count_in(statuses: Iterable[str]) -> Callable[[KpiContext], KpiValue]:
    wanted = frozenset(statuses)

    def compute(ctx: KpiContext) -> KpiValue:
        return _by_department(ctx, (r for r in ctx.proposals if r.status in wanted), len)

    return compute


def new_proposals(ctx: KpiContext) -> KpiValue:
    """Proposals submitted in the 30 days up to and including the date."""
    since = ctx.end - dt.timedelta(days=NEW_PROPOSALS_WINDOW_DAYS)
    return _by_department(
        ctx, (r for r in ctx.proposals if r.submitted_at and r.submitted_at >= since), len
    )


def _decided_in_window(ctx: KpiContext) -> list[ProposalRow]:
    since = ctx.end - dt.timedelta(days=DECISION_WINDOW_DAYS)
    return [r for r in ctx.proposals if r.decided_at and r.decided_at >= since]


def approval_rate(ctx: KpiContext) -> KpiValue:
    """Of the proposals decided in the last 365 days, the percentage approved (with or
    without conditions, including those since piloted, in production or retired).
    Withdrawn proposals are not decisions. None when nothing was decided."""

    def rate(rows: list[ProposalRow]) -> float | None:
        approved = sum(1 for r in rows if r.status in APPROVED_OUTCOMES)
        rejected = sum(1 for r in rows if r.status == Status.REJECTED)
        if approved + rejected == 0:
            return None
        return round(100 * approved / (approved + rejected), 1)

    return _by_department(ctx, _decided_in_window(ctx), rate)


def median_days_to_decision(ctx: KpiContext) -> KpiValue:
    """Median calendar days from submission to decision, over decisions in the last 365 days."""

    def med(rows: list[ProposalRow]) -> float | None:
        days = [
            (r.decided_at - r.submitted_at).total_seconds() / 86400
            for r in rows
            if r.submitted_at and r.decided_at >= r.submitted_at
        ]
        return round(median(days), 1) if days else None

    return _by_department(ctx, _decided_in_window(ctx), med)


def estimated_annual_value(ctx: KpiContext) -> KpiValue:
    """Estimated annual value of approved, piloting and production use cases."""
    live = STAGES["approved"][1] + STAGES["pilot"][1] + STAGES["production"][1]
    return _by_department(
        ctx,
        (r for r in ctx.proposals if r.status in live),
        lambda rows: float(sum(r.estimated or 0 for r in rows)),
    )


def realised_annual_value(ctx: KpiContext) -> KpiValue:
    """Realised annual value reported for use cases in production (its current figure:
    realised value has no history)."""
    return _by_department(
        ctx,
        (r for r in ctx.proposals if r.status == Status.IN_PRODUCTION),
        lambda rows: float(sum(r.realised or 0 for r in rows)),
    )


def readiness_index(ctx: KpiContext) -> KpiValue:
    """Each department's latest submitted readiness score (1-5) by the date; the
    organisation's is the mean over departments that have one."""
    from metrics.readiness import latest_submitted

    latest = latest_submitted(as_of=ctx.end)
    by_dept = {dept: float(a.overall) for dept, a in latest.items() if a.overall is not None}
    return KpiValue(
        organisation=round(mean(by_dept.values()), 2) if by_dept else None,
        by_department={dept: by_dept.get(dept) for dept in ctx.department_ids},
    )


REGISTRY: dict[str, Kpi] = {}


def register(kpi: Kpi) -> Kpi:
    if kpi.slug in REGISTRY:
        raise ValueError(f"KPI {kpi.slug!r} is registered twice")
    REGISTRY[kpi.slug] = kpi
    return kpi


for _slug, (_label, _statuses) in STAGES.items():
    register(
        Kpi(
            f"stage_{_slug}",
            _label,
            "count",
            _count_in(_statuses),
            help=f"Proposals {_label.lower()} at the end of the day.",
            statuses=_statuses,
        )
    )
register(
    Kpi(
        "new_proposals",
        "New proposals (30 days)",
        "count",
        new_proposals,
        help="Proposals submitted in the last 30 days.",
        statuses=tuple(s for s in Status.values if s != Status.DRAFT),
    )
)
register(
    Kpi(
        "approval_rate",
        "Approval rate",
        "percent",
        approval_rate,
        help="Share of decisions in the last 365 days that approved the proposal.",
        statuses=tuple(APPROVED_OUTCOMES),
    )
)
register(
    Kpi(
        "median_days_to_decision",
        "Median days to decision",
        "days",
        median_days_to_decision,
        help="From submission to decision, over the last 365 days.",
        statuses=(Status.APPROVED, Status.APPROVED_WITH_CONDITIONS, Status.REJECTED),
        higher_is_better=False,
    )
)
register(
    Kpi(
        "estimated_value",
        "Estimated annual value",
        "money",
        estimated_annual_value,
        help="Of approved, piloting and production use cases.",
        statuses=STAGES["approved"][1] + STAGES["pilot"][1] + STAGES["production"][1],
    )
)
register(
    Kpi(
        "realised_value",
        "Realised annual value",
        "money",
        realised_annual_value,
        help="Reported for use cases in production.",
        statuses=(Status.IN_PRODUCTION,),
    )
)
register(
    Kpi(
        "readiness_index",
        "Readiness index",
        "score",
        readiness_index,
        help="Latest submitted self-assessment, 1 (starting) to 5 (leading).",
    )
)


def compute_all(as_of: dt.date, slugs: Iterable[str] | None = None) -> dict[str, KpiValue]:
    """Every registered KPI (or those named) as of the end of ``as_of``."""
    ctx = KpiContext(as_of)
    return {slug: REGISTRY[slug].compute(ctx) for slug in (slugs or REGISTRY)}


# ---------------------------------------------------------------------------------------
# After the merge: governance and skilling KPIs.
#
# Written against governance/models.py and skilling/models.py as they stand in the other
# branches. Nothing on this branch imports those apps; ``register_cross_app_kpis`` is called
# by nobody yet. To wire it after the merge, call it at the end of this module:
#
#     register_cross_app_kpis()
#
# and add the tests in tests/metrics/test_kpis.py marked "post-merge".
# ---------------------------------------------------------------------------------------


def reviews_breaching_sla(ctx: KpiContext) -> KpiValue:  # pragma: no cover - post-merge
    """Reviews open at the end of the day whose due date has passed."""
    from governance.models import Review

    rows = Review.objects.filter(
        created_at__lt=ctx.end,
        due_on__lt=ctx.as_of,
    ).filter(Q(decided_at__isnull=True) | Q(decided_at__gte=ctx.end))
    return _count_rows_by_department(ctx, rows.values_list("use_case__department_id", flat=True))


def review_on_time_share(ctx: KpiContext) -> KpiValue:  # pragma: no cover - post-merge
    """Of reviews decided in the last 365 days, the percentage decided by their due date."""
    from governance.models import Review

    since = ctx.end - dt.timedelta(days=DECISION_WINDOW_DAYS)
    rows = Review.objects.filter(
        decided_at__gte=since, decided_at__lt=ctx.end, due_on__isnull=False
    ).values_list("use_case__department_id", "decided_at", "due_on")
    grouped: dict[int, list[bool]] = defaultdict(list)
    everyone: list[bool] = []
    for dept, decided_at, due_on in rows:
        on_time = timezone.localdate(decided_at) <= due_on
        grouped[dept].append(on_time)
        everyone.append(on_time)

    def share(flags: list[bool]) -> float | None:
        return round(100 * sum(flags) / len(flags), 1) if flags else None

    return KpiValue(share(everyone), {d: share(grouped.get(d, [])) for d in ctx.department_ids})


def open_conditions(ctx: KpiContext) -> KpiValue:  # pragma: no cover - post-merge
    """Conditions of approval not yet met at the end of the day."""
    from governance.models import Condition

    rows = Condition.objects.filter(created_at__lt=ctx.end).filter(
        Q(met_at__isnull=True) | Q(met_at__gte=ctx.end)
    )
    return _count_rows_by_department(ctx, rows.values_list("use_case__department_id", flat=True))


def active_learners(ctx: KpiContext) -> KpiValue:  # pragma: no cover - post-merge
    """People who enrolled in or completed something in the last 30 days."""
    from skilling.models import Enrolment

    since = ctx.end - dt.timedelta(days=30)
    users = (
        Enrolment.objects.filter(
            Q(enrolled_at__gte=since, enrolled_at__lt=ctx.end)
            | Q(completed_at__gte=since, completed_at__lt=ctx.end)
        )
        .values_list("user_id", "user__department_id")
        .distinct()
    )
    return _count_rows_by_department(ctx, (dept for _user, dept in users))


def staff_trained_share(ctx: KpiContext) -> KpiValue:  # pragma: no cover - post-merge
    """Percentage of active staff who completed at least one learning resource by the date."""
    from coe_portal.models import User
    from skilling.models import Enrolment

    trained = set(
        Enrolment.objects.filter(completed_at__lt=ctx.end).values_list("user_id", flat=True)
    )
    staff = User.objects.filter(is_active=True, date_joined__lt=ctx.end).values_list(
        "id", "department_id"
    )
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for user_id, dept in staff:
        totals[dept][0] += 1
        totals[dept][1] += user_id in trained
    everyone = [sum(t[0] for t in totals.values()), sum(t[1] for t in totals.values())]

    def share(pair: list[int]) -> float | None:
        return round(100 * pair[1] / pair[0], 1) if pair[0] else None

    return KpiValue(share(everyone), {d: share(totals.get(d, [0, 0])) for d in ctx.department_ids})


def _skilling_coverage(ctx: KpiContext):  # pragma: no cover - post-merge
    """skilling.coverage's figures, which describe the present only: for a past date (a
    back-fill) there is no history to read, so these KPIs give None rather than today's
    figure dressed up as history."""
    if ctx.as_of < timezone.localdate():
        return None
    from skilling.coverage import department_coverage

    departments = list(Department.objects.all())
    return department_coverage(departments)


def _share_of_roles_covered(cov) -> float | None:
    roles = cov.roles
    return round(100 * sum(1 for r in roles if r.holding) / len(roles), 1) if roles else None


def _mean_path_completion(cov) -> float | None:
    values = [r.path_completion for r in cov.roles if r.path_completion is not None]
    return round(100 * mean(values), 1) if values else None


def role_coverage(ctx: KpiContext) -> KpiValue:  # pragma: no cover - post-merge
    """Percentage of the adoption roles someone in the department holds today."""
    coverage = _skilling_coverage(ctx)
    if coverage is None:
        return KpiValue(None, {d: None for d in ctx.department_ids})
    per_department, total = coverage
    return KpiValue(
        _share_of_roles_covered(total),
        {c.department.pk: _share_of_roles_covered(c) for c in per_department},
    )


def path_completion(ctx: KpiContext) -> KpiValue:  # pragma: no cover - post-merge
    """Mean completion (per cent) of the learning paths of the roles people hold or target."""
    coverage = _skilling_coverage(ctx)
    if coverage is None:
        return KpiValue(None, {d: None for d in ctx.department_ids})
    per_department, total = coverage
    return KpiValue(
        _mean_path_completion(total),
        {c.department.pk: _mean_path_completion(c) for c in per_department},
    )


def _count_rows_by_department(ctx: KpiContext, department_ids: Iterable[int | None]) -> KpiValue:
    counts: dict[int | None, int] = defaultdict(int)
    total = 0
    for dept in department_ids:
        counts[dept] += 1
        total += 1
    return KpiValue(total, {d: counts.get(d, 0) for d in ctx.department_ids})


def register_cross_app_kpis() -> None:  # pragma: no cover - post-merge
    """Register the governance and skilling KPIs (see the notes above)."""
    register(
        Kpi(
            "reviews_breaching_sla",
            "Reviews past their SLA",
            "count",
            reviews_breaching_sla,
            higher_is_better=False,
        )
    )
    register(Kpi("review_on_time_share", "Reviews on time", "percent", review_on_time_share))
    register(
        Kpi("open_conditions", "Open conditions", "count", open_conditions, higher_is_better=False)
    )
    register(Kpi("active_learners", "Active learners (30 days)", "count", active_learners))
    register(Kpi("staff_trained_share", "Staff trained", "percent", staff_trained_share))
    register(Kpi("role_coverage", "Adoption roles covered", "percent", role_coverage))
    register(Kpi("path_completion", "Learning path completion", "percent", path_completion))
