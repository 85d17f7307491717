from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from coe_portal.demo import ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Fill the portal with demo data: departments, one account per role, app content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (a throwaway instance, never a real one).",
        )

    def handle(self, *args, **options):
        # The demo makes a superuser "admin" with the password printed in the README and
        # resets demo-named accounts' roles: on a real database that is a way in for anyone.
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates a superuser 'admin' with "
                "the published demo password. On a throwaway instance, run it with "
                "--allow-production."
            )
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
