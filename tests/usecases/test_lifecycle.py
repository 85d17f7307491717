from __future__ import annotations

import pytest

from tests.factories import UseCaseFactory
from usecases.choices import Status
from usecases.lifecycle import (
    TRANSITIONS,
    DecidedOnReviews,
    IncompleteProposal,
    StaleChange,
    TransitionError,
    available_transitions,
    change_status,
    record_decision,
)
from usecases.models import UseCaseEvent

pytestmark = pytest.mark.django_db

S = Status
# (from, to, who: owner | champion | reviewer | outsider | colleague, allowed)
TABLE = [
    (S.DRAFT, S.SUBMITTED, "owner", True),
    (S.DRAFT, S.SUBMITTED, "reviewer", False),
    (S.DRAFT, S.SUBMITTED, "champion", False),
    (S.SUBMITTED, S.TRIAGE, "reviewer", True),
    (S.SUBMITTED, S.TRIAGE, "champion", True),
    (S.SUBMITTED, S.TRIAGE, "owner", False),
    (S.SUBMITTED, S.TRIAGE, "outsider_champion", False),
    (S.TRIAGE, S.IN_REVIEW, "reviewer", True),
    (S.TRIAGE, S.REJECTED, "reviewer", True),
    (S.TRIAGE, S.APPROVED, "reviewer", False),
    (S.TRIAGE, S.REJECTED, "champion", True),
    (S.SUBMITTED, S.REJECTED, "reviewer", True),
    # decisions on a proposal in review: made on its reviews, by nobody directly
    (S.IN_REVIEW, S.APPROVED, "reviewer", False),
    (S.IN_REVIEW, S.APPROVED, "owner", False),
    (S.IN_REVIEW, S.APPROVED_WITH_CONDITIONS, "reviewer", False),
    (S.IN_REVIEW, S.REJECTED, "champion", False),
    (S.IN_REVIEW, S.REJECTED, "reviewer", False),
    (S.IN_REVIEW, S.CHANGES_REQUESTED, "reviewer", False),
    (S.CHANGES_REQUESTED, S.SUBMITTED, "owner", True),
    (S.CHANGES_REQUESTED, S.SUBMITTED, "reviewer", False),
    (S.APPROVED, S.IN_PILOT, "owner", True),
    (S.APPROVED, S.IN_PILOT, "reviewer", True),
    (S.APPROVED_WITH_CONDITIONS, S.IN_PILOT, "owner", True),
    (S.APPROVED, S.IN_PRODUCTION, "reviewer", False),
    (S.IN_PILOT, S.IN_PRODUCTION, "reviewer", True),
    (S.IN_PILOT, S.IN_PRODUCTION, "owner", True),
    (S.IN_PILOT, S.IN_PRODUCTION, "colleague", False),
    (S.IN_PRODUCTION, S.RETIRED, "owner", True),
    (S.IN_PRODUCTION, S.RETIRED, "colleague", False),
    (S.DRAFT, S.WITHDRAWN, "owner", True),
    (S.IN_REVIEW, S.WITHDRAWN, "owner", True),
    (S.IN_REVIEW, S.WITHDRAWN, "reviewer", False),
    (S.APPROVED, S.WITHDRAWN, "owner", False),
    (S.REJECTED, S.SUBMITTED, "owner", False),
    (S.WITHDRAWN, S.SUBMITTED, "owner", False),
    (S.RETIRED, S.IN_PRODUCTION, "reviewer", False),
]
NOTE = "Reasons written down."


@pytest.fixture
def people(employee, colleague, champion, reviewer, other_department):
    from coe_portal.roles import Role
    from tests.factories import UserFactory

    return {
        "owner": employee,
        "colleague": colleague,
        "champion": champion,
        "reviewer": reviewer,
        "outsider_champion": UserFactory(department=other_department, roles=[Role.CHAMPION]),
    }


@pytest.mark.parametrize(("source", "target", "who", "allowed"), TABLE)
def test_transition_table(people, source, target, who, allowed):
    use_case = UseCaseFactory(owner=people["owner"], status=source)
    actor = people[who]

    if allowed:
        changed = change_status(use_case.pk, target, actor=actor, note=NOTE)
        assert changed.status == target
        event = UseCaseEvent.objects.get(use_case=use_case)
        assert (event.actor, event.from_status, event.to_status, event.note) == (
            actor, source, target, NOTE,
        )  # fmt: skip
    else:
        with pytest.raises(TransitionError):
            change_status(use_case.pk, target, actor=actor, note=NOTE)
        use_case.refresh_from_db()
        assert use_case.status == source
        assert not UseCaseEvent.objects.filter(use_case=use_case).exists()


def test_available_transitions_are_the_allowed_ones(people):
    use_case = UseCaseFactory(owner=people["owner"], status=S.TRIAGE)
    labels = [t.label for t in available_transitions(people["reviewer"], use_case)]
    assert labels == ["Accept for review", "Reject"]
    assert [t.label for t in available_transitions(people["owner"], use_case)] == ["Withdraw"]
    assert available_transitions(people["colleague"], use_case) == []


DECISIONS_IN_REVIEW = [S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REJECTED, S.CHANGES_REQUESTED]


def test_the_table_gives_the_decisions_in_review_to_nobody_but_the_reviews():
    in_review = {t.target for t in TRANSITIONS if t.source == S.IN_REVIEW and t.by_review}
    assert in_review == set(DECISIONS_IN_REVIEW)
    assert all(t.source == S.IN_REVIEW for t in TRANSITIONS if t.by_review)


@pytest.mark.parametrize("who", ["owner", "champion", "reviewer", "coe_admin"])
def test_nobody_is_offered_a_decision_on_a_proposal_in_review(people, coe_admin, who):
    people["coe_admin"] = coe_admin
    use_case = UseCaseFactory(owner=people["owner"], status=S.IN_REVIEW)
    offered = {t.target for t in available_transitions(people[who], use_case)}
    assert not offered & set(DECISIONS_IN_REVIEW)


@pytest.mark.parametrize("target", DECISIONS_IN_REVIEW)
def test_a_direct_decision_is_refused_and_points_to_the_reviews(people, coe_admin, target):
    use_case = UseCaseFactory(owner=people["owner"], status=S.IN_REVIEW)
    with pytest.raises(DecidedOnReviews, match=r"made on the reviews.*governance page"):
        change_status(use_case.pk, target, actor=coe_admin, note=NOTE)
    use_case.refresh_from_db()
    assert use_case.status == S.IN_REVIEW and use_case.decided_at is None
    assert not UseCaseEvent.objects.filter(use_case=use_case).exists()


def test_a_decision_recorded_from_reviews_keeps_them_on_its_event(people):
    use_case = UseCaseFactory(owner=people["owner"], status=S.IN_REVIEW)
    decided = record_decision(
        use_case.pk, S.APPROVED, actor=people["reviewer"], note=NOTE, reviews=[7, 8]
    )
    assert decided.status == S.APPROVED and decided.decided_at is not None
    event = UseCaseEvent.objects.get(use_case=use_case)
    assert (event.to_status, event.data) == (S.APPROVED, {"reviews": [7, 8]})


def test_record_decision_makes_decisions_only(people):
    use_case = UseCaseFactory(owner=people["owner"], status=S.TRIAGE)
    with pytest.raises(TransitionError, match="not a decision on reviews"):
        record_decision(
            use_case.pk, S.IN_REVIEW, actor=people["reviewer"], note=NOTE, reviews=[1],
            expected_status=S.TRIAGE,
        )  # fmt: skip
    with pytest.raises(TransitionError, match="decided reviews"):
        record_decision(use_case.pk, S.REJECTED, actor=people["reviewer"], note=NOTE, reviews=[])
    use_case.refresh_from_db()
    assert use_case.status == S.TRIAGE


def test_rejection_needs_a_note(people):
    use_case = UseCaseFactory(owner=people["owner"], status=S.TRIAGE)
    with pytest.raises(TransitionError, match="needs a note"):
        change_status(use_case.pk, S.REJECTED, actor=people["reviewer"], note="  ")


def test_submitting_an_incomplete_proposal_names_what_is_missing(people):
    use_case = UseCaseFactory(owner=people["owner"], problem="", effort="", platform_other="")
    with pytest.raises(IncompleteProposal) as error:
        change_status(use_case.pk, S.SUBMITTED, actor=people["owner"])
    assert error.value.missing == [
        "the problem and who has it", "effort", "intended platform or model",
    ]  # fmt: skip
    use_case.refresh_from_db()
    assert use_case.status == S.DRAFT


def test_second_of_two_triagers_gets_a_clear_message_and_changes_nothing(people):
    use_case = UseCaseFactory(owner=people["owner"], status=S.TRIAGE)
    change_status(use_case.pk, S.IN_REVIEW, actor=people["reviewer"], expected_status=S.TRIAGE)
    with pytest.raises(StaleChange, match="now 'In review'"):
        change_status(
            use_case.pk, S.REJECTED, actor=people["champion"], note=NOTE,
            expected_status=S.TRIAGE,
        )  # fmt: skip
    use_case.refresh_from_db()
    assert use_case.status == S.IN_REVIEW
    assert UseCaseEvent.objects.filter(use_case=use_case).count() == 1


def test_asking_for_the_current_status_changes_nothing(people):
    use_case = UseCaseFactory(owner=people["owner"], status=S.SUBMITTED)
    change_status(use_case.pk, S.SUBMITTED, actor=people["owner"])
    assert not UseCaseEvent.objects.filter(use_case=use_case).exists()


def test_timestamps_and_version(people):
    use_case = UseCaseFactory(owner=people["owner"])
    submitted = change_status(use_case.pk, S.SUBMITTED, actor=people["owner"])
    assert submitted.submitted_at is not None and submitted.decided_at is None
    assert submitted.version == 2
    change_status(use_case.pk, S.TRIAGE, actor=people["reviewer"])
    change_status(use_case.pk, S.IN_REVIEW, actor=people["reviewer"])
    decided = record_decision(
        use_case.pk, S.APPROVED, actor=people["reviewer"], note=NOTE, reviews=[1]
    )
    assert decided.decided_at is not None
    assert decided.submitted_at == submitted.submitted_at
    assert decided.version == 5


def test_an_event_cannot_be_saved_again_or_deleted(people):
    from usecases.models import EventLogIsAppendOnly

    use_case = UseCaseFactory(owner=people["owner"])
    change_status(use_case.pk, S.SUBMITTED, actor=people["owner"])
    event = UseCaseEvent.objects.get(use_case=use_case)
    event.note = "rewritten"
    with pytest.raises(EventLogIsAppendOnly):
        event.save()
    with pytest.raises(EventLogIsAppendOnly):
        event.delete()


def test_a_proposal_with_history_cannot_be_deleted(people):
    from django.db.models import ProtectedError

    use_case = UseCaseFactory(owner=people["owner"])
    change_status(use_case.pk, S.SUBMITTED, actor=people["owner"])
    with pytest.raises(ProtectedError):
        use_case.delete()
