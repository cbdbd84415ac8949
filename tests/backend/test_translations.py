import re
import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
#: The folders makemessages reads strings from (the same ones `make messages` walks).
SOURCES = ("backend", "geo", "tracing", "marketplace", "oversight", "demo", "templates", "static")


def test_every_string_in_the_code_has_a_vietnamese_translation(tmp_path, monkeypatch):
    """Vietnamese is the first language: no page or message may fall back to English.

    makemessages writes to the `locale` folder beside the files it reads, so it runs in a scratch tree
    of links to the sources with a copy of the catalogues: the repository's own are never rewritten.
    """
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    for name in SOURCES:
        if (ROOT / name).exists():
            (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["vi"], symlinks=True, verbosity=0)
    po = tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    # msgattrib always prints the catalogue's header entry; anything more is a missing translation.
    assert entries(untranslated) == 0, "Untranslated (run `make messages` and translate):\n" + untranslated
    assert entries(fuzzy) == 0, "Fuzzy (check and clear the flag):\n" + fuzzy
    assert entries(po.read_text()) > 1000, "makemessages found too few strings: did it read the sources?"


def test_checking_the_catalogue_leaves_the_repositorys_catalogue_alone(tmp_path, monkeypatch):
    catalogue = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    before = catalogue.read_bytes()
    test_every_string_in_the_code_has_a_vietnamese_translation(tmp_path, monkeypatch)
    assert catalogue.read_bytes() == before


def entries(po_text: str) -> int:
    return max(0, len(re.findall(r"^msgid ", po_text, re.MULTILINE)) - 1)
