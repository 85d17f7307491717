from __future__ import annotations

import io

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import UseCaseFactory, UserFactory
from usecases.choices import Status
from usecases.lifecycle import change_status

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _table_fingerprints(dbname: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table in ``dbname``."""
    params = connection.get_connection_params()
    params["dbname"] = dbname
    with psycopg.connect(**params, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: conn.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \"{table}\" t"  # noqa: S608 (names from pg_tables)
            ).fetchone()
            for table in tables
        }


@pytest.fixture
def restore_target():
    name = f"{connection.settings_dict['NAME']}_restore"
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_into_a_fresh_database_with_identical_rows(tmp_path, restore_target):
    owner = UserFactory()
    for _ in range(5):
        use_case = UseCaseFactory(owner=owner, title="Draft a reply to a customer's complaint")
        change_status(use_case.pk, Status.SUBMITTED, actor=owner)
    backup = tmp_path / "portal.dump"

    call_command("backup_db", output=backup, stdout=io.StringIO())
    call_command("restore_db", str(backup), database=restore_target, yes=True, stdout=io.StringIO())

    original = _table_fingerprints(connection.settings_dict["NAME"])
    restored = _table_fingerprints(restore_target)
    assert original == restored
    assert original["usecases_usecase"][0] == 5
    assert original["usecases_usecaseevent"][0] == 5
