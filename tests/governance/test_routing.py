"""routing.route as a table: (operating model, tier, champion?) → who reviews each area."""

from __future__ import annotations

import pytest

from governance.choices import DEFAULT_TIER_POLICY, ReviewArea, RiskTier
from governance.routing import route

ALL = list(ReviewArea.values)
LOW = ["responsible_ai", "privacy", "security"]

# operating model, tier, department has a champion, required areas, expected reviewer
TABLE = [
    ("centralized", "minimal", True, ["responsible_ai"], "coe"),
    ("centralized", "limited", True, LOW, "coe"),
    ("centralized", "high", True, ALL, "coe"),
    ("centralized", "prohibited", True, ALL, "coe"),
    ("federated", "minimal", True, ["responsible_ai"], "champion"),
    ("federated", "limited", True, LOW, "champion"),
    ("federated", "limited", False, LOW, "coe"),  # no champion: the CoE steps in
    ("federated", "high", True, ALL, "coe"),
    ("federated", "prohibited", True, ALL, "coe"),
    ("hybrid", "minimal", True, ["responsible_ai"], "coe"),
    ("hybrid", "limited", True, LOW, "coe"),
    ("hybrid", "high", True, ALL, "coe"),
]


@pytest.mark.parametrize(("model", "tier", "has_champion", "areas", "reviewer"), TABLE)
def test_route(model, tier, has_champion, areas, reviewer):
    routes = route(model, tier, department_has_champion=has_champion, required_areas=areas)

    assert [r.area for r in routes] == [a for a in ReviewArea if a in areas]
    assert {r.reviewer for r in routes} == {reviewer}


@pytest.mark.parametrize(("tier", "reviewer"), [("prohibited", "coe"), ("minimal", "champion")])
def test_with_no_areas_required_the_responsible_ai_review_stands_in(tier, reviewer):
    routes = route("federated", tier, department_has_champion=True, required_areas=[])
    assert [(r.area, r.reviewer) for r in routes] == [("responsible_ai", reviewer)]


def test_areas_come_back_in_a_fixed_order():
    routes = route(
        "centralized", "high", department_has_champion=False, required_areas=["security", "legal"]
    )
    assert [r.area for r in routes] == ["legal", "security"]


@pytest.mark.django_db
def test_the_seeded_tier_policy_matches_the_defaults():
    from governance.models import TierPolicy

    for tier in RiskTier:
        policy = TierPolicy.objects.get(tier=tier)
        areas, days = DEFAULT_TIER_POLICY[tier]
        assert (sorted(policy.required_areas), policy.rereview_after_days) == (sorted(areas), days)
