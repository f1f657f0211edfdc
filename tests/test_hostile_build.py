"""A failed, interrupted or concurrent build never loses the last good site/, and the CLI
answers broken input with located errors and exit code 1, a traceback only with --debug.

Rendering is not the point here: build_web is replaced by a stand-in that writes a page (or fails
half-way) and cards are off, so these tests take milliseconds.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import sopbook.build
from sopbook.build import BuildFailed, build, build_lock
from sopbook.cli import main

from projects import chapter, write_project

BROKEN = "id: ch\ntitle: 交付\nsections:\n\t- id: s\n"


@pytest.fixture
def project(tmp_path) -> Path:
    """A clean project whose site/ holds the previous good build (a marker file)."""
    root = write_project(tmp_path / "p", chapter("- 文字"))
    (root / "site").mkdir()
    (root / "site" / "marker.txt").write_text("previous good build", encoding="utf-8")
    return root


def fake_web(project, out: Path, findings=None, previous=None) -> int:
    out.mkdir(parents=True)
    (out / "index.html").write_text("<h1>新</h1>", encoding="utf-8")
    return 0


def failing_web(error: BaseException):
    def run(project, out: Path, findings=None, previous=None) -> int:
        fake_web(project, out)  # half the site is written, then...
        (out / "half.html").write_text("half", encoding="utf-8")
        raise error

    return run


def assert_previous_site_intact(root: Path) -> None:
    assert (root / "site" / "marker.txt").read_text(encoding="utf-8") == "previous good build"
    assert not (root / "site" / "index.html").exists()
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(("site.tmp-", "site.old-"))]
    assert leftovers == []


def test_content_error_leaves_the_previous_site(project, monkeypatch):
    monkeypatch.setattr(sopbook.build, "build_web", fake_web)
    (project / "content" / "ch.yml").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(BuildFailed) as info:
        build(project, cards=False)
    assert info.value.stage == "load"
    assert [str(f.loc) for f in info.value.findings] == ["content/ch.yml:4:1"]
    assert_previous_site_intact(project)


@pytest.mark.parametrize("error", [RuntimeError("web renderer crashed"), KeyboardInterrupt(), MemoryError()],
                         ids=["exception", "ctrl-c", "out of memory"])
def test_failure_half_way_through_rendering_leaves_the_previous_site(project, monkeypatch, error):
    monkeypatch.setattr(sopbook.build, "build_web", failing_web(error))
    with pytest.raises(type(error)):
        build(project, cards=False)
    assert_previous_site_intact(project)


def test_failure_between_the_two_renames_puts_the_previous_site_back(project, monkeypatch):
    monkeypatch.setattr(sopbook.build, "build_web", fake_web)
    real_rename = Path.rename

    def rename(self, target):
        if self.name.startswith("site.tmp-"):
            raise KeyboardInterrupt  # after site/ was moved aside, before the new one is in place
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        build(project, cards=False)
    monkeypatch.undo()
    assert_previous_site_intact(project)


def test_a_successful_build_swaps_in_and_sweeps_what_killed_builds_left(project, monkeypatch):
    monkeypatch.setattr(sopbook.build, "build_web", fake_web)
    for stale in ("site.tmp-99999", "site.old-99998"):  # from builds killed with SIGKILL
        (project / stale).mkdir()
        (project / stale / "junk.html").write_text("x", encoding="utf-8")
    (project / "site.tmp-notes").mkdir()  # not ours: a name that only looks similar stays
    build(project, cards=False)
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "<h1>新</h1>"
    assert not (project / "site" / "marker.txt").exists()
    siblings = sorted(p.name for p in project.iterdir() if p.name.startswith("site"))
    assert siblings == ["site", "site.tmp-notes"]


def test_a_second_build_while_one_runs_is_refused_with_a_message(project, monkeypatch):
    monkeypatch.setattr(sopbook.build, "build_web", fake_web)
    with build_lock(project), pytest.raises(BuildFailed) as info:
        build(project, cards=False)
    assert info.value.stage == "lock"
    assert [f.message for f in info.value.findings] == ["another sopbook build of this project is running"]
    assert_previous_site_intact(project)
    build(project, cards=False)  # once the first is done, building works again
    assert (project / "site" / "index.html").exists()


def test_a_build_running_in_another_process_blocks_the_cli_build(project):
    ready = project / "holding"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import pathlib, time
        from sopbook.build import build_lock
        with build_lock(pathlib.Path({str(project)!r})):
            pathlib.Path({str(ready)!r}).touch()
            time.sleep(30)
    """)])
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert holder.poll() is None and time.monotonic() < deadline, "lock holder did not start"
            time.sleep(0.05)
        cli = subprocess.run([sys.executable, "-m", "sopbook.cli", "--root", str(project), "build",
                              "--no-cards"],
                             capture_output=True, text=True, timeout=60)
    finally:
        holder.kill()
        holder.wait()
    assert cli.returncode == 1
    assert "another sopbook build of this project is running" in cli.stdout
    assert "build failed (lock); the previous site/ is unchanged" in cli.stderr
    assert "Traceback" not in cli.stdout + cli.stderr
    assert_previous_site_intact(project)


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_a_build_killed_half_way_leaves_the_site_and_the_next_build_sweeps_up(
        project, monkeypatch, signal_name):
    import signal

    started = project / "writing"
    runner = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import pathlib, time
        import sopbook.build

        def slow_web(project, out, findings=None, previous=None):
            out.mkdir(parents=True)
            (out / "half.html").write_text("half")
            pathlib.Path({str(started)!r}).touch()
            time.sleep(30)

        sopbook.build.build_web = slow_web
        sopbook.build.build(pathlib.Path({str(project)!r}), cards=False)
    """)])
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert runner.poll() is None and time.monotonic() < deadline, "build did not start"
            time.sleep(0.05)
        runner.send_signal(getattr(signal, signal_name))
        runner.wait(timeout=30)
    finally:
        runner.kill()
    assert (project / "site" / "marker.txt").read_text(encoding="utf-8") == "previous good build"
    # killed: no cleanup ran
    assert [p.name for p in project.glob("site.tmp-*")] == [f"site.tmp-{runner.pid}"]
    monkeypatch.setattr(sopbook.build, "build_web", fake_web)
    build(project, cards=False)
    assert (project / "site" / "index.html").exists()
    assert not list(project.glob("site.tmp-*")) and not list(project.glob("site.old-*"))


# ---- the CLI: located errors, exit 1, a traceback only with --debug -----------------------------------
def test_cli_check_on_broken_yaml_exits_1_with_the_location_and_no_traceback(project):
    (project / "content" / "ch.yml").write_text(BROKEN, encoding="utf-8")
    cli = subprocess.run([str(Path(sys.executable).with_name("sopbook")), "--root", str(project), "check"],
                         capture_output=True, text=True)
    assert cli.returncode == 1
    assert cli.stdout.splitlines()[:3] == [
        "content/ch.yml",
        "  4:1      error   invalid YAML: a tab character: YAML indents with spaces only  [load.yaml]",
        "                   hint: replace the tab with spaces"]
    assert "Traceback" not in cli.stdout + cli.stderr


def test_cli_check_json_gives_file_line_col(project, capsys):
    (project / "content" / "ch.yml").write_text("id: ch\ntitle: 交付\n"
                                                "sections: [{id: s, title: t, minuts: 2}]\n",
                                                encoding="utf-8")
    assert main(["--root", str(project), "check", "--format", "json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["file"], finding["line"], finding["col"], finding["message"]) == (
        "content/ch.yml", 3, 30, "sections[0].minuts: unknown field 'minuts'")


def test_cli_build_of_broken_content_exits_1_and_keeps_the_site(project, capsys):
    (project / "content" / "ch.yml").write_text(BROKEN, encoding="utf-8")
    assert main(["--root", str(project), "build", "--no-cards"]) == 1
    out, err = capsys.readouterr()
    assert "4:1" in out and "a tab character" in out
    assert "sopbook: build failed (load); the previous site/ is unchanged" in err
    assert "Traceback" not in out + err
    assert_previous_site_intact(project)


def test_cli_outside_a_project_says_so(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "check"]) == 1
    out, err = capsys.readouterr()
    assert "no handbook.yml in" in out and "Traceback" not in out + err


def test_an_unexpected_error_is_one_line_and_the_traceback_only_with_debug(project, capsys, monkeypatch):
    def explode(project, families=None):
        raise RuntimeError("boom in a check")

    monkeypatch.setattr("sopbook.checks.run_checks", explode)
    assert main(["--root", str(project), "check"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == ["sopbook: error: RuntimeError: boom in a check",
                                "sopbook: this is a bug in sopbook, not in your content: "
                                "run the same command "
                                "again with --debug and report the traceback it prints"]
    assert "Traceback" not in out + err
    with pytest.raises(RuntimeError, match="boom in a check"):  # --debug: Python's traceback, before or after
        main(["--root", str(project), "check", "--debug"])
    with pytest.raises(RuntimeError, match="boom in a check"):
        main(["--debug", "--root", str(project), "check"])


def test_an_unexpected_error_without_a_message_is_named_never_a_bare_error(project, capsys, monkeypatch):
    def explode(project, families=None):
        raise MemoryError  # str() is empty: the handler printed "sopbook: error: " and nothing else

    monkeypatch.setattr("sopbook.checks.run_checks", explode)
    assert main(["--root", str(project), "check"]) == 1
    first, second = capsys.readouterr().err.splitlines()
    assert first == "sopbook: error: MemoryError"
    assert "--debug" in second


def test_ctrl_c_during_a_build_exits_130_and_keeps_the_site(project, capsys, monkeypatch):
    monkeypatch.setattr(sopbook.build, "build_web", failing_web(KeyboardInterrupt()))
    assert main(["--root", str(project), "build", "--no-cards"]) == 130
    assert "sopbook: interrupted; the previous site/ is unchanged" in capsys.readouterr().err
    assert_previous_site_intact(project)


def test_an_unreadable_content_file_is_located_not_a_permission_traceback(project, capsys, monkeypatch):
    real_open = open

    def deny(path, *args, **kwargs):  # chmod 000 does not stop root, so refuse the way the OS would
        if str(path).endswith("ch.yml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("sopbook.source.yaml_loader.open", deny, raising=False)
    assert main(["--root", str(project), "check"]) == 1
    out, err = capsys.readouterr()
    assert "error   cannot read the file: Permission denied  [load.file]" in out
    assert "Traceback" not in out + err
