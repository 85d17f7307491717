from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coe_portal.backup import BackupError, backup_database


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format, or a SQLite copy)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="File to write (default: backups/coe-portal-<time>.dump)",
        )

    def handle(self, *args, output: Path | None, **options):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = output or Path("backups") / f"coe-portal-{stamp}.dump"
        try:
            path = backup_database(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {path} ({path.stat().st_size:,} bytes)")
        )
