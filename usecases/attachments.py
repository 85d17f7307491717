"""Checking uploaded files by their content, not their name."""

from __future__ import annotations

import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
LEGACY_OFFICE = "application/vnd.ms-office"  # .doc, .xls, .ppt (OLE compound files)

EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx", PPTX: "pptx"}
ALLOWED_DESCRIPTION = "PDF, Word, Excel, PowerPoint, PNG or JPEG"

_OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def max_bytes() -> int:
    return getattr(settings, "USECASE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def sniff(upload) -> str:
    """The content type of ``upload`` judged from its first bytes, or ValidationError.

    The file name and the browser's claimed type are ignored: a renamed executable is
    refused, a PDF called ``notes.txt`` is accepted as a PDF.
    """
    if upload.size > max_bytes():
        raise ValidationError(
            f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes() / 1_048_576:.0f} MB."
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    content_type = None
    if head.startswith(b"%PDF-"):
        content_type = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        content_type = JPEG
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        content_type = LEGACY_OFFICE
    elif head.startswith(b"PK\x03\x04"):
        content_type = _ooxml_type(upload)
    upload.seek(0)
    if content_type is None:
        raise ValidationError(f"This file type is not accepted. Attach {ALLOWED_DESCRIPTION}.")
    return content_type


def _ooxml_type(upload) -> str | None:
    """Office files are zip archives with a [Content_Types].xml and a word/, xl/ or ppt/ part."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, content_type in _OOXML_PARTS:
        if any(name.startswith(prefix) for name in names):
            return content_type
    return None


def safe_file_name(name: str, content_type: str) -> str:
    """A download name with only plain characters, ending in the extension of its real type."""
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem).strip(" ._")[:80] or "attachment"
    extension = EXTENSIONS.get(content_type)
    if extension is None:  # legacy Office: keep the person's extension if it is one of those
        given = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        extension = given if given in {"doc", "xls", "ppt"} else "bin"
    return f"{stem}.{extension}"
