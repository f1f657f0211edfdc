"""Imports point one way through the layers (DESIGN.md, "Layers"): a module may import its own
package and the layers below it, never one above or beside it. A card renderer that the checks
import, or a check that the web pages import, would make `sopbook check` load WeasyPrint and the
web pages depend on what the checks happen to report."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sopbook"

BASE = {"sopbook", "sopbook.findings", "sopbook.i18n", "sopbook._util"}  # beside every layer
# What each layer may import besides itself and BASE.
BELOW: dict[str, set[str]] = {
    "base": set(),
    "report": set(),
    "source": set(),
    "model": {"source"},
    "checks": {"model", "source"},
    "render": {"model", "source"},
    # `sopbook import` turns a course document into a draft chapter: it reads text and writes YAML
    # that the model must accept, so it stands on the model, beside the checks and the renderer.
    "importer": {"model", "source"},
    "web": {"render", "model", "source"},
    "cards": {"render", "model", "source"},
    # The entry points: the commands, and the plugin (MkDocs loads it by name); they load,
    # check, render and print findings.
    "entry": {"web", "cards", "checks", "render", "importer", "model", "source", "report"},
}
ENTRY_POINTS = {"sopbook.build", "sopbook.cli", "sopbook.export", "sopbook.new", "sopbook.web.plugin"}
REPORT = "sopbook.report"  # printing findings is for the entry points only


def layer(module: str) -> str:
    """The layer of a module (or of an imported name) by its dotted path."""
    if module in ENTRY_POINTS:
        return "entry"
    if module == REPORT:
        return "report"
    if module in BASE or any(module.startswith(b + ".") for b in BASE - {"sopbook"}):
        return "base"
    return module.split(".")[1]


def module_name(package: Path, path: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sopbook_imports(package: Path, path: Path) -> list[tuple[str, int]]:
    """Every sopbook module the file imports, at module level and inside functions, with its line.
    `from sopbook.web import pages` imports sopbook.web.pages, not just the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module_name(package, path).split(".")
    if path.name != "__init__.py":
        here.pop()
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "sopbook"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "sopbook":
                continue
            for alias in node.names:
                named = package.parent.joinpath(*f"{base}.{alias.name}".split("."))
                is_module = named.with_suffix(".py").exists() or (named / "__init__.py").exists()
                found.append((f"{base}.{alias.name}" if is_module else base, node.lineno))
    return found


def violations(package: Path, path: Path) -> list[str]:
    here = module_name(package, path)
    mine = layer(here)
    out = []
    for imported, line in sopbook_imports(package, path):
        theirs = layer(imported)
        if theirs == mine or theirs in BELOW[mine] or theirs == "base":
            continue
        where = path.relative_to(package.parent)
        out.append(f"{where}:{line}: {here} ({mine}) imports {imported} ({theirs})")
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    assert {p.name: layer(module_name(PACKAGE, p)) for p in MODULES
            if layer(module_name(PACKAGE, p)) not in BELOW} == {}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path):
    assert violations(PACKAGE, path) == []


def test_a_wrong_import_is_caught(tmp_path: Path):
    """The rule itself can fail: a check that imports the card renderer (inside a function), a
    model module that imports a template helper, a web page that imports a check, the YAML
    reader that imports the model and a card module that prints findings are each reported."""
    fake = tmp_path / "sopbook"
    for rel, text in {
        "checks/bad.py": "def f():\n    from sopbook.cards import pdf\n",
        "model/bad.py": "from sopbook.render.templating import MACROS_DIR\n",
        "web/bad.py": "from ..checks.completeness import chapter_completeness\n",
        "source/bad.py": "import sopbook.model.project\n",
        "cards/bad.py": "from sopbook import report\n",
        "findings.py": "from sopbook.source import yaml_loader\n",
        "cards/good.py": "from sopbook.findings import Finding\nfrom sopbook.model import cards\n",
        "web/plugin.py": "from sopbook.checks import run_checks\nfrom sopbook.report import write_text\n",
    }.items():
        (fake / rel).parent.mkdir(parents=True, exist_ok=True)
        (fake / rel).write_text(text, encoding="utf-8")
    (fake / "report.py").write_text("", encoding="utf-8")
    found = {p.relative_to(fake).as_posix(): len(violations(fake, p)) for p in sorted(fake.rglob("*.py"))}
    assert found == {"cards/bad.py": 1, "cards/good.py": 0, "checks/bad.py": 1, "findings.py": 1,
                     "model/bad.py": 1, "report.py": 0, "source/bad.py": 1, "web/bad.py": 1,
                     "web/plugin.py": 0}
