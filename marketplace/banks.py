"""The Vietnamese banks a seller can receive VietQR transfers at: name and NAPAS acquirer BIN.

The list is data (marketplace/data/vietqr_banks.json, copied from the VietQR bank list, source named
in the file), read once. Pure functions, no database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "vietqr_banks.json"


@dataclass(frozen=True)
class Bank:
    bin: str
    code: str
    short_name: str
    name: str

    @property
    def label(self) -> str:
        """ "Vietcombank — Ngân hàng TMCP Ngoại Thương Việt Nam": what a seller picks and a buyer reads."""
        return f"{self.short_name} — {self.name}"


@cache
def banks() -> tuple[Bank, ...]:
    """Every bank of the list, by short name (as the banking apps list them)."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        rows = json.load(handle)["banks"]
    found = (Bank(bin=row["bin"], code=row["code"], short_name=row["short_name"], name=row["name"]) for row in rows)
    return tuple(sorted(found, key=lambda bank: bank.short_name.casefold()))


@cache
def _by_bin() -> dict[str, Bank]:
    return {bank.bin: bank for bank in banks()}


def bank_for_bin(bin_code: str) -> Bank | None:
    """The bank with this BIN, or None for a code that is not in the list."""
    return _by_bin().get(bin_code or "")


def bank_choices() -> list[tuple[str, str]]:
    return [(bank.bin, bank.label) for bank in banks()]
