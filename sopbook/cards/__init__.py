"""Printable checklist cards: one A6 PDF per card in checklists/, and A4 4-up sheets.

    report = build_cards(project, Path("site/cards"), previous=Path("site/cards"))

The pipeline reads top to bottom: font check → resolve each card → render its HTML → skip the
cards whose key is unchanged → check that WeasyPrint can subset fonts with HarfBuzz → render
the rest in parallel with a fit check → impose the A4 sheets → write the manifest. Findings are
returned, never printed; WeasyPrint is imported only when a card has to be rendered.

There is one A4 sheet per card-definition file (checklists/delivery.yml -> a4/delivery.pdf),
not one for the whole handbook: a single sheet of 5000 cards was 1.2 GB and was imposed again
whenever any one card changed, so a one-line fix cost as much as a full build. A
sheet is imposed again only when one of its own cards (or the imposition code) changed.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from sopbook.cards.cache import Manifest, card_key, sheet_key
from sopbook.cards.fonts import find_cjk_font, font_finding, harfbuzz_subset_available, subset_finding
from sopbook.cards.glyphs import page_chars, undrawable
from sopbook.cards.html import (
    STYLESHEET_ERRORS,
    card_html,
    edition_of,
    stylesheet,
    stylesheet_finding,
    template_finding,
)
from sopbook.cards.impose import SheetCard, SheetJob, impose_all
from sopbook.cards.pdf import CardJob, CardResult
from sopbook.cards.preflight import FitCache, overflow_findings
from sopbook.cards.qr import MKDOCS_FILE, SiteUrl, resolve_site_url
from sopbook.findings import Finding, Loc
from sopbook.i18n import N_, SOURCE_LANGUAGE, say
from sopbook.model.cards import (
    SHEET_DIR,
    CardSources,
    card_address,
    card_loc,
    printable_types,
    resolve_card,
    sheet_chapter,
    sheet_file,
    sheet_groups,
    sheet_name,
    sheet_title,
)
from sopbook.model.editions import REPRINT_PREFIX, CardEdition, reprint, reprint_name
from sopbook.model.nodes import Card
from sopbook.model.project import CARDS_DIR, Project

# The single sheet of earlier versions (a valid card id too, so removed only when no card owns it).
_LEGACY_SHEET = "all-cards-a4"


@dataclass
class CardsReport:
    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sheets: list[Path] = field(default_factory=list)  # every sheet of this build, in checklists/ order
    imposed: list[str] = field(default_factory=list)  # names of the sheets imposed (not reused) this time
    seconds: dict[str, float] = field(default_factory=dict)
    language: str = SOURCE_LANGUAGE  # the project's: what summary() says

    def counts(self) -> dict[str, int]:
        """What this run rendered and imposed, and what it reused: the terminal lines' numbers."""
        return {"rendered": len(self.rendered), "unchanged": len(self.skipped), "imposed": len(self.imposed),
                "sheets": len(self.sheets)}

    def summary(self, lang: str | None = None) -> str:
        """One line for the terminal, in the project's language unless `lang` is given."""
        return say(N_("rendered {rendered}, unchanged {unchanged}; A4 sheets imposed {imposed} of {sheets}"),
                   lang or self.language, self.counts())


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
    out = overflow_findings(card, result.overflows)
    if result.error:
        text = (N_("card '{card}' could not be rendered: worker failed: {error}") if result.worker_failed
                else N_("card '{card}' could not be rendered: {error}"))
        out.append(Finding("error", "cards.render-failed", text, card_loc(card), "", card_address(card),
                           params={"card": card.id, "error": result.error}))
    return out


def _warning_findings(warned: dict[str, list[Card]], order: list[str]) -> list[Finding]:
    """One finding per kind of WeasyPrint warning, with how often and on which cards it came:
    a font problem warns once per card and font, and forty identical lines hide the one that
    names a card's own problem. Located at the first card (in checklists/ order) that logged it."""
    out = []
    for message, logged in sorted(warned.items(), key=lambda item: min(order.index(c.id) for c in item[1])):
        by_id = {card.id: card for card in logged}
        cards = sorted(by_id, key=order.index)
        first = by_id[cards[0]]
        if len(logged) == 1:
            text = N_("card '{card}': weasyprint: {message}")
        elif len(cards) == 1:
            text = N_("weasyprint: {message} (×{times}, card {cards})")
        elif len(cards) <= 3:
            text = N_("weasyprint: {message} (×{times}, cards {cards})")
        else:
            text = N_("weasyprint: {message} (×{times}, cards {cards} and {more} more)")
        out.append(Finding("warning", "cards.render-warning", text, card_loc(first), "", card_address(first),
                           params={"card": first.id, "message": message, "times": len(logged),
                                   "cards": ", ".join(f"'{card_id}'" for card_id in cards[:3]),
                                   "more": len(cards) - 3}))
    return out


def build_cards(project: Project, out_dir: Path, *, previous: Path | None = None, jobs: int | None = None,
                progress: bool | None = None, force: bool = False) -> CardsReport:
    from sopbook.cards.parallel import run, worker_count

    report = CardsReport(language=project.language)
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
        css = stylesheet(root, font, project.language)
    except STYLESHEET_ERRORS as exc:
        report.findings.append(stylesheet_finding(root, exc))
        return report
    font_signature = font.signature()
    # As the web build has it, so the QR codes open the same handbook (MkDocs loads its plugins:
    # not for a project without cards).
    site = resolve_site_url(root) if project.cards else SiteUrl(None)
    url = site.url
    if site.problem:
        report.findings.append(Finding("warning", site.code, site.problem, Loc(MKDOCS_FILE, site.line),
                                       site.hint, params=site.params))

    # Resolve and render each card's HTML (cheap); the key decides whether it needs a PDF.
    printable = printable_types(root)
    planned: dict[str, CardSources] = {}
    editions: dict[str, CardEdition] = {}  # what each card prints of the ledger, worked out once
    keys: dict[str, str] = {}
    chars: dict[str, frozenset[str]] = {}
    todo: list[CardJob] = []
    for card in project.cards:
        sources, problems = resolve_card(project, card, printable)
        if sources is None:
            report.findings.extend(problems)
            continue
        editions[card.id] = edition_of(project, sources)
        try:
            html = card_html(project, sources, url, editions[card.id])
        except Exception as exc:  # a template error names the template's line and the card
            report.findings.append(template_finding(root, sources, exc))
            continue
        planned[card.id] = sources
        chars[card.id] = page_chars(html)
        keys[card.id] = key = card_key(html, css, font_signature)
        name = f"{card.id}.pdf"
        if not force and old.key(card.id) == key and _reuse(previous, out_dir, name):
            report.skipped.append(card.id)
            new.cards[card.id] = old.cards[card.id]
        else:
            todo.append(CardJob(card.id, html, sources.sides, str(out_dir / name)))
    report.seconds["html"] = time.perf_counter() - started
    undrawn = undrawable(project, planned, chars, font)
    if undrawn:  # before rendering: an empty box on a laminated card is found on the wall, too late
        report.findings.extend(undrawn)
        return report
    if todo and not harfbuzz_subset_available():  # stop before rendering, not 20 s into each card
        report.findings.append(subset_finding())
        return report
    for job in todo:
        _fresh(Path(job.out))

    warned: dict[str, list[Card]] = {}  # each WeasyPrint warning, with the card of each time it came

    fits = FitCache(root)  # what `sopbook check` then knows of each card's fit without a layout

    def collect(result: CardResult) -> None:
        sources = planned[result.card_id]
        if not result.error:
            fits.put(keys[result.card_id], result.overflows)
        report.findings.extend(_result_findings(sources, result))
        for message in result.warnings:
            warned.setdefault(message, []).append(sources.card)
        if result.ok:
            report.rendered.append(result.card_id)
            new.cards[result.card_id] = {"key": keys[result.card_id], "pages": result.pages,
                                         "size": result.size}

    t = time.perf_counter()
    run(root, css, todo, worker_count(jobs, len(todo)), progress, collect, project.language)
    report.findings.extend(_warning_findings(warned, [c.id for c in project.cards]))
    report.seconds["render"] = time.perf_counter() - t
    fits.save()
    report.rendered.sort(key=[c.id for c in project.cards].index)

    failed = any(f.level == "error" for f in report.findings)
    # Cards that stopped being defined (or failed) leave no PDF behind in an in-place build.
    for card_id in set(old.cards) - set(new.cards):
        (out_dir / f"{card_id}.pdf").unlink(missing_ok=True)
    if _LEGACY_SHEET not in new.cards:
        (out_dir / f"{_LEGACY_SHEET}.pdf").unlink(missing_ok=True)

    t = time.perf_counter()
    # Any error means no sheet at all: never one that silently lacks a card, and no half set
    # that looks complete. Each sheet is keyed by its own cards only.
    if not failed:
        title = project.handbook.title
        stale: list[SheetJob] = []
        groups = sheet_groups(project.cards)
        if groups:
            (out_dir / SHEET_DIR).mkdir(exist_ok=True)
        reprint_ids = [e.card_id for e in reprint(project.ledger, [editions[cid] for cid in planned])]
        reprint_sheet = reprint_name(project.ledger)
        if reprint_ids and reprint_sheet is not None:
            # The cards the last release changed, on a sheet of their own: what to laminate again.
            groups[reprint_sheet] = [c for c in project.cards if c.id in reprint_ids]
        for name, cards in groups.items():
            ids = [c.id for c in cards]
            if not all(cid in new.cards for cid in ids):
                continue  # unreachable without an error finding; a sheet must hold all its cards
            file = sheet_file(name)
            pdf_title = (sheet_title(title, name, [planned[cid].front.chapter for cid in ids],
                                     project.language)
                         if not name.startswith(REPRINT_PREFIX)
                         else say(N_("{handbook} · reprint {date} · checklist cards A4"), project.language,
                                  {"handbook": title, "date": name.removeprefix(REPRINT_PREFIX)}))
            skey = sheet_key([(cid, keys[cid]) for cid in ids], pdf_title)
            if force or old.key_of_sheet(name) != skey or not _reuse(previous, out_dir, file):
                stale.append(SheetJob(tuple(SheetCard(cid, out_dir / f"{cid}.pdf", bool(planned[cid].backs))
                                            for cid in ids), _fresh(out_dir / file), pdf_title))
                report.imposed.append(name)
            new.sheets[name] = {"key": skey, "file": file, "cards": ids}
            report.sheets.append(out_dir / file)
        for out, error in impose_all(stale, worker_count(jobs, len(stale))).items():
            name = out.stem
            first = groups[name][0]
            report.findings.append(Finding(
                "error", "cards.sheet-failed", N_("the A4 sheet {file} could not be imposed: {error}"),
                Loc(first.at.file) if first.at else Loc(CARDS_DIR),
                N_("build again with --force; if it fails again, report it with the card PDFs of that file"),
                params={"file": sheet_file(name), "error": error}))
            report.sheets.remove(out)
            del new.sheets[name]
    # Sheets of files that failed, or that no longer define cards, go (in an in-place build).
    keep = set(report.sheets)
    for leftover in (out_dir / SHEET_DIR).glob("*.pdf"):
        if leftover not in keep:
            leftover.unlink()
    report.seconds["sheet"] = time.perf_counter() - t
    new.save(out_dir)
    report.seconds["total"] = time.perf_counter() - started
    return report


__all__ = [
    "SHEET_DIR",
    "CardsReport",
    "build_cards",
    "sheet_chapter",
    "sheet_file",
    "sheet_groups",
    "sheet_name",
    "sheet_title",
]
