"""Recommendations against small hand-computed data (see the comments for the arithmetic)."""

from __future__ import annotations

import pytest

from skilling import recommendations
from skilling.choices import Level
from skilling.enrolments import enrol
from tests.skilling.factories import (
    AdoptionRoleFactory,
    LearningResourceFactory,
    RoleSkillFactory,
    SkillFactory,
    completed,
    path_for,
    profile,
)

pytestmark = pytest.mark.django_db

F, P, E = Level.FOUNDATION, Level.PRACTITIONER, Level.EXPERT


@pytest.fixture
def world(employee):
    """Target role R needs A at practitioner, B at foundation, C at expert (D not at all).

    The person completed r1 (A, foundation) and r5 (B, foundation) and is enrolled in r6
    (C, foundation, not completed). R's path is r7, r2.
    """
    a, b, c, d = (SkillFactory(name=f"Skill {x}", slug=f"skill-{x}") for x in "abcd")
    role = AdoptionRoleFactory(slug="target")
    RoleSkillFactory(role=role, skill=a, level=P)
    RoleSkillFactory(role=role, skill=b, level=F)
    RoleSkillFactory(role=role, skill=c, level=E)

    def res(name, skill, level, minutes=60, status="active"):
        return LearningResourceFactory(
            title=name, skills=[skill], level=level, duration_minutes=minutes, status=status
        )

    r = {
        "r1": res("r1", a, F),
        "r2": res("r2", a, P, 120),
        "r3": res("r3", a, P, 30),
        "r4": res("r4", a, E),
        "r5": res("r5", b, F),
        "r6": res("r6", c, F),
        "r7": res("r7", c, P),
        "r8": res("r8", c, E, status="retired"),
        "r9": res("r9", c, E),
        "r10": res("r10", d, F),
    }
    path_for(role, [r["r7"], r["r2"]])
    completed(employee, r["r1"])
    completed(employee, r["r5"])
    enrol(r["r6"], actor=employee)
    profile(employee, target=role)
    return {"role": role, "a": a, "b": b, "c": c, **r}


def titles(resources):
    return [r.title for r in resources]


def test_gaps_are_the_target_role_skills_held_below_the_level_needed(employee, world):
    result = recommendations.recommend(employee)

    # A: needs 2, holds 1 (r1). B: needs 1, holds 1 (r5): met. C: needs 3, holds 0.
    # Largest gap first: C (3 levels short), then A (1 level short).
    assert [(g.skill.slug, g.required, g.held) for g in result.gaps] == [
        ("skill-c", 3, 0),
        ("skill-a", 2, 1),
    ]
    assert (result.skills_needed, result.skills_met) == (3, 1)


def test_resources_for_each_gap_path_steps_first_then_level_then_shortest(employee, world):
    gaps = {g.skill.slug: titles(g.resources) for g in recommendations.recommend(employee).gaps}

    # C: r6 is already enrolled, r8 retired; r7 is path step 1, r9 is expert.
    assert gaps["skill-c"] == ["r7", "r9"]
    # A: above held (1) and up to needed (2): r2 (path step 2) and r3; r4 is expert, too deep.
    assert gaps["skill-a"] == ["r2", "r3"]


def test_per_skill_limits_the_list(employee, world):
    gaps = recommendations.recommend(employee, per_skill=1).gaps
    assert [titles(g.resources) for g in gaps] == [["r7"], ["r2"]]


def test_completing_a_recommended_resource_closes_the_gap(employee, world):
    completed(employee, world["r2"])  # A at practitioner

    result = recommendations.recommend(employee)

    assert [g.skill.slug for g in result.gaps] == ["skill-c"]
    assert (result.skills_needed, result.skills_met) == (3, 2)


def test_nothing_to_recommend_when_every_level_is_met(employee, world):
    completed(employee, world["r2"])
    completed(employee, world["r9"])

    result = recommendations.recommend(employee)

    assert result.gaps == []
    assert result.skills_met == 3


def test_no_target_role_no_recommendation(colleague, world):
    assert recommendations.recommend(colleague) is None


@pytest.mark.parametrize(
    ("completed_levels", "expected"),
    [([], None), ([F], F), ([F, E], E), ([P, F], P)],
)
def test_level_held_is_the_highest_completed_level(employee, completed_levels, expected):
    skill = SkillFactory()
    for level in completed_levels:
        completed(employee, LearningResourceFactory(skills=[skill], level=level))
    # An enrolment that is not completed counts for nothing.
    enrol(LearningResourceFactory(skills=[skill], level=E), actor=employee)

    assert recommendations.held_levels(employee).get(skill.pk) == expected


def test_recommendation_runs_a_bounded_number_of_queries(
    employee, world, django_assert_max_num_queries
):
    for _ in range(15):
        LearningResourceFactory(skills=[world["c"]], level=P)
    with django_assert_max_num_queries(7):
        recommendations.recommend(employee)
