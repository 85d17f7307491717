from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from coe_portal.models import Department
from coe_portal.spreadsheets import safe_cell
from tests.factories import UseCaseFactory
from usecases import importing
from usecases.models import ImportMapping, UseCase, UseCaseEvent

pytestmark = pytest.mark.django_db

FEDERAL = Path(
    "/work/shared/data/federal-ai-inventory-2025/2025_individually_reported_AI_use_cases.csv"
)
SIMPLE = importing.Mapping("simple", {"title": "Name", "department": "Team", "reach": "Users"})
GOOD = "Name,Team,Users\nCafé menu assistant,Finance,12\nSupplier Q&A,Legal,\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (GOOD.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + GOOD.encode("utf-8"), "UTF-8 with BOM"),
        (GOOD.encode("cp1252"), "Windows-1252"),
    ],
)
def test_encodings_are_detected(raw, encoding, coe_admin):
    table = importing.read_table(raw)
    assert table.encoding == encoding
    assert table.headers == ["Name", "Team", "Users"]
    summary, _ = importing.import_file(raw, SIMPLE, actor=coe_admin, source_name="t.csv")
    assert summary.created == 2
    assert UseCase.objects.filter(title="Café menu assistant", reach=12).exists()
    assert Department.objects.filter(name="Legal").exists()
    assert UseCaseEvent.objects.filter(note="Imported from t.csv.").count() == 2


def test_an_excel_workbook_is_refused_with_what_to_do():
    with pytest.raises(importing.ImportError_, match="Save it as CSV"):
        importing.read_table(b"PK\x03\x04\x00\x00 a zipped workbook")


def test_missing_required_column_is_refused(coe_admin):
    mapping = importing.Mapping("bad", {"title": "Name"})
    with pytest.raises(importing.ImportError_, match="Department"):
        importing.import_file(GOOD.encode(), mapping, actor=coe_admin, source_name="t.csv")
    mapping = importing.Mapping("bad", {"title": "Nope", "department": "Team"})
    with pytest.raises(importing.ImportError_, match="no column"):
        importing.import_file(GOOD.encode(), mapping, actor=coe_admin, source_name="t.csv")


def test_one_bad_row_imports_nothing(coe_admin):
    raw = (GOOD + "Third idea,Finance,many\n,Finance,3\n").encode()
    table = importing.read_table(raw)
    rows = importing.prepare(table, SIMPLE)
    assert [(r.line, r.errors) for r in rows if r.errors] == [
        (4, ["People it reaches: “many” is not a number"]),
        (5, ["Title is blank"]),
    ]
    with pytest.raises(importing.ImportError_, match="2 row"):
        importing.import_rows(rows, actor=coe_admin, source_name="t.csv")
    assert UseCase.objects.count() == 0
    assert not Department.objects.filter(name="Legal").exists()


def test_not_a_csv_file(coe_admin):
    with pytest.raises(importing.ImportError_):
        importing.read_table(b"")


def test_reimport_skips_rows_seen_before(coe_admin):
    raw = b"id,Name,Team\nA-1,One,Finance\nA-2,Two,Finance\n"
    mapping = importing.Mapping("m", {"title": "Name", "department": "Team", "source_ref": "id"})
    importing.import_file(raw, mapping, actor=coe_admin, source_name="t.csv")
    rows = importing.prepare(importing.read_table(raw), mapping)
    assert importing.count_imported_before(rows) == 2
    summary, _ = importing.import_file(raw, mapping, actor=coe_admin, source_name="t.csv")
    assert (summary.created, summary.skipped) == (0, 2)
    assert UseCase.objects.count() == 2


@pytest.mark.skipif(not FEDERAL.exists(), reason="the shared federal inventory is not here")
def test_the_real_federal_inventory_imports_quickly(coe_admin):
    started = time.monotonic()
    call_command(
        "import_use_cases", str(FEDERAL), "--owner", coe_admin.username, stdout=io.StringIO()
    )
    elapsed = time.monotonic() - started
    assert UseCase.objects.count() == 3611
    assert elapsed < 30
    assert Department.objects.filter(name="Department of Energy").exists()
    deployed = UseCase.objects.filter(status="in_production").count()
    assert deployed > 900
    # Importing again adds nothing.
    call_command(
        "import_use_cases", str(FEDERAL), "--owner", coe_admin.username, stdout=io.StringIO()
    )
    assert UseCase.objects.count() == 3611


def test_command_reports_bad_files(tmp_path, coe_admin):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"Other,Columns\n1,2\n")
    with pytest.raises(CommandError):
        call_command(
            "import_use_cases", str(path), "--owner", coe_admin.username, stdout=io.StringIO()
        )


class TestBrowserImport:
    def test_only_admins(self, client, reviewer):
        client.force_login(reviewer)
        assert client.get(reverse("usecases:usecase_import")).status_code == 403

    def test_upload_map_save_preview_and_import(self, client, coe_admin, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        client.force_login(coe_admin)
        response = client.post(
            reverse("usecases:usecase_import"),
            {"file": SimpleUploadedFile("teams.csv", GOOD.encode("cp1252"))},
        )
        assert response.status_code == 302
        map_url = response["Location"]
        page = client.get(map_url).content.decode()
        assert "Windows-1252" in page
        response = client.post(
            map_url,
            {"title": "Name", "department": "Team", "reach": "Users", "save_as": "Team list"},
        )
        assert response.status_code == 302
        assert ImportMapping.objects.get(name="Team list").columns["reach"] == "Users"
        preview_url = response["Location"]
        assert "Every row is ready" in client.get(preview_url).content.decode()
        assert UseCase.objects.count() == 0
        response = client.post(preview_url)
        assert response.status_code == 302
        assert UseCase.objects.count() == 2

    def test_preview_with_errors_imports_nothing(self, client, coe_admin, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        client.force_login(coe_admin)
        raw = (GOOD + "Bad,Finance,lots\n").encode()
        response = client.post(
            reverse("usecases:usecase_import"), {"file": SimpleUploadedFile("t.csv", raw)}
        )
        response = client.post(
            response["Location"], {"title": "Name", "department": "Team", "reach": "Users"}
        )
        preview_url = response["Location"]
        page = client.get(preview_url).content.decode()
        assert "Line 4" in page and "is not a number" in page
        client.post(preview_url)
        assert UseCase.objects.count() == 0

    def test_saved_federal_mapping_is_offered(self, client, coe_admin):
        client.force_login(coe_admin)
        assert (
            "US federal AI use-case inventory 2025"
            in client.get(reverse("usecases:usecase_import")).content.decode()
        )

    def test_bad_token_is_404(self, client, coe_admin):
        client.force_login(coe_admin)
        assert client.get("/proposals/import/..%2F..%2Fetc/map/").status_code == 404
        assert (
            client.get(reverse("usecases:usecase_import_map", args=["not-a-uuid"])).status_code
            == 404
        )


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("plain", "plain"),
        (3, "3"),
    ],
)
def test_export_neutralises_formulas(cell, written):
    assert safe_cell(cell) == written


def test_export_is_filtered_and_safe(client, employee, outsider):
    UseCaseFactory(owner=outsider, status="submitted", title="=cmd|' /C calc'!A0", category="other")
    UseCaseFactory(owner=outsider, status="submitted", title="Plain idea", category="summarisation")
    client.force_login(employee)
    response = client.get(reverse("usecases:usecase_export"), {"category": "other"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Number", "Title"]
    assert [r[1] for r in rows[1:]] == ["'=cmd|' /C calc'!A0"]
