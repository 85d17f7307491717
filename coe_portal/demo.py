"""Demo data for the core: departments and one account per role.

``manage.py seed_demo`` runs this module's ``seed`` first, then the ``seed`` of each app's own
``demo.py`` in INSTALLED_APPS order. Every seed is safe to run twice.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from coe_portal.models import Department, User
from coe_portal.roles import Role

DEMO_PASSWORD = "coe-demo-2026"  # noqa: S105 (public demo accounts, printed on purpose)

DEPARTMENTS = [
    ("Finance", "finance"),
    ("Customer Service", "customer-service"),
    ("Marketing", "marketing"),
    ("Human Resources", "hr"),
    ("Legal", "legal"),
    ("Engineering", "engineering"),
    ("Operations", "operations"),
    ("Sales", "sales"),
]

# username, first, last, department code, job title, roles
ACCOUNTS = [
    ("admin", "Ada", "Admin", "engineering", "Head of the AI CoE", [Role.COE_ADMIN]),
    ("reviewer", "Rui", "Reviewer", "legal", "Responsible-AI reviewer", [Role.COE_REVIEWER]),
    ("champion", "Chloe", "Champion", "finance", "Finance AI champion", [Role.CHAMPION]),
    ("leader", "Leo", "Leader", "operations", "Chief Operating Officer", [Role.LEADERSHIP]),
    ("employee", "Emma", "Employee", "finance", "Financial analyst", []),
]

# More colleagues so lists, comments and endorsements have real people behind them.
COLLEAGUES = [
    ("noah.berg", "Noah", "Berg", "customer-service", "Support team lead"),
    ("sofia.marin", "Sofia", "Marin", "marketing", "Content manager"),
    ("omar.haddad", "Omar", "Haddad", "engineering", "Staff engineer"),
    ("lena.kowalski", "Lena", "Kowalski", "hr", "HR business partner"),
    ("james.okafor", "James", "Okafor", "sales", "Account executive"),
    ("mei.tanaka", "Mei", "Tanaka", "operations", "Process excellence manager"),
    ("lucas.silva", "Lucas", "Silva", "legal", "Contracts counsel"),
    ("priya.nair", "Priya", "Nair", "finance", "Controller"),
]


def seed(stdout) -> None:
    departments = {
        code: Department.objects.update_or_create(code=code, defaults={"name": name})[0]
        for name, code in DEPARTMENTS
    }
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role}
    for username, first, last, dept, title, roles in ACCOUNTS:
        user = _person(username, first, last, departments[dept], title)
        user.groups.set([groups[role] for role in roles])
    # The demo's CoE admin also manages people and schedules in the Django admin.
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    for username, first, last, dept, title in COLLEAGUES:
        _person(username, first, last, departments[dept], title)
    stdout.write(f"  {len(departments)} departments, {len(ACCOUNTS) + len(COLLEAGUES)} people")


def _person(username: str, first: str, last: str, department: Department, title: str) -> User:
    user, created = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.com",
            "department": department,
            "job_title": title,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
