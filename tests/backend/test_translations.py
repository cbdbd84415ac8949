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


#: The translation functions whose first argument (after the context for p*) is a catalogue string.
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
PGETTEXT_CALLS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def _marked_strings(tree):
    """(context, msgid, line) of every string the code passes to a translation function."""
    import ast

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if name in GETTEXT_CALLS and texts and texts[0] is not None:
            yield "", texts[0], node.lineno
        elif name in PGETTEXT_CALLS and len(texts) > 1 and None not in texts[:2]:
            yield texts[0], texts[1], node.lineno


def test_every_string_marked_in_python_has_a_vietnamese_translation():
    """makemessages reads Python with xgettext, which does not see a string marked inside an f-string
    (f"{_('Buyer')}: …" left "Buyer" in English on the Vietnamese packing slip): read the code as
    Python does, and find every marked string in the catalogue."""
    import ast

    from tests.language_sweep import catalogue

    translated = {(entry.context, entry.msgid) for entry in catalogue("vi")}
    missing = []
    for name in SOURCES:
        for path in sorted((ROOT / name).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for context, msgid, line in _marked_strings(tree):
                if (context, msgid) not in translated:
                    missing.append(f"{path.relative_to(ROOT)}:{line}: {msgid!r}")
    assert not missing, "Not in locale/vi/LC_MESSAGES/django.po:\n" + "\n".join(missing)


#: A script putting literal words on the page: textContent = "Loading", title: "Close", alert("…").
_SCRIPT_TEXT = re.compile(
    r"""(?:\b(?:textContent|innerText|innerHTML|title|alt|placeholder|ariaLabel)\s*[:=]\s*|"""
    r"""\b(?:alert|confirm|prompt)\(\s*)(["'`])((?:(?!\1).)*[A-Za-z]{2}(?:(?!\1).)*)\1"""
)


def test_scripts_show_no_words_of_their_own():
    """Our scripts take every text they show from the page (data-text-* attributes, <template> elements,
    JSON configuration written by the templates), so it comes translated from the catalogue; the
    both-language sweep (tests/test_language_sweep.py) checks those texts on every page."""
    found = []
    for path in sorted((ROOT / "static").rglob("*.js")):
        if "vendor" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.lstrip().startswith(("//", "*", "/*")):
                continue
            found += [f"{path.relative_to(ROOT)}:{number}: {m.group(2)!r}" for m in _SCRIPT_TEXT.finditer(line)]
    assert not found, "Words written in a script, not given by the page:\n" + "\n".join(found)
