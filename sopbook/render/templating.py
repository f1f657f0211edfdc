"""The one Jinja environment that web pages and print cards share (templates live in macros/).

Autoescape is always on and undefined names are errors: content is data, and a template that
silently prints nothing would hide a missing field.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from sopbook.model.project import MACROS_DIR
from sopbook.render.addresses import item_anchor
from sopbook.render.run import run_island


@lru_cache(maxsize=8)
def environment(root: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(root) / MACROS_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["slug"] = slug
    env.filters["strong"] = strong
    env.globals["run_island"] = run_island  # run mode's button and data, web pages only
    env.globals["item_anchor"] = item_anchor  # where a search for a checklist item lands
    return env


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def strong(text: object) -> Markup:
    """Escape, then show the source's **bold** as bold: the one inline markup the course documents use.
    Escaping first means nothing from content can become a tag but <strong> itself."""
    return Markup(_BOLD.sub(r"<strong>\1</strong>", str(escape(str(text)))))


def slug(text: object) -> str:
    """An anchor made from free text (a course day '18.5' -> '18-5'): only [a-z0-9-] survive."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"


def render(root: Path, template: str, **context) -> str:
    return environment(Path(root)).get_template(template).render(**context)
