"""Who may open and change a single proposal. Lists use ``UseCase.objects.visible_to``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from usecases.choices import Status
from usecases.models import UseCase

# The states in which the owner may still change the answers.
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})


def can_edit(user, use_case: UseCase) -> bool:
    """Owners edit their drafts and proposals that came back with changes requested."""
    return use_case.owner_id == user.pk and use_case.status in EDITABLE_STATUSES


def can_see(user, use_case_id: int) -> bool:
    """Whether ``user`` may see the proposal now: for messages sent later than the moment
    someone was chosen to receive them (a task, a daily reminder), by which time the person
    may have left, changed department or lost a role."""
    return user.is_active and UseCase.objects.visible_to(user).filter(pk=use_case_id).exists()


def get_use_case_for_user(user, pk, *, write: bool = False, only: tuple[str, ...] = ()) -> UseCase:
    """The proposal ``pk`` if ``user`` may see it: 404 when invisible (its existence is
    not revealed), 403 when ``write`` is asked and the user may only read it.

    ``only`` names the fields to read (and no related rows), for a page that shows the rest
    from shared parts (usecases.views.usecase_detail): any other field read from it costs
    a query of its own."""
    queryset = UseCase.objects.visible_to(user)
    if only:
        queryset = queryset.only(*only)
    else:
        queryset = queryset.select_related("department", "owner", "platform", "duplicate_of")
    use_case = get_object_or_404(queryset, pk=pk)
    if write and not can_edit(user, use_case):
        raise PermissionDenied("Only the owner may edit this proposal, and only as a draft.")
    return use_case
