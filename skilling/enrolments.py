"""Enrolling in learning resources, recording progress and completing them.

Each function is one state change of one person's enrolment, shared by the pages and the
API. They return early when the enrolment is already in the requested state.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from skilling.choices import EnrolmentStatus
from skilling.errors import SkillingError
from skilling.models import Enrolment, LearnerProfile, LearningResource


def enrol(resource: LearningResource, *, actor) -> Enrolment:
    """Enrol ``actor`` in an active resource (idempotent)."""
    existing = Enrolment.objects.filter(user=actor, resource=resource).first()
    if existing:
        return existing
    if not resource.is_active:
        raise SkillingError("This resource is retired; pick a current one from the catalog.")
    try:
        with transaction.atomic():
            return Enrolment.objects.create(user=actor, resource=resource)
    except IntegrityError:
        # A double click: the other request created the row a moment ago.
        return Enrolment.objects.get(user=actor, resource=resource)


def record_progress(resource: LearningResource, progress: int, *, actor) -> Enrolment:
    """Set how far ``actor`` is through a resource (0 to 100 %). 100 % completes it."""
    if not 0 <= progress <= 100:
        raise SkillingError("Progress is a percentage between 0 and 100.")
    if progress == 100:
        return complete(resource, actor=actor)
    enrol(resource, actor=actor)
    with transaction.atomic():
        # Two tabs saving progress at once: the row lock keeps the status and the
        # percentage of one save together.
        enrolment = Enrolment.objects.select_for_update().get(user=actor, resource=resource)
        if enrolment.is_completed:
            raise SkillingError("You have already completed this; progress stays at 100 %.")
        status = EnrolmentStatus.IN_PROGRESS if progress else EnrolmentStatus.ENROLLED
        if (enrolment.progress, enrolment.status) == (progress, status):
            return enrolment
        enrolment.progress = progress
        enrolment.status = status
        enrolment.save(update_fields=["progress", "status", "updated_at"])
    return enrolment


def complete(resource: LearningResource, *, actor, evidence_url: str = "") -> Enrolment:
    """Mark a resource completed, optionally with a link to a certificate or badge.

    Completing something one never enrolled in (an article read elsewhere) enrols first.
    Completing again only updates the evidence link when a new one is given.
    """
    if not Enrolment.objects.filter(user=actor, resource=resource).exists():
        if not resource.is_active:
            raise SkillingError("This resource is retired; pick a current one from the catalog.")
        enrol(resource, actor=actor)
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(user=actor, resource=resource)
        if enrolment.is_completed:
            if evidence_url and evidence_url != enrolment.evidence_url:
                enrolment.evidence_url = evidence_url
                enrolment.save(update_fields=["evidence_url", "updated_at"])
            return enrolment
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.progress = 100
        enrolment.completed_at = timezone.now()
        if evidence_url:
            enrolment.evidence_url = evidence_url
        enrolment.save()
    return enrolment


def leave(resource: LearningResource, *, actor) -> None:
    """Drop an enrolment that is not completed. Completions stay: they are the record."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().filter(user=actor, resource=resource).first()
        )
        if enrolment is None:
            return
        if enrolment.is_completed:
            raise SkillingError("Completed learning stays on your record and cannot be removed.")
        enrolment.delete()


def set_roles(*, actor, current_role, target_role) -> LearnerProfile:
    """Record the adoption role ``actor`` holds and the one they are skilling for."""
    if current_role is not None and current_role == target_role:
        raise SkillingError("Your target is the role you already hold: pick another one.")
    profile, _ = LearnerProfile.objects.update_or_create(
        user=actor, defaults={"current_role": current_role, "target_role": target_role}
    )
    return profile
