"""CSV files we produce cannot run a formula in the spreadsheet that opens them (OWASP "CSV Injection")."""

import ast
import csv
import io
from pathlib import Path

import pytest

from backend import csvfiles

ROOT = Path(__file__).resolve().parents[2]
SOURCE_FOLDERS = ("backend", "geo", "tracing", "marketplace", "oversight")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","Bấm")', '\'=HYPERLINK("http://evil.example","Bấm")'),
        ("+84912345678", "'+84912345678"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("HTX Cam sành Việt Quang", "HTX Cam sành Việt Quang"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_text_cell_that_would_start_a_formula_is_written_as_text(value, written):
    buffer = io.StringIO()
    csvfiles.writer(buffer).writerow([value])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [written]


def test_numbers_are_written_as_they_are_even_when_negative():
    buffer = io.StringIO()
    csvfiles.DictWriter(buffer, fieldnames=["lat", "count"]).writerow({"lat": -22.5, "count": -3})
    assert buffer.getvalue().strip() == "-22.5,-3"


def _csv_writers_outside_the_helper() -> list[str]:
    found = []
    for folder in SOURCE_FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "backend" / "csvfiles.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in ("writer", "DictWriter")
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "csv"
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_csv_file_we_write_goes_through_the_escaping_helper():
    assert _csv_writers_outside_the_helper() == []
