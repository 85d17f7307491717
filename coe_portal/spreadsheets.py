"""What every CSV download of the portal shares."""

from __future__ import annotations

# Cells a spreadsheet program would run as a formula (CSV injection); a leading quote
# makes them plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as text a spreadsheet will show, never run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
