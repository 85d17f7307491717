from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.demo_data import seed_demo
from usecases import attachments
from usecases.choices import Status
from usecases.models import Comment, Endorsement, UseCase, UseCaseEvent


@pytest.mark.django_db
def test_demo_has_every_state_real_histories_and_is_idempotent():
    seed_demo()
    counts = (UseCase.objects.count(), UseCaseEvent.objects.count(), Comment.objects.count())
    assert set(UseCase.objects.values_list("status", flat=True)) == set(Status.values)
    assert UseCase.objects.filter(confidential=True).exists()
    assert Endorsement.objects.exists() and Comment.objects.exists()
    # The federal inventory slice.
    assert UseCase.objects.filter(department__name="Department of Veterans Affairs").count() > 50
    assert UseCase.objects.count() > 500
    in_production = UseCase.objects.filter(title="Code review assistant for internal services")
    path = list(
        UseCaseEvent.objects.filter(use_case__in=in_production, kind="transition")
        .order_by("id")
        .values_list("to_status", flat=True)
    )
    assert path == ["submitted", "triage", "in_review", "approved", "in_pilot", "in_production"]
    seed_demo()
    assert (
        UseCase.objects.count(),
        UseCaseEvent.objects.count(),
        Comment.objects.count(),
    ) == counts


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<x/>")
    return buffer.getvalue()


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.pdf", b"%PDF-1.7 ...", attachments.PDF),
        ("notes.txt", b"%PDF-1.7 ...", attachments.PDF),  # the name does not matter
        ("a.png", b"\x89PNG\r\n\x1a\n....", attachments.PNG),
        ("a.jpg", b"\xff\xd8\xff\xe0....", attachments.JPEG),
        ("a.docx", _office("word/"), attachments.DOCX),
        ("a.xlsx", _office("xl/"), attachments.XLSX),
        ("a.pptx", _office("ppt/"), attachments.PPTX),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", attachments.LEGACY_OFFICE),
        ("a.pdf", b"MZ\x90\x00", None),
        ("a.docx", _plain_zip(), None),
        ("a.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        ("a.html", b"<html><script>", None),
    ],
)
def test_sniff_judges_by_content(name, content, expected):
    upload = SimpleUploadedFile(name, content)
    if expected is None:
        with pytest.raises(ValidationError):
            attachments.sniff(upload)
    else:
        assert attachments.sniff(upload) == expected


@pytest.mark.parametrize(
    ("name", "content_type", "safe"),
    [
        ("../../etc/passwd.pdf", attachments.PDF, "passwd.pdf"),
        ('quote"and;semicolon.png', attachments.PNG, "quote_and_semicolon.png"),
        ("report.exe", attachments.PDF, "report.pdf"),
        ("Budget.XLS", attachments.LEGACY_OFFICE, "Budget.xls"),
        ("", attachments.JPEG, "attachment.jpg"),
    ],
)
def test_safe_file_name(name, content_type, safe):
    assert attachments.safe_file_name(name, content_type) == safe
