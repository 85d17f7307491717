"""The learning catalog as the pages show it: the shared-parts topic of its resources.

The catalog's filter form and resource cards are the same for every employee and are shared
through the cache (coe_portal.pagecache) under the topic ``LEARNING``. Every change of a
resource, its skills, a skill, a role's requirements or a path (the role filter follows
paths) calls ``changed`` so the catalog shows it at once. Enrolments are not part of it:
each card's enrolment cell is rendered live for the person.
"""

from __future__ import annotations

from django.db import transaction

from coe_portal import pagecache

LEARNING = "learning"


def changed() -> None:
    """Make the catalog's shared parts render again (now and after the commit)."""
    pagecache.changed(LEARNING)


def save(form, *, actor):
    """Save a catalog admin's form (a resource with its skills, a skill) and show the change
    in the catalog at once. Returns the saved object."""
    with transaction.atomic():
        saved = form.save()
        changed()
    return saved
