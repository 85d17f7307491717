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
about a second for all 200 departments and 300,000 enrolments. Pages and the API therefore
call ``cached_department_coverage``, which keeps each result in the cache (Redis) through
coe_portal.pagecache, under the topics of the departments it covers, and each department's
figures apart, so that a result is worked out again only for the departments that changed
(the total is their sum). Every change of a person's enrolments or roles bumps their
department's topic (``forget``, after commit); a change of a path bumps the topic of all
departments. Edits that bypass those functions (the admin, a deactivated account, a changed
role requirement) show within ``DEPARTMENT_TTL``.

The coverage page also keeps its rendered report under the topic ``COVERAGE``, which
``forget`` bumps with every department's: a hit neither reads the topics of every
department nor unpickles nor renders the figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Prefetch

from coe_portal import pagecache
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


# The topic of pages rendered from coverage figures, bumped whenever any department's is.
COVERAGE = "coverage"
# Each department's figures are kept longer than pages: their topics say when they change,
# and only edits that bypass the logic functions wait for the entry to expire.
DEPARTMENT_TTL = 600


def department_topic(department_id: int | None) -> str:
    """The topic of one department's coverage figures; None: of every department's."""
    return f"coverage:{'all' if department_id is None else department_id}"


def forget(department_id: int | None = None) -> None:
    """Drop cached coverage of one department (and every total that includes it), or of
    all departments when ``department_id`` is None. Call it after the change commits."""
    pagecache.changed(department_topic(department_id), COVERAGE)


def forget_person(user) -> None:
    """After-commit hook for a change of ``user``'s enrolments or roles."""
    if user.department_id:
        forget(user.department_id)


def cached_department_coverage(
    departments: list[Department],
) -> tuple[list[DepartmentCoverage], DepartmentCoverage]:
    """``department_coverage`` through the cache (see the module docstring): the whole
    result, and beside it each department's, so that after one department changes only its
    figures are worked out again (about 20 ms, against a second for all 200)."""
    departments = list(departments)
    topics = [department_topic(None), *(department_topic(d.pk) for d in departments)]
    key = pagecache.key("coverage-figures", *(d.pk for d in departments), topics=topics)
    return pagecache.get_or_set(key, lambda: _from_each_department(departments))


def _from_each_department(departments: list[Department]):
    if not departments:
        return department_coverage([])  # every role, with nobody learning it
    every = department_topic(None)
    keys = pagecache.keys(
        "coverage-department", parts={d.pk: [every, department_topic(d.pk)] for d in departments}
    )
    missing = [d for d in departments if keys[d.pk].held is None]
    worked_out, total = department_coverage(missing) if missing else ([], None)
    for department, report in zip(missing, worked_out, strict=True):
        pagecache.get_or_set(keys[department.pk], lambda r=report: _compact(r), DEPARTMENT_TTL)
    if len(missing) == len(departments):
        return worked_out, total
    fresh = {d.pk: report for d, report in zip(missing, worked_out, strict=True)}
    roles, skills = AdoptionRole.objects.in_bulk(), Skill.objects.in_bulk()
    reports = [fresh.get(d.pk) or _expand(keys[d.pk].held, d, roles, skills) for d in departments]
    return reports, total_of(reports)


# A department's figures are cached with ids in place of the department, role and skill rows:
# with the rows, 200 departments' entries held 200 copies of the same roles and skills, ten
# times the size, and the whole result pickled them all again.
def _compact(report: DepartmentCoverage) -> DepartmentCoverage:
    return replace(
        report,
        department=report.department.pk,
        roles=[replace(row, role=row.role.pk) for row in report.roles],
        skills=[replace(row, skill=row.skill.pk) for row in report.skills],
    )


def _expand(compact: DepartmentCoverage, department, roles: dict, skills: dict):
    return replace(
        compact,
        department=department,
        roles=[replace(row, role=roles[row.role]) for row in compact.roles],
        skills=[replace(row, skill=skills[row.skill]) for row in compact.skills],
    )


def total_of(reports: list[DepartmentCoverage]) -> DepartmentCoverage:
    """The total over several departments' coverage: each figure is a count, or a sum,
    over the people of one department, so the total's is their sum."""
    total = DepartmentCoverage(department=None)
    roles: dict[int, RoleCoverage] = {}
    skills: dict[int, SkillCoverage] = {}
    for report in reports:
        total.people += report.people
        total.with_current_role += report.with_current_role
        total.with_target_role += report.with_target_role
        for row in report.roles:
            into = roles.setdefault(
                row.role.pk, RoleCoverage(role=row.role, path_steps=row.path_steps)
            )
            into.holding += row.holding
            into.targeting += row.targeting
            into.learners += row.learners
            into.completed_path += row.completed_path
            into._progress_sum += row._progress_sum
        for row in report.skills:
            into = skills.setdefault(row.skill.pk, SkillCoverage(skill=row.skill))
            into.needed_by += row.needed_by
            into.below_level += row.below_level
    total.roles = list(roles.values())
    total.skills = list(skills.values())
    return total
