"""What to learn next: the resources for the skills of a person's target role they lack.

A person *holds* a skill at the highest level of any resource covering it that they have
completed (a completed practitioner course on prompting: prompting at practitioner). A
skill of the target role is a *gap* while the level held is below the level the role needs.
For each gap the portal recommends active resources that cover the skill above the level
held and up to the level needed, that the person has not enrolled in yet: steps of the
target role's path first (in path order), then by level, then the shortest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max

from skilling.choices import EnrolmentStatus, Level
from skilling.models import (
    AdoptionRole,
    Enrolment,
    LearnerProfile,
    LearningResource,
    PathStep,
    RoleSkill,
    Skill,
)

PER_SKILL = 3


@dataclass
class SkillGap:
    skill: Skill
    required: int
    held: int  # 0 when the person holds no level of the skill
    resources: list[LearningResource] = field(default_factory=list)

    @property
    def required_label(self) -> str:
        return Level(self.required).label

    @property
    def held_label(self) -> str:
        return Level(self.held).label if self.held else "None yet"


@dataclass
class Recommendation:
    role: AdoptionRole
    gaps: list[SkillGap]
    skills_needed: int

    @property
    def skills_met(self) -> int:
        return self.skills_needed - len(self.gaps)


def held_levels(user) -> dict[int, int]:
    """skill id -> the highest level of a completed resource covering it (one query)."""
    rows = (
        Enrolment.objects.filter(user=user, status=EnrolmentStatus.COMPLETED)
        .exclude(resource__skills=None)
        .values("resource__skills")
        .annotate(level=Max("resource__level"))
    )
    return {row["resource__skills"]: row["level"] for row in rows}


def recommend(user, role: AdoptionRole | None = None, *, per_skill: int = PER_SKILL):
    """The gaps of ``role`` (default: the person's target role) with resources for each.

    None when the person has no target role. A bounded number of queries (five).
    """
    if role is None:
        profile = LearnerProfile.objects.filter(user=user).select_related("target_role").first()
        role = profile.target_role if profile else None
        if role is None:
            return None
    requirements = list(RoleSkill.objects.filter(role=role).select_related("skill"))
    held = held_levels(user)
    gaps = [
        SkillGap(skill=r.skill, required=r.level, held=held.get(r.skill_id, 0))
        for r in requirements
        if held.get(r.skill_id, 0) < r.level
    ]
    gaps.sort(key=lambda g: (-(g.required - g.held), g.skill.name))
    if gaps:
        _attach_resources(user, role, gaps, per_skill)
    return Recommendation(role=role, gaps=gaps, skills_needed=len(requirements))


def _attach_resources(user, role: AdoptionRole, gaps: list[SkillGap], per_skill: int) -> None:
    taken = set(Enrolment.objects.filter(user=user).values_list("resource_id", flat=True))
    path_order = dict(
        PathStep.objects.filter(path__role=role).values_list("resource_id", "position")
    )
    candidates = (
        LearningResource.objects.active()
        .filter(skills__in=[g.skill for g in gaps])
        .exclude(pk__in=taken)
        .prefetch_related("skills")
        .distinct()
    )
    by_skill: dict[int, list[LearningResource]] = {g.skill.pk: [] for g in gaps}
    for resource in candidates:
        for skill in resource.skills.all():
            if skill.pk in by_skill:
                by_skill[skill.pk].append(resource)
    no_step = 10_000
    for gap in gaps:
        fitting = [r for r in by_skill[gap.skill.pk] if gap.held < r.level <= gap.required]
        fitting.sort(
            key=lambda r: (path_order.get(r.pk, no_step), r.level, r.duration_minutes, r.title)
        )
        gap.resources = fitting[:per_skill]
