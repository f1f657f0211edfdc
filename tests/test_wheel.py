"""The wheel a user installs (not the editable checkout) carries every module, asset, built-in
template and the files of `sopbook new`, and a handbook started from it builds."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".venv" / "bin" / "uv"


def test_every_package_folder_is_listed_for_the_wheel():
    # The packages are listed by hand (the built-in templates are mapped from macros/), so a new
    # layer package must be added there too.
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "sopbook").rglob("__init__.py")}
    assert set(tool["packages"]) == folders | {"sopbook.macros"}
    assert tool["package-dir"] == {"sopbook.macros": "macros"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built as a user's installer builds it, from a copy with no build/ left by an earlier build
    # (setuptools would pack whatever lies there) and in isolation, with the backend pyproject names.
    where = tmp_path_factory.mktemp("wheel")
    source = where / "src"

    def skip(folder: str, names: list[str]) -> set[str]:
        if Path(folder) != ROOT:
            return {"__pycache__"} & set(names)
        return {n for n in names if n in {".git", ".venv", "build", "site", "tests", ".sopbook-cache"}
                or n.endswith(".egg-info") or n.startswith("site.")}

    shutil.copytree(ROOT, source, ignore=skip)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(where),
                    str(source)], check=True, capture_output=True, text=True)
    (built,) = where.glob("sopbook-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_every_module_asset_template_and_scaffold_file(wheel: Path):
    inside = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "sopbook"
    wanted = {p.relative_to(ROOT).as_posix() for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    wanted |= {p.relative_to(ROOT).as_posix() for p in (package / "web" / "assets").iterdir()}
    wanted |= {p.relative_to(ROOT).as_posix() for p in (package / "scaffold").rglob("*") if p.is_file()}
    wanted |= {p.relative_to(ROOT).as_posix() for p in (package / "locale").glob("*/LC_MESSAGES/*.po")}
    # The built-in templates: this repository's macros/, installed as sopbook/macros/.
    wanted |= {f"sopbook/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / "macros").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert sorted(wanted - inside) == []


@pytest.mark.slow
def test_a_handbook_started_from_the_installed_wheel_builds(wheel: Path, tmp_path: Path):
    # A trainer's machine: a fresh environment with the wheel, no checkout of this repository.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    installed = subprocess.run([str(UV), "pip", "install", "--python", python, str(wheel)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    where = subprocess.run([python, "-c",
                            "from sopbook.source.templates import builtin_dir; print(builtin_dir())"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout.strip()
    assert Path(where).is_relative_to(venv) and (Path(where) / "blocks" / "prose.html").is_file()

    made = subprocess.run([str(venv / "bin" / "sopbook"), "new", "course"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert not (tmp_path / "course" / "macros").exists()
    built = subprocess.run([str(venv / "bin" / "sopbook"), "build", "--root", "course"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    # The catalogs ship in the wheel: the new handbook is Chinese, and so is what sopbook says about it.
    assert "0 个错误" in built.stderr, built.stderr
    site = tmp_path / "course" / "site"
    assert "到店报修接待" in (site / "reception" / "index.html").read_text(encoding="utf-8")
    for pdf in ("cards/intake-check.pdf", "cards/reception-run.pdf", "cards/a4/reception.pdf"):
        assert (site / pdf).read_bytes().startswith(b"%PDF"), pdf
