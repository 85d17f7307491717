"""Indexes for similar-proposal search and Explore's full-text search, on PostgreSQL only.

pg_trgm gives a GIN trigram index on the title (``title % 'query'``); a GIN index on the
English tsvector of title + problem serves full-text matches. The expression must stay
identical to ``usecases.similar.TSVECTOR_SQL`` or PostgreSQL will not use the index.
On SQLite (the zero-setup demo) these operations do nothing.
"""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that is a no-op on databases other than PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


TSVECTOR = (
    "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(problem, ''))"
)


class Migration(migrations.Migration):
    dependencies = [("usecases", "0002_engagement_notifications_imports")]

    operations = [
        PostgresOnlySQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
            reverse_sql=migrations.RunSQL.noop,
        ),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS usecase_title_trgm ON usecases_usecase "
            "USING gin (title gin_trgm_ops);",
            reverse_sql="DROP INDEX IF EXISTS usecase_title_trgm;",
        ),
        PostgresOnlySQL(
            f"CREATE INDEX IF NOT EXISTS usecase_search_tsv ON usecases_usecase USING gin ({TSVECTOR});",
            reverse_sql="DROP INDEX IF EXISTS usecase_search_tsv;",
        ),
    ]
