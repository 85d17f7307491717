from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from metrics import readiness
from metrics.models import ReadinessAssessment
from tests.factories import ReadinessAssessmentFactory

pytestmark = pytest.mark.django_db


def all_answers(score: int) -> dict:
    return {code: {"score": score, "evidence": "x"} for code in readiness.QUESTIONS}


def test_six_dimensions_with_several_questions_and_five_levels_each():
    assert len(readiness.DIMENSIONS) == 6
    for dimension in readiness.DIMENSIONS:
        assert len(dimension.questions) >= 3
        for question in dimension.questions:
            assert len(question.levels) == 5


@pytest.mark.parametrize(
    ("scores", "dimension", "overall"),
    [
        ({"strategy_goals": 5, "strategy_sponsor": 4, "strategy_portfolio": 3}, 4.0, "4.00"),
        ({"strategy_goals": 2, "data_quality": 5}, 2.0, "3.50"),  # the mean of two dimensions
        ({"strategy_goals": 1, "strategy_sponsor": 2}, 1.5, "1.50"),
    ],
)
def test_score_is_the_mean_of_dimension_means(scores, dimension, overall):
    dims, total = readiness.score({code: {"score": s} for code, s in scores.items()})

    assert dims["strategy"] == dimension
    assert total == Decimal(overall)


def test_champion_saves_a_draft_then_submits(champion, department):
    draft = readiness.save_assessment(
        department, {"strategy_goals": {"score": 4, "evidence": "plan"}}, actor=champion
    )
    assert draft.status == "draft"
    assert draft.overall == Decimal("4.00")

    submitted = readiness.save_assessment(department, all_answers(3), actor=champion, submit=True)

    assert submitted.pk == draft.pk
    assert submitted.status == "submitted"
    assert submitted.submitted_by == champion
    assert ReadinessAssessment.objects.count() == 1


def test_submitting_needs_every_question_and_changes_nothing_otherwise(champion, department):
    readiness.save_assessment(department, {"data_quality": {"score": 2}}, actor=champion)

    with pytest.raises(readiness.IncompleteAssessment):
        readiness.save_assessment(
            department, {"strategy_goals": {"score": 4}}, actor=champion, submit=True
        )

    saved = ReadinessAssessment.objects.get()
    assert saved.status == "draft"
    assert saved.answers == {"data_quality": {"score": 2, "evidence": ""}}


def test_a_submitted_assessment_cannot_be_changed(champion, department):
    readiness.save_assessment(department, all_answers(3), actor=champion, submit=True)

    with pytest.raises(ValidationError, match="history"):
        readiness.save_assessment(department, all_answers(5), actor=champion)


@pytest.mark.parametrize("who", ["employee", "outsider", "reviewer", "coe_admin", "leader"])
def test_only_the_departments_champion_runs_the_assessment(request, who, department):
    with pytest.raises(PermissionDenied):
        readiness.save_assessment(department, all_answers(3), actor=request.getfixturevalue(who))


def test_champion_of_another_department_cannot_assess_this_one(department, other_department):
    from coe_portal.roles import Role
    from tests.factories import UserFactory

    other_champion = UserFactory(department=other_department, roles=[Role.CHAMPION])
    with pytest.raises(PermissionDenied):
        readiness.save_assessment(department, all_answers(3), actor=other_champion)


def test_one_assessment_per_department_per_quarter_is_enforced_by_the_database(department):
    ReadinessAssessmentFactory(department=department, year=2026, quarter=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadinessAssessmentFactory(department=department, year=2026, quarter=2)


def test_scores_outside_one_to_five_are_refused(champion, department):
    with pytest.raises(ValidationError):
        readiness.save_assessment(department, {"strategy_goals": {"score": 7}}, actor=champion)


def test_unknown_questions_are_dropped():
    assert readiness.clean_answers({"nope": {"score": 3}, "data_quality": {"score": 2}}) == {
        "data_quality": {"score": 2, "evidence": ""}
    }


def test_submitting_refreshes_todays_readiness_snapshot(
    champion, department, django_capture_on_commit_callbacks
):
    from metrics.models import KpiSnapshot

    with django_capture_on_commit_callbacks(execute=True):
        readiness.save_assessment(department, all_answers(4), actor=champion, submit=True)

    row = KpiSnapshot.objects.get(kpi="readiness_index", scope=department.pk)
    assert row.value == 4.0
    assert not KpiSnapshot.objects.exclude(kpi="readiness_index").exists()
