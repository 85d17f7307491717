"""Learning paths: a person's progress along them, and the admins' edits of their steps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Prefetch

from skilling.choices import EnrolmentStatus
from skilling.errors import SkillingError
from skilling.models import AdoptionRole, Enrolment, LearningPath, LearningResource, PathStep


@dataclass(frozen=True)
class PathProgress:
    """How far one person is along one role's path."""

    role: AdoptionRole
    total: int
    completed: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def completed_resource_ids(user) -> set[int]:
    """The resources the person has completed (one query)."""
    return set(
        Enrolment.objects.filter(user=user, status=EnrolmentStatus.COMPLETED).values_list(
            "resource_id", flat=True
        )
    )


def path_progress(user, roles: Iterable[AdoptionRole]) -> list[PathProgress]:
    """Progress along each role's path, in the order given (two queries for any number)."""
    roles = [role for role in roles if role is not None]
    if not roles:
        return []
    steps: dict[int, list[int]] = {role.pk: [] for role in roles}
    for role_id, resource_id in PathStep.objects.filter(path__role__in=roles).values_list(
        "path__role_id", "resource_id"
    ):
        steps[role_id].append(resource_id)
    done = completed_resource_ids(user)
    return [
        PathProgress(
            role=role,
            total=len(steps[role.pk]),
            completed=sum(1 for resource_id in steps[role.pk] if resource_id in done),
        )
        for role in dict.fromkeys(roles)
    ]


def path_with_steps(role: AdoptionRole) -> LearningPath:
    """The role's path (created empty if missing) with its steps and their resources."""
    path, _ = LearningPath.objects.get_or_create(role=role)
    steps = PathStep.objects.select_related("resource").prefetch_related("resource__skills")
    return LearningPath.objects.prefetch_related(Prefetch("steps", queryset=steps)).get(pk=path.pk)


def add_step(path: LearningPath, resource: LearningResource, *, actor, note: str = "") -> PathStep:
    """Append a resource to a path (a resource appears in a path at most once)."""
    with transaction.atomic():
        # Race: two admins appending at once would take the same position.
        LearningPath.objects.select_for_update().get(pk=path.pk)
        existing = path.steps.filter(resource=resource).first()
        if existing:
            raise SkillingError(f"“{resource}” is already step {existing.position} of this path.")
        if not resource.is_active:
            raise SkillingError("Retired resources cannot be added to a path.")
        last = path.steps.aggregate(last=Max("position"))["last"] or 0
        step = PathStep.objects.create(path=path, resource=resource, position=last + 1, note=note)
        path.save(update_fields=["updated_at"])
    return step


def move_step(step: PathStep, offset: int, *, actor) -> None:
    """Move a step up (offset -1) or down (+1) by swapping it with its neighbour."""
    with transaction.atomic():
        LearningPath.objects.select_for_update().get(pk=step.path_id)
        steps = list(PathStep.objects.filter(path_id=step.path_id).order_by("position", "id"))
        index = next((i for i, s in enumerate(steps) if s.pk == step.pk), None)
        if index is None:
            return
        target = index + offset
        if not 0 <= target < len(steps):
            return
        steps[index], steps[target] = steps[target], steps[index]
        _renumber(steps)


def remove_step(step: PathStep, *, actor) -> None:
    with transaction.atomic():
        LearningPath.objects.select_for_update().get(pk=step.path_id)
        PathStep.objects.filter(pk=step.pk).delete()
        _renumber(list(PathStep.objects.filter(path_id=step.path_id).order_by("position", "id")))


def _renumber(steps: list[PathStep]) -> None:
    for position, step in enumerate(steps, start=1):
        step.position = position
    PathStep.objects.bulk_update(steps, ["position"])
