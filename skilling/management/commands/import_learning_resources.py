from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skilling import imports


class Command(BaseCommand):
    help = (
        "Import learning resources from a CSV file: every row or none. Rows whose link "
        "matches an existing resource update it. See skilling/imports.py for the columns."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; change nothing."
        )

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        if len(raw) > imports.MAX_BYTES:
            raise CommandError(f"{path} is larger than {imports.MAX_BYTES} bytes.")
        try:
            text, encoding = imports.decode(raw)
        except imports.ImportFileError as exc:
            raise CommandError(str(exc)) from exc

        result = imports.preview(text, encoding)
        self.stdout.write(f"{path.name}: read as {encoding}, {len(result.rows)} rows.")
        if not result.ok:
            for error in result.file_errors:
                self.stderr.write(f"  {error}")
            for row in result.error_rows:
                for error in row.errors:
                    self.stderr.write(f"  line {row.line}: {error}")
            raise CommandError("Nothing was imported: fix the file and run again.")
        if dry_run:
            self.stdout.write(
                f"Dry run: would create {result.to_create} and update {result.to_update}."
            )
            return
        try:
            created, updated = imports.import_text(text, encoding, actor=None)
        except imports.ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Imported: {created} new, {updated} updated."))
