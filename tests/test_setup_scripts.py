"""What `make` does on a fresh machine: which Debian packages it asks for (as the dynamic linker
and fontconfig see the machine), how it installs the Python packages (uv with this machine's
pip settings, pip when uv fails), and where its last line says the handbook is."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HARFBUZZ_SUBSET = ("\tlibharfbuzz-subset.so.0 (libc6,x86-64) => "
                   "/lib/x86_64-linux-gnu/libharfbuzz-subset.so.0\n")
LINKER = ("3 libs found in cache `/etc/ld.so.cache'\n"
          "\tlibpangoft2-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpangoft2-1.0.so.0\n"
          "\tlibharfbuzz.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libharfbuzz.so.0\n")


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/bash\n" + body, encoding="utf-8")
    path.chmod(0o755)


def _machine(tmp_path: Path, linker: str) -> dict[str, str]:
    """A PATH holding a user's view of a Debian machine: no apt-get, not root, this linker cache."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for real in ("bash", "awk", "grep", "cat"):
        (bin_ / real).symlink_to(shutil.which(real))
    (tmp_path / "linker.txt").write_text(linker, encoding="utf-8")
    _tool(bin_, "ldconfig", f'cat "{tmp_path / "linker.txt"}"\n')
    _tool(bin_, "fc-list", 'echo "Noto Sans CJK SC,Noto Sans CJK SC Regular"\n')
    _tool(bin_, "id", "echo 1000\n")
    return {"PATH": str(bin_), "HOME": str(tmp_path)}


def _system_deps(env: dict[str, str], what: str = "build") -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("bash"), str(REPO / "scripts" / "system-deps.sh"), what],
                          capture_output=True, text=True, env=env, timeout=60)


def test_a_machine_without_harfbuzz_subset_is_told_to_install_it(tmp_path):
    done = _system_deps(_machine(tmp_path, LINKER))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "sopbook: missing system packages: libharfbuzz-subset0",
        "sopbook: please install them, e.g.: sudo apt-get install libharfbuzz-subset0",
        "sopbook: then run make again."]


def test_a_machine_with_every_library_needs_nothing(tmp_path):
    done = _system_deps(_machine(tmp_path, LINKER + HARFBUZZ_SUBSET))
    assert (done.returncode, done.stderr) == (0, "")


def test_a_long_linker_cache_is_read_whole(tmp_path):
    """The libraries listed before 100 000 others: a reader that stops at the first match (grep -q)
    kills ldconfig with SIGPIPE, and under pipefail a present library counts as missing."""
    padding = "".join(f"\tlibpadding{i}.so.1 (libc6,x86-64) => /lib/libpadding{i}.so.1\n"
                      for i in range(100_000))
    done = _system_deps(_machine(tmp_path, LINKER + HARFBUZZ_SUBSET + padding))
    assert (done.returncode, done.stderr) == (0, "")


def _venv(tmp_path: Path, pip_config: str, uv_fails: bool) -> Path:
    """A virtualenv whose python and uv record how they were called."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "calls.txt"
    _tool(venv / "bin", "python", f"""\
if [ "$*" = "-m pip config list" ]; then printf '%s' "{pip_config}"; exit 0; fi
echo "python $*" >> "{log}"
""")
    _tool(venv / "bin", "uv", f"""\
echo "uv $* SSL_CERT_FILE=${{SSL_CERT_FILE:-}}" >> "{log}"
exit {1 if uv_fails else 0}
""")
    return venv


def _python_deps(tmp_path: Path, venv: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    done = subprocess.run([str(REPO / "scripts" / "python-deps.sh"), str(venv)], capture_output=True,
                          text=True,
                          env=env, cwd=tmp_path, timeout=60)
    return done, (tmp_path / "calls.txt").read_text(encoding="utf-8").splitlines()


def test_uv_installs_with_the_indexes_wheels_constraints_and_ca_that_pip_is_configured_with(tmp_path):
    wheels, constraints, ca = tmp_path / "wheels", tmp_path / "constraints.txt", tmp_path / "ca.pem"
    wheels.mkdir()
    constraints.write_text("torch<=2.14.1\n", encoding="utf-8")
    ca.write_text("", encoding="utf-8")
    config = (f":env:.find-links='{wheels}'\n"
              f"global.cert='{ca}'\n"
              f"global.constraint='{constraints}'\n"
              f"global.extra-index-url='file://{tmp_path}/no-such-index https://mirror.invalid/simple'\n")
    done, calls = _python_deps(tmp_path, _venv(tmp_path, config, uv_fails=False))
    assert done.returncode == 0, done.stderr
    assert calls == [f"uv pip install --python {tmp_path}/venv/bin/python --compile-bytecode "
                     f"--find-links {wheels} --constraints {constraints} "
                     f"--index https://mirror.invalid/simple -e .[test] SSL_CERT_FILE={ca}"]
    assert done.stderr.splitlines()[0] == (
        f"sopbook: installing sopbook and its Python packages into {tmp_path}/venv/")


def test_pip_installs_when_uv_cannot(tmp_path):
    done, calls = _python_deps(tmp_path, _venv(tmp_path, "", uv_fails=True))
    assert done.returncode == 0, done.stderr
    assert calls[-1] == "python -m pip install --disable-pip-version-check --progress-bar on -e .[test]"
    assert "sopbook: uv could not install them; installing with pip instead" in done.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_says_where_the_handbook_is_last(tmp_path):
    done = subprocess.run(["make", "--no-print-directory", "-n", "build", f"VENV={tmp_path}/venv"], cwd=REPO,
                          capture_output=True,
                          text=True, check=True)
    lines = done.stdout.splitlines()
    assert f"scripts/python-deps.sh {tmp_path}/venv" in lines
    assert lines[-1] == 'echo "sopbook: handbook ready: site/index.html  (cards: site/cards/)"'
