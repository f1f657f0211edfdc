"""The language a handbook is written in, so sopbook speaks it too: handbook.yml's `language:`,
else mkdocs.yml's `theme.language` (the setting Material's own labels and search follow).

Read leniently, before and apart from loading: even a handbook whose files do not load gets its
load errors in its own language.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from sopbook import i18n

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _mapping(path: Path) -> dict[str, yaml.Node]:
    """A YAML file's top-level keys, composed only (mkdocs.yml's `!!python/name:` tags are MkDocs'
    to resolve); empty when the file is missing or unreadable (the loader reports that)."""
    try:
        if not path.is_file():
            return {}
        with path.open("rb") as handle:
            node = yaml.compose(handle.read(1_000_000).decode("utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) and node.value else None


def written_language(root: Path) -> str | None:
    """The language tag the handbook's settings name (zh, zh-Hans, en ...), or None."""
    root = Path(root)
    if tag := _scalar(_mapping(root / "handbook.yml").get("language")):
        return tag
    theme = _mapping(root / "mkdocs.yml").get("theme")
    if isinstance(theme, yaml.MappingNode):
        for key, value in theme.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "language":
                return _scalar(value)
    return None


def handbook_language(root: Path, requested: str | None = None) -> str:
    """The catalog sopbook speaks for this handbook: `requested` (`--lang`) when given, else the
    handbook's own; English when sopbook has no catalog for it."""
    return i18n.match(requested) or i18n.match(written_language(root)) or i18n.SOURCE_LANGUAGE
