"""JSON Schemas exported from the model, so editors autocomplete and validate content files.

Content files point at them with `# yaml-language-server: $schema=../schema/chapter.schema.json`.
"""
from __future__ import annotations

import json
from pathlib import Path

from .model import CardFile, Chapter, Handbook

SCHEMAS = {"chapter": Chapter, "handbook": Handbook, "cards": CardFile}


def schema_text(name: str) -> str:
    schema = SCHEMAS[name].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = out / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written
