import re
import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_string_in_the_code_has_a_vietnamese_translation(tmp_path, monkeypatch):
    """Vietnamese is the first language: no page or message may fall back to English."""
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    monkeypatch.chdir(ROOT)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command(
            "makemessages", locale=["vi"], ignore_patterns=[".venv/*", "bench/*", "tests/*", ".local/*"], verbosity=0
        )
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


def entries(po_text: str) -> int:
    return max(0, len(re.findall(r"^msgid ", po_text, re.MULTILINE)) - 1)
