"""Each KPI against a small, hand-made history, with answers worked out by hand.

Two departments, Finance (F) and Marketing (M), and proposals whose event logs place them
in different stages on different days. The comments by each proposal say where it stands
on the two dates the table asks about.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from metrics import kpis
from tests.factories import (
    DepartmentFactory,
    ReadinessAssessmentFactory,
    UseCaseFactory,
    UserFactory,
)
from usecases.models import UseCase, UseCaseEvent

pytestmark = pytest.mark.django_db

JUNE_30 = dt.date(2026, 6, 30)
FEB_15 = dt.date(2026, 2, 15)


def at(month: int, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 12, 0))


def proposal(dept, status, created, *, events=(), estimated=None, realised=None,
             submitted=None, decided=None, changed=None):  # fmt: skip
    owner = UserFactory(department=dept)
    uc = UseCaseFactory(owner=owner, department=dept, status=status,
                        estimated_annual_value=estimated, realised_annual_value=realised)  # fmt: skip
    UseCase.objects.filter(pk=uc.pk).update(
        created_at=created, submitted_at=submitted, decided_at=decided, status_changed_at=changed
    )
    previous = "draft"
    for when, to_status in events:
        event = UseCaseEvent.objects.create(
            use_case=uc,
            kind=UseCaseEvent.Kind.TRANSITION,
            from_status=previous,
            to_status=to_status,
        )
        UseCaseEvent.objects.filter(pk=event.pk).update(created_at=when)
        previous = to_status
    return uc


@pytest.fixture
def history():
    f = DepartmentFactory(name="Finance", code="finance")
    m = DepartmentFactory(name="Marketing", code="marketing")
    DepartmentFactory(name="Legal", code="legal")  # no proposals, no assessment
    # 1. F: approved 9 Feb (30 days after submission), pilot 1 Mar, production 1 May.
    proposal(f, "in_production", at(1, 5), submitted=at(1, 10), decided=at(2, 9),
             changed=at(5, 1), estimated=100_000, realised=40_000,
             events=[(at(1, 10), "submitted"), (at(1, 15), "in_review"), (at(2, 9), "approved"),
                     (at(3, 1), "in_pilot"), (at(5, 1), "in_production")])  # fmt: skip
    # 2. F: rejected 22 Mar, 20 days after submission.
    proposal(f, "rejected", at(3, 1), submitted=at(3, 2), decided=at(3, 22), changed=at(3, 22),
             estimated=50_000,
             events=[(at(3, 2), "submitted"), (at(3, 5), "in_review"), (at(3, 22), "rejected")])  # fmt: skip
    # 3. F: submitted 12 Jun, in triage.
    proposal(f, "triage", at(6, 10), submitted=at(6, 12), changed=at(6, 13), estimated=20_000,
             events=[(at(6, 12), "submitted"), (at(6, 13), "triage")])  # fmt: skip
    # 4. M: approved with conditions 3 Mar, 30 days after submission (February has 28).
    proposal(m, "approved_with_conditions", at(2, 1), submitted=at(2, 1), decided=at(3, 3),
             changed=at(3, 3), estimated=70_000,
             events=[(at(2, 1), "submitted"), (at(2, 5), "in_review"),
                     (at(3, 3), "approved_with_conditions")])  # fmt: skip
    # 5. M: a draft: never in any stage.
    proposal(m, "draft", at(6, 20), estimated=10_000)
    # 6. M: in review on 30 Jun; approved only on 5 Jul (after the date asked about).
    proposal(m, "approved", at(5, 1), submitted=at(5, 2), decided=at(7, 5), changed=at(7, 5),
             estimated=5_000,
             events=[(at(5, 2), "submitted"), (at(5, 3), "in_review"), (at(7, 5), "approved")])  # fmt: skip
    # 7. F: created after 30 Jun: counts nowhere.
    proposal(f, "submitted", at(7, 2), submitted=at(7, 2), changed=at(7, 2),
             events=[(at(7, 2), "submitted")])  # fmt: skip
    # 8. M: imported straight into pilot, no events, no status date: counts as pilot.
    proposal(m, "in_pilot", at(1, 1))
    # Readiness: F 3.0 (Q1, submitted 20 Mar) and 4.0 (Q2, submitted 10 Jul); M 2.5 (15 Jun).
    ReadinessAssessmentFactory(department=f, year=2026, quarter=1, score=3, submitted_at=at(3, 20))
    ReadinessAssessmentFactory(department=f, year=2026, quarter=2, score=4, submitted_at=at(7, 10))
    ReadinessAssessmentFactory(department=m, year=2026, quarter=2, overall="2.5",
                               submitted_at=at(6, 15))  # fmt: skip
    return {"finance": f.pk, "marketing": m.pk}


# kpi, as of, organisation, Finance, Marketing
CASES = [
    ("stage_intake", JUNE_30, 1, 1, 0),
    ("stage_review", JUNE_30, 1, 0, 1),
    ("stage_approved", JUNE_30, 1, 0, 1),
    ("stage_pilot", JUNE_30, 1, 0, 1),
    ("stage_production", JUNE_30, 1, 1, 0),
    ("new_proposals", JUNE_30, 1, 1, 0),
    ("approval_rate", JUNE_30, 66.7, 50.0, 100.0),
    ("median_days_to_decision", JUNE_30, 30.0, 25.0, 30.0),
    ("estimated_value", JUNE_30, 170_000, 100_000, 70_000),
    ("realised_value", JUNE_30, 40_000, 40_000, 0),
    ("readiness_index", JUNE_30, 2.75, 3.0, 2.5),
    ("stage_intake", FEB_15, 0, 0, 0),
    ("stage_review", FEB_15, 1, 0, 1),
    ("stage_approved", FEB_15, 1, 1, 0),
    ("stage_pilot", FEB_15, 1, 0, 1),
    ("stage_production", FEB_15, 0, 0, 0),
    ("new_proposals", FEB_15, 1, 0, 1),
    ("approval_rate", FEB_15, 100.0, 100.0, None),
    ("median_days_to_decision", FEB_15, 30.0, 30.0, None),
    ("estimated_value", FEB_15, 100_000, 100_000, 0),
    ("realised_value", FEB_15, 0, 0, 0),
    ("readiness_index", FEB_15, None, None, None),
]


@pytest.mark.parametrize(("slug", "as_of", "organisation", "finance", "marketing"), CASES)
def test_kpi_value_matches_the_hand_computed_answer(
    history, slug, as_of, organisation, finance, marketing
):
    value = kpis.REGISTRY[slug].compute(kpis.KpiContext(as_of))

    assert value.organisation == organisation
    assert value.by_department[history["finance"]] == finance
    assert value.by_department[history["marketing"]] == marketing


def test_every_registered_kpi_is_in_the_table():
    assert {slug for slug, *_ in CASES} == set(kpis.REGISTRY)


def test_a_department_without_data_gets_zero_counts_and_no_rate(history):
    values = kpis.compute_all(JUNE_30)
    legal = next(k for k in values["stage_intake"].by_department if k not in history.values())

    assert values["stage_intake"].by_department[legal] == 0
    assert values["approval_rate"].by_department[legal] is None
    assert values["readiness_index"].by_department[legal] is None


def test_registering_a_kpi_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        kpis.register(kpis.REGISTRY["approval_rate"])
