"""`manage.py restore DIR`: a backup made by `manage.py backup` into the configured database and media folders.

Refused before anything changes: a damaged backup (a checksum differs); a PIN key other than the
backup's (every correct PIN would be refused: set STAMP_PIN_KEY to the backup's `stamp-pin-key`);
a database or media folder that is not empty, unless --replace. The database is created when it
does not exist (the role needs CREATEDB; otherwise create it empty first) and restored in one
transaction; with --replace an existing one is dropped first and existing media folders are kept
beside the new ones as `<folder>.before-restore-<time>`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone
from psycopg2 import sql

from backend import pgtools
from backend.storage import private_storage
from tracing.management.commands.backup import FILES, figures, sha256


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(path.is_file() for path in folder.rglob("*"))


class Command(BaseCommand):
    help = "Restore a backup folder (manage.py backup) into the configured database and media folders."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--replace", action="store_true", help="Replace a database or media that has data.")
        parser.add_argument(
            "--ignore-pin-key", action="store_true", help="Restore although the PIN key differs (every PIN fails)."
        )

    def handle(self, *, folder, replace, ignore_pin_key, **_options):
        from tracing.stamps import pins

        source = Path(folder).resolve()
        manifest = self._manifest(source)
        if manifest["pin_key_fingerprint"] != pins.key_fingerprint() and not ignore_pin_key:
            raise CommandError(
                "This backup's PINs were hashed with another key than the one configured now, so every correct "
                f"PIN would be refused. Set STAMP_PIN_KEY to the content of {source / 'stamp-pin-key'} "
                "(and keep it), then restore again."
            )
        database = settings.DATABASES["default"]
        name = database["NAME"]
        media = Path(settings.MEDIA_ROOT)
        private = Path(private_storage().location)
        connections.close_all()
        try:
            admin = pgtools.connect(database, name="postgres")
        except Exception as exc:
            raise CommandError(f"Cannot reach the database server: {exc}") from None
        try:
            exists = self._database_state(admin, database)
            if not replace:
                if exists == "has data":
                    raise CommandError(
                        f"The database {name} has data: restore into a new database (DATABASE_URL) or pass --replace."
                    )
                for path in (media, private):
                    if _has_files(path):
                        raise CommandError(f"{path} has files: restore into empty folders or pass --replace.")
            created = self._prepare(admin, name, exists=exists, replace=replace)
            self._restore_database(source, database, admin=admin, created=created)
        finally:
            admin.close()
        moved = [
            self._restore_folder(source / FILES[1], media, 0o755),
            self._restore_folder(source / FILES[2], private, 0o700),
        ]
        with connections["default"].cursor() as cursor:
            cursor.execute("ANALYZE")
        now = figures()
        self.stdout.write(
            f"Restored {source.name} into {name}: "
            + ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in now.items())
            + "."
        )
        if now != manifest["figures"]:
            raise CommandError(
                f"The restored figures differ from the backup's ({manifest['figures']} → {now}): check the database."
            )
        for path in filter(None, moved):
            self.stdout.write(f"The media that were there before are kept in {path}.")

    def _manifest(self, source: Path) -> dict:
        try:
            manifest = json.loads((source / "manifest.json").read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"{source} is not a backup made by `manage.py backup`: {exc}") from None
        for name in FILES:
            path = source / name
            if not path.is_file() or sha256(path) != manifest["sha256"].get(name):
                raise CommandError(f"{path} is missing or damaged (its SHA-256 differs from the manifest).")
        return manifest

    def _database_state(self, admin, database: dict) -> str:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
            if cursor.fetchone() is None:
                return "absent"
        target = pgtools.connect(database)
        try:
            with target.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', "
                    "'topology', 'tiger') AND c.relname <> 'spatial_ref_sys'"
                )
                return "has data" if cursor.fetchone()[0] else "empty"
        finally:
            target.close()

    def _prepare(self, admin, name: str, *, exists: str, replace: bool) -> bool:
        """Make the target database exist and be empty; True when this created it."""
        with admin.cursor() as cursor:
            if exists == "has data" and replace:
                cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                exists = "absent"
            if exists == "absent":
                try:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                except Exception as exc:
                    raise CommandError(
                        f"Cannot create the database {name} ({exc}): create it empty, then restore."
                    ) from None
                return True
        return False

    def _restore_database(self, source: Path, database: dict, *, admin, created: bool) -> None:
        try:
            restored = subprocess.run(  # noqa: S603 - our own arguments, no shell
                [
                    pgtools.tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    database["NAME"],
                    str(source / "database.dump"),
                ],
                env=pgtools.libpq_env(database),
                capture_output=True,
                text=True,
                timeout=6 * 3600,
            )
        except pgtools.ToolMissing as exc:
            restored = None
            error = str(exc)
        else:
            error = restored.stderr.strip()
        if restored is None or restored.returncode != 0:
            if created:
                with admin.cursor() as cursor:
                    cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database["NAME"])))
            raise CommandError(f"pg_restore failed; nothing was restored: {error}")

    def _restore_folder(self, archive: Path, folder: Path, mode: int) -> Path | None:
        """Unpack next to `folder`, then swap it in; returns where the old folder went, if it had files."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        unpacked = Path(tempfile.mkdtemp(prefix=f".{folder.name}-restoring-", dir=folder.parent))
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(unpacked, filter="data")
        kept = None
        if folder.exists():
            if _has_files(folder):
                kept = folder.with_name(f"{folder.name}.before-restore-{timezone.localtime():%Y%m%d-%H%M%S}")
                folder.rename(kept)
            else:
                shutil.rmtree(folder)
        unpacked.rename(folder)
        folder.chmod(mode)
        return kept
