"""How wide text is where it is shown in a fixed grid (a terminal, a home-screen label): a Chinese
character takes two columns."""
from __future__ import annotations

import unicodedata


def columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
