"""`manage.py backup --to DIR`: everything a restore needs, in one folder (see "Backups" in docs/operations.md).

    database.dump          pg_dump --format=custom of the database
    media.tar.gz           MEDIA_ROOT: photos, audio, certificates, report photos
    private-media.tar.gz   PRIVATE_MEDIA_ROOT: PIN lists not yet downloaded, job outputs
    stamp-pin-key          the key of the PIN hashes (STAMP_PIN_KEY, else the secret key): a restore
                           with another key refuses every correct PIN
    manifest.json          when, the key's fingerprint, figures to check a restore by, SHA-256 of each file

The folder and its files are readable by their owner only: with the key and the personal data in
the database, keep the backup as secret as the server itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from backend import pgtools
from backend.storage import private_storage

FORMAT = 1
FILES = ("database.dump", "media.tar.gz", "private-media.tar.gz", "stamp-pin-key")


def figures() -> dict:
    """What a restore is checked against: the counts the user cares about, and the rows of every table."""
    from django.apps import apps

    from tracing.models import Scan, Stamp

    return {
        "stamps": Stamp.objects.count(),
        "stamps_confirmed": Stamp.objects.filter(confirmed_at__isnull=False).count(),
        "scans": Scan.objects.count(),
        "tables": {
            model._meta.db_table: model._base_manager.count()
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        },
    }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tar_folder(folder: Path, target: Path) -> int:
    """The folder's files (relative names) as a gzipped tar; an absent folder gives an empty archive."""
    count = 0
    with tarfile.open(target, "w:gz") as archive:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=str(path.relative_to(folder)), recursive=False)
                    count += 1
    return count


class Command(BaseCommand):
    help = "Back up the database, the media folders and the PIN key into one new folder."

    def add_arguments(self, parser):
        parser.add_argument("--to", help="A new (or empty) folder; default: backup-<date>-<time> here.")

    def handle(self, *, to, **_options):
        from tracing.stamps import pins

        target = Path(to or f"backup-{timezone.localtime():%Y%m%d-%H%M%S}").resolve()
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty: back up into a new folder.")
        target.mkdir(parents=True, exist_ok=True)
        target.chmod(0o700)
        old_umask = os.umask(0o077)
        try:
            database = settings.DATABASES["default"]
            try:
                dump = subprocess.run(  # noqa: S603 - our own arguments, no shell
                    [pgtools.tool("pg_dump"), "--format=custom", "--file", str(target / "database.dump")],
                    env=pgtools.libpq_env(database),
                    capture_output=True,
                    text=True,
                    timeout=6 * 3600,
                )
            except pgtools.ToolMissing as exc:
                raise CommandError(str(exc)) from None
            if dump.returncode != 0:
                raise CommandError(f"pg_dump failed: {dump.stderr.strip()}")
            media = tar_folder(Path(settings.MEDIA_ROOT), target / "media.tar.gz")
            private = tar_folder(Path(private_storage().location), target / "private-media.tar.gz")
            (target / "stamp-pin-key").write_text(pins.current_key() + "\n")
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                server = cursor.fetchone()[0]
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "database": database["NAME"],
                "server_version": server,
                "migrations": dict(MigrationRecorder.Migration.objects.order_by("applied").values_list("app", "name")),
                "pin_key_fingerprint": pins.key_fingerprint(),
                "media_files": media,
                "private_media_files": private,
                "figures": figures(),
                "sha256": {name: sha256(target / name) for name in FILES},
            }
            (target / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        finally:
            os.umask(old_umask)
        shown = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in manifest["figures"].items())
        self.stdout.write(f"Backed up into {target}: {shown}; {media} media and {private} private files.")
        self.stdout.write("It holds the PIN key and personal data: store it as securely as the server.")
