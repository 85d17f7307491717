from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from coe_portal.models import AIPlatform
from tests.factories import UseCaseFactory
from usecases import scoring
from usecases.choices import Quadrant


def answers(**overrides):
    base = {
        "reach": None, "hours_saved_per_month": None, "estimated_annual_value": None,
        "success_measure": "", "effort": "", "data_readiness": None, "data_sensitivity": "",
        "platform_id": None, "platform": None, "platform_other": "", "team_roles": [],
        "uses_personal_data": False, "customer_facing": False, "decides_about_people": False,
        "regulated_domain": False,
    }  # fmt: skip
    return SimpleNamespace(**(base | overrides))


VALUE_TABLE = [
    ({}, 0),
    ({"reach": 5}, 6),
    ({"reach": 10}, 12),
    ({"reach": 1000}, 30),
    ({"hours_saved_per_month": 80}, 18),
    ({"hours_saved_per_month": 500}, 30),
    ({"estimated_annual_value": Decimal("9999")}, 6),
    ({"estimated_annual_value": Decimal("250000")}, 24),
    ({"success_measure": "Halve review time"}, 10),
    ({"success_measure": "   "}, 0),
    ({"reach": 5000, "hours_saved_per_month": 900, "estimated_annual_value": 2_000_000,
      "success_measure": "x"}, 100),
]  # fmt: skip


@pytest.mark.parametrize(("given", "expected"), VALUE_TABLE)
def test_value_score(given, expected):
    assert scoring.value_score(answers(**given)) == expected


FEASIBILITY_TABLE = [
    ({}, 0),
    ({"effort": "S"}, 35),
    ({"effort": "M"}, 25),
    ({"effort": "XL"}, 0),
    ({"data_readiness": 1}, 0),
    ({"data_readiness": 5}, 30),
    ({"data_sensitivity": "public"}, 15),
    ({"data_sensitivity": "restricted"}, 0),
    ({"platform_other": "Some model"}, 4),
    ({"team_roles": ["a", "b", "c"]}, 6),
    ({"team_roles": list("abcdefgh")}, 10),
    ({"effort": "S", "uses_personal_data": True, "customer_facing": True}, 25),
    ({"uses_personal_data": True}, 0),  # never below zero
    ({"effort": "S", "data_readiness": 5, "data_sensitivity": "public", "platform_other": "x",
      "team_roles": list("abcde")}, 94),
]  # fmt: skip


@pytest.mark.parametrize(("given", "expected"), FEASIBILITY_TABLE)
def test_feasibility_score(given, expected):
    assert scoring.feasibility_score(answers(**given)) == expected


@pytest.mark.parametrize(
    ("value", "feasibility", "quadrant"),
    [
        (50, 50, Quadrant.QUICK_WIN),
        (90, 10, Quadrant.STRATEGIC_BET),
        (49, 50, Quadrant.INCREMENTAL),
        (10, 49, Quadrant.RECONSIDER),
        (0, 0, Quadrant.RECONSIDER),
    ],
)
def test_quadrant(value, feasibility, quadrant):
    assert scoring.quadrant(value, feasibility) == quadrant


def test_no_answers_means_no_quadrant():
    assert scoring.score(answers()).quadrant == ""


@pytest.mark.django_db
def test_approved_platform_scores_more_than_an_unvetted_one():
    approved = AIPlatform.objects.create(name="Approved LLM", status=AIPlatform.Status.APPROVED)
    vetting = AIPlatform.objects.create(name="New LLM")
    assert scoring.feasibility_score(answers(platform_id=approved.pk, platform=approved)) == 10
    assert scoring.feasibility_score(answers(platform_id=vetting.pk, platform=vetting)) == 4


@pytest.mark.django_db
def test_scores_are_recomputed_on_every_save(employee):
    use_case = UseCaseFactory(owner=employee, effort="XL", data_readiness=1)
    before = use_case.feasibility_score
    use_case.effort = "S"
    use_case.save(update_fields=["effort"])
    use_case.refresh_from_db()
    assert use_case.feasibility_score == before + 35
    assert use_case.quadrant
