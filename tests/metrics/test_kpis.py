"""Each KPI against a small, hand-made history, with answers worked out by hand.

Two departments, Finance (F) and Marketing (M), and proposals whose event logs place them
in different stages on different days; their reviews and conditions; and a few people who
learn. The comments by each row say where it stands on the dates the table asks about.
Proposal owners join today, so on the past dates the only staff are the learners.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from governance.models import Condition, Review
from governance.sla import subtract_working_days
from metrics import kpis
from skilling.models import AdoptionRole, Enrolment
from tests.factories import (
    ConditionFactory,
    DepartmentFactory,
    ReadinessAssessmentFactory,
    ReviewFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.skilling.factories import (
    AdoptionRoleFactory,
    LearningResourceFactory,
    path_for,
    profile,
)
from usecases.models import UseCase, UseCaseEvent

pytestmark = pytest.mark.django_db

JUNE_30 = dt.date(2026, 6, 30)
FEB_15 = dt.date(2026, 2, 15)
TODAY = "today"  # resolved when the test runs: KPIs without history are asked about today


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
        UseCaseEvent.objects.create(
            use_case=uc,
            kind=UseCaseEvent.Kind.TRANSITION,
            from_status=previous,
            to_status=to_status,
            created_at=when,
        )
        previous = to_status
    return uc


@pytest.fixture
def history():
    f = DepartmentFactory(name="Finance", code="finance")
    m = DepartmentFactory(name="Marketing", code="marketing")
    DepartmentFactory(name="Legal", code="legal")  # no proposals, no assessment
    # 1. F: approved 9 Feb (30 days after submission), pilot 1 Mar, production 1 May.
    p1 = proposal(f, "in_production", at(1, 5), submitted=at(1, 10), decided=at(2, 9),
             changed=at(5, 1), estimated=100_000, realised=40_000,
             events=[(at(1, 10), "submitted"), (at(1, 15), "in_review"), (at(2, 9), "approved"),
                     (at(3, 1), "in_pilot"), (at(5, 1), "in_production")])  # fmt: skip
    # 2. F: rejected 22 Mar, 20 days after submission.
    p2 = proposal(f, "rejected", at(3, 1), submitted=at(3, 2), decided=at(3, 22), changed=at(3, 22),
             estimated=50_000,
             events=[(at(3, 2), "submitted"), (at(3, 5), "in_review"), (at(3, 22), "rejected")])  # fmt: skip
    # 3. F: submitted 12 Jun, in triage.
    proposal(f, "triage", at(6, 10), submitted=at(6, 12), changed=at(6, 13), estimated=20_000,
             events=[(at(6, 12), "submitted"), (at(6, 13), "triage")])  # fmt: skip
    # 4. M: approved with conditions 3 Mar, 30 days after submission (February has 28).
    p4 = proposal(m, "approved_with_conditions", at(2, 1), submitted=at(2, 1), decided=at(3, 3),
             changed=at(3, 3), estimated=70_000,
             events=[(at(2, 1), "submitted"), (at(2, 5), "in_review"),
                     (at(3, 3), "approved_with_conditions")])  # fmt: skip
    # 5. M: a draft: never in any stage.
    proposal(m, "draft", at(6, 20), estimated=10_000)
    # 6. M: in review on 30 Jun; approved only on 5 Jul (after the date asked about).
    p6 = proposal(m, "approved", at(5, 1), submitted=at(5, 2), decided=at(7, 5), changed=at(7, 5),
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
    _governance(p1, p2, p4, p6)
    _learning(f, m)
    return {"finance": f.pk, "marketing": m.pk}


def review(use_case, round_no, created, due, *, decided=None, status="decided", kind="initial"):
    """A review due on ``due``: opened the SLA's 10 working days before it (a reopened
    review's clock starts again when it reopens, after ``created``)."""
    r = ReviewFactory(use_case=use_case, round=round_no, status=status, kind=kind)
    opened = timezone.make_aware(
        dt.datetime.combine(subtract_working_days(due, 10), created.time())
    )
    Review.objects.filter(pk=r.pk).update(
        created_at=created, opened_at=opened, due_on=due, decided_at=decided
    )


def condition(use_case, created, *, met=None):
    c = ConditionFactory(use_case=use_case, status="met" if met else "open")
    Condition.objects.filter(pk=c.pk).update(created_at=created, met_at=met)


def _governance(p1, p2, p4, p6):
    """Reviews: on 15 Feb R7 is open past its due date (M); on 30 Jun R4 (M) and R5 (F).
    Decided in the year to 30 Jun: R1 late, R2 on time (F); R3, R7 late (M)."""
    # R1, F: due 29 Jan, decided 5 Feb: late.
    review(p1, 1, at(1, 15), dt.date(2026, 1, 29), decided=at(2, 5))
    # R2, F: decided on its due date: on time.
    review(p1, 2, at(1, 15), dt.date(2026, 1, 29), decided=at(1, 29))
    # R3, M: due 19 Feb, decided 3 Mar: late; open but not yet due on 15 Feb.
    review(p4, 1, at(2, 5), dt.date(2026, 2, 19), decided=at(3, 3))
    # R7, M: due 12 Feb, decided 1 Mar: open past its due date on 15 Feb; late.
    review(p4, 2, at(2, 5), dt.date(2026, 2, 12), decided=at(3, 1))
    # R4, M: due 17 May, decided only 5 Jul: open past its due date on 30 Jun.
    review(p6, 1, at(5, 3), dt.date(2026, 5, 17), decided=at(7, 5))
    # R5, F: a re-review of the live p1, first decided 20 Mar with "request changes",
    # reopened with a new due date of 25 Jun and open now: past its due date on 30 Jun, and
    # not a decision of the year. (An open review of a proposal no longer in review, such as
    # the rejected p2, is awaited by nobody and never overdue: ReviewQuerySet.overdue.)
    review(p1, 3, at(3, 5), dt.date(2026, 6, 25), decided=at(3, 20), status="open",
           kind="re_review")  # fmt: skip
    # Conditions: C1 (M) met 1 Apr; C2 (M) open; C3 (F) met 10 Jul.
    condition(p4, at(3, 3), met=at(4, 1))
    condition(p4, at(3, 3))
    condition(p1, at(2, 9), met=at(7, 10))


def enrol(user, resource, enrolled, completed=None):
    Enrolment.objects.create(
        user=user,
        resource=resource,
        status="completed" if completed else "enrolled",
        progress=100 if completed else 0,
        completed_at=completed,
    )
    Enrolment.objects.filter(user=user, resource=resource).update(enrolled_at=enrolled)


def _learning(f, m):
    """Two adoption roles: A's path has steps r1, r2; B's has r3; r4 is on no path.

    Staff on 15 Feb: fa, fb (F), ma, mb (M); on 30 Jun also fc (F, joined 1 Mar). fd (F)
    has left (inactive) and never counts as staff."""
    AdoptionRole.objects.all().delete()  # the migration's roles: this test wants two
    role_a, role_b = AdoptionRoleFactory(), AdoptionRoleFactory()
    r1, r2, r3, r4 = LearningResourceFactory.create_batch(4)
    path_for(role_a, [r1, r2])
    path_for(role_b, [r3])
    joined = at(1, 1)
    fa = UserFactory(department=f, date_joined=joined)
    fb = UserFactory(department=f, date_joined=joined)
    fc = UserFactory(department=f, date_joined=at(3, 1))
    fd = UserFactory(department=f, date_joined=joined, is_active=False)
    ma = UserFactory(department=m, date_joined=joined)
    mb = UserFactory(department=m, date_joined=joined)
    # fa: r1 done 10 Feb (trained), r2 done 20 Jun (path A complete).
    enrol(fa, r1, at(2, 1), at(2, 10))
    enrol(fa, r2, at(6, 5), at(6, 20))
    # fb: enrolled in r3 on 10 Jun, not done.
    enrol(fb, r3, at(6, 10))
    # fc: r4 (no path) done 25 Jun: trained, no path.
    enrol(fc, r4, at(3, 2), at(6, 25))
    # fd: completed path B on 1 Feb, but has left.
    enrol(fd, r3, at(1, 20), at(2, 1))
    # ma: r3 done 15 Jun (path B complete).
    enrol(ma, r3, at(6, 1), at(6, 15))
    # Roles held today: A by fa (F) and ma (M), B by mb (M); fb only targets B.
    profile(fa, current=role_a)
    profile(ma, current=role_a)
    profile(mb, current=role_b, target=role_a)
    profile(fb, target=role_b)


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
    ("reviews_breaching_sla", JUNE_30, 2, 1, 1),
    ("review_on_time_share", JUNE_30, 25.0, 50.0, 0.0),
    ("open_conditions", JUNE_30, 2, 1, 1),
    # fa, fb, fc (F) and ma (M) enrolled or completed from 1 Jun; fd's activity was in Jan.
    ("active_learners", JUNE_30, 4, 3, 1),
    # F: fa, fc of fa, fb, fc; M: ma of ma, mb.
    ("staff_trained_share", JUNE_30, 60.0, 66.7, 50.0),
    # F: fa (path A) of three; M: ma (path B) of two.
    ("path_completion", JUNE_30, 40.0, 33.3, 50.0),
    ("role_coverage", JUNE_30, None, None, None),
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
    ("reviews_breaching_sla", FEB_15, 1, 0, 1),
    ("review_on_time_share", FEB_15, 50.0, 50.0, None),
    ("open_conditions", FEB_15, 1, 1, 0),
    # fa (enrolled 1 Feb) and fd (completed 1 Feb; active then, whatever since).
    ("active_learners", FEB_15, 2, 2, 0),
    # F: fa of fa, fb (fc not yet joined, fd inactive); M: nobody of ma, mb.
    ("staff_trained_share", FEB_15, 25.0, 50.0, 0.0),
    ("path_completion", FEB_15, 0.0, 0.0, 0.0),
    ("role_coverage", FEB_15, None, None, None),
    # Today: roles A and B are both held (by M's people); F holds A only.
    ("role_coverage", TODAY, 100.0, 50.0, 100.0),
]


@pytest.mark.parametrize(("slug", "as_of", "organisation", "finance", "marketing"), CASES)
def test_kpi_value_matches_the_hand_computed_answer(
    history, slug, as_of, organisation, finance, marketing
):
    as_of = timezone.localdate() if as_of == TODAY else as_of
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
    assert values["reviews_breaching_sla"].by_department[legal] == 0
    assert values["active_learners"].by_department[legal] == 0
    assert values["staff_trained_share"].by_department[legal] is None


def test_registering_a_kpi_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        kpis.register(kpis.REGISTRY["approval_rate"])


CROSS_APP_KPIS = [
    "reviews_breaching_sla",
    "review_on_time_share",
    "open_conditions",
    "active_learners",
    "staff_trained_share",
    "path_completion",
    "role_coverage",
]


def test_governance_and_learning_kpis_count_in_the_database(history, django_assert_num_queries):
    """Grouped queries, not a loop over rows: one query for the departments, one each for
    the counts and shares, one for the review SLA, three for path completion (steps,
    completions, staff) and three for role coverage (roles, holders by department, holders
    overall)."""
    with django_assert_num_queries(13):
        kpis.compute_all(timezone.localdate(), CROSS_APP_KPIS)
