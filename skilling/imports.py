"""CSV import of learning resources: decode, validate every row, then import all or none.

The same code serves the admins' upload page (preview, then confirm) and the
``import_learning_resources`` management command. A row whose link matches an existing
resource updates it, so importing the same file twice changes nothing the second time.

Columns (header names are case-insensitive; * = required):
  title*, kind*, link* (or url), level*, duration* (or duration_minutes), skills*,
  description, provider (internal | external, default external), provider_name,
  language (code or name, default en), status (active | retired, default active)
kind, level, language and status accept their code or their label ("Hands-on lab", "Expert").
duration is minutes ("90") or with a unit ("1.5 h", "45 min", "2 days": a day is 8 h).
skills lists skill slugs or names separated by ";" or "|".
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from coe_portal.limits import too_long
from coe_portal.spreadsheets import UnreadableFile, decode_csv
from skilling.choices import ImportStatus, Language, Level, Provider, ResourceKind, ResourceStatus
from skilling.errors import SkillingError
from skilling.models import LearningResource, ResourceImport, Skill

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000

REQUIRED = ["title", "kind", "url", "level", "duration_minutes", "skills"]
OPTIONAL = ["description", "provider", "provider_name", "language", "status"]
ALIASES = {"link": "url", "duration": "duration_minutes", "minutes": "duration_minutes"}
TEMPLATE_HEADER = [
    "title", "kind", "link", "level", "duration", "skills",
    "description", "provider", "provider_name", "language", "status",
]  # fmt: skip

_DURATION = re.compile(
    r"^\s*(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>m|min|mins|minutes?|h|hrs?|hours?|d|days?)?\s*$",
    re.IGNORECASE,
)
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 8 * 60}


class ImportFileError(SkillingError):
    """The file as a whole cannot be read (encoding, header, size)."""


@dataclass
class ImportRow:
    line: int  # the line number in the file, counting the header as line 1
    raw: dict[str, str]
    values: dict = field(default_factory=dict)
    skills: list[Skill] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    existing_id: int | None = None

    @property
    def action(self) -> str:
        return "update" if self.existing_id else "create"


@dataclass
class ImportPreview:
    encoding: str = ""
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.error_rows

    @property
    def to_create(self) -> int:
        return sum(1 for row in self.rows if row.action == "create")

    @property
    def to_update(self) -> int:
        return sum(1 for row in self.rows if row.action == "update")


def decode(raw: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding (``coe_portal.spreadsheets.decode_csv``)."""
    try:
        return decode_csv(raw)
    except UnreadableFile as exc:
        raise ImportFileError(str(exc)) from None


def preview(text: str, encoding: str = "UTF-8") -> ImportPreview:
    """Validate every row against the catalog as it is now. Nothing is written."""
    result = ImportPreview(encoding=encoding)
    text = text.lstrip("\ufeff")
    if not text.strip():
        result.file_errors.append("The file is empty.")
        return result
    first_line = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        result.file_errors.append(f"The header line cannot be read: {exc}.")
        return result
    columns = [ALIASES.get(_key(name), _key(name)) for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        result.file_errors.append(
            "Missing column" + ("s" if len(missing) > 1 else "") + ": "
            + ", ".join(_display_name(m) for m in missing)
            + ". The first line must name the columns; see the template."
        )  # fmt: skip
        return result
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        result.file_errors.append("Columns named twice: " + ", ".join(duplicated) + ".")
        return result

    skills = _skill_lookup()
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(result.rows) >= MAX_ROWS:
                result.file_errors.append(
                    f"More than {MAX_ROWS} rows: split the file and import the parts."
                )
                return result
            raw = {
                column: (record[i].strip() if i < len(record) else "")
                for i, column in enumerate(columns)
                if column
            }
            row = ImportRow(line=reader.line_num, raw=raw)
            if len(record) > len(columns):
                row.errors.append(
                    f"{len(record)} values but {len(columns)} columns: quote values that "
                    "contain the separator."
                )
            _validate(row, skills)
            result.rows.append(row)
    except csv.Error as exc:
        result.file_errors.append(f"Line {reader.line_num} cannot be read: {exc}.")
        return result

    if not result.rows:
        result.file_errors.append("The file has a header but no rows.")
        return result
    _check_links(result.rows)
    return result


def import_text(text: str, encoding: str, *, actor) -> tuple[int, int]:
    """Import every row or none. Returns (created, updated); raises ImportRejected."""
    with transaction.atomic():
        result = preview(text, encoding)
        if not result.ok:
            raise ImportRejected(result)
        urls = [row.values["url"] for row in result.rows]
        # Race: an admin editing a resource while the import updates it.
        existing = {
            r.url: r for r in LearningResource.objects.select_for_update().filter(url__in=urls)
        }
        created = updated = 0
        for row in result.rows:
            resource = existing.get(row.values["url"])
            if resource is None:
                resource = LearningResource(**row.values)
                created += 1
            else:
                for name, value in row.values.items():
                    setattr(resource, name, value)
                updated += 1
            resource.full_clean(validate_unique=False)
            resource.save()
            resource.skills.set(row.skills)
    return created, updated


class ImportRejected(SkillingError):
    def __init__(self, result: ImportPreview):
        self.result = result
        problems = len(result.error_rows) + len(result.file_errors)
        super().__init__(f"Nothing was imported: {problems} problem(s) in the file.")


def stage_upload(
    raw: bytes, filename: str, *, actor
) -> tuple[ResourceImport | None, ImportPreview]:
    """Check an uploaded file. A clean file is kept for the admin to confirm; a file with
    errors is not kept (the preview lists what to fix)."""
    if len(raw) > MAX_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    text, encoding = decode(raw)
    result = preview(text, encoding)
    if not result.ok:
        return None, result
    staged = ResourceImport.objects.create(
        uploaded_by=actor,
        filename=filename[:200],
        encoding=encoding,
        content=text,
        row_count=len(result.rows),
    )
    return staged, result


def confirm_import(staged: ResourceImport, *, actor) -> ResourceImport:
    """Import a staged file once; a second confirmation (double click) changes nothing."""
    with transaction.atomic():
        staged = ResourceImport.objects.select_for_update().get(pk=staged.pk)
        if staged.status == ImportStatus.IMPORTED:
            return staged
        created, updated = import_text(staged.content, staged.encoding, actor=actor)
        staged.status = ImportStatus.IMPORTED
        staged.created_count = created
        staged.updated_count = updated
        staged.imported_at = timezone.now()
        staged.save()
    return staged


def template_csv() -> str:
    """A header and one example row, for the admins to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(
        [
            "Prompting for analysts", "course", "https://learning.example.com/prompting-analysts",
            "foundation", "90", "prompting; evaluation",
            "Write prompts that give reliable results on spreadsheets and reports.",
            "internal", "CoE Academy", "en", "active",
        ]
    )  # fmt: skip
    return out.getvalue()


# --- rows ---------------------------------------------------------------------------------


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _display_name(column: str) -> str:
    return {"url": "link", "duration_minutes": "duration"}.get(column, column)


def _choice(value: str, choices, default=None):
    """Match a code or a label, ignoring case."""
    if not value:
        return default
    wanted = value.strip().lower()
    for code, label in choices:
        if wanted in (str(code).lower(), str(label).lower()):
            return code
    raise ValueError


def _skill_lookup() -> dict[str, Skill]:
    lookup = {}
    for skill in Skill.objects.all():
        lookup[skill.slug.lower()] = skill
        lookup[skill.name.lower()] = skill
    return lookup


def _minutes(value: str) -> int:
    match = _DURATION.match(value)
    if not match:
        raise ValueError
    number = float(match["number"].replace(",", "."))
    unit = (match["unit"] or "m")[0].lower()
    minutes = round(number * _UNIT_MINUTES[unit])
    if not 1 <= minutes <= 100_000:
        raise ValueError
    return minutes


def _validate(row: ImportRow, skills: dict[str, Skill]) -> None:
    raw, values, errors = row.raw, row.values, row.errors

    title = raw.get("title", "")
    if not title:
        errors.append("title is empty.")
    elif len(title) > 200:
        errors.append("title is longer than 200 characters.")
    values["title"] = title[:200]
    values["description"] = raw.get("description", "")
    limit = LearningResource._meta.get_field("description").max_length
    if len(values["description"]) > limit:
        errors.append(f"description: {too_long(values['description'], limit)}")
    values["provider_name"] = raw.get("provider_name", "")[:120]

    for name, choices, default in [
        ("kind", ResourceKind.choices, None),
        ("level", Level.choices, None),
        ("provider", Provider.choices, Provider.EXTERNAL),
        ("language", Language.choices, Language.ENGLISH),
        ("status", ResourceStatus.choices, ResourceStatus.ACTIVE),
    ]:
        try:
            value = _choice(raw.get(name, ""), choices, default)
        except ValueError:
            allowed = ", ".join(str(label).lower() for _, label in choices)
            errors.append(f"{name} “{raw[name]}” is not one of: {allowed}.")
            continue
        if value is None:
            errors.append(f"{name} is empty.")
        values[name] = value

    url = raw.get("url", "")
    try:
        if not url:
            raise ValidationError("empty")
        URLValidator(schemes=["http", "https"])(url)
        if len(url) > 500:
            raise ValidationError("long")
        values["url"] = url
    except ValidationError:
        errors.append(
            f"link “{url}” is not a web address (https://…)." if url else "link is empty."
        )

    duration = raw.get("duration_minutes", "")
    try:
        values["duration_minutes"] = _minutes(duration)
    except ValueError:
        errors.append(
            f"duration “{duration}” is not a length such as 90, 1.5 h or 2 days."
            if duration
            else "duration is empty."
        )

    names = [n.strip() for n in re.split(r"[;|]", raw.get("skills", "")) if n.strip()]
    unknown = [n for n in names if n.lower() not in skills]
    if not names:
        errors.append("skills is empty: name at least one skill.")
    elif unknown:
        errors.append(
            "unknown skill" + ("s" if len(unknown) > 1 else "") + ": " + ", ".join(unknown) + "."
        )
    row.skills = list(dict.fromkeys(skills[n.lower()] for n in names if n.lower() in skills))


def _check_links(rows: list[ImportRow]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        url = row.values.get("url")
        if not url:
            continue
        if url in seen:
            row.errors.append(f"the same link as line {seen[url]}.")
        else:
            seen[url] = row.line
    existing = dict(LearningResource.objects.filter(url__in=list(seen)).values_list("url", "id"))
    for row in rows:
        row.existing_id = existing.get(row.values.get("url"))
