"""Move the plain-text tokens of DRF's authtoken (one per person, no expiry) into the hashed
API tokens, then drop their table, so no key is left readable in the database.

knox finds a token by its first 15 characters and compares the SHA-512 of the whole key,
whatever its length: a 40-character DRF key stored that way keeps working, so scripts do
not break on the upgrade. It gets a name saying where it came from and expires 90 days
after the upgrade, like any new token by default; people replace it before then.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.dateparse import parse_datetime

NAME = "Token from before named tokens"
LIFETIME = timedelta(days=90)
KEY_PREFIX_LENGTH = 15  # knox.settings.CONSTANTS.TOKEN_KEY_LENGTH, fixed here


def _aware(created) -> datetime:
    """The row's time as the database driver returned it (SQLite may give text or a naive
    time, both UTC as Django wrote them)."""
    if isinstance(created, str):
        created = parse_datetime(created)
    return timezone.make_aware(created, UTC) if timezone.is_naive(created) else created


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return  # a database made after DRF's tokens left
    ApiToken = apps.get_model("coe_portal", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    expiry = timezone.now() + LIFETIME
    for key, user_id, created in rows:
        token = ApiToken(
            digest=hashlib.sha512(key.encode()).hexdigest(),  # knox.crypto.hash_token's
            token_key=key[:KEY_PREFIX_LENGTH],
            user_id=user_id,
            expiry=expiry,
            name=NAME,
        )
        token.save(force_insert=True)
        # "created" is set on insert (auto_now_add): keep when the key was really made.
        ApiToken.objects.filter(pk=token.pk).update(created=_aware(created))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE authtoken_token")
    # As if authtoken had never been installed: adding it back would create its table again.
    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [("coe_portal", "0011_api_token")]

    # The keys cannot be read back from their digests: going back leaves the tokens as they are.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
