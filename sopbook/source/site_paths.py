"""Where the handbook's sources are and where its site may go.

A build replaces its output folder whole, so an output folder that is, holds or lies inside the
sources (`--site content`, `site_dir: .`) would delete them: it is refused before anything is
touched. mkdocs.yml's `docs_dir` and `site_dir` are read here with their line, for the messages.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from sopbook.findings import Finding, Loc
from sopbook.i18n import N_

CONFIG_FILE = "mkdocs.yml"
DOCS_DIR = "docs"
# Folders and files of a project that only people write; the build must never replace them.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SOURCES = ("content", "checklists", "macros", "schema", "handbook.yml", CONFIG_FILE)


@dataclass(frozen=True)
class Setting:
    value: str
    loc: Loc


def top_level(path: Path) -> dict[str, yaml.Node]:
    """A YAML settings file's top-level keys and their nodes; empty when the file is missing, is not
    a file or does not read (MkDocs and the loader report that themselves, in their own words)."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    if not path.is_file():
        return {}  # a FIFO would block; MkDocs itself refuses what is not a file
    return _composed(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _composed(path: str, _mtime: int, _size: int) -> dict[str, yaml.Node]:
    """Composed, not constructed: tags such as `!ENV` or `!!python/name:` are MkDocs' to resolve."""
    try:
        with open(path, "rb") as handle:
            text = handle.read(1_000_000).decode("utf-8")
        node = yaml.compose(text, Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _top_level(root: Path) -> dict[str, Setting]:
    """mkdocs.yml's top-level plain-text settings, with their lines."""
    out = {}
    for key, value in top_level(Path(root) / CONFIG_FILE).items():
        if isinstance(value, yaml.ScalarNode) and value.tag.startswith("tag:yaml"):
            mark = value.start_mark
            out[key] = Setting(str(value.value), Loc(CONFIG_FILE, mark.line + 1, mark.column + 1))
    return out


def config_problem(root: Path) -> Finding | None:
    """mkdocs.yml that is not YAML, located where the parser stopped (MkDocs would stop there too)."""
    path = Path(root) / CONFIG_FILE
    if not path.is_file():
        return None  # no site to build; `sopbook build` says so when it gets there
    try:
        with open(path, "rb") as handle:
            yaml.compose(handle.read(1_000_000).decode("utf-8"), Loader=_LOADER)
    except UnicodeDecodeError as exc:
        return Finding("error", "build.config", N_("{file} is not UTF-8 (byte at offset {offset})"),
                       Loc(CONFIG_FILE, 1), N_("save mkdocs.yml as UTF-8"),
                       params={"file": CONFIG_FILE, "offset": exc.start})
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Loc(CONFIG_FILE, mark.line + 1, mark.column + 1) if mark else Loc(CONFIG_FILE, 1)
        # libyaml's own words for the mistake (MkDocs shows the same); the place says where
        return Finding("error", "build.config", N_("{file} is not valid YAML: {detail}"), where,
                       N_("fix the brackets, quotes or indentation at that place"),
                       params={"file": CONFIG_FILE, "detail": exc.problem or exc.context})
    except (OSError, yaml.YAMLError) as exc:
        return Finding("error", "build.config", N_("cannot read {file}: {detail}"), Loc(CONFIG_FILE, 1),
                       N_("check that it exists and that you may read it"),
                       params={"file": CONFIG_FILE, "detail": str(exc)})
    return None


def docs_dir(root: Path) -> str:
    given = setting(root, "docs_dir")
    return given.value if given and given.value else DOCS_DIR


def setting(root: Path, key: str) -> Setting | None:
    """A top-level setting of mkdocs.yml (`site_dir`, `docs_dir`) with its place."""
    return _top_level(root).get(key)


def sources(root: Path) -> list[Path]:
    """The project's own folders and files (resolved), docs_dir included."""
    root = Path(root).resolve()
    return [(root / name).resolve() for name in (*SOURCES, docs_dir(root))]


def _clash(root: Path, output: Path) -> tuple[str, str] | None:
    """How `output` would destroy sources (a key of _CLASHES) and which source; None when it is safe."""
    root = Path(root).resolve()
    if output == root:
        return "is-project", ""
    if root.is_relative_to(output):
        return "contains-project", ""
    for source in sources(root):
        name = str(source.relative_to(root) if source.is_relative_to(root) else source)
        if output == source:
            return "is-source", name
        if source.is_relative_to(output):
            return "contains-source", name
        if output.is_relative_to(source):
            return "inside-source", name
    return None


# (how the output folder clashes, whether a build or an export writes it) -> the message
_CLASHES = {
    ("is-project", False): N_("the output folder {given} is the project folder itself: "
                              "building there would delete it"),
    ("contains-project", False): N_("the output folder {given} contains the project folder: "
                                    "building there would delete it"),
    ("is-source", False): N_("the output folder {given} is the project's {name}: "
                             "building there would delete it"),
    ("contains-source", False): N_("the output folder {given} contains the project's {name}: "
                                   "building there would delete it"),
    ("inside-source", False): N_("the output folder {given} lies inside the project's {name}: "
                                 "building there would delete it"),
    ("is-project", True): N_("the output folder {given} is the project folder itself: "
                             "exporting there would delete it"),
    ("contains-project", True): N_("the output folder {given} contains the project folder: "
                                   "exporting there would delete it"),
    ("is-source", True): N_("the output folder {given} is the project's {name}: "
                            "exporting there would delete it"),
    ("contains-source", True): N_("the output folder {given} contains the project's {name}: "
                                  "exporting there would delete it"),
    ("inside-source", True): N_("the output folder {given} lies inside the project's {name}: "
                                "exporting there would delete it"),
}


def output_problem(root: Path, output: Path | str, where: Loc, given: str,
                   exporting: bool = False) -> Finding | None:
    """A located error when building (or, with `exporting`, exporting) into `output` would
    replace the project's sources."""
    root = Path(root).resolve()
    output = (root / output).resolve()
    clash = _clash(root, output)
    if clash is None:
        return None
    kind, name = clash
    return Finding("error", "build.site-dir", _CLASHES[kind, exporting], where,
                   N_("build into a folder of its own: leave it out for site/, or give a new folder, "
                      "e.g. --site /tmp/handbook"),
                   params={"given": given, "name": name})


def site_dir_problem(root: Path) -> Finding | None:
    """mkdocs.yml's `site_dir`, which a bare `mkdocs build` empties before it writes."""
    given = setting(root, "site_dir")
    if given is None:
        return None
    problem = output_problem(root, given.value, given.loc, f"site_dir: {given.value}")
    if problem is None:
        return None
    return Finding(problem.level, problem.code, problem.text, problem.loc,
                   N_("set site_dir: site in mkdocs.yml (or delete the line)"), params=problem.params)
