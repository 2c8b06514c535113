"""Backups restore to the same rows: the embedded SQLite file and a seeded PostgreSQL database."""

import sqlite3

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from governance.platform.backup import database_backup, database_restore
from tests.governance.test_integration import postgres, postgres_db, redis_url

__all__ = ["postgres", "postgres_db", "redis_url"]

SQLITE = "django.db.backends.sqlite3"


def test_sqlite_backup_restores_the_rows_it_held(tmp_path):
    path = tmp_path / "regie.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE complaint (reference TEXT)")
        db.executemany("INSERT INTO complaint VALUES (?)", [("KL-1",), ("KL-2",)])
    database = {"ENGINE": SQLITE, "NAME": str(path)}
    database_backup(database=database, output=tmp_path / "backup.sqlite3")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM complaint")
    database_restore(database=database, source=tmp_path / "backup.sqlite3")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT reference FROM complaint ORDER BY 1").fetchall() == [
            ("KL-1",),
            ("KL-2",),
        ]


def test_restore_refuses_without_confirmation_and_a_damaged_file(tmp_path):
    with pytest.raises(CommandError, match="add --yes"):
        call_command("restore", str(tmp_path / "any.dump"))
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database")
    with pytest.raises(sqlite3.DatabaseError):
        database_restore(database={"ENGINE": SQLITE, "NAME": str(tmp_path / "x")}, source=damaged)
    assert not (tmp_path / "x").exists()


def _connect(settings_dict: dict, name: str):
    conn = psycopg2.connect(
        dbname=name,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
    )
    conn.autocommit = True
    return conn


def row_counts(settings_dict: dict, name: str) -> dict[str, int]:
    with _connect(settings_dict, name) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(row[0] for row in cursor.fetchall())
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.integration
def test_a_seeded_postgresql_database_restores_to_the_same_rows(postgres, postgres_db, tmp_path):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    source = postgres_db["NAME"]
    restored = f"{source}_restored"
    dump = tmp_path / "regie.dump"
    call_command("backup", str(dump))
    admin = _connect(postgres_db, source)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
            cursor.execute(f'CREATE DATABASE "{restored}"')
        database_restore(database={**postgres_db, "NAME": restored}, source=dump)
        before = row_counts(postgres_db, source)
        after = row_counts(postgres_db, restored)
        assert after == before
        assert before["complaints_complaint"] > 0
        assert before["kto_answer"] > 0
        assert len(before) > 50
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        admin.close()
