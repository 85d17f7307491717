"""Coverage against small hand-computed data (the arithmetic is in the comments)."""

from __future__ import annotations

import pytest

from skilling.choices import Level
from skilling.coverage import department_coverage
from tests.factories import UserFactory
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


@pytest.fixture
def world(department, other_department):
    """R1 needs S1@2, S2@1; path p1 (S1, L2), p2 (S2, L1).
    R2 needs S2@3, S3@1; path p3 (S2, L3), p4 (S3, L1), p5 (S2, L1).

    Finance: u1 holds R1, targets R2, completed p1 p2 p3; u2 targets R1, completed p1;
    u3 has no roles; u4 holds R2, completed p4; u5 holds R1 but is inactive (left).
    Marketing: u6 holds R1, completed p1 p2.
    """
    s1, s2, s3 = (SkillFactory(slug=f"s{i}", name=f"S{i}") for i in (1, 2, 3))
    r1 = AdoptionRoleFactory(slug="r1", name="R1")
    r2 = AdoptionRoleFactory(slug="r2", name="R2")
    RoleSkillFactory(role=r1, skill=s1, level=Level.PRACTITIONER)
    RoleSkillFactory(role=r1, skill=s2, level=Level.FOUNDATION)
    RoleSkillFactory(role=r2, skill=s2, level=Level.EXPERT)
    RoleSkillFactory(role=r2, skill=s3, level=Level.FOUNDATION)
    p1 = LearningResourceFactory(skills=[s1], level=2)
    p2 = LearningResourceFactory(skills=[s2], level=1)
    p3 = LearningResourceFactory(skills=[s2], level=3)
    p4 = LearningResourceFactory(skills=[s3], level=1)
    p5 = LearningResourceFactory(skills=[s2], level=1)
    path_for(r1, [p1, p2])
    path_for(r2, [p3, p4, p5])

    u1, u2, _u3, u4 = (UserFactory(department=department) for _ in range(4))
    u5 = UserFactory(department=department, is_active=False)
    u6 = UserFactory(department=other_department)
    profile(u1, current=r1, target=r2)
    profile(u2, target=r1)
    profile(u4, current=r2)
    profile(u5, current=r1)
    profile(u6, current=r1)
    for user, done in [(u1, [p1, p2, p3]), (u2, [p1]), (u4, [p4]), (u5, [p1, p2]), (u6, [p1, p2])]:
        for resource in done:
            completed(user, resource)
    return {"r1": r1, "r2": r2}


def by_slug(report):
    return {row.role.slug: row for row in report.roles}


def test_people_holding_and_targeting_each_role(department, world):
    (finance,), _ = department_coverage([department])

    assert (finance.people, finance.with_current_role, finance.with_target_role) == (4, 2, 2)
    roles = by_slug(finance)
    assert (roles["r1"].holding, roles["r1"].targeting, roles["r1"].learners) == (1, 1, 2)
    assert (roles["r2"].holding, roles["r2"].targeting, roles["r2"].learners) == (1, 1, 2)


def test_path_completion_is_the_mean_share_of_steps_done_by_the_role_learners(department, world):
    (finance,), _ = department_coverage([department])
    roles = by_slug(finance)

    # R1: u1 did 2 of 2, u2 did 1 of 2: (1 + 0.5) / 2 = 0.75; one completed the path.
    assert roles["r1"].path_completion == pytest.approx(0.75)
    assert roles["r1"].path_completion_percent == 75
    assert roles["r1"].completed_path == 1
    # R2: u1 did p3 (1 of 3), u4 did p4 (1 of 3): 1/3; nobody completed it.
    assert roles["r2"].path_completion == pytest.approx(1 / 3)
    assert roles["r2"].completed_path == 0


def test_skill_gaps_count_people_below_the_level_their_roles_need(department, world):
    (finance,), _ = department_coverage([department])

    # u1 needs S1@2 S2@3 S3@1, holds S1 2, S2 3 -> short of S3.
    # u2 needs S1@2 S2@1, holds S1 2 -> short of S2.
    # u4 needs S2@3 S3@1, holds S3 1 -> short of S2.
    assert [(g.skill.slug, g.needed_by, g.below_level) for g in finance.skill_gaps] == [
        ("s2", 3, 2),
        ("s3", 2, 1),
    ]
    assert finance.largest_gap.skill.slug == "s2"
    assert finance.skill_gaps[0].gap_percent == 67


def test_total_adds_up_the_departments(department, other_department, world):
    reports, total = department_coverage([department, other_department])

    assert [r.name for r in reports] == ["Finance", "Marketing"]
    assert total.name == "All departments"
    assert total.people == 5
    r1 = by_slug(total)["r1"]
    # u1 1.0, u2 0.5, u6 1.0 -> 2.5 / 3.
    assert (r1.holding, r1.learners, r1.completed_path) == (2, 3, 2)
    assert r1.path_completion == pytest.approx(2.5 / 3)


def test_roles_without_learners_have_no_completion(department, world):
    (finance,), _ = department_coverage([department])
    nobody = by_slug(finance)["power-user"]  # seeded by the migration, nobody in Finance

    assert (nobody.learners, nobody.path_completion, nobody.completed_path) == (0, None, 0)


def test_coverage_runs_seven_queries_whatever_the_size(
    department, other_department, world, django_assert_num_queries
):
    with django_assert_num_queries(7):
        department_coverage([department])
    for _ in range(10):
        user = UserFactory(department=other_department)
        profile(user, current=world["r1"], target=world["r2"])
    with django_assert_num_queries(7):
        department_coverage([department, other_department])
