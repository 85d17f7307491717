from __future__ import annotations

import pytest

from tests.factories import UseCaseFactory
from usecases.choices import Status
from usecases.lifecycle import (
    IncompleteProposal,
    StaleChange,
    TransitionError,
    available_transitions,
    change_status,
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
    (S.IN_REVIEW, S.APPROVED, "reviewer", True),
    (S.IN_REVIEW, S.APPROVED, "owner", False),
    (S.IN_REVIEW, S.APPROVED_WITH_CONDITIONS, "reviewer", True),
    (S.IN_REVIEW, S.REJECTED, "champion", True),
    (S.IN_REVIEW, S.CHANGES_REQUESTED, "reviewer", True),
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
    use_case = UseCaseFactory(owner=people["owner"], status=S.IN_REVIEW)
    labels = [t.label for t in available_transitions(people["reviewer"], use_case)]
    assert labels == ["Approve", "Approve with conditions", "Reject", "Request changes"]
    assert [t.label for t in available_transitions(people["owner"], use_case)] == ["Withdraw"]
    assert available_transitions(people["colleague"], use_case) == []


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


def test_second_of_two_deciders_gets_a_clear_message_and_changes_nothing(people):
    use_case = UseCaseFactory(owner=people["owner"], status=S.IN_REVIEW)
    change_status(use_case.pk, S.APPROVED, actor=people["reviewer"], expected_status=S.IN_REVIEW)
    with pytest.raises(StaleChange, match="now 'Approved'"):
        change_status(
            use_case.pk, S.REJECTED, actor=people["champion"], note=NOTE,
            expected_status=S.IN_REVIEW,
        )  # fmt: skip
    use_case.refresh_from_db()
    assert use_case.status == S.APPROVED
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
    decided = change_status(use_case.pk, S.APPROVED, actor=people["reviewer"])
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
