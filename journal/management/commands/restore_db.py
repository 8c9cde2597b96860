"""Put a backup made by backup_db back in place of the current database.

Stop the app first: restoring replaces every row. It also empties the cache: the pages and
track records kept there are named by the rows' versions, which the restore moves back, so the
next change would reach a version the cache already holds for data that is gone. A shared cache
(REDIS_URL) outlives the app's restart; the local-memory one goes with it.
"""

import subprocess
from pathlib import Path

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from journal.management.commands.backup_db import pg_environment


def restore(path):
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(path) as source:
            source.backup(connection.connection)
        return
    if connection.vendor == "postgresql":
        database = connection.settings_dict
        connection.close()
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={database['NAME']}",
                str(path),
            ],
            env=pg_environment(database),
            check=True,
            capture_output=True,
        )
        return
    raise CommandError(f"No restore method for {connection.vendor}.")


class Command(BaseCommand):
    help = "Restore the database from a backup_db file (stop the app first)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No backup at {path}.")
        try:
            restore(path)
        except subprocess.CalledProcessError as error:
            raise CommandError(
                f"pg_restore failed: {error.stderr.decode(errors='replace')}"
            ) from None
        cache.clear()
        self.stdout.write(f"restored from {path}; the cache emptied")
