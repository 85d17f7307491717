from __future__ import annotations

import time
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from coe_portal.demo import ACCOUNTS, DEMO_PASSWORD
from coe_portal.models import Department, User
from coe_portal.scale import SIZES, ScaleRun
from usecases.models import UseCase


class Command(BaseCommand):
    help = (
        "Fill an empty database with a large, realistic data set for the benchmark "
        "(bench/): --size small (1,000 proposals) or large (100,000). Deterministic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--flush",
            action="store_true",
            help="PostgreSQL: first empty what an earlier run generated (people, departments, "
            "proposals and everything hanging off them).",
        )

    def handle(self, *args, size: str, seed: int, flush: bool, **options):
        if flush:
            self._flush()
        elif User.objects.exists() or UseCase.objects.exists() or Department.objects.exists():
            raise CommandError(
                "The database already has people or proposals; generate_data fills an empty "
                "one. Use a fresh database, or pass --flush to empty this one first."
            )
        run = ScaleRun(size=SIZES[size], stdout=self.stdout, seed=seed)
        self.stdout.write(f"Generating the {size} data set (seed {seed})…")
        started = time.monotonic()
        with transaction.atomic():
            for config in apps.get_app_configs():
                if Path(config.path).parent != settings.BASE_DIR:
                    continue
                if find_spec(f"{config.name}.scale") is None:
                    continue
                self.stdout.write(f"{config.verbose_name}:")
                import_module(f"{config.name}.scale").generate(run)
            run.reset_sequences()
        if connection.vendor == "postgresql":
            run.say("ANALYZE")
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        total = sum(run.written.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"\n{total:,} rows in {time.monotonic() - started:.1f} s. "
                f"Demo accounts (password {DEMO_PASSWORD}): "
                + ", ".join(username for username, *_ in ACCOUNTS)
            )
        )

    def _flush(self) -> None:
        """Empty what a previous run wrote, keeping what the migrations seeded (policy
        pack, taxonomy, platforms): every row that hangs off a department, a person, a
        learning resource or a path goes with them (PostgreSQL's TRUNCATE … CASCADE; a
        table-level operation, so the event log's append-only trigger does not fire)."""
        if connection.vendor != "postgresql":
            raise CommandError("--flush needs PostgreSQL; on SQLite delete db.sqlite3 instead.")
        from skilling.models import LearningPath, LearningResource

        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table)
            for m in (Department, User, LearningResource, LearningPath)
        )
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in this transaction would block it.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        self.stdout.write("Emptied the previous data.")
