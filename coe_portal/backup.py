"""Backing up and restoring the portal's database.

PostgreSQL goes through pg_dump/pg_restore in their custom format (compressed, restorable
table by table); SQLite through its online backup API, so a running demo can be copied.
Uploaded files live under MEDIA_ROOT and are backed up separately (a file copy).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    """A dump or restore failed; the message carries the tool's own error."""


def _pg_env(settings_dict: dict) -> dict:
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict: dict) -> list[str]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return args


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def backup_database(target: Path, *, alias: str = "default") -> Path:
    """Write a backup of the database to ``target`` and return its path."""
    connection = connections[alias]
    settings_dict = connection.settings_dict
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
             *_pg_args(settings_dict), "--file", str(target), str(settings_dict["NAME"])],
            _pg_env(settings_dict),
        )  # fmt: skip
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    return target


def restore_database(source: Path, *, database: str | None = None, alias: str = "default") -> None:
    """Replace the contents of the database (or of ``database`` on the same PostgreSQL server)
    with the backup at ``source``."""
    if not source.exists():
        raise BackupError(f"No backup at {source}.")
    connection = connections[alias]
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", *_pg_args(settings_dict),
             "--dbname", database or str(settings_dict["NAME"]), str(source)],
            _pg_env(settings_dict),
        )  # fmt: skip
    elif connection.vendor == "sqlite":
        connection.close()
        shutil.copyfile(source, database or settings_dict["NAME"])
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported.")
