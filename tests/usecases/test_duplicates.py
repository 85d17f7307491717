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
    assert f"#{original.pk}" in event.note and "Same idea." in event.note


def test_owner_is_told(pair, reviewer, django_capture_on_commit_callbacks):
    original, duplicate = pair
    with django_capture_on_commit_callbacks(execute=True):
        mark_duplicate(duplicate.pk, original.pk, actor=reviewer)
    message = Notification.objects.get(recipient=duplicate.owner, use_case=duplicate).message
    assert "rejected" in message and f"#{original.pk}" in message


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


@pytest.mark.parametrize("original_kind", ["confidential", "draft"])
def test_cannot_merge_into_a_proposal_the_duplicates_owner_may_not_see(
    outsider, employee, reviewer, original_kind, django_capture_on_commit_callbacks
):
    """The merge tells the duplicate's owner the original's number and title and makes them
    follow it: an original they may not see (another department's confidential proposal)
    would leak through that notification and email (issue 8)."""
    original = UseCaseFactory(
        owner=outsider,
        status="draft" if original_kind == "draft" else "in_review",
        confidential=original_kind == "confidential",
        title="Secret pricing model",
    )
    duplicate = UseCaseFactory(owner=employee, status="submitted", title="Pricing model")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        mark_duplicate(duplicate.pk, original.pk, actor=reviewer)

    duplicate.refresh_from_db()
    assert duplicate.status == "submitted" and duplicate.duplicate_of_id is None
    assert not Follow.objects.filter(use_case=original, user=employee).exists()
    assert not any("Secret" in n.message for n in Notification.objects.filter(recipient=employee))
