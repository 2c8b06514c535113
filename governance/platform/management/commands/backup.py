from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connections

from governance.platform.backup import database_backup


class Command(BaseCommand):
    help = "Write a consistent backup of the database (pg_dump custom format, or a SQLite copy)."

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="file to write, e.g. regie-2026-12-07.dump")

    def handle(self, *args, output: Path, **options):
        database_backup(database=connections["default"].settings_dict, output=output)
        self.stdout.write(f"Backup written to {output} ({output.stat().st_size:,} bytes).")
