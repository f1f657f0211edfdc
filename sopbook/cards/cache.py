"""Skip unchanged cards: a key per card, kept in a manifest beside the PDFs.

The key hashes the card's rendered HTML (which holds everything the model and the templates
put on the card: items, titles, version, revision date, QR target), the stylesheet, the font
files' signature, and the renderer (WeasyPrint's version and our PDF-stage code). Hashing the
HTML rather than the model means a template or content change re-renders exactly the cards
whose output it changes, and nothing else.

Each A4 sheet (one per file in checklists/) has its own key: its cards' keys in order, its
title and the imposition code, so a change re-imposes only the sheets of the cards it changed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from sopbook._util.digest import digest as _digest
from sopbook._util.manifest import read_manifest, write_manifest

MANIFEST = "manifest.json"
FORMAT = 2  # 2: one sheet per checklists/ file (1 had a single sheet)


@lru_cache(maxsize=4)
def code_signature(*modules: str) -> str:
    """The versions of the PDF-stage libraries and the source of our modules that use them."""
    here = Path(__file__).parent
    versions = []
    for package in ("weasyprint", "segno", "pypdf"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} unknown")
    return _digest(*versions, *((here / f"{m}.py").read_bytes() for m in modules))


def card_key(html: str, css: str, font_signature: str) -> str:
    return _digest(html, css, font_signature, code_signature("pdf", "fit", "qr", "subset"))


def sheet_key(card_keys: list[tuple[str, str]], title: str = "") -> str:
    return _digest(json.dumps(card_keys), title, code_signature("impose"))


@dataclass
class Manifest:
    cards: dict[str, dict] = field(default_factory=dict)  # id -> {"key", "pages", "size"}
    sheets: dict[str, dict] = field(default_factory=dict)  # name -> {"key", "file", "cards"}

    @classmethod
    def load(cls, folder: Path | None) -> Manifest:
        if folder is None:
            return cls()
        data = read_manifest(folder / MANIFEST, FORMAT)
        return cls(dict(data.get("cards") or {}), dict(data.get("sheets") or {}))

    def key(self, card_id: str) -> str | None:
        return (self.cards.get(card_id) or {}).get("key")

    def key_of_sheet(self, name: str) -> str | None:
        return (self.sheets.get(name) or {}).get("key")

    def save(self, folder: Path) -> None:
        write_manifest(folder / MANIFEST, FORMAT, {"cards": dict(sorted(self.cards.items())),
                                                   "sheets": dict(sorted(self.sheets.items()))})
