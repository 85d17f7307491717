"""The AI use-case register and the work scheduled on it: re-reviews when they fall due and
reminders of overdue reviews. Both scheduled functions are safe to run twice."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.db import transaction
from django.db.models import OuterRef
from django.utils import timezone

from coe_portal.roles import Role
from coe_portal.spreadsheets import safe_cell
from coe_portal.subqueries import count_of
from governance.choices import ConditionStatus, ReviewKind, ReviewStatus, RiskTier
from governance.models import Condition, RegisterEntry, Review
from usecases.choices import LIVE_STATUSES
from usecases.models import UseCase, UseCaseEvent

SORTS = {
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "department": ("department__name", "title"),
    "tier": ("risk_assessment__tier", "title"),
    "next_review": ("register_entry__next_review_on", "title"),
    "-next_review": ("-register_entry__next_review_on", "title"),
    "decided": ("-decided_at", "-id"),
}


# The register is the CoE's and leadership's inventory of AI workloads (issue 4): reviewers,
# admins and leadership read it; employees follow their own proposals on their pages.
REGISTER_READERS = (Role.COE_REVIEWER, Role.COE_ADMIN, Role.LEADERSHIP)


def register_for(user):
    """Every live (approved, piloting, production) use case ``user`` may see, with what the
    register shows, in one query. Callers check REGISTER_READERS first."""
    return (
        UseCase.objects.visible_to(user)
        .filter(status__in=LIVE_STATUSES)
        .select_related("owner", "department", "platform", "risk_assessment", "register_entry")
        .annotate(
            # A correlated subquery, not a join with COUNT: worked out only for the rows
            # shown, and the page's count needs no GROUP BY.
            open_conditions=count_of(
                Condition.objects.filter(use_case=OuterRef("pk"), status=ConditionStatus.OPEN),
                "use_case",
            )
        )
    )


CSV_COLUMNS = [
    "id", "title", "status", "owner", "department", "platform", "data_classification",
    "risk_tier", "open_conditions", "next_review_on", "decided_at",
]  # fmt: skip


def write_csv(rows: Iterable[UseCase], out) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for uc in rows:
        assessment = getattr(uc, "risk_assessment", None)
        entry = getattr(uc, "register_entry", None)
        writer.writerow(
            [
                uc.pk,
                safe_cell(uc.title),
                uc.get_status_display(),
                safe_cell(str(uc.owner)),
                safe_cell(str(uc.department)),
                safe_cell(uc.platform.name if uc.platform else uc.platform_other),
                uc.get_data_sensitivity_display(),
                RiskTier(assessment.tier).label if assessment else "",
                uc.open_conditions,
                entry.next_review_on.isoformat() if entry and entry.next_review_on else "",
                uc.decided_at.date().isoformat() if uc.decided_at else "",
            ]
        )


def open_due_rereviews(today=None) -> list[int]:
    """Open a re-review for every live register entry whose date has come.

    Each entry is claimed by a conditional UPDATE (rereview_open False → True); only the
    run whose UPDATE changed the row opens the reviews, so two runs at once open one. The
    round is opened like a first review (``reviews.open_reviews``): routed under today's
    operating model and the proposal's tier, each area given to a reviewer who is told,
    and the owner told once."""
    from governance.reviews import current_tier, open_reviews

    today = today or timezone.localdate()
    due = RegisterEntry.objects.filter(
        rereview_open=False,
        next_review_on__lte=today,
        use_case__status__in=LIVE_STATUSES,
    ).values_list("pk", "use_case_id")
    opened = []
    for entry_id, use_case_id in due:
        with transaction.atomic():
            claimed = RegisterEntry.objects.filter(pk=entry_id, rereview_open=False).update(
                rereview_open=True
            )
            if not claimed:
                continue
            use_case = UseCase.objects.get(pk=use_case_id)
            UseCaseEvent.objects.create(
                use_case=use_case,
                kind=UseCaseEvent.Kind.REVIEW,
                note="Re-review due: opened by the schedule.",
            )
            open_reviews(use_case, current_tier(use_case_id), actor=None, kind=ReviewKind.RE_REVIEW)
            opened.append(use_case_id)
    return opened


def overdue_reviews_to_remind(today=None) -> list[int]:
    """Claim the overdue reviews (``ReviewQuerySet.overdue``, as the queue counts them)
    with an assignee, not yet reminded today; return their ids."""
    today = today or timezone.localdate()
    ids = list(
        Review.objects.overdue(today)
        .filter(status=ReviewStatus.OPEN, assignee__isnull=False)
        .exclude(reminded_on=today)
        .values_list("pk", flat=True)
    )
    claimed = []
    for pk in ids:
        # The conditional UPDATE is the claim: a second run the same day finds nothing.
        if Review.objects.filter(pk=pk).exclude(reminded_on=today).update(reminded_on=today):
            claimed.append(pk)
    return claimed


AFTER_APPROVAL = ("in_pilot", "in_production", "retired")


def record_go_live(
    use_case_id: int,
    target: str,
    *,
    actor,
    expected_status: str,
    on_date=None,
    realised_annual_value=None,
    note: str = "",
) -> UseCase:
    """Move approved work to pilot or production, or retire it, through the lifecycle
    (which decides who may), recording the go-live date and the value realised so far."""
    from governance.models import RegisterEntry
    from usecases.lifecycle import TransitionError, change_status

    if target not in AFTER_APPROVAL:
        raise TransitionError("Choose pilot, production or retirement.")
    with transaction.atomic():
        data = {"on": on_date.isoformat() if on_date else None}
        if realised_annual_value is not None:
            data["realised_annual_value"] = str(realised_annual_value)
        use_case = change_status(
            use_case_id, target, actor=actor, note=note, expected_status=expected_status, data=data
        )
        if realised_annual_value is not None:
            UseCase.objects.filter(pk=use_case_id).update(
                realised_annual_value=realised_annual_value
            )
        if target == "in_production":
            RegisterEntry.objects.update_or_create(
                use_case_id=use_case_id,
                defaults={"went_live_on": on_date or timezone.localdate()},
            )
    return use_case
