"""A consistent copy of the database while the app keeps running.

SQLite: the online backup API (pages are copied under a read lock, so the copy is
never half-written). PostgreSQL: pg_dump in its custom format.
Restore with `manage.py restore_db FILE` (see README, "Backups").
"""

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


def pg_environment(database):
    return {
        "PGHOST": str(database.get("HOST") or ""),
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": str(database.get("USER") or ""),
        "PGPASSWORD": str(database.get("PASSWORD") or ""),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }


def backup(path):
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return
    if connection.vendor == "postgresql":
        database = connection.settings_dict
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={path}", database["NAME"]],
            env=pg_environment(database),
            check=True,
            capture_output=True,
        )
        return
    raise CommandError(f"No backup method for {connection.vendor}.")


class Command(BaseCommand):
    help = "Make a consistent backup of the database into backups/ (or --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: backups/<timestamp>.*)")

    def handle(self, *args, output=None, **options):
        suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        path = Path(output or settings.BASE_DIR / "backups" / f"trustrepair-{stamp}.{suffix}")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            backup(path)
        except subprocess.CalledProcessError as error:
            raise CommandError(f"pg_dump failed: {error.stderr.decode(errors='replace')}") from None
        self.stdout.write(str(path))
