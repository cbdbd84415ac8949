"""Lot codes: suggesting the next one from the previous batch's (pure functions)."""

from __future__ import annotations

import re

from tracing.gs1 import LOT_MAX_LENGTH

_LAST_NUMBER = re.compile(r"(\d+)(?=\D*$)")


def suggest_next_lot_code(previous: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """The previous lot code with its last number increased ("CAM-2025-07" → "CAM-2025-08"), not in `taken`.

    Without a number, "-2" is appended. Leading zeros keep their width; the result never exceeds the
    20 characters of a GS1 lot (AI 10).
    """
    candidate = previous
    for _attempt in range(1000):
        match = _LAST_NUMBER.search(candidate)
        if match:
            digits = match.group(1)
            candidate = f"{candidate[: match.start()]}{int(digits) + 1:0{len(digits)}d}{candidate[match.end() :]}"
        else:
            candidate = f"{candidate[: LOT_MAX_LENGTH - 2]}-2"
        if len(candidate) > LOT_MAX_LENGTH:
            candidate = candidate[-LOT_MAX_LENGTH:]
        if candidate not in taken:
            return candidate
    raise ValueError("no free lot code found")
