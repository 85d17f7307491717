"""The fixed vocabularies of skilling: levels, kinds, statuses and duration bands."""

from __future__ import annotations

from django.db import models


class Level(models.IntegerChoices):
    """How deep a skill goes. Integers, so "at least practitioner" is a comparison."""

    FOUNDATION = 1, "Foundation"
    PRACTITIONER = 2, "Practitioner"
    EXPERT = 3, "Expert"


class SkillCategory(models.TextChoices):
    FOUNDATIONS = "foundations", "Foundations"
    BUILDING = "building", "Building with AI"
    GOVERNANCE = "governance", "Governance and risk"
    BUSINESS = "business", "Business and change"


class ResourceKind(models.TextChoices):
    COURSE = "course", "Course"
    WORKSHOP = "workshop", "Workshop"
    LAB = "lab", "Hands-on lab"
    ARTICLE = "article", "Article"
    VIDEO = "video", "Video"
    CERTIFICATION = "certification", "Certification"


class Provider(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class ResourceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    GERMAN = "de", "German"
    FRENCH = "fr", "French"
    SPANISH = "es", "Spanish"
    DUTCH = "nl", "Dutch"
    ITALIAN = "it", "Italian"
    PORTUGUESE = "pt", "Portuguese"
    POLISH = "pl", "Polish"


class DurationBand(models.TextChoices):
    """The catalog's duration filter. Bounds in minutes are in DURATION_BOUNDS."""

    SHORT = "short", "Under 1 hour"
    HOURS = "hours", "1 to 4 hours"
    DAYS = "days", "Half a day to 2 days"
    LONG = "long", "More than 2 days"


# band -> (minimum minutes inclusive, maximum minutes exclusive or None)
DURATION_BOUNDS: dict[str, tuple[int, int | None]] = {
    DurationBand.SHORT: (0, 60),
    DurationBand.HOURS: (60, 240),
    DurationBand.DAYS: (240, 960),
    DurationBand.LONG: (960, None),
}


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class EventKind(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    AI_DAY = "ai_day", "AI day"
    OFFICE_HOURS = "office_hours", "Office hours"
    WEBINAR = "webinar", "Webinar"


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Registered"
    WAITLISTED = "waitlisted", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Awaiting confirmation"
    IMPORTED = "imported", "Imported"
