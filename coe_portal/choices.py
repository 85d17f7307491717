"""Plain value types of the shared core that settings.py may import before apps load."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The portal's role groups; the value is the Django group's name."""

    COE_ADMIN = "CoE admin"
    COE_REVIEWER = "CoE reviewer"
    CHAMPION = "Department champion"
    LEADERSHIP = "Leadership"
