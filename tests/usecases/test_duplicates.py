from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UseCaseFactory, UserFactory
from usecases import engagement
from usecases.duplicates import mark_duplicate
from usecases.lifecycle import TransitionError
from usecases.models import Endorsement, Follow, Notification, UseCaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(employee, colleague):
    original = UseCaseFactory(owner=colleague, status="in_review", title="Contract summaries")
    duplicate = UseCaseFactory(owner=employee, status="submitted", title="Summarise contracts")
    return original, duplicate


def test_merge_moves_endorsements_and_followers_without_double_endorsing(pair, reviewer, outsider):
    original, duplicate = pair
    both, only_dup = UserFactory(), UserFactory()
    for person in (both, only_dup):
        engagement.toggle_endorsement(duplicate.pk, actor=person)
    engagement.toggle_endorsement(original.pk, actor=both)
    Follow.objects.create(use_case=duplicate, user=outsider)

    merged = mark_duplicate(duplicate.pk, original.pk, actor=reviewer, note="Same idea.")

    assert merged.status == "rejected"
    assert merged.duplicate_of_id == original.pk
    assert set(Endorsement.objects.filter(use_case=original).values_list("user", flat=True)) == {
        both.pk,
        only_dup.pk,
    }
    original.refresh_from_db()
    assert original.endorsement_count == 2
    assert merged.endorsement_count == 0
    assert Follow.objects.filter(use_case=original, user=outsider).exists()
    # The duplicate's owner follows the original now.
    assert Follow.objects.filter(use_case=original, user=duplicate.owner).exists()
    event = UseCaseEvent.objects.get(use_case=duplicate, to_status="rejected")
    # The original is named by id, not by title in the note (usecases.history).
    assert event.data["duplicate_of"] == original.pk and event.note == "Same idea."


def test_owner_is_told(pair, reviewer, django_capture_on_commit_callbacks, mailoutbox):
    original, duplicate = pair
    with django_capture_on_commit_callbacks(execute=True):
        mark_duplicate(duplicate.pk, original.pk, actor=reviewer)
    message = Notification.objects.get(recipient=duplicate.owner, use_case=duplicate).message
    assert "rejected" in message
    (email,) = [m for m in mailoutbox if duplicate.owner.email in m.to]
    assert f"Duplicate of #{original.pk} “{original.title}”." in email.body


@pytest.mark.parametrize("who", ["employee", "colleague", "outsider"])
def test_people_without_the_role_cannot_merge(pair, who, request):
    original, duplicate = pair
    with pytest.raises(TransitionError):
        mark_duplicate(duplicate.pk, original.pk, actor=request.getfixturevalue(who))


def test_champion_of_the_department_can_merge(pair, champion):
    original, duplicate = pair
    assert mark_duplicate(duplicate.pk, original.pk, actor=champion).duplicate_of_id == original.pk


def test_cannot_merge_into_itself_or_a_draft(pair, reviewer, employee):
    _original, duplicate = pair
    with pytest.raises(TransitionError):
        mark_duplicate(duplicate.pk, duplicate.pk, actor=reviewer)
    draft = UseCaseFactory(owner=employee)
    with pytest.raises(TransitionError):
        mark_duplicate(duplicate.pk, draft.pk, actor=reviewer)
    duplicate.refresh_from_db()
    assert duplicate.status == "submitted"


def test_page_form_marks_duplicate(client, pair, reviewer, employee):
    original, duplicate = pair
    url = reverse("usecases:usecase_mark_duplicate", args=[duplicate.pk])
    client.force_login(employee)
    assert client.get(url).status_code == 403
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    response = client.post(url, {"original": original.pk, "note": "Merged."})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of_id == original.pk


@pytest.mark.parametrize(
    ("original_owner", "duplicate_owner", "duplicate_confidential"),
    [
        ("outsider", "employee", False),  # another department's: its owner may not see it
        ("outsider", "employee", True),
        # its owner, a champion, sees it; everyone who sees the open duplicate does not
        ("colleague", "champion", False),
    ],
)
def test_cannot_merge_into_a_confidential_proposal_not_all_its_readers_see(
    original_owner, duplicate_owner, duplicate_confidential, employee, reviewer, request,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """The merge names the original (number and title) on the duplicate's timeline, in its
    owner's and followers' notifications and emails, and makes its owner follow it: a
    confidential original would leak to people who may not see it (issue 8)."""
    original = UseCaseFactory(
        owner=request.getfixturevalue(original_owner),
        status="in_review",
        confidential=True,
        title="Secret pricing model",
    )
    owner = request.getfixturevalue(duplicate_owner)
    duplicate = UseCaseFactory(
        owner=owner, status="submitted", confidential=duplicate_confidential, title="Pricing"
    )
    Follow.objects.create(use_case=duplicate, user=employee)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        mark_duplicate(duplicate.pk, original.pk, actor=reviewer)

    duplicate.refresh_from_db()
    assert duplicate.status == "submitted" and duplicate.duplicate_of_id is None
    assert not Follow.objects.filter(use_case=original).exists()
    assert not UseCaseEvent.objects.filter(use_case=duplicate, note__contains="Secret").exists()
    assert not Notification.objects.filter(message__contains="Secret").exists()


def test_a_confidential_duplicate_merges_into_its_departments_confidential_original(
    champion, colleague, reviewer
):
    """Same readers on both sides (the department's champions, the CoE, leadership, and an
    owner who may see both): the merge goes ahead."""
    original = UseCaseFactory(owner=colleague, status="in_review", confidential=True)
    duplicate = UseCaseFactory(owner=champion, status="submitted", confidential=True)

    merged = mark_duplicate(duplicate.pk, original.pk, actor=reviewer)

    assert merged.duplicate_of_id == original.pk
