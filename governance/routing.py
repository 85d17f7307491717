"""Who reviews what and who decides it: the review areas a proposal needs, whether CoE
reviewers or its department's champions review each, and which of them records the
decision.

The rules, by operating model (DESIGN.md, "Governance"):

- centralized: CoE reviewers review and decide every proposal; champions triage.
- federated:  the department's champions review and decide minimal- and limited-risk
              proposals; CoE reviewers review and decide high risk (and prohibited, which
              can only be rejected).
- hybrid:     the CoE sets policy and decides; champions review minimal- and limited-risk
              proposals of their department and decide minimal risk alone (limited risk:
              the champion reviews, a CoE reviewer decides).

In every model a department without a champion falls back to the CoE: its reviews go to
CoE reviewers, who decide them too.

"Review" is who is given the review areas (answers the criteria); "decide" is who may
record a review's outcome, the last of which decides the proposal. Which areas each tier
needs is data (TierPolicy, edited in the setup wizard and settings page). Routing is applied
when reviews are opened, so switching the operating model or the tier policy affects new
reviews only; a review keeps the operating model it was routed under.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coe_portal.models import OperatingModel, PortalSettings, User
from coe_portal.roles import Role
from governance.choices import DEFAULT_TIER_POLICY, ReviewArea, ReviewerKind, RiskTier

# The tiers whose proposals champions review, and those they also decide, per model.
CHAMPIONS_REVIEW: dict[str, frozenset[str]] = {
    OperatingModel.CENTRALIZED: frozenset(),
    OperatingModel.FEDERATED: frozenset({RiskTier.MINIMAL, RiskTier.LIMITED}),
    OperatingModel.HYBRID: frozenset({RiskTier.MINIMAL, RiskTier.LIMITED}),
}
CHAMPIONS_DECIDE: dict[str, frozenset[str]] = {
    OperatingModel.CENTRALIZED: frozenset(),
    OperatingModel.FEDERATED: frozenset({RiskTier.MINIMAL, RiskTier.LIMITED}),
    OperatingModel.HYBRID: frozenset({RiskTier.MINIMAL}),
}


@dataclass(frozen=True)
class Route:
    area: ReviewArea
    reviewer: ReviewerKind
    decider: ReviewerKind


def reviewer_kind(
    operating_model: str, tier: str, *, department_has_champion: bool
) -> ReviewerKind:
    """Who reviews a proposal of ``tier`` under ``operating_model``."""
    if department_has_champion and tier in CHAMPIONS_REVIEW.get(operating_model, ()):
        return ReviewerKind.CHAMPION
    return ReviewerKind.COE


def decider_kind(operating_model: str, tier: str, *, department_has_champion: bool) -> ReviewerKind:
    """Who decides a proposal of ``tier`` under ``operating_model``. Champions decide only
    what they also review (CHAMPIONS_DECIDE is within CHAMPIONS_REVIEW)."""
    if department_has_champion and tier in CHAMPIONS_DECIDE.get(operating_model, ()):
        return ReviewerKind.CHAMPION
    return ReviewerKind.COE


def route(
    operating_model: str,
    tier: str,
    *,
    department_has_champion: bool,
    required_areas: Iterable[str],
) -> list[Route]:
    """The review areas a proposal of ``tier`` needs, each with who reviews and who
    decides it.

    Areas come back in ReviewArea order whatever order ``required_areas`` is in; with no
    areas required, the responsible-AI review stands in.
    """
    areas = [a for a in ReviewArea if a in set(required_areas)]
    if not areas:
        # Every accepted proposal gets at least one review, or nobody could ever decide it.
        areas = [ReviewArea.RESPONSIBLE_AI]
    has = department_has_champion
    reviewer = reviewer_kind(operating_model, tier, department_has_champion=has)
    decider = decider_kind(operating_model, tier, department_has_champion=has)
    return [Route(area, reviewer, decider) for area in areas]


def decider_of(review, tier: str, *, department_has_champion: bool) -> ReviewerKind:
    """Who decides an open ``review`` now: the CoE when the CoE reviews it; when champions
    review it, whoever its operating model gives ``tier`` to (the proposal's tier now, so a
    tier raised since the review opened takes the decision to the CoE), and the CoE once
    the department has no champion left."""
    if review.reviewer_kind != ReviewerKind.CHAMPION:
        return ReviewerKind.COE
    return decider_kind(
        review.operating_model, tier, department_has_champion=department_has_champion
    )


def responsibilities(operating_model: str) -> list[tuple[RiskTier, ReviewerKind, ReviewerKind]]:
    """(tier, who reviews, who decides) for each tier, least severe first, for a department
    with a champion: what the settings page shows for each model."""
    return [
        (
            tier,
            reviewer_kind(operating_model, tier, department_has_champion=True),
            decider_kind(operating_model, tier, department_has_champion=True),
        )
        for tier in reversed(RiskTier)
    ]


def champions_may_triage(operating_model: str) -> bool:
    """Champions triage their department's proposals in every operating model."""
    return operating_model in OperatingModel.values


def required_areas_for(tier: str) -> list[str]:
    """The areas the tier policy asks for (the defaults when the row is missing)."""
    from governance.models import TierPolicy

    policy = TierPolicy.objects.filter(tier=tier).first()
    if policy is not None:
        return list(policy.required_areas)
    return list(DEFAULT_TIER_POLICY[RiskTier(tier)][0])


def department_has_champion(department_id: int | None) -> bool:
    if department_id is None:
        return False
    return User.objects.filter(
        department_id=department_id, groups__name=Role.CHAMPION, is_active=True
    ).exists()


def route_use_case(use_case, tier: str) -> tuple[str, list[Route]]:
    """Routing for a real proposal now: (operating model used, routes)."""
    operating_model = PortalSettings.load().operating_model
    return operating_model, route(
        operating_model,
        tier,
        department_has_champion=department_has_champion(use_case.department_id),
        required_areas=required_areas_for(tier),
    )
