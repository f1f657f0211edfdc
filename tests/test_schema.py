"""The committed JSON Schemas match the model, so editors autocomplete what the loader accepts."""
from __future__ import annotations

from pathlib import Path

from sopbook.schema import SCHEMAS, schema_text

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schemas_are_current():
    for name in SCHEMAS:
        committed = (ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(name), f"schema/{name}.schema.json is stale: run `sopbook schema`"


def test_chapter_schema_describes_ids_and_blocks():
    text = schema_text("chapter")
    assert "^[a-z0-9]+(?:-[a-z0-9]+)*$" in text
    for block in ("procedure", "checklist", "kpis", "timeline", "segments", "calculation", "mots", "pending"):
        assert f'"const": "{block}"' in text
