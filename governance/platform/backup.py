"""Back up and restore the whole database with the database's own tools.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists` (the client tools of
the server's major version). The embedded SQLite file: `VACUUM INTO`, a consistent copy taken
while the portal runs, and a file copy back. Both go through `manage.py backup` and
`manage.py restore`; the README has the procedure for the compose topology.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import CommandError


def _postgres_environment(database: dict) -> tuple[list[str], dict]:
    """Connection options for the client tools; the password travels in the environment."""
    options = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            options.append(f"{flag}={database[key]}")
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return options, env


def _run(command: list[str], env: dict) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise CommandError(f"{tool} is not installed (Debian: apt-get install postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{tool} failed: {result.stderr.strip()}")


def database_backup(*, database: dict, output: Path) -> None:
    """Write a consistent copy of `database` (a DATABASES entry) to `output`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    engine = database["ENGINE"]
    if engine.endswith("postgresql"):
        options, env = _postgres_environment(database)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={output}", *options]
            + [f"--dbname={database['NAME']}"],
            env,
        )
    elif engine.endswith("sqlite3"):
        if output.exists():
            raise CommandError(f"{output} exists; SQLite backups never overwrite a file.")
        with sqlite3.connect(database["NAME"]) as source:
            source.execute("VACUUM INTO ?", [str(output)])
    else:
        raise CommandError(f"No backup for the database engine {engine}.")


def database_restore(*, database: dict, source: Path) -> None:
    """Replace the contents of `database` with the backup in `source`."""
    if not source.is_file():
        raise CommandError(f"{source} is not a file.")
    engine = database["ENGINE"]
    if engine.endswith("postgresql"):
        options, env = _postgres_environment(database)
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
            + [*options, f"--dbname={database['NAME']}", str(source)],
            env,
        )
    elif engine.endswith("sqlite3"):
        with sqlite3.connect(source) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise CommandError(f"{source} is not an intact SQLite database.")
        target = Path(database["NAME"])
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
    else:
        raise CommandError(f"No restore for the database engine {engine}.")
