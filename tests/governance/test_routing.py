"""routing.route as a table: (operating model, tier, champion?) → who reviews each area and
who decides it."""

from __future__ import annotations

import pytest

from governance.choices import DEFAULT_TIER_POLICY, ReviewArea, RiskTier
from governance.routing import decider_of, responsibilities, route

ALL = list(ReviewArea.values)
LOW = ["responsible_ai", "privacy", "security"]
AREAS = {"minimal": ["responsible_ai"], "limited": LOW, "high": ALL, "prohibited": ALL}

# Every operating model, every tier, champion present or not, written out by hand (issue
# 18): operating model, tier, the department has a champion, who reviews, who decides.
TABLE = [
    ("centralized", "minimal", True, "coe", "coe"),
    ("centralized", "minimal", False, "coe", "coe"),
    ("centralized", "limited", True, "coe", "coe"),
    ("centralized", "limited", False, "coe", "coe"),
    ("centralized", "high", True, "coe", "coe"),
    ("centralized", "high", False, "coe", "coe"),
    ("centralized", "prohibited", True, "coe", "coe"),
    ("centralized", "prohibited", False, "coe", "coe"),
    ("federated", "minimal", True, "champion", "champion"),
    ("federated", "minimal", False, "coe", "coe"),  # no champion: the CoE steps in
    ("federated", "limited", True, "champion", "champion"),
    ("federated", "limited", False, "coe", "coe"),
    ("federated", "high", True, "coe", "coe"),
    ("federated", "high", False, "coe", "coe"),
    ("federated", "prohibited", True, "coe", "coe"),
    ("federated", "prohibited", False, "coe", "coe"),
    ("hybrid", "minimal", True, "champion", "champion"),
    ("hybrid", "minimal", False, "coe", "coe"),
    ("hybrid", "limited", True, "champion", "coe"),  # the champion reviews, the CoE decides
    ("hybrid", "limited", False, "coe", "coe"),
    ("hybrid", "high", True, "coe", "coe"),
    ("hybrid", "high", False, "coe", "coe"),
    ("hybrid", "prohibited", True, "coe", "coe"),
    ("hybrid", "prohibited", False, "coe", "coe"),
]


def test_the_table_covers_every_combination_once():
    combinations = {(m, t, c) for m, t, c, _, _ in TABLE}
    assert len(combinations) == len(TABLE) == 3 * len(RiskTier) * 2


@pytest.mark.parametrize(("model", "tier", "has_champion", "reviewer", "decider"), TABLE)
def test_route(model, tier, has_champion, reviewer, decider):
    areas = AREAS[tier]
    routes = route(model, tier, department_has_champion=has_champion, required_areas=areas)

    assert [r.area for r in routes] == [a for a in ReviewArea if a in areas]
    assert {(r.reviewer, r.decider) for r in routes} == {(reviewer, decider)}


class _Review:
    def __init__(self, reviewer_kind, operating_model):
        self.reviewer_kind, self.operating_model = reviewer_kind, operating_model


@pytest.mark.parametrize(
    ("reviewer_kind", "model", "tier_now", "has_champion", "decider"),
    [
        ("champion", "hybrid", "minimal", True, "champion"),
        ("champion", "hybrid", "limited", True, "coe"),  # raised since it opened
        ("champion", "federated", "limited", True, "champion"),
        ("champion", "federated", "high", True, "coe"),  # raised since it opened
        ("champion", "federated", "minimal", False, "coe"),  # the champion has left
        ("coe", "hybrid", "minimal", True, "coe"),  # lowered since: the CoE still decides
        ("coe", "federated", "limited", True, "coe"),
    ],
)
def test_an_open_reviews_decider_follows_its_model_and_the_tier_now(
    reviewer_kind, model, tier_now, has_champion, decider
):
    review = _Review(reviewer_kind, model)
    assert decider_of(review, tier_now, department_has_champion=has_champion) == decider


def test_what_the_settings_page_shows_for_each_model():
    assert [(t, r, d) for t, r, d in responsibilities("hybrid")] == [
        ("minimal", "champion", "champion"),
        ("limited", "champion", "coe"),
        ("high", "coe", "coe"),
        ("prohibited", "coe", "coe"),
    ]
    assert {(r, d) for _, r, d in responsibilities("centralized")} == {("coe", "coe")}


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
