"""Value and feasibility scores of a proposal, and its priority quadrant.

Both scores run from 0 to 100 and are sums of points from the intake answers. The weights
are the tables below: change a number here and every proposal is rescored on its next save
(``UseCase.save`` calls ``apply_scores``; the importer calls it for each row).

Value (what it is worth), 100 points:
    reach              up to 30  people it reaches: 1-9 → 6, 10-49 → 12, 50-249 → 18,
                                 250-999 → 24, 1000+ → 30
    hours saved/month  up to 30  1-19 → 6, 20-79 → 12, 80-199 → 18, 200-499 → 24, 500+ → 30
    annual value       up to 30  1-9,999 → 6, 10k → 12, 50k → 18, 250k → 24, 1M+ → 30
    success measure    10        a success measure is written down

Feasibility (how likely it is to work soon), 100 points:
    effort             up to 35  S 35, M 25, L 12, XL 0
    data readiness     up to 30  (readiness - 1) x 7.5
    data sensitivity   up to 15  public 15, internal 10, confidential 5, restricted 0
    platform           up to 10  an approved platform 10, another named platform 4
    team roles         up to 10  2 points per role the team already has
    risk flags         -5 each   personal data, customer-facing, decisions about people,
                                 regulated domain (never below 0)

Quadrant: value ≥ 50 and feasibility ≥ 50 → quick win; value ≥ 50 → strategic bet;
feasibility ≥ 50 → incremental; otherwise → reconsider. A proposal without any value or
feasibility answers yet has no quadrant.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from usecases.choices import Quadrant

# (lower bound, points): the points of the highest bound the answer reaches.
REACH_STEPS = ((1, 6), (10, 12), (50, 18), (250, 24), (1000, 30))
HOURS_STEPS = ((1, 6), (20, 12), (80, 18), (200, 24), (500, 30))
VALUE_STEPS = ((1, 6), (10_000, 12), (50_000, 18), (250_000, 24), (1_000_000, 30))
SUCCESS_MEASURE_POINTS = 10

EFFORT_POINTS = {"S": 35, "M": 25, "L": 12, "XL": 0}
READINESS_POINTS_PER_LEVEL = 7.5
SENSITIVITY_POINTS = {"public": 15, "internal": 10, "confidential": 5, "restricted": 0}
APPROVED_PLATFORM_POINTS = 10
OTHER_PLATFORM_POINTS = 4
POINTS_PER_TEAM_ROLE = 2
MAX_TEAM_ROLE_POINTS = 10
RISK_FLAG_PENALTY = 5
RISK_FLAGS = ("uses_personal_data", "customer_facing", "decides_about_people", "regulated_domain")

THRESHOLD = 50


@dataclass(frozen=True)
class Scores:
    value: int
    feasibility: int
    quadrant: str


def _stepped(amount, steps) -> int:
    points = 0
    if amount is None:
        return 0
    for bound, step_points in steps:
        if Decimal(amount) >= bound:
            points = step_points
    return points


def value_score(use_case) -> int:
    """0-100: reach, hours saved, annual value and a success measure (see module doc)."""
    points = (
        _stepped(use_case.reach, REACH_STEPS)
        + _stepped(use_case.hours_saved_per_month, HOURS_STEPS)
        + _stepped(use_case.estimated_annual_value, VALUE_STEPS)
    )
    if (use_case.success_measure or "").strip():
        points += SUCCESS_MEASURE_POINTS
    return min(points, 100)


def feasibility_score(use_case) -> int:
    """0-100: effort, data readiness and sensitivity, platform, team, risk (see module doc)."""
    points = float(EFFORT_POINTS.get(use_case.effort or "", 0))
    if use_case.data_readiness:
        points += (int(use_case.data_readiness) - 1) * READINESS_POINTS_PER_LEVEL
    points += SENSITIVITY_POINTS.get(use_case.data_sensitivity or "", 0)
    platform = use_case.platform if use_case.platform_id else None
    if platform is not None and platform.status == "approved":
        points += APPROVED_PLATFORM_POINTS
    elif platform is not None or (use_case.platform_other or "").strip():
        points += OTHER_PLATFORM_POINTS
    points += min(len(use_case.team_roles or []) * POINTS_PER_TEAM_ROLE, MAX_TEAM_ROLE_POINTS)
    points -= RISK_FLAG_PENALTY * sum(bool(getattr(use_case, flag)) for flag in RISK_FLAGS)
    return max(0, min(round(points), 100))


def quadrant(value: int, feasibility: int) -> str:
    """The priority quadrant for a pair of scores."""
    if value >= THRESHOLD:
        return Quadrant.QUICK_WIN if feasibility >= THRESHOLD else Quadrant.STRATEGIC_BET
    return Quadrant.INCREMENTAL if feasibility >= THRESHOLD else Quadrant.RECONSIDER


def has_scoring_answers(use_case) -> bool:
    return any(
        getattr(use_case, name) not in (None, "")
        for name in ("reach", "hours_saved_per_month", "estimated_annual_value", "effort")
    ) or bool(use_case.data_readiness)


def score(use_case) -> Scores:
    """The scores of ``use_case`` as its answers stand (not saved)."""
    value = value_score(use_case)
    feasibility = feasibility_score(use_case)
    placed = quadrant(value, feasibility) if has_scoring_answers(use_case) else ""
    return Scores(value, feasibility, placed)


def apply_scores(use_case) -> Scores:
    """Set the score fields on ``use_case`` (the caller saves)."""
    scores = score(use_case)
    use_case.value_score = scores.value
    use_case.feasibility_score = scores.feasibility
    use_case.quadrant = scores.quadrant
    return scores
