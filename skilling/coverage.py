"""Coverage per department: who holds and targets each adoption role, how far along the
role's path its people are, and which skills have the largest gaps.

Definitions (the metrics app's readiness and dashboards read these figures):

- People of a department: its active users.
- A role's *learners*: the people who hold it or target it.
- *Path completion* of a role: over its learners, the share of the path's steps they have
  completed (the mean of each learner's completed steps / steps). ``completed_path`` counts
  the learners who completed every step. Both are None / 0 when the path has no steps.
- A person *needs* a skill at the highest level their current or target role requires; they
  *hold* it at the highest level of a completed resource covering it (recommendations.py).
  A skill's gap is the number of people who need it and hold it below the needed level.

``department_coverage`` runs a fixed number of queries (seven) whatever the number of
departments, people or enrolments, but it reads every enrolment of the departments asked:
about a second for all 200 departments and 300,000 enrolments. It is worked out live on
every request: no cache decides what a reader sees (issue 15), and the cached figures went
stale whenever an edit bypassed the functions that bumped them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Prefetch

from coe_portal.models import Department
from skilling.choices import EnrolmentStatus
from skilling.models import AdoptionRole, Enrolment, PathStep, RoleSkill, Skill


@dataclass
class RoleCoverage:
    role: AdoptionRole
    holding: int = 0
    targeting: int = 0
    path_steps: int = 0
    learners: int = 0
    completed_path: int = 0
    _progress_sum: float = 0.0

    @property
    def path_completion(self) -> float | None:
        """0..1, or None when nobody learns the role or its path has no steps."""
        if not self.learners or not self.path_steps:
            return None
        return self._progress_sum / self.learners

    @property
    def path_completion_percent(self) -> int | None:
        value = self.path_completion
        return None if value is None else round(100 * value)


@dataclass
class SkillCoverage:
    skill: Skill
    needed_by: int = 0
    below_level: int = 0

    @property
    def gap_share(self) -> float:
        return self.below_level / self.needed_by if self.needed_by else 0.0

    @property
    def gap_percent(self) -> int:
        return round(100 * self.gap_share)


@dataclass
class DepartmentCoverage:
    """One department's coverage, or the total over several (department None)."""

    department: Department | None
    people: int = 0
    with_current_role: int = 0
    with_target_role: int = 0
    roles: list[RoleCoverage] = field(default_factory=list)
    skills: list[SkillCoverage] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.department.name if self.department else "All departments"

    @property
    def skill_gaps(self) -> list[SkillCoverage]:
        """Skills somebody lacks, largest gap first."""
        gaps = [s for s in self.skills if s.below_level]
        return sorted(gaps, key=lambda s: (-s.below_level, -s.gap_share, s.skill.name))

    @property
    def largest_gap(self) -> SkillCoverage | None:
        gaps = self.skill_gaps
        return gaps[0] if gaps else None

    @property
    def max_learners(self) -> int:
        return max((max(r.holding, r.targeting) for r in self.roles), default=0)


@dataclass
class _Person:
    department_id: int
    current_role_id: int | None
    target_role_id: int | None


def department_coverage(
    departments: list[Department],
) -> tuple[list[DepartmentCoverage], DepartmentCoverage]:
    """Coverage of each department given, in the order given, and their total."""
    departments = list(departments)
    roles = list(
        AdoptionRole.objects.prefetch_related(
            Prefetch(
                "requirements", queryset=RoleSkill.objects.only("role_id", "skill_id", "level")
            )
        )
    )
    skills = list(Skill.objects.all())
    needs_by_role = {
        role.pk: {r.skill_id: r.level for r in role.requirements.all()} for role in roles
    }
    steps_by_role = dict(
        PathStep.objects.values_list("path__role_id")
        .annotate(n=Count("id"))
        .values_list("path__role_id", "n")
    )

    people = {
        row["id"]: _Person(
            row["department_id"],
            row["learner_profile__current_role_id"],
            row["learner_profile__target_role_id"],
        )
        for row in get_user_model()
        .objects.filter(is_active=True, department__in=departments)
        .values(
            "id",
            "department_id",
            "learner_profile__current_role_id",
            "learner_profile__target_role_id",
        )
    }
    completions = Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED,
        user__is_active=True,
        user__department__in=departments,
    )
    # (user, role) -> completed steps of that role's path
    steps_done: dict[tuple[int, int], int] = {
        (row["user_id"], row["resource__path_steps__path__role_id"]): row["n"]
        for row in completions.filter(resource__path_steps__isnull=False)
        .values("user_id", "resource__path_steps__path__role_id")
        .annotate(n=Count("resource_id", distinct=True))
    }
    # (user, skill) -> level held
    held: dict[tuple[int, int], int] = {
        (row["user_id"], row["resource__skills"]): row["level"]
        for row in completions.exclude(resource__skills=None)
        .values("user_id", "resource__skills")
        .annotate(level=Max("resource__level"))
    }

    by_department: dict[int, list[tuple[int, _Person]]] = defaultdict(list)
    for user_id, person in people.items():
        by_department[person.department_id].append((user_id, person))

    def build(department: Department | None, members: list[tuple[int, _Person]]):
        result = DepartmentCoverage(department=department, people=len(members))
        role_rows = {
            role.pk: RoleCoverage(role=role, path_steps=steps_by_role.get(role.pk, 0))
            for role in roles
        }
        skill_rows = {skill.pk: SkillCoverage(skill=skill) for skill in skills}
        for user_id, person in members:
            result.with_current_role += person.current_role_id is not None
            result.with_target_role += person.target_role_id is not None
            learning = {person.current_role_id, person.target_role_id} - {None}
            for role_id in learning:
                row = role_rows[role_id]
                row.learners += 1
                if row.path_steps:
                    done = min(steps_done.get((user_id, role_id), 0), row.path_steps)
                    row._progress_sum += done / row.path_steps
                    row.completed_path += done == row.path_steps
            if person.current_role_id:
                role_rows[person.current_role_id].holding += 1
            if person.target_role_id:
                role_rows[person.target_role_id].targeting += 1
            needed: dict[int, int] = {}
            for role_id in learning:
                for skill_id, level in needs_by_role[role_id].items():
                    needed[skill_id] = max(level, needed.get(skill_id, 0))
            for skill_id, level in needed.items():
                row = skill_rows[skill_id]
                row.needed_by += 1
                row.below_level += held.get((user_id, skill_id), 0) < level
        result.roles = list(role_rows.values())
        result.skills = [s for s in skill_rows.values() if s.needed_by]
        return result

    reports = [build(d, by_department.get(d.pk, [])) for d in departments]
    total = build(None, [member for d in departments for member in by_department.get(d.pk, [])])
    return reports, total
