"""The file rules for docs/, the hand-written pages and the images and handouts beside them.

MkDocs publishes every file of docs_dir into the site and its search index, so docs/ gets the
rules content/ has: no link to a file outside the project (~/.ssh/id_rsa would be published), no
special file (a FIFO blocks for ever, /dev/zero never ends), a size limit, and pages in UTF-8,
named with the byte that is not. `sopbook check` walks docs/ with these rules and the plugin
applies them to MkDocs' own list of files, so both refuse the same files.
"""
from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

from sopbook.findings import Finding, Loc
from sopbook.i18n import N_
from sopbook.source.site_paths import docs_dir, setting
from sopbook.source.yaml_loader import CHECK_READABLE, TOO_BIG, UTF16, unreadable

MAX_PAGE_BYTES = 5_000_000  # as a content file: a lesson is a few kilobytes
MAX_FILE_BYTES = 50_000_000  # an image, a PDF handout


CONTENT_FILES = N_("content files are plain YAML files")


def unsafe_file(root: Path, path: Path, display: str, what: str = CONTENT_FILES) -> Finding | None:
    """Content comes from shared repositories: a file in content/ (or docs/) that links outside
    the project (to ~/.ssh/..., /dev/zero) or is not a regular file (a FIFO blocks for ever) is
    refused. `what` (a message id) says what the folder's files should be."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # dangling link or a loop of links
        if isinstance(exc, FileNotFoundError):
            message = N_("cannot open {file}: FileNotFoundError")
        elif isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
            message = N_("cannot open {file}: {error} (the links point at each other in a loop)")
        else:
            message = N_("cannot open {file}: {error}")
        return Finding("error", "load.file", message, Loc(display, 1), N_("remove the broken link"),
                       params={"file": display, "error": exc.__class__.__name__})
    if not resolved.is_relative_to(root):
        return Finding("error", "load.file", N_("{file} links to a file outside the project ({target})"),
                       Loc(display, 1), N_("copy the file into the project instead of linking it"),
                       params={"file": display, "target": str(resolved)})
    if not resolved.is_file():
        return Finding("error", "load.file", N_("{file} is not a regular file"), Loc(display, 1), what,
                       params={"file": display})
    return None


def _display(root: Path, path: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        return str(path)


def reserved_page(root: Path, display: str) -> Finding:
    """A docs/ page where the handbook writes a generated page of its own (syllabus, cards...)."""
    return Finding("error", "references.reserved-page", N_("{file} is a page the handbook generates itself"),
                   Loc(display, 1), N_("move the page to another name, e.g. {docs}/trainers/"),
                   params={"file": display, "docs": docs_dir(root)})


def is_page(path: Path | str) -> bool:
    return str(path).endswith(".md")


def file_problem(root: Path, path: Path, display: str) -> Finding | None:
    """Why MkDocs must not publish this docs/ file; None when it may."""
    problem = unsafe_file(Path(root).resolve(), Path(path), display,
                          N_("docs/ holds plain files: pages, images, handouts"))
    if problem is not None:
        return problem
    limit = MAX_PAGE_BYTES if is_page(path) else MAX_FILE_BYTES
    size = Path(path).stat().st_size
    if size > limit:
        return Finding("error", "load.size", TOO_BIG, Loc(display, 1),
                       N_("split the page into several pages") if is_page(path)
                       else N_("make the file smaller, or link to it on another server"),
                       params={"size": f"{size:,}", "limit": f"{limit:,}"})
    return None


def read_page(root: Path, path: Path, display: str) -> tuple[str | None, Finding | None]:
    """A trainer page's text as MkDocs reads it (UTF-8, BOM dropped), or why it cannot be read."""
    problem = file_problem(root, path, display)
    if problem is not None:
        return None, problem
    try:
        with open(path, "rb") as handle:  # never more than the limit, even if the file grew
            data = handle.read(MAX_PAGE_BYTES + 1)
    except OSError as exc:
        message, params = unreadable(exc)
        return None, Finding("error", "load.file", message, Loc(display, 1), CHECK_READABLE, params=params)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = (UTF16 if data[:2] in (b"\xff\xfe", b"\xfe\xff")
                else N_("save the page as UTF-8 (a GBK or GB2312 page is shown as garbage)"))
        return None, Finding("error", "load.encoding",
                             N_("page is not UTF-8 (byte 0x{byte} at offset {offset})"),
                             Loc(display, line, col), hint,
                             params={"byte": f"{data[exc.start]:02x}", "offset": exc.start})


def walk_docs(root: Path) -> Iterator[Path]:
    """The files MkDocs would take from docs_dir: it follows links to folders and leaves out
    names starting with a dot. A folder link outside the project or back into its own parents is
    yielded itself (file_problem refuses it), never followed."""
    root = Path(root).resolve()
    base = root / docs_dir(root)
    if not base.is_dir():
        return
    seen: set[Path] = set()

    def visit(folder: Path) -> Iterator[Path]:
        real = folder.resolve()
        if real in seen:
            return
        seen.add(real)
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                target = entry.resolve()
                if entry.is_symlink() and (not target.is_relative_to(root) or real.is_relative_to(target)):
                    yield entry
                else:
                    yield from visit(entry)
            else:
                yield entry

    yield from visit(base)


def docs_findings(root: Path) -> list[Finding]:
    """Every file of docs/ that must not be published, and every page that is not UTF-8."""
    root = Path(root).resolve()
    folder = root / docs_dir(root)
    if folder.exists() and not folder.resolve().is_relative_to(root):
        # docs_dir: /etc, or docs/ a link to a home folder: MkDocs would publish all of it.
        given = setting(root, "docs_dir")
        return [Finding("error", "load.file", N_("the docs folder {docs} is outside the project ({target})"),
                        given.loc if given else Loc(docs_dir(root), 1),
                        N_("keep the hand-written pages in docs/ inside the project"),
                        params={"docs": docs_dir(root), "target": str(folder.resolve())})]
    out = []
    for path in walk_docs(root):
        display = _display(root, path)
        problem = read_page(root, path, display)[1] if is_page(path) else file_problem(root, path, display)
        if problem is not None:
            out.append(problem)
    return out


def trainer_pages(root: Path) -> Iterator[tuple[str, str]]:
    """(display path, text) of every readable page in docs/."""
    root = Path(root).resolve()
    for path in walk_docs(root):
        if is_page(path):
            display = _display(root, path)
            text, _problem = read_page(root, path, display)
            if text is not None:
                yield display, text
