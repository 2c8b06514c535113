from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from governance.platform.backup import database_restore


class Command(BaseCommand):
    help = "Replace the database's contents with a backup written by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="a file written by `manage.py backup`")
        parser.add_argument(
            "--yes", action="store_true", help="confirm that the current contents are replaced"
        )

    def handle(self, *args, source: Path, yes: bool, **options):
        if not yes:
            raise CommandError("Restoring replaces every row in the database: add --yes.")
        connections["default"].close()
        database_restore(database=connections["default"].settings_dict, source=source)
        self.stdout.write(f"Database restored from {source}.")
