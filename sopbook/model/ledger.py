"""The card ledger's model (checklists/editions.yml): every released edition of every card.

`sopbook cards --release` writes it (model/editions.py says what an edition is); the loader
reads it like any content file, so a bad merge is a located error, not a lost history.
"""
from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sopbook.model.nodes import Id, IsoDate, Node, Text

EDITIONS_FILE = "editions.yml"  # in checklists/, beside the card files it keeps the editions of


class PrintedLine(BaseModel):
    """One line a card prints: what it is, its text, its id where it has one, its minutes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    text: str
    id: str | None = None
    minutes: float | None = None


class Edition(Node):
    revision: Annotated[int, Field(ge=1, strict=True)]
    release: Annotated[int, Field(ge=1, strict=True, description="The release that recorded it: 1, 2, ...")]
    released: IsoDate
    hash: Text
    lines: list[PrintedLine] = Field(default_factory=list)


class CardHistory(Node):
    editions: list[Edition] = Field(min_length=1, description="Oldest first.")
    removed: IsoDate | None = Field(None, description="When the card stopped being defined.")

    @property
    def latest(self) -> Edition:
        return self.editions[-1]

    def edition(self, revision: int) -> Edition | None:
        return next((e for e in self.editions if e.revision == revision), None)


class Ledger(Node):
    cards: dict[Id, CardHistory] = Field(default_factory=dict)

    def last_release(self) -> datetime.date | None:
        dates = [h.latest.released for h in self.cards.values()]
        return max(dates) if dates else None

    def last_release_number(self) -> int:
        """The number of the latest release (0 before the first): two releases on one day stay two."""
        return max((e.release for h in self.cards.values() for e in h.editions), default=0)


for _model in (Edition, CardHistory, Ledger):
    _model.model_rebuild()
