"""The build, top to bottom: load → check → render web → render cards → swap into place.

The new site is built in a temporary folder beside site/ and only renamed into place when
everything succeeded, so a failed or interrupted build leaves the previous site/ intact. A lock
file serialises concurrent builds of the same project.
"""
from __future__ import annotations

import fcntl
import glob
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sopbook._util.logs import collected
from sopbook.checks import run_checks
from sopbook.findings import Finding, LoadFailed, Loc, StageFailed, failing
from sopbook.i18n import N_
from sopbook.i18n import say as said
from sopbook.model.project import Project, load_project
from sopbook.source.language import handbook_language
from sopbook.source.site_paths import output_problem

SITE_DIR = "site"
LOCK_FILE = ".sopbook-build.lock"


class BuildFailed(StageFailed):
    verb = "build"


@dataclass
class BuildResult:
    site: Path
    findings: list[Finding]
    cards_rendered: list[str] = field(default_factory=list)
    cards_skipped: list[str] = field(default_factory=list)
    cards_counts: dict[str, int] = field(default_factory=dict)  # CardsReport.counts(); empty: no cards
    pages_reused: int = 0  # generated pages written as the previous build had them
    seconds: dict[str, float] = field(default_factory=dict)


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    path = root / LOCK_FILE
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            locked = Finding("error", "build.locked", N_("another sopbook build of this project is running"),
                             Loc(LOCK_FILE), N_("wait for it to finish, then build again"))
            raise BuildFailed([locked], "lock") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _mkdocs_findings(messages: list[str], fallback: str) -> list[Finding]:
    """MkDocs' own errors (mkdocs.yml, the theme, other plugins), one finding per message; the
    sopbook plugin's findings come as data (web/handoff.py) and are never read from the log."""
    out: list[Finding] = []
    for message in messages or [fallback]:
        # MkDocs' own YAML errors end with the place: in "<mkdocs.yml>", line 2, column 10
        marks = _YAML_MARK.findall(message)
        where = Loc("mkdocs.yml", int(marks[-1][0]), int(marks[-1][1])) if marks else Loc("mkdocs.yml")
        out.append(Finding("error", "build.web", N_("MkDocs: {detail}"), where,
                           N_("fix mkdocs.yml at that place") if marks else
                           N_("sopbook build --verbose shows MkDocs' whole log"),
                           params={"detail": message.strip()}))
    return out


_YAML_MARK = re.compile(r'in "[^"]*mkdocs\.yml", line (\d+), column (\d+)')


def build_web(project: Project, out: Path, findings: list[Finding] | None = None,
              previous: Path | None = None) -> int:
    """Run MkDocs (with the sopbook plugin) into `out`; the plugin reuses `project` and `findings`,
    and the generated pages of `previous` (a site built before) that nothing changed.
    Returns how many pages were taken from `previous`."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material 9.8's banner on every build
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from sopbook.web.handoff import Handoff
    from sopbook.web.plugin import SopbookPlugin

    config_file = project.root / "mkdocs.yml"
    if not config_file.exists():
        raise BuildFailed([no_config()], "web")
    plugin: SopbookPlugin | None = None
    # MkDocs' own errors: its exception only says 'Aborted with a BuildError!'.
    with collected("mkdocs", logging.ERROR) as messages:
        try:
            config = load_config(str(config_file), site_dir=str(out))
            found = config.plugins.get("sopbook")
            plugin = found if isinstance(found, SopbookPlugin) else None
            if findings is not None and plugin is not None:
                plugin.handoff = Handoff(project, findings, previous)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
            # Every page planned for reuse was written from the previous site, or the build failed.
            return len(plugin.result.reused) if plugin is not None else 0
        except MkDocsException as exc:
            carried = list(plugin.result.failures) if plugin is not None else []
            raise BuildFailed(carried or _mkdocs_findings(messages, str(exc)), "web") from exc


def build_cards(project: Project, out: Path, previous: Path | None, jobs: int | None, progress: bool | None,
                force: bool = False):
    from sopbook.cards import build_cards as render

    return render(project, out, previous=previous, jobs=jobs, progress=progress, force=force)


def write_offline(project: Project, site: Path) -> list[Finding]:
    """The offline handbook's service worker stores the card PDFs too, so its list and build hash
    are written again once the cards exist (the plugin wrote them when MkDocs finished)."""
    from sopbook.web import offline

    return offline.write(site, project.handbook.title, project.handbook.subtitle, lang=project.language)


def _swap(tmp: Path, site: Path) -> None:
    old = site.with_name(f"{site.name}.old-{os.getpid()}")
    had_site = site.exists()
    try:
        if had_site:
            site.rename(old)
        tmp.rename(site)
    except BaseException:  # failed or interrupted between the two renames: never leave no site at all
        if had_site and not site.exists() and old.exists():
            old.rename(site)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(site: Path) -> None:
    """A build killed outright (SIGKILL, power cut) leaves its temporary folder; under the lock no
    other build is running, so every `site.tmp-<pid>` and `site.old-<pid>` beside site/ is stale."""
    for stale in site.parent.glob(f"{glob.escape(site.name)}.*-*"):
        kind, _, pid = stale.name[len(site.name) + 1:].partition("-")
        if kind in ("tmp", "old") and pid.isdigit() and stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


def no_config() -> Finding:
    """A project without mkdocs.yml: the build and the export say it alike."""
    return Finding("error", "build.config", N_("no mkdocs.yml in the project"), Loc("mkdocs.yml"),
                   N_("copy mkdocs.yml from the sopbook repository"))


def load_checked(root: Path, failed: type[StageFailed],
                 language: str | None = None) -> tuple[Project, list[Finding]]:
    """Load and check the content; stop with `failed` before anything is written when it fails.
    `language` (`--lang`) overrides the handbook's own for what the project says."""
    try:
        project = load_project(root, language)
    except LoadFailed as exc:
        raise failed(exc.findings, "load") from exc
    findings = run_checks(project)
    if failing(findings):
        raise failed(findings, "check")
    return project, findings


def build(root: Path | str, *, site_dir: str | None = None, jobs: int | None = None,
          progress: bool | None = None,
          cards: bool = True, say: Callable[[str], None] = lambda _msg: None,
          language: str | None = None) -> BuildResult:
    """Build the site; `say` gets each stage's progress line in `language` (`--lang`; the
    handbook's own language when None)."""
    root = Path(root).resolve()
    lang = handbook_language(root, language)
    site = Path(site_dir).resolve() if site_dir else root / SITE_DIR
    # The build replaces the output folder whole: refused before anything is read or touched
    # when that folder is, holds or lies inside the sources (`--site content`, `--site .`).
    given = f"--site {site_dir}" if site_dir else f"{SITE_DIR}/"
    problem = output_problem(root, site, Loc(f"sopbook build {given}"), f"({given})")
    if problem is not None:
        raise BuildFailed([problem], "site folder")
    seconds: dict[str, float] = {}

    t = time.perf_counter()
    say(said(N_("loading content"), lang))
    project, findings = load_checked(root, BuildFailed, lang)
    seconds["check"] = time.perf_counter() - t

    if cards:
        from sopbook.cards.fonts import find_cjk_font, font_finding

        if find_cjk_font() is None:  # before any rendering: never tofu boxes
            raise BuildFailed([font_finding()], "fonts")

    with build_lock(root):
        _remove_leftovers(site)
        tmp = site.with_name(f"{site.name}.tmp-{os.getpid()}")
        try:
            t = time.perf_counter()
            say(said(N_("building the web handbook"), lang))
            try:
                reused = build_web(project, tmp, findings, site)
            except BuildFailed as exc:  # reported with the check's findings, as `sopbook check` counts them
                added = [f for f in exc.findings if f not in findings]
                raise BuildFailed(findings + added, exc.stage) from exc
            seconds["web"] = time.perf_counter() - t
            result = BuildResult(site, findings, seconds=seconds, pages_reused=reused)
            if cards:
                t = time.perf_counter()
                say(said(N_("rendering checklist cards"), lang))
                report = build_cards(project, tmp / "cards", site / "cards", jobs, progress)
                seconds["cards"] = time.perf_counter() - t
                result.cards_rendered, result.cards_skipped = report.rendered, report.skipped
                result.cards_counts = report.counts()
                if failing(report.findings):
                    raise BuildFailed(findings + report.findings, "cards")
                result.findings = findings + report.findings
            t = time.perf_counter()
            problems = write_offline(project, tmp)
            if problems:
                raise BuildFailed(result.findings + problems, "offline")
            seconds["offline"] = time.perf_counter() - t
            _swap(tmp, site)
            return result
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def quiet_mkdocs_logging(verbose: bool = False) -> None:
    """MkDocs logs every page at INFO; show warnings only, unless asked."""
    logging.basicConfig(format="%(levelname)s  %(name)s: %(message)s",
                        level=logging.INFO if verbose else logging.WARNING)
