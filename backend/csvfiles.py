"""Every CSV file we produce goes through this module, so that no cell can run as a spreadsheet formula.

Excel, LibreOffice Calc and Google Sheets run a cell that begins with `=`, `+`, `-` or `@` (and,
after a tab or a carriage return, what follows) as a formula: a producer name such as
`=HYPERLINK("http://…","Click")` in an official's export would be a link, or worse, on the
official's machine. As OWASP recommends, such a text cell is written with a leading single quote,
which spreadsheets read as "this is text" and do not show. Numbers are never changed (a negative
number is data, not a formula), and quoting itself is the csv module's (RFC 4180).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet will show it without running it: text starting a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Writer:
    """csv.writer with every cell passed through safe_cell."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> _Writer:
    """Like csv.writer(out, **options), for text that may come from users."""
    return _Writer(out, **options)


class DictWriter(csv.DictWriter):
    """Like csv.DictWriter, with every cell passed through safe_cell."""

    def writerow(self, rowdict: Mapping[str, Any]):
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)
