"""The language a handbook is written in, so sopbook speaks it too: handbook.yml's `language:`,
else mkdocs.yml's `theme.language` (the setting Material's own labels and search follow).

Read leniently, before and apart from loading: even a handbook whose files do not load gets its
load errors in its own language.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from sopbook import i18n
from sopbook.source.site_paths import CONFIG_FILE, top_level


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) and node.value else None


def written_language(root: Path) -> str | None:
    """The language tag the handbook's settings name (zh, zh-Hans, en ...), or None."""
    root = Path(root)
    if tag := _scalar(top_level(root / "handbook.yml").get("language")):
        return tag
    theme = top_level(root / CONFIG_FILE).get("theme")
    if isinstance(theme, yaml.MappingNode):
        for key, value in theme.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "language":
                return _scalar(value)
    return None


def handbook_language(root: Path, requested: str | None = None) -> str:
    """The catalog sopbook speaks for this handbook: `requested` (`--lang`) when given, else the
    handbook's own; English when sopbook has no catalog for it."""
    return i18n.match(requested) or i18n.match(written_language(root)) or i18n.SOURCE_LANGUAGE
