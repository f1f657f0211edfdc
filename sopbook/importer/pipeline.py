"""From a course document's text to a draft chapter: read lines, group them, build the chapter,
finish it, write it, and read it back with sopbook's own loader and model."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

from pydantic import ValidationError

from sopbook.findings import Finding, LoadFailed
from sopbook.i18n import N_, SOURCE_LANGUAGE, Said
from sopbook.importer import ids
from sopbook.importer.draft import kind_of_lines, walk
from sopbook.importer.finish import finish
from sopbook.importer.lines import read_lines
from sopbook.importer.structure import build
from sopbook.importer.tokens import tokenize
from sopbook.importer.yaml_text import write
from sopbook.model.errors import validation_findings
from sopbook.model.nodes import Chapter
from sopbook.source.yaml_loader import parse_yaml

DEFAULT_ID = "chapter"


class NothingToImport(ValueError):
    """The document has no line of text a chapter could take as its title."""


@dataclass(frozen=True)
class ImportResult:
    chapter_id: str
    source_name: str
    yaml: str
    source_lines: dict[int, str]  # every line with text, by number
    placed: dict[int, str]  # line -> the type of the block (or section, chapter) that holds it
    unplaced: list[tuple[int, str]]  # lines that have no place, with their text
    blocks: Counter[str] = field(default_factory=Counter)  # blocks of each type in the draft
    rebuilt_tables: int = 0
    load_findings: list[Finding] = field(default_factory=list)  # the draft read back: none expected
    chapter: Chapter | None = None

    @property
    def share_placed(self) -> float:
        return len(self.placed) / len(self.source_lines) if self.source_lines else 1.0


def chapter_id_for(source_name: str) -> str:
    return ids.file_slug(PurePath(source_name).stem) or DEFAULT_ID


def import_text(text: str, source_name: str, chapter_id: str | None = None,
                lang: str = SOURCE_LANGUAGE) -> ImportResult:
    """The draft chapter of a course document. `lang` is the language of the draft's comments."""
    chapter_id = chapter_id or chapter_id_for(source_name)
    lines = read_lines(text)
    draft, unplaceable = build(tokenize(lines))
    if "title" not in draft:
        raise NothingToImport(source_name)
    finish(draft, chapter_id)
    header = [Said(N_("Draft imported from {source} by sopbook import: text is copied verbatim, and a "
                      "comment says where a title, a number or a link came from. Check it against the "
                      "source."),
                   {"source": PurePath(source_name).name})]
    yaml_text = write(draft, header, lang)
    placed = {n: k for n, k in kind_of_lines(draft).items()}
    unplaced = sorted({(line.number, line.text) for line in lines if line.number not in placed}
                      | set(unplaceable))
    for number, _ in unplaced:
        placed.pop(number, None)
    blocks = Counter(n.kind for n in walk(draft) if "type" in n.fields)
    rebuilt = sum(1 for n in walk(draft) if n.kind in ("table", "segments", "kpis") and (
        "reconstructed" in n.fields or any("split cells" in c.msgid for c in n.comments)))
    chapter, findings = read_back(yaml_text, f"content/{chapter_id}.yml")
    return ImportResult(chapter_id, source_name, yaml_text, {x.number: x.text for x in lines}, placed,
                        unplaced, blocks, rebuilt, findings, chapter)


def read_back(yaml_text: str, display: str) -> tuple[Chapter | None, list[Finding]]:
    """The draft as `sopbook check` will read it: sopbook's YAML loader, then the model."""
    try:
        data = parse_yaml(yaml_text, display)
        return Chapter.model_validate(data), []
    except LoadFailed as exc:
        return None, list(exc.findings)
    except ValidationError as exc:
        return None, validation_findings(exc, data, display)
