"""On PostgreSQL, trigram indexes for the catalog's text search.

The catalog searches titles and descriptions with icontains, which PostgreSQL runs as
UPPER(column) LIKE UPPER('%term%'): a B-tree cannot serve that, a trigram GIN index on
UPPER(column) can. SQLite (the zero-setup demo) has no such index and scans; that is fine
at demo sizes, so this migration does nothing there.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS resource_title_trgm ON skilling_learningresource "
    "USING gin (UPPER(title) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS resource_description_trgm ON skilling_learningresource "
    "USING gin (UPPER(description) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS resource_title_trgm",
    "DROP INDEX IF EXISTS resource_description_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("skilling", "0003_event_reminder_schedule")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
