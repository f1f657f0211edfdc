"""The wheel a user installs (not the editable checkout) carries every module and asset."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_holds_every_module_and_web_asset(tmp_path):
    # Built as a user's installer builds it, from a copy with no build/ left by an earlier build
    # (setuptools would pack whatever lies there) and in isolation, with the backend pyproject names.
    source = tmp_path / "src"
    def skip(folder: str, names: list[str]) -> set[str]:
        if Path(folder) != ROOT:
            return {"__pycache__"} & set(names)
        return {n for n in names if n in {".git", ".venv", "build", "site", "tests", ".sopbook-cache"}
                or n.endswith(".egg-info") or n.startswith("site.")}

    shutil.copytree(ROOT, source, ignore=skip)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                    str(source)], check=True, capture_output=True, text=True)
    (wheel,) = tmp_path.glob("sopbook-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "sopbook"
    wanted = {p.relative_to(ROOT).as_posix() for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    wanted |= {p.relative_to(ROOT).as_posix() for p in (package / "web" / "assets").iterdir()}
    assert sorted(wanted - inside) == []
