"""The KPIs: each one named function over the database, in one registry.

Every function takes a ``KpiContext`` (the date the value is "as of", plus per-date data
shared between KPIs so the expensive query runs once) and returns a ``KpiValue``: the
organisation-wide value and a value per department id. The daily snapshot and the back-fill
call the same functions, so history and today are computed the same way.

"As of" a past date, a proposal's status is taken from its event log (the last status change
on or before that day). Fields without a history (realised annual value, a proposal's
department) are read as they are now: a back-fill of those is an approximation.

Governance KPIs count reviews and conditions by their proposal's department; skilling KPIs
count people by their own. Role profiles have no history, so role coverage exists for today
only; learning KPIs read enrolments' dates and are real history.

"Staff trained per role" (issue 6) is not one KPI per adoption role: roles are data that
admins add and rename, while the registry is a fixed set of slugs whose snapshots make a
history. Its per-role figures (holders, learners, who completed the role's path) are
skilling's coverage report, where the learning tiles lead; the registry carries the
organisation's and departments' totals (staff trained, staff who completed a path).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from statistics import mean, median

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from coe_portal.models import Department, User
from governance.choices import ConditionStatus, ReviewStatus
from governance.models import Condition, Review
from skilling.models import AdoptionRole, Enrolment, LearnerProfile, PathStep
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
    # False when the data has no history, so only today's value can be computed (a
    # back-fill stores None for earlier dates).
    has_history: bool = True


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


# Governance and skilling KPIs. Each is one or two grouped queries (GROUP BY department,
# conditional counts): they run daily over tens of thousands of people and reviews, so no
# row is brought into Python.
ACTIVE_LEARNER_WINDOW_DAYS = 30


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _count_by_department(ctx: KpiContext, rows: QuerySet, department: str, count) -> KpiValue:
    """``count`` over ``rows`` grouped by the ``department`` lookup. The organisation's value
    is the sum of the groups, including rows with no department (counts must be additive:
    each row belongs to one department)."""
    counted = dict(
        rows.order_by().values(department).annotate(n=count).values_list(department, "n")
    )
    return KpiValue(
        organisation=sum(counted.values()),
        by_department={dept: counted.get(dept, 0) for dept in ctx.department_ids},
    )


def _share_by_department(ctx: KpiContext, rows: QuerySet, department: str, hit: Q) -> KpiValue:
    """The percentage of ``rows`` matching ``hit``, overall and per department (None where
    there are no rows)."""
    grouped = {
        row[department]: (row["hits"], row["total"])
        for row in rows.order_by()
        .values(department)
        .annotate(total=Count("pk"), hits=Count("pk", filter=hit))
    }
    return KpiValue(
        organisation=_percent(
            sum(h for h, _ in grouped.values()), sum(t for _, t in grouped.values())
        ),
        by_department={dept: _percent(*grouped.get(dept, (0, 0))) for dept in ctx.department_ids},
    )


def _staff(ctx: KpiContext) -> QuerySet:
    """The people counted as staff on the date: active accounts that existed by then
    (``is_active`` has no history: someone who left since is missing from a back-fill)."""
    return User.objects.filter(is_active=True, date_joined__lt=ctx.end)


def reviews_breaching_sla(ctx: KpiContext) -> KpiValue:
    """Reviews overdue on the date, by the proposal's department: the one definition the
    queue, its home page tile and the reminders share (``ReviewQuerySet.overdue``: open at
    the end of the day, and open more working days than the SLA allows since it opened).

    A review sent back with "request changes" reopens the same row with a new ``opened_at``
    and keeps its old ``decided_at``, so the status, not ``decided_at``, says whether it is
    open, and its new opening keeps it out of the days before it reopened. Days before an
    SLA change are measured with today's SLA."""

    rows = Review.objects.overdue(ctx.as_of)
    return _count_by_department(ctx, rows, "use_case__department_id", Count("pk"))


def review_on_time_share(ctx: KpiContext) -> KpiValue:
    """Of reviews decided in the 365 days up to the date, the percentage decided on or
    before their due date (the decision's local date). Reviews reopened since and open now
    are left out: their due date belongs to the new round."""

    since = ctx.end - dt.timedelta(days=DECISION_WINDOW_DAYS)
    rows = Review.objects.filter(
        status=ReviewStatus.DECIDED,
        decided_at__gte=since,
        decided_at__lt=ctx.end,
        due_on__isnull=False,
    ).annotate(decided_on=TruncDate("decided_at"))
    return _share_by_department(
        ctx, rows, "use_case__department_id", Q(decided_on__lte=F("due_on"))
    )


def open_conditions(ctx: KpiContext) -> KpiValue:
    """Conditions of approval neither met nor waived by the end of the day, by the
    proposal's department."""

    rows = Condition.objects.filter(created_at__lt=ctx.end).filter(
        Q(status=ConditionStatus.OPEN) | Q(met_at__gte=ctx.end) | Q(waived_at__gte=ctx.end)
    )
    return _count_by_department(ctx, rows, "use_case__department_id", Count("pk"))


def active_learners(ctx: KpiContext) -> KpiValue:
    """People who enrolled in or completed a learning resource in the 30 days up to the
    date, by their department (counted once however many resources)."""

    since = ctx.end - dt.timedelta(days=ACTIVE_LEARNER_WINDOW_DAYS)
    rows = Enrolment.objects.filter(
        Q(enrolled_at__gte=since, enrolled_at__lt=ctx.end)
        | Q(completed_at__gte=since, completed_at__lt=ctx.end)
    )
    return _count_by_department(ctx, rows, "user__department_id", Count("user", distinct=True))


def staff_trained_share(ctx: KpiContext) -> KpiValue:
    """Percentage of staff (``_staff``) who had completed at least one learning resource
    by the end of the day."""

    trained = Exists(Enrolment.objects.filter(user=OuterRef("pk"), completed_at__lt=ctx.end))
    return _share_by_department(ctx, _staff(ctx), "department_id", Q(trained))


def path_completion(ctx: KpiContext) -> KpiValue:
    """Percentage of staff (``_staff``) who had completed every step of at least one
    adoption role's learning path by the end of the day: issue 6's "share of staff who
    completed a path". Paths are read as they are now (steps added later make a back-fill
    stricter than the path was then)."""

    steps = dict(
        PathStep.objects.order_by()
        .values("path_id")
        .annotate(n=Count("pk"))
        .values_list("path_id", "n")
    )
    # One row per (person, path) with the number of the path's steps they had completed.
    done = (
        Enrolment.objects.filter(
            completed_at__lt=ctx.end,
            user__in=_staff(ctx),
            resource__path_steps__isnull=False,
        )
        .order_by()
        .values("user_id", "user__department_id", "resource__path_steps__path_id")
        .annotate(n=Count("resource_id", distinct=True))
        .values_list("user_id", "user__department_id", "resource__path_steps__path_id", "n")
    )
    completers = {
        user: dept for user, dept, path, n in done if steps.get(path) and n >= steps[path]
    }
    staff = dict(
        _staff(ctx)
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )
    finished: dict[int | None, int] = defaultdict(int)
    for dept in completers.values():
        finished[dept] += 1
    return KpiValue(
        organisation=_percent(len(completers), sum(staff.values())),
        by_department={
            dept: _percent(finished[dept], staff.get(dept, 0)) for dept in ctx.department_ids
        },
    )


def role_coverage(ctx: KpiContext) -> KpiValue:
    """Percentage of the adoption roles that at least one active person holds (their
    current role), as skilling's coverage report counts holders. Role profiles have no
    history, so for a past date (a back-fill) the value is None rather than today's figure
    dressed up as history."""

    if ctx.as_of < timezone.localdate():
        return KpiValue(None, {dept: None for dept in ctx.department_ids})
    roles = AdoptionRole.objects.count()
    holders = LearnerProfile.objects.filter(user__is_active=True, current_role__isnull=False)
    held = dict(
        holders.order_by()
        .values("user__department_id")
        .annotate(n=Count("current_role", distinct=True))
        .values_list("user__department_id", "n")
    )
    overall = holders.aggregate(n=Count("current_role", distinct=True))["n"]
    return KpiValue(
        organisation=_percent(overall, roles),
        by_department={dept: _percent(held.get(dept, 0), roles) for dept in ctx.department_ids},
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

register(
    Kpi(
        "reviews_breaching_sla",
        "Reviews past their SLA",
        "count",
        reviews_breaching_sla,
        help="Open reviews open longer than the review SLA (working days since each opened).",
        higher_is_better=False,
    )
)
register(
    Kpi(
        "review_on_time_share",
        "Reviews on time",
        "percent",
        review_on_time_share,
        help="Share of reviews decided in the last 365 days by their due date.",
    )
)
register(
    Kpi(
        "open_conditions",
        "Open conditions",
        "count",
        open_conditions,
        help="Conditions of approval not yet met.",
        higher_is_better=False,
    )
)
register(
    Kpi(
        "active_learners",
        "Active learners (30 days)",
        "count",
        active_learners,
        help="People who enrolled in or completed a learning resource in the last 30 days.",
    )
)
register(
    Kpi(
        "staff_trained_share",
        "Staff trained",
        "percent",
        staff_trained_share,
        help="Share of active staff who completed at least one learning resource.",
    )
)
register(
    Kpi(
        "path_completion",
        "Staff who completed a path",
        "percent",
        path_completion,
        help="Share of active staff who completed every step of a role's learning path.",
    )
)
register(
    Kpi(
        "role_coverage",
        "Adoption roles covered",
        "percent",
        role_coverage,
        help="Share of the adoption roles someone holds today (no history before today).",
        has_history=False,
    )
)


def compute_all(as_of: dt.date, slugs: Iterable[str] | None = None) -> dict[str, KpiValue]:
    """Every registered KPI (or those named) as of the end of ``as_of``."""
    ctx = KpiContext(as_of)
    return {slug: REGISTRY[slug].compute(ctx) for slug in (slugs or REGISTRY)}
