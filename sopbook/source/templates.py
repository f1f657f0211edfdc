"""Where a handbook's templates come from: its own macros/ first, then sopbook's built-in ones.

A trainer who starts a handbook for another course gets working pages and cards from the
templates installed with sopbook. To change how one kind of block looks, they put that one file
in their handbook (macros/blocks/prose.html) and every other template still comes from sopbook,
as a theme's custom_dir does in Material. Everything that reads a template (the Jinja
environment, card.css, the block types a card can print) goes through `loader`, so web pages,
cards and the check always agree on which file is used.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from sopbook.i18n import N_, SOURCE_LANGUAGE, say

MACROS_DIR = "macros"  # a handbook's own templates, each overriding the built-in file of its name
BUILTIN_PACKAGE = "sopbook.macros"  # the built-in templates (this repository's macros/ folder)


class TemplatesMissing(Exception):
    """sopbook was installed without its templates (a broken or zipped install); `text` and
    `params` say why in any language (i18n.say)."""

    def __init__(self, text: str, **params: object) -> None:
        super().__init__(say(text, SOURCE_LANGUAGE, params))
        self.text = text
        self.params = params


def builtin_dir() -> Path:
    """The folder of the templates installed with sopbook (a real folder: Jinja reads files)."""
    try:
        found = resources.files(BUILTIN_PACKAGE)
    except ModuleNotFoundError as exc:
        raise TemplatesMissing(N_("sopbook's built-in templates ({package}) are not installed: "
                                  "reinstall sopbook"), package=BUILTIN_PACKAGE) from exc
    if not isinstance(found, Path) or not found.is_dir():
        raise TemplatesMissing(N_("sopbook's built-in templates are not a folder ({found}): "
                                  "install sopbook from its wheel, unzipped, as pip and uv do"),
                               found=str(found))
    return found


def search_path(root: Path) -> list[Path]:
    """The folders templates are read from, the first that has a file winning: the handbook's
    macros/ (when it has one), then the built-in templates."""
    own = Path(root) / MACROS_DIR
    builtin = builtin_dir()
    if not own.is_dir():
        return [builtin]
    if own.resolve() == builtin.resolve():  # sopbook's own repository: its macros/ are the built-in ones
        return [own]
    return [own, builtin]


def loader(root: Path) -> jinja2.BaseLoader:
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder)) for folder in search_path(root)])


def template_file(root: Path, name: str) -> Path | None:
    """The file a template name is read from: the handbook's override, else the built-in one."""
    for folder in search_path(root):
        if (folder / name).is_file():
            return folder / name
    return None


def name_of(root: Path, path: Path | str) -> str | None:
    """The template name of a file in one of the search folders (blocks/prose.html), else None."""
    resolved = Path(path).resolve()
    for folder in search_path(root):
        if resolved.is_relative_to(folder.resolve()):
            return resolved.relative_to(folder.resolve()).as_posix()
    return None


def is_override(root: Path, path: Path | str) -> bool:
    return Path(path).resolve().is_relative_to((Path(root) / MACROS_DIR).resolve())


def shown(root: Path, path: Path | str) -> str:
    """A template file as an editor finds it: macros/blocks/prose.html for the handbook's own, the
    installed file for a built-in one."""
    path = Path(path)
    if is_override(root, path):
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    return str(path)


def overrides(root: Path) -> list[str]:
    """The template names the handbook's macros/ overrides (none in sopbook's own repository)."""
    folders = search_path(root)
    if len(folders) < 2:
        return []
    return sorted(p.relative_to(folders[0]).as_posix() for p in folders[0].rglob("*")
                  if p.is_file() and (folders[1] / p.relative_to(folders[0])).is_file())


def fix_hint(root: Path, name: str) -> tuple[str, dict[str, object]]:
    """What to do about a template that cannot be read or rendered, by where it came from: a hint's
    message id and its parameters (`template`, and `overrides` and `builtin` where it names them)."""
    found = template_file(root, name)
    params: dict[str, object] = {"template": name}
    if found is not None and search_path(root) == [Path(root) / MACROS_DIR]:
        return N_("fix macros/{template}: this repository's macros/ are sopbook's built-in templates"), params
    if found is not None and is_override(root, found):
        return (N_("macros/{template} in this handbook overrides sopbook's built-in {template}: fix it, "
                   "or delete it to use the built-in one"), params)
    if found is not None and (mine := overrides(root)):
        # A built-in template imports macros from the others: an override that lacks one breaks it.
        params.update(overrides=", ".join(f"{MACROS_DIR}/{n}" for n in mine), builtin=str(builtin_dir()))
        return (N_("the built-in {template} uses this handbook's overrides ({overrides}): an override must "
                   "define every macro of the file it replaces (compare with {builtin}), or delete it"),
                params)
    return (N_("sopbook's built-in {template} is broken or missing: reinstall sopbook, or override it with "
               "a working macros/{template} in this handbook"), params)
