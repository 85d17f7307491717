"""Template tags for governance: the data the use-case page's governance panel shows."""

from __future__ import annotations

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from coe_portal.roles import is_coe_staff
from governance import reviews as review_logic
from governance import sla
from governance.choices import ConditionStatus
from governance.models import Condition, RegisterEntry, Review, Triage
from governance.risk import NIST_RISKS, nist_flags, platform_warnings, suggest_tier
from usecases.access import may_read_reasoning
from usecases.choices import LIVE_STATUSES, Status

register = template.Library()


@register.simple_tag
def governance_panel(use_case, user) -> dict:
    """Everything the panel needs in about five queries: risk, reviews, conditions,
    assignment, register entry, and what ``user`` may do."""
    if not may_read_reasoning(user, use_case):
        return _summary(use_case)
    try:
        assessment = use_case.risk_assessment
    except ObjectDoesNotExist:
        assessment = None
    if assessment is not None:
        tier, reasons, flags = (
            assessment.get_tier_display(),
            assessment.reasons,
            assessment.nist_flags,
        )
    else:
        suggestion = suggest_tier(use_case)
        tier, reasons, flags = suggestion.tier.label, suggestion.reasons, nist_flags(use_case)
    all_reviews = list(
        Review.objects.filter(use_case=use_case).select_related("decided_by", "assignee")
    )
    latest_round = max((r.round for r in all_reviews), default=0)
    sla_days = sla.review_sla_days() if any(r.is_open for r in all_reviews) else 0
    for r in all_reviews:
        r.may_answer = r.is_open and review_logic.may_answer(user, r)
        r.due = sla.due_date(r.opened_at, sla_days) if r.is_open else None
    conditions = list(
        Condition.objects.filter(use_case=use_case).select_related("owner", "waived_by")
    )
    for c in conditions:
        c.use_case = use_case  # the permission functions read its owner
        is_open = c.status == ConditionStatus.OPEN
        c.may_mark = is_open and review_logic.may_update_condition(user, c)
        c.may_waive = is_open and review_logic.may_waive_condition(user, c)
    triage = Triage.objects.filter(use_case=use_case).select_related("assignee").first()
    entry = RegisterEntry.objects.filter(use_case=use_case).first()
    may_triage = use_case.status in (Status.SUBMITTED, Status.TRIAGE) and (
        review_logic.may_triage(user, use_case)
    )
    decision = None
    if use_case.status in (
        Status.APPROVED, Status.APPROVED_WITH_CONDITIONS, Status.REJECTED,
        Status.CHANGES_REQUESTED, Status.IN_PILOT, Status.IN_PRODUCTION,
    ):  # fmt: skip
        decision = use_case.get_status_display()
    from usecases.lifecycle import available_transitions, transition_refusals

    moves = [
        t for t in available_transitions(user, use_case)
        if t.target in ("in_pilot", "in_production", "retired")
    ]  # fmt: skip
    may_move_on = use_case.status in LIVE_STATUSES and bool(moves)
    return {
        "may_move_on": may_move_on,
        # Why the pilot or production must wait (conditions still open), for those who may
        # move it on: the lifecycle's own refusal.
        "move_refusals": list(transition_refusals(use_case, moves).values()) if may_move_on else [],
        "assessment": assessment,
        "tier": tier,
        "tier_value": assessment.tier if assessment else suggest_tier(use_case).tier.value,
        "suggested_only": assessment is None,
        "reasons": reasons,
        "flags": [NIST_RISKS[f] for f in flags if f in NIST_RISKS],
        "current_reviews": [r for r in all_reviews if r.round == latest_round],
        "earlier_reviews": [r for r in all_reviews if r.round != latest_round],
        "conditions": conditions,
        "triage": triage,
        "entry": entry,
        "decision": decision,
        "may_triage": may_triage,
        "may_override": is_coe_staff(user),
        "warnings": platform_warnings(use_case),
        "duplicate_url": reverse("usecases:usecase_mark_duplicate", args=[use_case.pk]),
    }


def _summary(use_case) -> dict:
    """What everyone who can see a proposal may know of its governance: tier and decision."""
    try:
        assessment = use_case.risk_assessment
    except ObjectDoesNotExist:
        assessment = None
    decided = use_case.status in LIVE_STATUSES or use_case.status == Status.REJECTED
    return {
        "summary_only": True,
        "assessment": assessment,
        "tier": assessment.get_tier_display() if assessment else "Not assessed yet",
        "tier_value": assessment.tier if assessment else "",
        "decision": use_case.get_status_display() if decided else None,
    }


@register.simple_tag
def queue_counts(user, portal_settings=None) -> dict:
    """New (submitted) proposals in ``user``'s queue, and those with an overdue review (the
    queue's "overdue only" filter, the same condition), for the home page tile: counted
    live in one query, remembered on the user for the rest of the request."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from coe_portal.models import PortalSettings
    from coe_portal.roles import Role, has_role
    from governance.filters import has_overdue_review

    cached = getattr(user, "_governance_queue_counts", None)
    if cached is not None:
        return cached
    if not (is_coe_staff(user) or has_role(user, Role.CHAMPION)):
        return {"new": 0, "overdue": 0}
    sla_days = (portal_settings or PortalSettings.load()).review_sla_days
    overdue = has_overdue_review(timezone.localdate(), sla_days=sla_days)
    counts = review_logic.queue_for(user).aggregate(
        new=Count("pk", filter=Q(status=Status.SUBMITTED)),
        overdue=Count("pk", filter=Q(overdue)),
    )
    user._governance_queue_counts = counts
    return counts


@register.simple_tag
def review_due(review):
    """The last working day an open review is on time (governance.sla), or None."""
    if not review.is_open:
        return None
    return sla.due_date(review.opened_at, sla.review_sla_days())
