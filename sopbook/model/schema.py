"""JSON Schemas exported from the model, so editors autocomplete and validate content files.

Content files point at them with `# yaml-language-server: $schema=../schema/chapter.schema.json`.
The schemas accept what the loader accepts, short forms included (a bare string is a paragraph
or a checklist item), and use only keywords that draft-07 validators such as the YAML language
server also understand (if/then/else, const, enum; `$defs` is reached through `$ref` pointers).
"""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from sopbook.model.ledger import Ledger
from sopbook.model.nodes import CardFile, Chapter, Handbook

SCHEMAS: dict[str, type[BaseModel]] = {"chapter": Chapter, "handbook": Handbook, "cards": CardFile,
                                       "editions": Ledger}


class _SopbookSchema(GenerateJsonSchema):
    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        """`minutes: float | None` as {"type": ["number", "null"], ...}, not anyOf: a wrong value is
        then reported as "'五分钟' is not of type 'number'", not as matching none of two schemas."""
        inner = self.generate_inner(schema["schema"])
        keywords = {"enum", "const", "$ref", "anyOf", "oneOf"}
        if isinstance(inner.get("type"), str) and not keywords & set(inner):
            return {**inner, "type": [inner["type"], "null"]}
        return super().nullable_schema(schema)

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        """A block is judged against the fields of its own `type` only.

        pydantic writes oneOf plus an OpenAPI `discriminator`, which JSON Schema validators
        ignore: a procedure with one wrong field is then reported as failing all fifteen block
        types. if/then per type names the block's own fields instead."""
        field = schema["discriminator"]
        if not isinstance(field, str):
            return super().tagged_union_schema(schema)
        tags = [str(tag) for tag in schema["choices"]]
        branches = [
            {"if": {"properties": {field: {"const": tag}}, "required": [field]},
             "then": self.generate_inner(choice)}
            for tag, choice in zip(tags, schema["choices"].values(), strict=True)
        ]
        return {
            "type": "object",
            "required": [field],
            "properties": {field: {"enum": tags, "description": "The kind of block."}},
            "allOf": branches,
        }


def _shared_blocks(schema: dict) -> dict:
    """Blocks are allowed in sections, steps, events and cases: one `Block` definition for all."""
    found: list[dict] = []

    def visit(value):
        if isinstance(value, dict):
            if value.get("allOf") and all("if" in b and "then" in b for b in value["allOf"]):
                if not found:
                    found.append(value)
                if value == found[0]:
                    return {"$ref": "#/$defs/Block"}
            return {k: visit(v) for k, v in value.items()}
        if isinstance(value, list):
            return [visit(v) for v in value]
        return value

    out = visit(schema)
    if found:
        out.setdefault("$defs", {})["Block"] = {**found[0], "allOf": visit(found[0]["allOf"])}
    return out


def schema_text(name: str) -> str:
    schema = _shared_blocks(SCHEMAS[name].model_json_schema(schema_generator=_SopbookSchema))
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
