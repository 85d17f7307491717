"""What every CSV upload and download of the portal shares."""

from __future__ import annotations

import codecs

# Cells a spreadsheet program would run as a formula (CSV injection); a leading quote
# makes them plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as text a spreadsheet will show, never run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class UnreadableFile(ValueError):
    """An upload that is not CSV text; the message says what to do about it."""


def decode_csv(raw: bytes) -> tuple[str, str]:
    """The text of an uploaded CSV file and the name of its encoding: UTF-8 (with or without
    the byte-order mark Excel writes) or, failing that, Windows-1252 (Excel's "CSV" on
    Windows). Nothing is replaced: a file neither reads is refused, not imported garbled."""
    if b"\x00" in raw[:4096]:
        raise UnreadableFile(
            "This is not a text file (an Excel workbook?). Save it as CSV and upload again."
        )
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"The file says it is UTF-8 but byte {exc.start} is not: save it again as "
                "'CSV UTF-8'."
            ) from None
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise UnreadableFile(
            "The file is neither UTF-8 nor Windows-1252 text: save it as 'CSV UTF-8' and "
            "upload again."
        ) from None
