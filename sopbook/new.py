"""`sopbook new DIR`: a handbook to start from, as `mkdocs new` starts a site.

A trainer starting a handbook for another course gets, in an empty folder, a project that
already checks clean and builds: handbook.yml, mkdocs.yml, an example chapter with one block of
every type, a card file, a home page, a trainer page and the JSON Schemas their editor
autocompletes from. The files are shipped inside the package (sopbook/scaffold/); no macros/ is
written, because the templates installed with sopbook serve until the handbook overrides one.
"""
from __future__ import annotations

import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from sopbook.i18n import N_, SOURCE_LANGUAGE, say
from sopbook.model.schema import write_schemas

SCAFFOLD = "scaffold"
# Names a package cannot ship as they are: a dot file is not package data.
RENAMED = {"gitignore": ".gitignore"}
# The example's revision date is the day the handbook was started (a card prints it).
REVISED_LINE = "revised: 2025-01-01\n"


class NewRefused(Exception):
    """DIR cannot take a new handbook; the message (`text` with `params`) says why and what to do."""

    def __init__(self, text: str, **params: object) -> None:
        super().__init__(say(text, SOURCE_LANGUAGE, params))
        self.text = text
        self.params = params


def _files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    out: list[tuple[str, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith(("_", ".")):
            continue
        name = f"{prefix}{RENAMED.get(entry.name, entry.name)}"
        out += _files(entry, f"{name}/") if entry.is_dir() else [(name, entry)]
    return out


def scaffold_files() -> list[tuple[str, Traversable]]:
    """Each file of a new handbook, by its path in the handbook."""
    return _files(resources.files("sopbook") / SCAFFOLD)


def scaffold_dir() -> Path:
    """The folder a new handbook is copied from (its settings say the language it is written in)."""
    return Path(str(resources.files("sopbook") / SCAFFOLD))


def new_handbook(target: Path, today: datetime.date) -> list[Path]:
    """Write a new handbook into `target` (absent or empty); the files written, in order."""
    if target.exists() and not target.is_dir():
        raise NewRefused(N_("{target} is a file; name a new folder: sopbook new <folder>"), target=target)
    if target.is_dir() and any(target.iterdir()):
        raise NewRefused(N_("{target} exists and is not empty; a new handbook needs a new or empty folder: "
                            "sopbook new <folder>"), target=target)
    written: list[Path] = []
    for name, source in scaffold_files():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        if name == "handbook.yml":
            text = text.replace(REVISED_LINE, f"revised: {today.isoformat()}\n")
        path.write_text(text, encoding="utf-8")
        written.append(path)
    written += write_schemas(target / "schema")
    return written


def next_steps(shown_dir: str, templates: Path, lang: str = SOURCE_LANGUAGE) -> list[str]:
    """What to run next, and how to change one template without copying the others, in `lang`."""
    return [
        "",
        say(N_("Next:"), lang),
        f"  cd {shown_dir}",
        f"  sopbook check     # {say(CHECK, lang)}",
        f"  sopbook build     # {say(BUILD, lang)}",
        f"  sopbook serve     # {say(SERVE, lang)}",
        "",
        *say(OVERRIDE, lang).splitlines(),
        f"  mkdir -p macros/blocks && cp {templates / 'blocks' / 'prose.html'} macros/blocks/",
        say(BUILT_IN, lang),
    ]


# What each command does, beside it in the next steps.
CHECK = N_("finds what does not add up, with file and line")
BUILD = N_("the web handbook in site/index.html, cards in site/cards/")
SERVE = N_("live preview at http://127.0.0.1:8000")
OVERRIDE = N_("Pages and cards use the templates installed with sopbook. To change one, copy just that\n"
              "file into the handbook's macros/ under the same name and edit it, e.g.")
BUILT_IN = N_("Every template the handbook's macros/ does not have still comes from sopbook.")
