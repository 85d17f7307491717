"""Comments, endorsements and follows: how people take part in a proposal."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from coe_portal import outbox
from usecases.lifecycle import NOTIFY_EVENT, TransitionError
from usecases.models import (
    MAX_COMMENT_LENGTH,
    Comment,
    Endorsement,
    Follow,
    UseCase,
    UseCaseEvent,
)


def toggle_endorsement(use_case_id: int, *, actor) -> tuple[bool, int]:
    """Endorse the proposal, or take the endorsement back. Returns (endorsed, new count).

    One endorsement per person: the unique constraint holds even if two clicks race.
    """
    with transaction.atomic():
        # Lock the proposal so the counter and the endorsement rows change together.
        use_case = UseCase.objects.select_for_update().get(pk=use_case_id)
        if use_case.owner_id == actor.pk:
            raise TransitionError("You cannot endorse your own proposal.")
        deleted, _ = Endorsement.objects.filter(use_case=use_case, user=actor).delete()
        if deleted:
            endorsed = False
            UseCase.objects.filter(pk=use_case.pk, endorsement_count__gt=0).update(
                endorsement_count=F("endorsement_count") - 1
            )
        else:
            try:
                with transaction.atomic():
                    Endorsement.objects.create(use_case=use_case, user=actor)
            except IntegrityError:  # pragma: no cover - the row lock makes this unlikely
                pass
            endorsed = True
            UseCase.objects.filter(pk=use_case.pk).update(
                endorsement_count=F("endorsement_count") + 1
            )
        count = UseCase.objects.values_list("endorsement_count", flat=True).get(pk=use_case.pk)
    return endorsed, count


def set_following(use_case_id: int, *, actor, follow: bool) -> bool:
    """Follow or stop following; returns whether ``actor`` now follows. Safe to repeat."""
    if follow:
        Follow.objects.get_or_create(use_case_id=use_case_id, user=actor)
    else:
        Follow.objects.filter(use_case_id=use_case_id, user=actor).delete()
    return follow


def add_comment(use_case_id: int, *, actor, body: str) -> Comment:
    """Add a comment; the owner and followers hear of it after commit. The commenter starts
    following the proposal, so they hear of replies."""
    body = (body or "").strip()
    if not body:
        raise TransitionError("Write something before posting.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise TransitionError(f"Keep comments under {MAX_COMMENT_LENGTH} characters.")
    with transaction.atomic():
        use_case = UseCase.objects.select_for_update().get(pk=use_case_id)
        comment = Comment.objects.create(use_case=use_case, author=actor, body=body)
        UseCase.objects.filter(pk=use_case.pk).update(comment_count=F("comment_count") + 1)
        event = UseCaseEvent.objects.create(
            use_case=use_case,
            actor=actor,
            kind=UseCaseEvent.Kind.COMMENT,
            note=body[:280],
            data={"comment": comment.pk},
        )
        if use_case.owner_id != actor.pk:
            Follow.objects.get_or_create(use_case=use_case, user=actor)
        outbox.record(NOTIFY_EVENT, event_id=event.pk)
    return comment
