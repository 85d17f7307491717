"""Data at scale for the benchmark: the sizes, the fast row writer every app's ``scale.py``
uses, and the core's part (departments, people, role groups, the demo accounts).

``manage.py generate_data`` runs this module's ``generate`` first, then the ``generate`` of
each app's own ``scale.py`` in INSTALLED_APPS order, passing one ``ScaleRun`` that carries
the size, a seeded random generator and the ids each part hands to the next. Rows are
written with PostgreSQL ``COPY`` (SQLite: batched ``INSERT``), ids chosen up front so no
row is read back; sequences are reset at the end. Nothing here goes through the logic
modules: this is bulk data for measuring, made to look like what they would have written.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify

from coe_portal.demo import ACCOUNTS, DEMO_PASSWORD, DEPARTMENTS
from coe_portal.models import Department, PortalSettings, User
from coe_portal.roles import Role


@dataclass(frozen=True)
class Size:
    """How much of everything one run makes."""

    name: str
    departments: int
    users: int
    proposals: int
    reviews: int
    resources: int
    enrolments: int
    kpi_days: int
    events: int


SIZES = {
    # For tests: enough rows for every page to have something to show.
    "tiny": Size("tiny", 10, 80, 120, 150, 30, 300, 40, 4),
    # The small run: 1,000 proposals, the rest about in proportion.
    "small": Size("small", 20, 1_000, 1_000, 1_500, 100, 3_000, 730, 12),
    # The targets are measured on this one.
    "large": Size("large", 200, 20_000, 100_000, 150_000, 2_000, 300_000, 730, 60),
}


@dataclass
class ScaleRun:
    """One generation: the size, the random source, the clock, and what each part made."""

    size: Size
    stdout: object
    seed: int = 2026
    rng: random.Random = field(init=False)
    now: dt.datetime = field(default_factory=timezone.now)
    written: dict[str, int] = field(default_factory=dict)
    # Handed from one app's part to the next (ids, per-department figures, ...).
    shared: dict = field(default_factory=dict)
    _models: list = field(default_factory=list)
    _started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 (made-up data, not secrets)

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    def say(self, text: str) -> None:
        self.stdout.write(f"  [{time.monotonic() - self._started:6.1f} s] {text}")
        if hasattr(self.stdout, "flush"):
            self.stdout.flush()

    def first_id(self, model: type[models.Model]) -> int:
        """The first free id of ``model``'s table (rows made by migrations stay)."""
        top = model.objects.aggregate(top=models.Max("pk"))["top"]
        return (top or 0) + 1

    def write(self, model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        """Insert ``rows`` (tuples in ``columns`` order, columns by attname) into ``model``'s
        table, as fast as the database allows. Returns the number of rows."""
        count = write_rows(model, columns, rows)
        label = model._meta.label
        self.written[label] = self.written.get(label, 0) + count
        if model not in self._models:
            self._models.append(model)
        self.say(f"{count:>9,} {model._meta.verbose_name_plural}")
        return count

    def reset_sequences(self) -> None:
        """After writing explicit ids, the next id the database hands out must follow them."""
        statements = connection.ops.sequence_reset_sql(no_style(), self._models)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def spread(self, days_back: float, *, recent_bias: float = 1.0) -> dt.datetime:
        """A moment in the last ``days_back`` days; ``recent_bias`` > 1 favours recent ones
        (activity grows over time)."""
        fraction = self.rng.random() ** (1 / recent_bias)
        moment = self.now - dt.timedelta(days=days_back * (1 - fraction))
        return moment.replace(microsecond=self.rng.randrange(1_000_000))


def write_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY on PostgreSQL; batched executemany elsewhere. JSON columns take Python values."""
    opts = model._meta
    fields = [opts.get_field(c[:-3] if c.endswith("_id") else c) for c in columns]
    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(f.column) for f in fields)
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            sql = f"COPY {qn(opts.db_table)} ({column_sql}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = json.dumps(row[i])
                    copy.write_row(row)
                    count += 1
        return count
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(opts.db_table)} ({column_sql}) VALUES ({placeholders})"  # noqa: S608
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(
                [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
            )
            if len(batch) >= 2000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


# ------------------------------------------------------------------ the core's part

UNITS = [
    "Group", "Retail", "Commercial", "Wealth", "Insurance", "Payments", "Markets", "Digital",
    "EMEA", "Americas", "Asia Pacific", "Nordics", "Benelux", "Iberia", "DACH", "UK and Ireland",
    "France", "Italy", "Poland", "Canada", "Brazil", "India", "Japan", "Australia", "Mexico",
]  # fmt: skip
FUNCTIONS = [
    "Finance", "Customer Service", "Marketing", "Human Resources", "Legal", "Engineering",
    "Operations", "Sales", "Procurement", "Risk", "Compliance", "Data Office", "IT Service Desk",
    "Product", "Strategy", "Internal Audit", "Treasury", "Facilities", "Communications",
    "Research",
]  # fmt: skip
FIRST_NAMES = [
    "Ada", "Amir", "Anna", "Ben", "Carla", "Chen", "Daniel", "Elena", "Emil", "Fatima", "Felix",
    "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jana", "Jonas", "Julia", "Kai", "Karin", "Leila",
    "Liam", "Lina", "Luca", "Maja", "Marco", "Maria", "Mateo", "Mia", "Nadia", "Nils", "Noor",
    "Olga", "Oscar", "Paula", "Pedro", "Rosa", "Ravi", "Sara", "Sven", "Tariq", "Tess", "Theo",
    "Uma", "Vera", "Viktor", "Wei", "Yara", "Yusuf", "Zoe", "Aiko", "Bruno", "Clara", "Diego",
]  # fmt: skip
LAST_NAMES = [
    "Andersen", "Baker", "Bianchi", "Costa", "Dubois", "Eriksson", "Fischer", "Garcia",
    "Hansen", "Ivanova", "Jansen", "Kim", "Kowalski", "Lopez", "Meyer", "Moreau", "Nakamura",
    "Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Santos", "Schmidt", "Singh", "Silva",
    "Tanaka", "Unger", "Varga", "Weber", "Wong", "Yilmaz", "Zhang", "Haddad", "Berg", "Marin",
    "Nair", "Sato", "Lindqvist", "O'Brien", "Mensah", "Ferreira", "Horvat", "Dimitrov",
]  # fmt: skip
JOB_TITLES = [
    "Analyst", "Senior analyst", "Team lead", "Manager", "Specialist", "Engineer",
    "Senior engineer", "Consultant", "Coordinator", "Director", "Associate", "Advisor",
]  # fmt: skip


def department_names(count: int) -> list[tuple[str, str]]:
    """(name, code): the demo's eight first (so the demo accounts keep their departments),
    then unit-and-function combinations."""
    names = list(DEPARTMENTS[:count])
    taken = {n for n, _ in names}
    for unit in UNITS:
        for function in FUNCTIONS:
            if len(names) >= count:
                return names
            name = f"{unit} {function}"
            if name not in taken:
                names.append((name, slugify(name)[:40]))
    return names


def generate(run: ScaleRun) -> None:
    """Departments, people with their role groups, and the demo accounts."""
    size, rng = run.size, run.rng
    PortalSettings.load()
    dept_start = run.first_id(Department)
    departments = department_names(size.departments)
    dept_ids = list(range(dept_start, dept_start + len(departments)))
    run.write(
        Department,
        ["id", "name", "code"],
        ((pk, name, code) for pk, (name, code) in zip(dept_ids, departments, strict=True)),
    )
    code_to_id = {code: pk for pk, (_, code) in zip(dept_ids, departments, strict=True)}

    groups = {role: Group.objects.get_or_create(name=role)[0].pk for role in Role}
    # One hash for everyone: hashing 20,000 passwords would take minutes and prove nothing.
    password = make_password(DEMO_PASSWORD)
    user_start = run.first_id(User)
    rows, memberships, by_department = [], [], {pk: [] for pk in dept_ids}
    roles_of: dict[int, list[str]] = {}
    for n, (username, first, last, dept, title, roles) in enumerate(ACCOUNTS):
        pk = user_start + n
        dept_id = code_to_id.get(dept, dept_ids[0])
        admin = username == "admin"
        joined = run.now - dt.timedelta(days=900)
        rows.append(
            (pk, password, None, admin, username, first, last, f"{username}@example.com",
             admin, True, joined, dept_id, title)
        )  # fmt: skip
        by_department[dept_id].append(pk)
        roles_of[pk] = list(roles)
    demo_ids = {a[0]: user_start + n for n, a in enumerate(ACCOUNTS)}
    # Department sizes vary: a few large ones, many small ones.
    weights = [1 / (1 + i % 17) for i in range(len(dept_ids))]
    dept_choice = rng.choices(dept_ids, weights=weights, k=size.users)
    seen_names: dict[str, int] = {}
    for n in range(len(ACCOUNTS), size.users):
        pk = user_start + n
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = slugify(f"{first}.{last}").replace("-", ".")
        seen_names[base] = seen_names.get(base, 0) + 1
        username = base if seen_names[base] == 1 else f"{base}{seen_names[base]}"
        dept_id = dept_choice[n]
        rows.append(
            (pk, password, None, False, username, first, last, f"{username}@example.com",
             False, rng.random() > 0.02, run.spread(1100), dept_id, rng.choice(JOB_TITLES))
        )  # fmt: skip
        by_department[dept_id].append(pk)
    run.write(
        User,
        ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
         "email", "is_staff", "is_active", "date_joined", "department_id", "job_title"],
        rows,
    )  # fmt: skip
    # Roles: two champions per department, a reviewer per 500 people, a few admins and leaders.
    generated = [pk for pk in range(user_start + len(ACCOUNTS), user_start + size.users)]
    for members in by_department.values():
        for pk in [m for m in members if m >= user_start + len(ACCOUNTS)][:2]:
            roles_of.setdefault(pk, []).append(Role.CHAMPION)
    pool = rng.sample(generated, min(len(generated), max(3, size.users // 500) + 10))
    reviewers, rest = pool[: max(3, size.users // 500)], pool[max(3, size.users // 500) :]
    for pk in reviewers:
        roles_of.setdefault(pk, []).append(Role.COE_REVIEWER)
    for k, pk in enumerate(rest):
        roles_of.setdefault(pk, []).append(Role.COE_ADMIN if k < 3 else Role.LEADERSHIP)
    for pk, roles in roles_of.items():
        memberships.extend((pk, groups[role]) for role in dict.fromkeys(roles))
    run.write(User.groups.through, ["user_id", "group_id"], memberships)

    run.shared.update(
        department_ids=dept_ids,
        department_codes=code_to_id,
        members=by_department,
        user_ids=list(range(user_start, user_start + size.users)),
        demo=demo_ids,
        reviewers=[demo_ids["reviewer"], *reviewers],
        admins=[demo_ids["admin"], *[pk for pk, r in roles_of.items() if Role.COE_ADMIN in r]],
        champions={
            d: [m for m in members if Role.CHAMPION in roles_of.get(m, [])]
            for d, members in by_department.items()
        },
    )
