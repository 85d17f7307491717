from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coe_portal.backup import BackupError, restore_database


class Command(BaseCommand):
    help = "Restore the database from a backup made by backup_db. Replaces current data."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument(
            "--database", help="Restore into this database on the same server instead"
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args, backup: Path, database: str | None, yes: bool, **options):
        if not yes:
            answer = input(
                f"Replace the data of {database or 'the portal database'} with {backup}? [y/N] "
            )
            if answer.strip().lower() != "y":
                raise CommandError("Nothing restored.")
        try:
            restore_database(backup, database=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored from {backup}"))
