"""Printable checklist cards (issue 6): one A6 PDF per card in checklists/, and an A4 4-up sheet.

    report = build_cards(project, Path("site/cards"), previous=Path("site/cards"))

The pipeline reads top to bottom: font check → resolve each card → render its HTML → skip the
cards whose key is unchanged → render the rest in parallel with a fit check → impose the A4
sheet → write the manifest. Findings are returned, never printed; WeasyPrint is imported only
when a card has to be rendered.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding, Loc
from ..project import Project
from .cache import Manifest, card_key, sheet_key
from .fonts import find_cjk_font, font_finding
from .html import CARD_CSS, card_html, stylesheet
from .impose import SheetCard, impose
from .pdf import CardJob, CardResult
from .qr import MKDOCS_FILE, site_url
from .sources import CardSources, card_address, card_loc, printable_types, resolve_card

SHEET_FILE = "all-cards-a4.pdf"


@dataclass
class CardsReport:
    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sheet: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def _reuse(previous: Path, out_dir: Path, name: str) -> bool:
    """Bring an unchanged file from the previous build into out_dir; False if it is not there."""
    source = previous / name
    if not source.is_file():
        return False
    target = out_dir / name
    if source.resolve() != target.resolve():
        # A hard link, not a copy: at 5000 cards a copy moved a gigabyte on every build. Nothing
        # writes into a reused file; a file about to be rewritten is unlinked first (_fresh).
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:  # another file system, or no hard links there
            shutil.copy2(source, target)
    return True


def _fresh(path: Path) -> Path:
    """`path` ready to be written without touching a file it shares with an older build."""
    if path.is_file() and path.stat().st_nlink > 1:
        path.unlink()
    return path


def _result_findings(sources: CardSources, result: CardResult) -> list[Finding]:
    card = sources.card
    out = []
    for over in result.overflows:
        out.append(Finding(
            "error", "cards.overflow", f"card '{card.id}' does not fit its {card.format.upper()} page: {over.describe()}",
            card_loc(card), "shorten the items, move content to the back (back: [...]), or split the card in two",
            card_address(card)))
    if result.error:
        out.append(Finding("error", "cards.render-failed", f"card '{card.id}' could not be rendered: {result.error}",
                           card_loc(card), "", card_address(card)))
    for message in dict.fromkeys(result.warnings):
        out.append(Finding("warning", "cards.render-warning", f"card '{card.id}': {message}", card_loc(card), "",
                           card_address(card)))
    return out


def build_cards(project: Project, out_dir: Path, *, previous: Path | None = None, jobs: int | None = None,
                progress: bool | None = None, force: bool = False) -> CardsReport:
    from .parallel import run, worker_count

    report = CardsReport()
    started = time.perf_counter()
    font = find_cjk_font()
    if font is None:  # before any rendering: never tofu boxes, never a crash inside subsetting
        report.findings.append(font_finding())
        return report

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = Path(previous) if previous is not None else out_dir
    old = Manifest.load(previous)
    new = Manifest()
    root = project.root
    try:
        css = stylesheet(root, font)
    except OSError as exc:
        report.findings.append(Finding("error", "cards.template", f"cannot read the card stylesheet: {exc}",
                                       Loc(f"macros/{CARD_CSS}"), "copy macros/ from the sopbook repository"))
        return report
    font_signature = font.signature()
    url = site_url(root)
    if url is None and project.cards:
        report.findings.append(Finding(
            "warning", "cards.no-site-url", "mkdocs.yml has no site_url: the cards are printed without a QR code",
            Loc(MKDOCS_FILE), "set site_url to the handbook's public address"))

    # Resolve and render each card's HTML (cheap); the key decides whether it needs a PDF.
    printable = printable_types(root)
    planned: dict[str, CardSources] = {}
    keys: dict[str, str] = {}
    todo: list[CardJob] = []
    for card in project.cards:
        sources, problems = resolve_card(project, card, printable)
        if sources is None:
            report.findings.extend(problems)
            continue
        try:
            html = card_html(project, sources, url)
        except Exception as exc:  # a template error names the card, not a Jinja traceback
            report.findings.append(Finding("error", "cards.template", f"card '{card.id}': {type(exc).__name__}: {exc}",
                                           card_loc(card), "see macros/card/card.html and macros/blocks/",
                                           card_address(card)))
            continue
        planned[card.id] = sources
        keys[card.id] = key = card_key(html, css, font_signature)
        name = f"{card.id}.pdf"
        if not force and old.key(card.id) == key and _reuse(previous, out_dir, name):
            report.skipped.append(card.id)
            new.cards[card.id] = old.cards[card.id]
        else:
            todo.append(CardJob(card.id, html, sources.sides, str(_fresh(out_dir / name))))
    report.seconds["html"] = time.perf_counter() - started

    def collect(result: CardResult) -> None:
        sources = planned[result.card_id]
        report.findings.extend(_result_findings(sources, result))
        if result.ok:
            report.rendered.append(result.card_id)
            new.cards[result.card_id] = {"key": keys[result.card_id], "pages": result.pages, "size": result.size}

    t = time.perf_counter()
    run(root, css, todo, worker_count(jobs, len(todo)), progress, collect)
    report.seconds["render"] = time.perf_counter() - t
    report.rendered.sort(key=[c.id for c in project.cards].index)

    failed = any(f.level == "error" for f in report.findings)
    # Cards that stopped being defined (or failed) leave no PDF behind in an in-place build.
    for card_id in set(old.cards) - set(new.cards):
        (out_dir / f"{card_id}.pdf").unlink(missing_ok=True)

    t = time.perf_counter()
    sheet = out_dir / SHEET_FILE
    if failed or not new.cards:
        sheet.unlink(missing_ok=True)  # never a sheet that silently lacks a card
    else:
        ordered = [c.id for c in project.cards if c.id in new.cards]
        skey = sheet_key([(cid, keys[cid]) for cid in ordered])
        if force or old.sheet.get("key") != skey or not _reuse(previous, out_dir, SHEET_FILE):
            impose([SheetCard(cid, out_dir / f"{cid}.pdf", bool(planned[cid].backs)) for cid in ordered], _fresh(sheet),
                   title=f"{project.handbook.title} · 检查卡 A4")
        new.sheet = {"key": skey, "file": SHEET_FILE}
        report.sheet = sheet
    report.seconds["sheet"] = time.perf_counter() - t
    new.save(out_dir)
    report.seconds["total"] = time.perf_counter() - started
    return report


__all__ = ["CardsReport", "build_cards", "SHEET_FILE"]
