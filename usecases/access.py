"""Who may open and change a single proposal, and who may read its governance reasoning.
Lists use ``UseCase.objects.visible_to``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from coe_portal.roles import Role, has_role, is_champion_of, sees_everything
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


def get_use_case_for_user(user, pk, *, write: bool = False) -> UseCase:
    """The proposal ``pk`` if ``user`` may see it: 404 when invisible (its existence is
    not revealed), 403 when ``write`` is asked and the user may only read it."""
    # Not the original of a duplicate: the page names it only to a reader who may see it
    # (usecases.history.seen_proposals), so reading it here would be a join for nothing.
    queryset = UseCase.objects.visible_to(user).select_related("department", "owner", "platform")
    use_case = get_object_or_404(queryset, pk=pk)
    if write and not can_edit(user, use_case):
        raise PermissionDenied("Only the owner may edit this proposal, and only as a draft.")
    return use_case


# --- governance reasoning ----------------------------------------------------------------
# Review rationales and decisions, risk-override reasons, criteria answers and conditions are
# for the proposal's owner, its department's champions, CoE staff and leadership (DESIGN.md),
# on top of seeing the proposal at all. The rule lives here, in usecases, because the event
# log (usecases) carries that reasoning too; governance's querysets call it.


def reasoning_readers(user, *, via: str = "") -> Q:
    """The rule as a filter on proposals; ``via`` is the path from the rows filtered to
    their proposal (e.g. ``"use_case__"``). Combine it with ``visible_to``: it says nothing
    about drafts or confidentiality."""
    if sees_everything(user):
        # Not an empty Q(): OR-ed with another condition, an empty Q drops out instead of
        # matching everything.
        return Q(**{f"{via}pk__isnull": False})
    readers = Q(**{f"{via}owner_id": user.pk})
    if has_role(user, Role.CHAMPION) and user.department_id:
        readers |= Q(**{f"{via}department_id": user.department_id})
    return readers


def reasoning_visible_to(user):
    """The proposals whose governance reasoning ``user`` may read."""
    return UseCase.objects.visible_to(user).filter(reasoning_readers(user))


def may_read_reasoning(user, use_case: UseCase) -> bool:
    """The single-object form of ``reasoning_readers``, for a proposal ``user`` may see."""
    return user.is_authenticated and (
        sees_everything(user)
        or use_case.owner_id == user.pk
        or is_champion_of(user, use_case.department_id)
    )
