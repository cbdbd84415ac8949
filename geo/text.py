"""Accent- and case-folding for Vietnamese names: 'Bắc Quang', 'bac quang', 'BAC QUANG' → 'bac quang'."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, without diacritics (đ → d), single spaces, no surrounding space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()
