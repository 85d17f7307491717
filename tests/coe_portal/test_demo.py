from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from coe_portal.models import Department, User
from coe_portal.roles import Role, has_role
from tests.demo_data import seed_demo

pytestmark = pytest.mark.django_db


def test_seed_demo_is_safe_to_run_twice_and_prints_accounts():
    text = seed_demo()
    counts = (Department.objects.count(), User.objects.count())
    seed_demo()

    assert (Department.objects.count(), User.objects.count()) == counts
    for username in ["admin", "reviewer", "champion", "leader", "employee"]:
        assert username in text


@pytest.mark.parametrize(
    ("username", "role"),
    [("admin", Role.COE_ADMIN), ("reviewer", Role.COE_REVIEWER), ("champion", Role.CHAMPION),
     ("leader", Role.LEADERSHIP)],
)  # fmt: skip
def test_demo_has_one_account_per_role(username, role):
    seed_demo()
    assert has_role(User.objects.get(username=username), role)


def test_seed_demo_refuses_with_debug_off_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="admin").exists()

    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    assert User.objects.get(username="admin").is_superuser
