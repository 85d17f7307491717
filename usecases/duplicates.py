"""Marking a proposal as a duplicate of another."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from coe_portal.roles import is_champion_of, is_coe_staff
from usecases.choices import Status
from usecases.lifecycle import TransitionError, change_status
from usecases.models import Endorsement, Follow, UseCase, UseCaseEvent

# A proposal can only be merged into one that is itself on the record (not a draft or withdrawn).
MERGEABLE_TARGET_EXCLUDED = frozenset({Status.DRAFT, Status.WITHDRAWN})
# Merging rejects the duplicate, which is a triage decision: once in review, a proposal is
# decided on its reviews (usecases.lifecycle).
MERGEABLE_STATUSES = frozenset({Status.SUBMITTED, Status.TRIAGE})


def may_mark_duplicate(user, use_case: UseCase) -> bool:
    """CoE staff, and champions of the proposal's department."""
    return is_coe_staff(user) or is_champion_of(user, use_case.department_id)


def _seen_by_all_who_see(duplicate: UseCase, original: UseCase) -> bool:
    """The merge names the original (number and title) on the duplicate's timeline and in
    its owner's and followers' notifications and emails, and makes its owner follow it: so
    whoever may see the duplicate must be able to see the original (issue 8)."""
    if not original.confidential:
        return True
    return (
        duplicate.confidential
        and duplicate.department_id == original.department_id
        and UseCase.objects.visible_to(duplicate.owner).filter(pk=original.pk).exists()
    )


def mark_duplicate(use_case_id: int, original_id: int, *, actor, note: str = "") -> UseCase:
    """Merge proposal ``use_case_id`` into ``original_id``.

    Its endorsements and followers move to the original (nobody ends up endorsing twice),
    it points at the original through ``duplicate_of`` and is rejected through
    ``change_status`` with ``data`` naming the original, so its owner is told.
    """
    if int(use_case_id) == int(original_id):
        raise TransitionError("A proposal cannot be a duplicate of itself.")
    with transaction.atomic():
        # Endorsements and followers move from the duplicate to the original.
        # Lock both rows, lower id first, so two merges of the same pair cannot deadlock.
        locked = {
            uc.pk: uc
            for uc in UseCase.objects.select_for_update()
            .filter(pk__in=[use_case_id, original_id])
            .order_by("pk")
        }
        duplicate, original = locked.get(int(use_case_id)), locked.get(int(original_id))
        if duplicate is None or original is None:
            raise TransitionError("That proposal does not exist.")
        if not may_mark_duplicate(actor, duplicate):
            raise TransitionError("Only CoE staff or the department's champion may do this.")
        if duplicate.status not in MERGEABLE_STATUSES:
            raise TransitionError(
                f"This proposal is '{duplicate.get_status_display()}': only a proposal waiting "
                "for triage can be merged as a duplicate. Once in review it is decided on its "
                "reviews; a reviewer can reject it there, naming the original."
            )
        if not UseCase.objects.visible_to(actor).filter(pk=original.pk).exists():
            raise TransitionError("That proposal does not exist.")
        if not _seen_by_all_who_see(duplicate, original):
            raise TransitionError(
                "Not everyone who sees this proposal may see that one (it is confidential): "
                "reject it with a note instead."
            )
        if original.duplicate_of_id:
            raise TransitionError(
                f"#{original.pk} is itself a duplicate of #{original.duplicate_of_id}; "
                "merge into that one."
            )
        if original.status in MERGEABLE_TARGET_EXCLUDED:
            raise TransitionError("Merge into a proposal that is submitted, not a draft.")

        # No number or title in the notes: the event keeps the other proposal's id in
        # ``data`` and each reader is shown its title only if they may see it
        # (usecases.history), even after either side is made confidential.
        reason = note.strip() or "Merged as a duplicate."
        change_status(
            duplicate.pk,
            Status.REJECTED,
            actor=actor,
            note=reason,
            data={"duplicate_of": original.pk},
        )

        already_endorsing = Endorsement.objects.filter(use_case=original).values("user_id")
        moved_endorsements = (
            Endorsement.objects.filter(use_case=duplicate)
            .exclude(user_id__in=already_endorsing)
            .exclude(user_id=original.owner_id)
            .update(use_case=original)
        )
        Endorsement.objects.filter(use_case=duplicate).delete()
        already_following = Follow.objects.filter(use_case=original).values("user_id")
        moved_follows = (
            Follow.objects.filter(use_case=duplicate)
            .exclude(user_id__in=already_following)
            .update(use_case=original)
        )
        Follow.objects.filter(use_case=duplicate).delete()
        # The duplicate's owner wants to know what happens to the idea they proposed.
        if duplicate.owner_id != original.owner_id:
            Follow.objects.get_or_create(use_case=original, user_id=duplicate.owner_id)

        for uc in (duplicate, original):
            count = Endorsement.objects.filter(use_case=uc).aggregate(n=Count("id"))["n"]
            UseCase.objects.filter(pk=uc.pk).update(endorsement_count=count)
        UseCase.objects.filter(pk=duplicate.pk).update(duplicate_of=original)
        data = {"duplicate": duplicate.pk, "original": original.pk}
        data |= {"endorsements_moved": moved_endorsements, "followers_moved": moved_follows}
        UseCaseEvent.objects.create(
            use_case=duplicate,
            actor=actor,
            kind=UseCaseEvent.Kind.DUPLICATE,
            note=reason,
            data=data,
        )
        UseCaseEvent.objects.create(
            use_case=original, actor=actor, kind=UseCaseEvent.Kind.DUPLICATE, data=data
        )
    return UseCase.objects.get(pk=duplicate.pk)
