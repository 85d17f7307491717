from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coe_portal.models import User
from usecases import importing


class Command(BaseCommand):
    help = (
        "Import proposals from a CSV file: all rows or none. "
        "Use --mapping federal-2025 for the 2025 US federal AI use-case inventory."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--mapping",
            default="federal-2025",
            help="'federal-2025' (shipped) or the name of a mapping saved in the browser.",
        )
        parser.add_argument("--owner", default="admin", help="Username that owns the rows.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")

    def handle(self, *args, path: Path, mapping: str, owner: str, dry_run: bool, **options):
        try:
            actor = User.objects.get(username=owner)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user '{owner}'; pass --owner.") from exc
        chosen = importing.load_mapping(f"builtin:{mapping}")
        if chosen is None:
            saved = importing.ImportMapping.objects.filter(name=mapping).first()
            if saved is None:
                raise CommandError(f"No mapping called '{mapping}'.")
            chosen = importing.Mapping.from_model(saved)
        started = time.monotonic()
        try:
            table = importing.read_table(path.read_bytes())
            problems = importing.check_mapping(chosen, table.headers)
            if problems:
                raise CommandError(" ".join(problems))
            rows = importing.prepare(table, chosen)
            bad = [row for row in rows if row.errors]
            for row in bad[:50]:
                self.stderr.write(f"  line {row.line}: {'; '.join(row.errors)}")
            self.stdout.write(f"{len(rows)} rows read ({table.encoding}), {len(bad)} with errors.")
            if dry_run:
                return
            summary = importing.import_rows(rows, actor=actor, source_name=path.name)
        except (OSError, importing.ImportError_) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary.created} proposals, skipped {summary.skipped} seen before, "
                f"created {summary.departments_created} departments "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
