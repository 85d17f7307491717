"""Plain value types of the shared core that settings.py may import before apps load."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Role(StrEnum):
    """The portal's role groups; the value is the Django group's name."""

    COE_ADMIN = "CoE admin"
    COE_REVIEWER = "CoE reviewer"
    CHAMPION = "Department champion"
    LEADERSHIP = "Leadership"


class TokenLifetime(IntEnum):
    """How long a new API token lives, in days: its owner chooses one; none lives for ever."""

    WEEK = 7
    MONTH = 30
    QUARTER = 90
    YEAR = 365

    @property
    def label(self) -> str:
        return "1 year" if self is TokenLifetime.YEAR else f"{self.value} days"


DEFAULT_TOKEN_LIFETIME = TokenLifetime.QUARTER
