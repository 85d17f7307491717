"""Creating and editing proposals, and adding attachments to them."""

from __future__ import annotations

from django.db import transaction

from usecases.access import can_edit
from usecases.attachments import sniff
from usecases.lifecycle import StaleChange, TransitionError
from usecases.models import Attachment, UseCase, UseCaseEvent

# The answers a person gives on the form; everything else is kept by the portal.
ANSWER_FIELDS = (
    "title", "problem", "solution", "department", "business_sponsor", "category",
    "intended_users", "reach", "hours_saved_per_month", "estimated_annual_value", "benefits",
    "success_measure", "data_used", "data_sensitivity", "uses_personal_data", "customer_facing",
    "decides_about_people", "regulated_domain", "platform", "platform_other", "effort",
    "data_readiness", "team_roles", "confidential",
)  # fmt: skip


def create_proposal(*, actor, data: dict) -> UseCase:
    """A new draft owned by ``actor`` with the given answers (department defaults to theirs)."""
    answers = {k: v for k, v in data.items() if k in ANSWER_FIELDS}
    if not answers.get("department"):
        answers["department"] = actor.department
    with transaction.atomic():
        use_case = UseCase.objects.create(owner=actor, **answers)
        UseCaseEvent.objects.create(
            use_case=use_case, actor=actor, kind=UseCaseEvent.Kind.EDIT, note="Draft started."
        )
    return use_case


def update_proposal(
    use_case_id: int, *, actor, data: dict, expected_version: int | None = None
) -> UseCase:
    """Change the answers of a draft (or a proposal with changes requested) by its owner.

    ``expected_version`` is the version the form was loaded from; if the proposal changed
    since (another tab, a reviewer's decision), nothing is saved and StaleChange says so.
    """
    with transaction.atomic():
        # Lock the row so two saves of the same proposal cannot interleave.
        use_case = UseCase.objects.select_for_update().get(pk=use_case_id)
        if not can_edit(actor, use_case):
            raise TransitionError("Only the owner may edit this proposal, and only as a draft.")
        if expected_version is not None and use_case.version != int(expected_version):
            raise StaleChange(
                "This proposal changed since you opened it. Reload it to see the latest "
                "answers; nothing was saved."
            )
        changed = []
        for field, value in data.items():
            if field not in ANSWER_FIELDS:
                continue
            if field in ("department", "platform"):
                current = getattr(use_case, f"{field}_id")
                new = value.pk if value is not None else None
            else:
                current, new = getattr(use_case, field), value
            if current != new:
                setattr(use_case, field, value)
                changed.append(field)
        if not changed:
            return use_case
        use_case.version += 1
        use_case.save()
        UseCaseEvent.objects.create(
            use_case=use_case,
            actor=actor,
            kind=UseCaseEvent.Kind.EDIT,
            data={"fields": sorted(changed)},
        )
    return use_case


def add_attachment(use_case_id: int, *, actor, upload) -> Attachment:
    """Store ``upload`` on the proposal after checking its content (ValidationError if not)."""
    content_type = sniff(upload)
    with transaction.atomic():
        use_case = UseCase.objects.select_for_update().get(pk=use_case_id)
        if not can_edit(actor, use_case):
            raise TransitionError("Only the owner may add files, and only to a draft.")
        attachment = Attachment(
            use_case=use_case,
            original_name=(upload.name or "attachment")[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.save()
        UseCaseEvent.objects.create(
            use_case=use_case,
            actor=actor,
            kind=UseCaseEvent.Kind.EDIT,
            note=f"Attached {attachment.original_name}.",
            data={"attachment": attachment.pk},
        )
    return attachment
