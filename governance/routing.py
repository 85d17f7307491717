"""Who reviews what: the review areas a proposal needs and whether CoE reviewers or its
department's champions review each.

The rules, by operating model (DESIGN.md, "Governance"):

- centralized: CoE reviewers review every area; champions may triage but never decide.
- federated:  champions of the proposal's department review minimal- and limited-risk
              proposals; CoE reviewers review high risk (and prohibited, which can only be
              rejected). A department without a champion falls back to the CoE.
- hybrid:     champions triage; CoE reviewers review every area.

Which areas each tier needs is data (TierPolicy, edited in the setup wizard and settings
page). Routing is applied when reviews are opened, so switching the operating model or
the tier policy affects new reviews only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coe_portal.models import OperatingModel, PortalSettings, User
from coe_portal.roles import Role
from governance.choices import DEFAULT_TIER_POLICY, ReviewArea, ReviewerKind, RiskTier

CHAMPION_TIERS_FEDERATED = frozenset({RiskTier.MINIMAL, RiskTier.LIMITED})


@dataclass(frozen=True)
class Route:
    area: ReviewArea
    reviewer: ReviewerKind


def route(
    operating_model: str,
    tier: str,
    *,
    department_has_champion: bool,
    required_areas: Iterable[str],
) -> list[Route]:
    """The review areas a proposal of ``tier`` needs, each with who reviews it.

    Areas come back in ReviewArea order whatever order ``required_areas`` is in; with no
    areas required, the responsible-AI review stands in.
    """
    areas = [a for a in ReviewArea if a in set(required_areas)]
    if not areas:
        # Every accepted proposal gets at least one review, or nobody could ever decide it.
        areas = [ReviewArea.RESPONSIBLE_AI]
    champion_decides = (
        operating_model == OperatingModel.FEDERATED
        and tier in CHAMPION_TIERS_FEDERATED
        and department_has_champion
    )
    reviewer = ReviewerKind.CHAMPION if champion_decides else ReviewerKind.COE
    return [Route(area, reviewer) for area in areas]


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
