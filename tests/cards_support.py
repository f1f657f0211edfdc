"""Card test helpers: copy a fixture project (plus the repo's macros/) and build its cards once.

Shared by tests/test_cards_*.py. Builds are cached per (fixture, jobs), so every test module
that asks for the same cards gets the one build, rendered once per session.
"""
from __future__ import annotations

import functools
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
A6_PT = (297.6, 419.5)
A4_PT = (595.3, 841.9)


def make_project(fixture: str | Path, where: Path) -> Path:
    """A copy of a fixture project with the repository's macros/, in `where` (as the benchmark does)."""
    source = FIXTURES / fixture if isinstance(fixture, str) else fixture
    root = where / source.name
    shutil.copytree(source, root)
    if not (root / "macros").exists():
        shutil.copytree(REPO / "macros", root / "macros")
    return root


def copy_real(root: Path, folders: tuple[str, ...] = ("content", "checklists", "macros")) -> Path:
    """A copy of the real handbook at `root`, so a test neither writes site/ nor races a build of
    the working tree (and may edit it)."""
    root.mkdir(parents=True)
    for name in ("handbook.yml", "mkdocs.yml"):
        shutil.copy(REPO / name, root / name)
    for name in folders:
        shutil.copytree(REPO / name, root / name)
    return root


@dataclass
class Built:
    root: Path
    out: Path
    project: object
    report: object


@functools.cache
def built(fixture: str, jobs: int = 2) -> Built:
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    where = Path(tempfile.mkdtemp(prefix=f"sopbook-cards-{fixture}-"))
    root = make_project(fixture, where)
    project = load_project(root)
    out = where / "site" / "cards"
    report = build_cards(project, out, jobs=jobs, progress=False)
    return Built(root, out, project, report)


# The fixtures' site_url is a reserved address, so no test card leads anywhere; every card build
# says so (the one finding a fixture's cards always have).
PLACEHOLDER = "cards.placeholder-site-url"


def besides_placeholder(findings: list) -> list:
    """The findings of a fixture's card build other than its placeholder site_url."""
    return [f for f in findings if f.code != PLACEHOLDER]


def pdf_text(path: Path, page: int | None = None) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    pages = reader.pages if page is None else [reader.pages[page]]
    return "\n".join(p.extract_text() for p in pages)


def squash(text: str) -> str:
    """Text without whitespace: extraction may break a line anywhere a card wrapped it."""
    return re.sub(r"\s+", "", text)


def card_items(node) -> list[str]:
    """The texts a card must show for its source: what a person ticks or reads on the job."""
    from sopbook.model.nodes import (
        BulletList,
        Checklist,
        FollowUps,
        KpiTable,
        Mot,
        MotSet,
        Procedure,
        SegmentTable,
    )

    if isinstance(node, Checklist):
        return [i.text for i in node.all_items()] + [g.title for g in node.groups]
    if isinstance(node, Procedure):
        out = []
        for step in node.steps:
            out += [step.title, *step.actions] + ([step.key] if step.key else [])
            out += [e.text for b in step.blocks if isinstance(b, FollowUps) for e in b.entries]
        return out
    if isinstance(node, SegmentTable):
        return [x for s in node.segments for x in (s.label, s.deadline, *s.strategy)]
    if isinstance(node, KpiTable):
        return [x for k in node.kpis for x in (k.name, k.definition)]
    if isinstance(node, BulletList):
        return [x for i in node.items for x in ([i] if isinstance(i, str)
                                                else [i.text, *card_items_list(i.children)])]
    if isinstance(node, MotSet):
        return [x for m in node.mots for x in card_items(m)]
    if isinstance(node, Mot):
        return [node.title, node.timing, *node.design]
    raise AssertionError(f"no expectation for {type(node).__name__}")


def card_items_list(children) -> list[str]:
    return [c if isinstance(c, str) else c.text for c in children]
