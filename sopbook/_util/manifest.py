"""The JSON manifests a build leaves beside its output (cards/manifest.json, .sopbook-pages.json),
which say what the next build may reuse.

A manifest that is missing, unreadable or of another format is no manifest: everything is
rendered again, never reused on a guess. It is written to a temporary file and renamed, so an
interrupted build never leaves half a manifest.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_manifest(path: Path, format: int) -> dict[str, Any]:
    """The manifest's sections, or {} when there is no usable manifest of this format."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != format:
        return {}
    return data


def write_manifest(path: Path, format: int, sections: dict[str, Any]) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"format": format, **sections}, ensure_ascii=False, indent=1) + "\n",
                   encoding="utf-8")
    tmp.replace(path)
