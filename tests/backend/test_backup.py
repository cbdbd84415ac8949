"""make backup / make restore: a backup restored into a new database keeps stamps, confirmed PINs, PIN lists and
the PIN key; a restore with another key, or over data, is refused before anything changes."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import subprocess
import uuid
from pathlib import Path

import pytest
from django.db import connection

from backend import pgtools, roles
from tests.conftest import make_user
from tests.marketplace import factories as mf
from tests.processes import ROOT, child_env, database_url
from tracing import services as tracing
from tracing.models import StampRun
from tracing.stamps.selection import Selection

pytestmark = pytest.mark.django_db(transaction=True)

PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
answers = {}
for serial, pin in %(confirm)r:
    answers[serial] = client.post(f"/api/v1/stamps/{serial}/confirm", {"pin": pin}, content_type="application/json",
                                  REMOTE_ADDR="10.9.0.1").status_code
answers["scan"] = client.get("/api/v1/stamps/%(scanned)s", REMOTE_ADDR="10.9.0.2").json()
print(json.dumps(answers))
"""


def world():
    """A cooperative with a batch; a run of 3 stamps activated (PIN list taken) and one whose PIN list waits."""
    official = make_user("inspector", roles.OFFICIAL)
    area = mf.make_map()
    coop = mf.make_producer(commune=area["viet_quang"])
    staff = mf.make_staff("coop_staff", coop)
    product = mf.make_product(coop)
    batch = tracing.batch_create(
        by=staff, product=product, lot_code="CS-01", harvest_started_on=datetime.date(2026, 11, 1), quantity=100
    )
    sold = tracing.stamps_issue(by=official, producer=coop, quantity=3, product=product)
    _name, data = tracing.stamp_run_pins_take(by=official, run=sold)
    stamps = {row["serial"]: row["pin"] for row in csv.DictReader(io.StringIO(data.decode()))}
    serials = sorted(stamps, key=lambda s: sold.stamps.get(serial=s).number)
    tracing.stamps_activate(by=staff, batch=batch, selection=Selection(first=serials[0], last=serials[-1]))
    waiting = tracing.stamps_issue(by=official, producer=coop, quantity=2)
    return serials, stamps, waiting


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / script), *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_a_backup_restored_into_a_new_database_keeps_stamps_confirmed_pins_and_the_pin_key(client, settings, tmp_path):
    serials, pins_of, waiting = world()
    first, second, third = serials
    confirmed = client.post(f"/api/v1/stamps/{first}/confirm", {"pin": pins_of[first]}, content_type="application/json")
    assert confirmed.status_code == 200
    key = settings.STAMP_PIN_KEY or settings.SECRET_KEY
    source = connection.settings_dict
    env = child_env(
        DATABASE_URL=database_url(source),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
        STAMP_PIN_KEY=key,
    )
    backup = tmp_path / "backup"

    made = run("backup.sh", str(backup), env=env)

    assert made.returncode == 0, made.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    figures = manifest["figures"]
    assert (figures["stamps"], figures["stamps_confirmed"], figures["scans"]) == (5, 1, 0)
    assert figures["tables"]["tracing_stamp"] == 5 and figures["tables"]["marketplace_order"] == 0
    assert len(figures["tables"]) > 60  # every table, so that a restore is checked against all of them
    assert (backup / "stamp-pin-key").read_text().strip() == key
    assert oct((backup / "stamp-pin-key").stat().st_mode & 0o777) == "0o600"

    restored_name = f"test_restored_{uuid.uuid4().hex[:8]}"
    media, private = tmp_path / "restored-media", tmp_path / "restored-private"
    restored_env = child_env(
        DATABASE_URL=database_url(source, restored_name),
        MEDIA_ROOT=str(media),
        PRIVATE_MEDIA_ROOT=str(private),
        STAMP_PIN_KEY=key,
    )
    try:
        wrong_key = run("restore.sh", str(backup), env={**restored_env, "STAMP_PIN_KEY": "another-key-" + "x" * 40})
        assert wrong_key.returncode != 0
        assert "hashed with another key" in wrong_key.stderr and "stamp-pin-key" in wrong_key.stderr
        assert not database_exists(source, restored_name) and not media.exists()

        restored = run("restore.sh", str(backup), env=restored_env)

        assert restored.returncode == 0, restored.stderr
        assert "5 stamps, 1 stamps confirmed" in restored.stdout
        pins_file = StampRun.objects.get(pk=waiting.pk).pins_file.name
        assert (private / pins_file).read_bytes() == (Path(settings.PRIVATE_MEDIA_ROOT) / pins_file).read_bytes()
        probe = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "python"),
                "-c",
                PROBE % {"confirm": [(first, pins_of[first]), (second, pins_of[second])], "scanned": third},
            ],
            cwd=ROOT,
            env={**restored_env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert probe.returncode == 0, probe.stderr
        answers = json.loads(probe.stdout.strip().splitlines()[-1])
        # The confirmation made before the backup is still there; a PIN not yet used still works.
        assert answers[first] == 409 and answers[second] == 200
        assert answers["scan"]["verdict"] == "genuine"

        over_data = run("restore.sh", str(backup), env=restored_env)
        assert over_data.returncode != 0 and "has data" in over_data.stderr
    finally:
        drop_database(source, restored_name)


def database_exists(settings_dict: dict, name: str) -> bool:
    with contextlib.closing(pgtools.connect(settings_dict, name="postgres")) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def drop_database(settings_dict: dict, name: str) -> None:
    with contextlib.closing(pgtools.connect(settings_dict, name="postgres")) as conn, conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
