from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from coe_portal.demo import ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Fill the portal with demo data: departments, one account per role, app content."

    def handle(self, *args, **options):
        # The project's own apps (not third-party ones), core first, each with a demo.py.
        for config in apps.get_app_configs():
            if Path(config.path).parent != settings.BASE_DIR:
                continue
            if find_spec(f"{config.name}.demo") is None:
                continue
            self.stdout.write(f"Seeding {config.verbose_name}…")
            with transaction.atomic():
                import_module(f"{config.name}.demo").seed(self.stdout)

        self.stdout.write(
            self.style.SUCCESS(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
        )
        for username, first, last, _dept, _title, roles in ACCOUNTS:
            role_text = ", ".join(roles) or "Employee"
            self.stdout.write(f"  {username:<10} {first + ' ' + last:<18} {role_text}")
