"""CSV import of learning resources: encodings, per-row errors, all or none."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from skilling import imports
from skilling.models import LearningResource, ResourceImport
from tests.skilling.factories import LearningResourceFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "title,kind,link,level,duration,skills,description,provider,provider_name,language,status\n"
)
GOOD = HEADER + (
    "Prompting für Einsteiger,course,https://learn.example.com/p1,foundation,90,prompting,"
    "Grundlagen \u2013 mit Übungen,internal,CoE Academy,de,active\n"
    'Red-team lab,Hands-on lab,https://learn.example.com/p2,Expert,1.5 h,"ai-security; Evaluating model output",'
    '"Attack, then defend",external,Sec Co,English,\n'
)


def upload(text: str, encoding: str = "utf-8", name: str = "resources.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


# --- decoding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("Übung \u2013 café".encode(), "UTF-8"),
        (b"\xef\xbb\xbf" + "Übung \u2013 café".encode(), "UTF-8 with BOM"),
        ("Übung \u2013 café".encode("cp1252"), "Windows-1252"),
    ],
)
def test_decodes_utf8_bom_and_windows_1252(raw, encoding):
    assert imports.decode(raw) == ("Übung \u2013 café", encoding)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"PK\x03\x04\x00\x00binary", "not a text file"),
        (b"\xef\xbb\xbfok \xff\xfe", "says it is UTF-8"),
        (b"title \x81\x8d\x90", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_refuses_what_it_cannot_read(raw, message):
    with pytest.raises(imports.ImportFileError, match=message):
        imports.decode(raw)


# --- validation --------------------------------------------------------------------------


def test_a_good_file_previews_every_row_with_its_values():
    result = imports.preview(GOOD)

    assert result.ok
    first, second = result.rows
    assert (first.line, first.values["level"], first.values["language"]) == (2, 1, "de")
    assert [s.slug for s in first.skills] == ["prompting"]
    assert second.values["kind"] == "lab"
    assert second.values["duration_minutes"] == 90
    assert second.values["status"] == "active"  # blank -> default
    assert [s.slug for s in second.skills] == ["ai-security", "evaluation"]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("45", 45), ("45 min", 45), ("2h", 120), ("1,5 h", 90), ("2 days", 960), ("1 day", 480)],
)
def test_duration_units(text, minutes):
    assert imports._minutes(text) == minutes


def test_semicolon_separated_files_from_european_excel_are_read():
    text = GOOD.replace(",", ";").replace('"ai-security; Evaluating model output"', "ai-security")
    text = text.replace("Attack; then defend", "Attack then defend").replace('"', "")
    assert imports.preview(text).ok


BAD_ROWS = [
    (
        "Title,webinar,https://x.example.com/a,foundation,60,prompting",
        "kind “webinar” is not one of",
    ),
    (",course,https://x.example.com/b,foundation,60,prompting", "title is empty"),
    ("T,course,not a link,foundation,60,prompting", "is not a web address"),
    ("T,course,https://x.example.com/c,guru,60,prompting", "level “guru”"),
    ("T,course,https://x.example.com/d,foundation,forever,prompting", "duration “forever”"),
    ("T,course,https://x.example.com/e,foundation,60,", "skills is empty"),
    ("T,course,https://x.example.com/f,foundation,60,knitting", "unknown skill: knitting"),
    ("T,course,https://x.example.com/g,foundation,60,prompting,,,,klingon", "language “klingon”"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_each_bad_row_is_reported_with_its_line(row, message):
    result = imports.preview(
        HEADER + "Fine,course,https://x.example.com/ok,foundation,60,prompting\n" + row + "\n"
    )

    assert not result.ok
    (bad,) = result.error_rows
    assert bad.line == 3
    assert any(message in error for error in bad.errors), bad.errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (HEADER, "no rows"),
        ("title,kind,level\nA,course,1\n", "Missing columns: link, duration, skills"),
        ("title,title,kind,link,level,duration,skills\n", "Columns named twice"),
    ],
)
def test_file_level_problems(text, message):
    result = imports.preview(text)
    assert not result.ok
    assert any(message in e for e in result.file_errors), result.file_errors


def test_the_same_link_twice_in_a_file_is_an_error():
    row = "T,course,https://x.example.com/same,foundation,60,prompting\n"
    result = imports.preview(HEADER + row + row)
    assert result.error_rows[0].errors == ["the same link as line 2."]


# --- importing ---------------------------------------------------------------------------


def test_import_creates_and_then_updates_by_link(coe_admin):
    assert imports.import_text(GOOD, "UTF-8", actor=coe_admin) == (2, 0)
    assert imports.import_text(GOOD.replace("1.5 h", "2 h"), "UTF-8", actor=coe_admin) == (0, 2)

    lab = LearningResource.objects.get(url="https://learn.example.com/p2")
    assert lab.duration_minutes == 120
    assert sorted(lab.skills.values_list("slug", flat=True)) == ["ai-security", "evaluation"]


def test_one_bad_row_imports_nothing(coe_admin):
    text = GOOD + "Broken,course,https://learn.example.com/p3,foundation,60,knitting\n"
    with pytest.raises(imports.ImportRejected):
        imports.import_text(text, "UTF-8", actor=coe_admin)
    assert not LearningResource.objects.filter(url__startswith="https://learn.example.com").exists()


def test_management_command_imports_a_windows_1252_file(tmp_path):
    path = tmp_path / "resources.csv"
    path.write_bytes(GOOD.encode("cp1252"))
    out = io.StringIO()

    call_command("import_learning_resources", str(path), stdout=out)

    assert "read as Windows-1252" in out.getvalue()
    assert "2 new" in out.getvalue()
    assert LearningResource.objects.get(url="https://learn.example.com/p1").description == (
        "Grundlagen \u2013 mit Übungen"
    )


def test_management_command_dry_run_and_errors(tmp_path):
    path = tmp_path / "resources.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    out = io.StringIO()
    call_command("import_learning_resources", str(path), "--dry-run", stdout=out)
    assert "would create 2" in out.getvalue()
    assert not LearningResource.objects.filter(url__startswith="https://learn.example.com").exists()

    path.write_text(HEADER + "x,course,bad,foundation,60,prompting\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_learning_resources", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 2: link “bad” is not a web address" in err.getvalue()


# --- the browser flow --------------------------------------------------------------------


def test_admin_uploads_previews_and_imports(client, coe_admin):
    LearningResourceFactory(url="https://learn.example.com/p2", title="Old title")
    client.force_login(coe_admin)

    response = client.post(reverse("skilling:resource_import"), {"file": upload(GOOD, "utf-8-sig")})
    staged = ResourceImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("skilling:resource_import_confirm", args=[staged.pk])
    assert staged.encoding == "UTF-8 with BOM"

    preview = client.get(response["Location"])
    assert b"1</strong> new resource and <strong>1</strong> update" in preview.content
    assert not LearningResource.objects.filter(url="https://learn.example.com/p1").exists()

    done = client.post(response["Location"], follow=True)
    assert b"1 new, 1 updated" in done.content
    assert LearningResource.objects.get(url="https://learn.example.com/p2").title == "Red-team lab"

    # A second confirmation (double click, back button) imports nothing more.
    client.post(response["Location"])
    staged.refresh_from_db()
    assert (staged.status, staged.created_count, staged.updated_count) == ("imported", 1, 1)


def test_a_file_with_errors_lists_them_and_keeps_nothing(client, coe_admin):
    client.force_login(coe_admin)
    text = GOOD + "Broken,course,https://learn.example.com/p3,foundation,60,knitting\n"

    response = client.post(reverse("skilling:resource_import"), {"file": upload(text, "cp1252")})

    assert response.status_code == 200
    assert "unknown skill: knitting" in response.content.decode()
    assert "Nothing was imported" in response.content.decode()
    assert not ResourceImport.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("resources.xlsx", b"PK\x03\x04", "Upload a .csv file"),
        ("resources.csv", b"PK\x03\x04\x00\x00", "not a text file"),
    ],
)
def test_upload_refuses_non_csv_files(client, coe_admin, name, content, message):
    client.force_login(coe_admin)
    response = client.post(
        reverse("skilling:resource_import"), {"file": SimpleUploadedFile(name, content)}
    )
    assert message in response.content.decode()


def test_template_download(client, coe_admin):
    client.force_login(coe_admin)
    response = client.get(reverse("skilling:resource_import_template"))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert imports.preview(text).ok
