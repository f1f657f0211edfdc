"""`sopbook import FILE.txt [-o content/ID.yml]`: a course document into a draft chapter.

Without -o it writes nothing: it reports what it found and where it would write the draft
(content/<id>.yml); `-o -` prints the draft instead. With -o it writes the draft there, but only
inside the project's content/ folder, as a .yml file, never through a link and never over an
existing file unless --force: a draft must not replace a chapter someone has been editing.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from sopbook.findings import shown
from sopbook.i18n import N_, say
from sopbook.importer import ids
from sopbook.importer.pipeline import ImportResult, NothingToImport, chapter_id_for, import_text
from sopbook.importer.report import report_lines
from sopbook.model.nodes import ID_PATTERN
from sopbook.model.project import CONTENT_DIR
from sopbook.source.files import MAX_PAGE_BYTES

STDOUT = "-"


class Refused(Exception):
    """The command cannot go on; the message id and parameters say why and what to do."""

    def __init__(self, msgid: str, **params: object):
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


def cmd_import(args) -> int:
    lang = args.lang
    root = Path(args.root).resolve()

    def err(msgid: str, **params: object) -> None:
        print(f"sopbook: {say(msgid, lang, params)}", file=sys.stderr)

    try:
        text = read_document(Path(args.file), args.file)
        target = (None if args.out in (None, STDOUT)
                  else output_path(root, Path(args.out), args.out, args.force))
        chapter_id = args.id or (ids.file_slug(target.stem) if target else None) or chapter_id_for(args.file)
        if not re.match(ID_PATTERN, chapter_id):
            raise Refused(N_("--id {id}: an id is lowercase letters, digits and hyphens, e.g. delivery"),
                          id=shown(chapter_id))
        result = import_text(text, Path(args.file).name, chapter_id, lang)
    except Refused as exc:
        err(exc.msgid, **exc.params)
        return 1
    except NothingToImport:
        err(N_("the document {path} has no text to import"), path=shown(args.file))
        return 1
    report = print if args.out != STDOUT else (lambda line: print(line, file=sys.stderr))
    for line in report_lines(result, lang):
        report(line)
    if result.load_findings:
        return 1
    if args.out == STDOUT:
        sys.stdout.write(result.yaml)
        return 0
    if target is None:
        where = root / CONTENT_DIR / f"{result.chapter_id}.yml"
        suggested = Path(os.path.relpath(where)).as_posix()  # as the user would type it from here
        if where.exists():
            report(say(N_("{path} already exists: give -o {path} --force to replace it, or --id for another "
                          "chapter"), lang, {"path": suggested}))
        else:
            report(say(N_("would write {path}; give -o {path} to write the draft there"), lang,
                       {"path": suggested}))
        return 0
    try:
        write_draft(target, result)
    except OSError as exc:
        err(N_("cannot write the draft to {path}: {error}"), path=shown(args.out),
            error=exc.strerror or type(exc).__name__)
        return 1
    report(say(N_("wrote the draft to {path}"), lang, {"path": shown(args.out)}))
    report(say(N_("next: add '- id: {id}' to syllabus in handbook.yml, then run sopbook check"), lang,
               {"id": result.chapter_id}))
    return 0


def read_document(path: Path, given: str) -> str:
    try:
        if not path.is_file():
            raise Refused(N_("{path} is not a file: give the course document, a UTF-8 text file"),
                          path=shown(given))
        with open(path, "rb") as handle:
            data = handle.read(MAX_PAGE_BYTES + 1)
    except OSError as exc:
        raise Refused(N_("cannot read the document {path}: {error}"), path=shown(given),
                      error=exc.strerror or type(exc).__name__) from exc
    if len(data) > MAX_PAGE_BYTES:
        raise Refused(N_("{path} is larger than {limit} bytes: split the document by chapter"),
                      path=shown(given), limit=MAX_PAGE_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(N_("{path} is not UTF-8 text (byte at offset {offset}): save it as UTF-8"),
                      path=shown(given), offset=exc.start) from exc


def output_path(root: Path, path: Path, given: str, force: bool) -> Path:
    """Where -o may write: a .yml file in the project's content/ folder (links resolved), new
    unless --force."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    if absolute.suffix != ".yml":
        raise Refused(N_("{path}: a chapter is a .yml file (sopbook reads content/*.yml)"), path=shown(given))
    if absolute.is_symlink():
        raise Refused(N_("{path} is a link: write the draft to a plain file in content/"), path=shown(given))
    resolved = absolute.resolve()
    content = (root / CONTENT_DIR).resolve()
    if not resolved.is_relative_to(root):
        raise Refused(N_("{path} is outside the project folder {root}: write the draft into its "
                         "content/ folder"),
                      path=shown(given), root=shown(root))
    if resolved.parent != content:
        raise Refused(N_("{path} is not in the project's content/ folder, where chapters are read: "
                         "give -o content/<id>.yml"), path=shown(given))
    if resolved.exists() and not resolved.is_file():
        raise Refused(N_("{path} is not a regular file: give -o a chapter file in content/"),
                      path=shown(given))
    if resolved.exists() and not force:
        raise Refused(N_("{path} already exists: give --force to replace it"), path=shown(given))
    return resolved


def write_draft(target: Path, result: ImportResult) -> None:
    """Written whole or not at all: a new file in the folder, then moved over the name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(result.yaml)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
