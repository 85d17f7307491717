"""Bringing an existing inventory in from CSV: decode, map columns, check, import all or none.

The browser (``views_import``) and ``manage.py import_use_cases`` share these steps:

1. ``read_table(raw)`` decodes the bytes (UTF-8, UTF-8 with BOM, else Windows-1252) and
   parses the CSV;
2. a ``Mapping`` says which column feeds which field, how source values translate
   (``values``) and what a blank cell means (``defaults``);
3. ``prepare(table, mapping)`` turns each row into field values and a list of errors;
4. ``import_rows(...)`` saves every row in one transaction, or none if any row has errors.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from coe_portal.limits import LongTextField, too_long
from coe_portal.models import AIPlatform, DataSensitivity, Department, validate_platform_choice
from coe_portal.spreadsheets import UnreadableFile, decode_csv
from usecases.choices import Category, Effort, Status
from usecases.models import ImportMapping, UseCase, UseCaseEvent
from usecases.scoring import apply_scores

MAX_FILE_BYTES = 20 * 1024 * 1024

# field → label, in the order the mapping form shows them.
IMPORT_FIELDS = {
    "title": "Title",
    "department": "Department (by name; created if missing)",
    "problem": "The problem and who has it",
    "solution": "Proposed solution",
    "category": "Category",
    "status": "Status",
    "business_sponsor": "Business sponsor",
    "intended_users": "Who will use it",
    "reach": "People it reaches",
    "hours_saved_per_month": "Hours saved per month",
    "estimated_annual_value": "Estimated annual value",
    "benefits": "Benefits in words",
    "success_measure": "Success measure",
    "data_used": "Data used",
    "data_sensitivity": "Data sensitivity",
    "uses_personal_data": "Uses personal data (yes/no)",
    "customer_facing": "Customer-facing (yes/no)",
    "decides_about_people": "Informs decisions about people (yes/no)",
    "regulated_domain": "Regulated domain (yes/no)",
    "platform": "Platform (a name from the platform catalogue)",
    "platform_other": "Platform or model",
    "effort": "Effort (S/M/L/XL)",
    "confidential": "Confidential (yes/no)",
    "source_ref": "Source id (skips rows imported before)",
}
REQUIRED_FIELDS = ("title", "department")
BOOLEAN_FIELDS = {
    "uses_personal_data", "customer_facing", "decides_about_people", "regulated_domain",
    "confidential",
}  # fmt: skip
INTEGER_FIELDS = {"reach", "hours_saved_per_month"}
DECIMAL_FIELDS = {"estimated_annual_value"}
CHOICE_FIELDS = {
    "category": Category,
    "status": Status,
    "data_sensitivity": DataSensitivity,
    "effort": Effort,
}
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0", ""}
# Short texts (names, sponsors) are cut to fit: inventories' names often run long and the
# start says enough. Long texts over their limit are refused, row by row, as the form and the
# API refuse them: cutting a problem statement would lose what the reviewers need to read.
MAX_LENGTHS = {
    name: UseCase._meta.get_field(name).max_length
    for name in IMPORT_FIELDS
    if name != "department" and isinstance(UseCase._meta.get_field(name), models.CharField)
}
MAX_LENGTHS["department"] = Department._meta.get_field("name").max_length
TEXT_LIMITS = {
    name: UseCase._meta.get_field(name).max_length
    for name in IMPORT_FIELDS
    if isinstance(UseCase._meta.get_field(name), LongTextField)
}


class ImportError_(Exception):  # the builtin name is taken
    """The file cannot be imported; the message says why."""


@dataclass
class Table:
    headers: list[str]
    rows: list[dict[str, str]]
    encoding: str


@dataclass
class Mapping:
    name: str
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_model(cls, saved: ImportMapping) -> Mapping:
        return cls(saved.name, dict(saved.columns), dict(saved.values), dict(saved.defaults))

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "columns": self.columns,
            "values": self.values,
            "defaults": self.defaults,
        }


@dataclass
class PreparedRow:
    line: int
    values: dict
    errors: list[str]


# The 2025 US federal AI use-case inventory (shared/data/federal-ai-inventory-2025): its
# columns per the data dictionary, its development stages as statuses, its technique
# classification as the closest category.
FEDERAL_2025 = Mapping(
    name="US federal AI use-case inventory 2025",
    columns={
        "title": "use_case_name",
        "department": "agency_name",
        "business_sponsor": "agency_bureau",
        "problem": "problem_solved",
        "solution": "system_outputs",
        "benefits": "benefits",
        "data_used": "data_description",
        "platform_other": "vendor_name",
        "uses_personal_data": "has_pii",
        "decides_about_people": "is_high_impact",
        "category": "classification",
        "status": "development_stage",
        "source_ref": "id",
    },
    values={
        "status": {
            "pre-deployment": "submitted",
            "pilot": "in_pilot",
            "deployed": "in_production",
            "retired": "retired",
        },
        "category": {
            "generative ai": "content_generation",
            "nlp": "document_processing",
            "classical ml": "data_analysis",
            "computer vision": "document_processing",
            "*": "other",
        },
        "decides_about_people": {"high-impact": "yes", "*": "no"},
    },
    defaults={
        "title": "Untitled use case",
        "status": "submitted",
        "category": "other",
        "data_sensitivity": "internal",
    },
)
BUILTIN_MAPPINGS = {"builtin:federal-2025": FEDERAL_2025}


def read_table(raw: bytes) -> Table:
    """Decode and parse a CSV file. Raises ImportError_ for files that are not usable CSV."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImportError_(f"The file is larger than {MAX_FILE_BYTES // 1_048_576} MB.")
    try:
        text, encoding = decode_csv(raw)
    except UnreadableFile as exc:
        raise ImportError_(str(exc)) from None
    csv.field_size_limit(10 * 1024 * 1024)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        headers = [h.strip() for h in next(reader, [])]
        if not any(headers):
            raise ImportError_("The file is empty or has no header row.")
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            cells = cells + [""] * (len(headers) - len(cells))
            rows.append(dict(zip(headers, cells, strict=False)))
    except csv.Error as exc:
        raise ImportError_(f"This is not a readable CSV file: {exc}.") from exc
    return Table(headers, rows, encoding)


def guess_columns(headers: list[str]) -> dict[str, str]:
    """A first guess at the mapping: columns named like a field or its label."""
    by_name = {slugify(h).replace("-", "_"): h for h in headers}
    guess = {}
    for name, label in IMPORT_FIELDS.items():
        for key in (name, slugify(label.split(" (")[0]).replace("-", "_")):
            if key in by_name:
                guess[name] = by_name[key]
                break
    return guess


def check_mapping(mapping: Mapping, headers: list[str]) -> list[str]:
    """Problems with the mapping itself for this file: required fields, unknown columns."""
    problems = []
    for name in REQUIRED_FIELDS:
        if not mapping.columns.get(name) and not mapping.defaults.get(name):
            problems.append(f"Choose the column for “{IMPORT_FIELDS[name]}”.")
    for name, column in mapping.columns.items():
        if name not in IMPORT_FIELDS:
            problems.append(f"“{name}” is not a field that can be imported.")
        elif column and column not in headers:
            problems.append(f"The file has no column “{column}” (for {IMPORT_FIELDS[name]}).")
    return problems


def _convert(name: str, text: str, mapping: Mapping):
    """One cell as the field's value. Raises ValueError with a message for the person."""
    translations = mapping.values.get(name)
    if translations:
        key = text.strip().lower()
        if key in translations:
            text = translations[key]
        elif key and "*" in translations:
            text = translations["*"]
    if name in BOOLEAN_FIELDS:
        word = text.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"{IMPORT_FIELDS[name]}: “{text[:40]}” is not yes or no")
    if name in INTEGER_FIELDS:
        if not text.strip():
            return None
        try:
            number = int(Decimal(text.replace(",", "").strip()))
        except InvalidOperation as exc:
            raise ValueError(f"{IMPORT_FIELDS[name]}: “{text[:40]}” is not a number") from exc
        if number < 0:
            raise ValueError(f"{IMPORT_FIELDS[name]}: must not be negative")
        return number
    if name in DECIMAL_FIELDS:
        if not text.strip():
            return None
        try:
            return Decimal(text.replace(",", "").replace("€", "").replace("$", "").strip())
        except InvalidOperation as exc:
            raise ValueError(f"{IMPORT_FIELDS[name]}: “{text[:40]}” is not an amount") from exc
    if name in CHOICE_FIELDS:
        if not text.strip():
            return ""
        choices = CHOICE_FIELDS[name]
        lowered = text.strip().lower()
        for value, label in choices.choices:
            if lowered in (str(value).lower(), str(label).lower()):
                return value
        raise ValueError(f"{IMPORT_FIELDS[name]}: “{text[:40]}” is not one of the choices")
    text = " ".join(text.split()) if name in MAX_LENGTHS else text.strip()
    limit = MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if name in TEXT_LIMITS and len(text) > TEXT_LIMITS[name]:
        raise ValueError(f"{IMPORT_FIELDS[name]}: {too_long(text, TEXT_LIMITS[name])}")
    return text


def _platform(text: str, catalogue: dict[str, AIPlatform]) -> AIPlatform | None:
    """The catalogued platform a cell names (in any case), or None for a blank cell.
    Raises ValueError with a message for an unknown name or one that may not be chosen."""
    name = " ".join(text.split())
    if not name:
        return None
    platform = catalogue.get(name.lower())
    if platform is None:
        raise ValueError(
            f"{IMPORT_FIELDS['platform']}: “{name[:40]}” is not in the platform catalogue "
            f"(map the column to “{IMPORT_FIELDS['platform_other']}” to keep it as text)"
        )
    try:
        validate_platform_choice(platform)
    except ValidationError as exc:
        raise ValueError(f"{IMPORT_FIELDS['platform']}: {exc.messages[0]}") from exc
    return platform


def prepare(table: Table, mapping: Mapping) -> list[PreparedRow]:
    """Every row as field values plus its errors (line numbers as a spreadsheet counts)."""
    prepared = []
    fields = [
        name for name in IMPORT_FIELDS if mapping.columns.get(name) or name in mapping.defaults
    ]
    catalogue = (
        {p.name.lower(): p for p in AIPlatform.objects.all()} if "platform" in fields else {}
    )
    for index, row in enumerate(table.rows, start=2):
        values, errors = {}, []
        for name in fields:
            column = mapping.columns.get(name)
            cell = (row.get(column) or "") if column else ""
            if not cell.strip():
                cell = str(mapping.defaults.get(name, ""))
            try:
                if name == "platform":
                    values[name] = _platform(cell, catalogue)
                else:
                    values[name] = _convert(name, cell, mapping)
            except ValueError as exc:
                errors.append(str(exc))
        for name in REQUIRED_FIELDS:
            if not values.get(name):
                errors.append(f"{IMPORT_FIELDS[name]} is blank")
        prepared.append(PreparedRow(index, values, errors))
    return prepared


@dataclass
class ImportSummary:
    created: int = 0
    skipped: int = 0
    departments_created: int = 0


def _departments(names: set[str]) -> tuple[dict[str, Department], int]:
    existing = {d.name.lower(): d for d in Department.objects.all()}
    codes = set(Department.objects.values_list("code", flat=True))
    created = 0
    for name in sorted(names):
        if name.lower() in existing:
            continue
        base = slugify(name)[:34] or "department"
        code, n = base, 2
        while code in codes:
            code, n = f"{base}-{n}", n + 1
        codes.add(code)
        existing[name.lower()] = Department.objects.create(name=name, code=code)
        created += 1
    return existing, created


def import_rows(rows: list[PreparedRow], *, actor, source_name: str, owners=None) -> ImportSummary:
    """Save every prepared row as a proposal, in one transaction: all or none.

    Raises ImportError_ (saving nothing) if any row has errors. Rows whose ``source_ref``
    is already in the database (or, without one, whose title already exists in the same
    department) are skipped, so importing a file twice does not duplicate it.
    ``owners`` (optional) are given the proposals in turn; otherwise ``actor`` owns them.
    """
    bad = [row for row in rows if row.errors]
    if bad:
        raise ImportError_(
            f"{len(bad)} row(s) have errors (first on line {bad[0].line}); nothing was imported."
        )
    owners = list(owners or [actor])
    summary = ImportSummary()
    now = timezone.now()
    with transaction.atomic():
        departments, summary.departments_created = _departments(
            {row.values["department"] for row in rows}
        )
        refs = {row.values.get("source_ref") for row in rows} - {"", None}
        seen = set(UseCase.objects.filter(source_ref__in=refs).values_list("source_ref", flat=True))
        # Rows without a source id count as imported before when a proposal with the same
        # title already exists in the same department.
        titles = {row.values["title"] for row in rows if not row.values.get("source_ref")}
        seen_titles = set(
            UseCase.objects.filter(title__in=titles).values_list("title", "department_id")
        )
        new = []
        for index, row in enumerate(rows):
            values = dict(row.values)
            values["department"] = departments[values["department"].lower()]
            ref = values.get("source_ref") or ""
            key = (values["title"], values["department"].pk)
            # Only rows already in the database are skipped: inventories repeat ids for
            # different use cases, and those rows are all imported the first time.
            if (ref and ref in seen) or (not ref and key in seen_titles):
                summary.skipped += 1
                continue
            values.setdefault("status", Status.SUBMITTED)
            values["status"] = values["status"] or Status.SUBMITTED
            use_case = UseCase(owner=owners[index % len(owners)], **values)
            if use_case.status != Status.DRAFT:
                use_case.submitted_at = now
                use_case.status_changed_at = now
            apply_scores(use_case)
            new.append(use_case)
        UseCase.objects.bulk_create(new, batch_size=500)
        UseCaseEvent.objects.bulk_create(
            [
                UseCaseEvent(
                    use_case=use_case,
                    actor=actor,
                    kind=UseCaseEvent.Kind.TRANSITION,
                    from_status="",
                    to_status=use_case.status,
                    note=f"Imported from {source_name[:100]}.",
                    data={"import": source_name[:100], "source_ref": use_case.source_ref},
                )
                for use_case in new
            ],
            batch_size=1000,
        )
        summary.created = len(new)
    return summary


def count_imported_before(rows: list[PreparedRow]) -> int:
    """How many of ``rows`` an import would skip as already in the database (for the preview)."""
    refs = {row.values.get("source_ref") for row in rows} - {"", None}
    seen = set(UseCase.objects.filter(source_ref__in=refs).values_list("source_ref", flat=True))
    titles = {row.values.get("title") for row in rows if not row.values.get("source_ref")}
    seen_titles = {
        (title, department.lower())
        for title, department in UseCase.objects.filter(title__in=titles).values_list(
            "title", "department__name"
        )
    }
    skipped = 0
    for row in rows:
        ref = row.values.get("source_ref")
        if ref:
            skipped += ref in seen
        else:
            key = (row.values.get("title"), (row.values.get("department") or "").lower())
            skipped += key in seen_titles
    return skipped


def saved_mapping_choices() -> list[tuple[str, str]]:
    """(key, name) of the shipped mappings and those admins saved."""
    choices = [(key, mapping.name) for key, mapping in BUILTIN_MAPPINGS.items()]
    choices += [(f"saved:{m.pk}", m.name) for m in ImportMapping.objects.all()]
    return choices


def load_mapping(key: str) -> Mapping | None:
    if key in BUILTIN_MAPPINGS:
        return BUILTIN_MAPPINGS[key]
    if key.startswith("saved:") and key[6:].isdigit():
        saved = ImportMapping.objects.filter(pk=int(key[6:])).first()
        return Mapping.from_model(saved) if saved else None
    return None


def import_file(raw: bytes, mapping: Mapping, *, actor, source_name: str, owners=None):
    """The whole pipeline for one file (the command and tests): returns (summary, rows)."""
    table = read_table(raw)
    problems = check_mapping(mapping, table.headers)
    if problems:
        raise ImportError_(" ".join(problems))
    rows = prepare(table, mapping)
    return import_rows(rows, actor=actor, source_name=source_name, owners=owners), rows
