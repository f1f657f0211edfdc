"""One benchmark stage per process: `python benchmarks/stages.py STAGE ARGS...`.

run.py starts every measured stage as its own process, so each one starts cold (imports
included, as an editor's command does), peak memory is that process's own ru_maxrss, and one
stage's caches never help the next. The last line a stage prints on stdout is a JSON object
with what it measured; anything else it prints is ignored.

Stages that only prepare inputs (capture, card-html) are not timed by run.py.
"""
from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def emit(**data) -> None:
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    data.setdefault("children_maxrss_kb", children)  # card workers, chromium
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _quiet() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("jieba").setLevel(logging.WARNING)


# ---- check --------------------------------------------------------------------------------------
def stage_check(root: str) -> None:
    """load + checks in one process, with the split (the CLI's wall time is measured by run.py)."""
    t0 = time.perf_counter()
    from sopbook.checks import run_checks
    from sopbook.findings import failing
    from sopbook.model.project import load_project

    t1 = time.perf_counter()
    project = load_project(root)
    t2 = time.perf_counter()
    findings = run_checks(project)
    t3 = time.perf_counter()
    emit(imports=t1 - t0, load=t2 - t1, checks=t3 - t2, total=t3 - t0, chapters=len(project.chapters),
         cards=len(project.cards), errors=len(failing(findings)))


# ---- web: the plain-MkDocs twin -----------------------------------------------------------------
def _plain_mkdocs_yml(source: str, site_name: str, nav: list, extra_css: list[str],
                      polyfills: list[str]) -> str:
    """The project's mkdocs.yml without the sopbook plugin, with what the plugin settles spelled out.

    The text is edited rather than re-dumped: mkdocs.yml holds a !!python tag (the slugify
    function) that a YAML round trip would not keep.
    """
    import yaml

    lines = [line for line in source.splitlines() if not re.fullmatch(r"\s*-\s*sopbook\s*(#.*)?", line)]
    text = "\n".join(lines)
    text = re.sub(r"(?m)^site_name:.*$", "site_name: " + json.dumps(site_name, ensure_ascii=False), text)
    extra = {"nav": nav, "extra_css": extra_css, "extra": {"polyfills": polyfills}}
    return text + "\n\n# written by benchmarks/stages.py capture\n" + yaml.safe_dump(
        extra, allow_unicode=True, sort_keys=False, width=200)


def _plain_data(value):
    """page.meta as front matter: a Markup title (already escaped for the theme) as its text."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return value.unescape()
    if isinstance(value, dict):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_data(v) for v in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def stage_capture(root: str, plain: str) -> None:
    """Write the Markdown the sopbook plugin hands MkDocs for every page into a plain project.

    The sopbook plugin runs its own hooks (on_config, on_files, on_page_markdown) exactly as in
    a build; each page's Markdown after on_page_markdown is what MkDocs converts, so the plain
    project converts the same text (for generated pages, which sopbook hands over as finished
    HTML without a Markdown pass, the plain project converts that HTML block). Titles and search
    exclusion the plugin sets in page.meta become front matter; the navigation the plugin builds
    becomes `nav:`; the plugin's CSS and file:// shim become ordinary files. Not reproduced: the
    plugin's table of contents for generated pages (Markdown does not see headings inside raw
    HTML), so the plain pages have an empty toc; that makes plain MkDocs slightly cheaper than an exact twin.
    """
    import yaml
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation

    _quiet()
    root_path, plain_path = Path(root), Path(plain)
    shutil.rmtree(plain_path, ignore_errors=True)
    (plain_path / "docs").mkdir(parents=True)
    config = load_config(str(root_path / "mkdocs.yml"), site_dir=str(plain_path / "unused-site"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = get_files(config)
    files = config.plugins.on_files(files, config=config)
    navigation = get_navigation(files, config)
    pages = 0
    for file in files:
        dest = plain_path / "docs" / file.src_uri
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not file.is_documentation_page():
            if file.generated_by or not file.abs_src_path:
                dest.write_bytes(file.content_bytes)
            else:
                shutil.copy(file.abs_src_path, dest)
            continue
        page = file.page
        page.read_source(config)
        source = page.markdown
        markdown = config.plugins.on_page_markdown(source, page=page, config=config, files=files)
        if file.generated_by and not markdown.strip():
            # sopbook skips Markdown for its generated pages (they are one raw HTML block); the
            # plain twin gets that block and converts it, as plain MkDocs would.
            markdown = source
        meta = {k: _plain_data(v) for k, v in page.meta.items() if k in ("title", "search")}
        front = f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n\n" if meta else ""
        dest.write_text(front + markdown, encoding="utf-8")
        pages += 1
    del navigation
    config.plugins.on_shutdown()
    source = (root_path / "mkdocs.yml").read_text(encoding="utf-8")
    (plain_path / "mkdocs.yml").write_text(_plain_mkdocs_yml(
        source, _plain_data(config.site_name), _plain_data(config.nav), list(map(str, config.extra_css)),
        [str(p) for p in config.extra.get("polyfills") or []]), encoding="utf-8")
    emit(pages=pages)


def stage_site_stats(site: str) -> None:
    """Sizes of a built site: total, search index, HTML pages (for the per-page figures)."""
    site_path = Path(site)
    pages = [p for p in site_path.rglob("*.html") if p.name != "404.html"]
    total = sum(p.stat().st_size for p in site_path.rglob("*") if p.is_file())
    index = site_path / "search" / "search_index.json"
    docs = 0
    if index.is_file():
        data = json.loads(index.read_text(encoding="utf-8"))
        docs = len(data.get("docs", []))
    emit(pages=len(pages), site_bytes=total, html_bytes=sum(p.stat().st_size for p in pages),
         search_index_bytes=index.stat().st_size if index.is_file() else 0, search_docs=docs,
         largest_page_bytes=max((p.stat().st_size for p in pages), default=0))


def stage_offline_size(site: str) -> None:
    """What a phone downloads to keep the handbook offline: the service worker's list, in bytes
    as stored and gzip-compressed file by file (as a static host serves them), by kind."""
    import gzip

    from sopbook.web import offline

    site_path = Path(site)
    files = offline.precache(site_path)
    kinds: dict[str, list[int]] = {}
    for rel in files:
        data = (site_path / rel).read_bytes()
        kind = ("cards" if rel.startswith("cards/") and rel.endswith(".pdf") else
                "pages" if rel.endswith(".html") else
                "search index" if rel == offline.SEARCH_INDEX else "assets")
        sizes = kinds.setdefault(kind, [0, 0, 0])
        sizes[0] += 1
        sizes[1] += len(data)
        sizes[2] += len(gzip.compress(data, 6))
    site_files = [p for p in site_path.rglob("*") if p.is_file()]
    emit(files=len(files), bytes=sum(v[1] for v in kinds.values()),
         gzip_bytes=sum(v[2] for v in kinds.values()), kinds=kinds, site_files=len(site_files),
         site_bytes=sum(p.stat().st_size for p in site_files))


# ---- cards --------------------------------------------------------------------------------------
def _card_jobs(root: str):
    """(card id, final HTML as WeasyPrint sees it, css) for every card of the project."""
    from sopbook.cards import html as card_html_mod
    from sopbook.cards import qr
    from sopbook.cards.fonts import find_cjk_font
    from sopbook.model.cards import printable_types, resolve_card
    from sopbook.model.project import load_project

    project = load_project(root)
    font = find_cjk_font()
    if font is None:
        raise SystemExit("benchmarks: no CJK font (install fonts-noto-cjk)")
    css = card_html_mod.stylesheet(project.root, font, project.language)
    url = qr.site_url(project.root)
    fill = getattr(qr, "fill_qr_slots", lambda page: page)  # QR codes filled in by the renderer
    printable = printable_types(project.root)
    out = []
    for card in project.cards:
        sources, _ = resolve_card(project, card, printable)
        if sources is not None:
            out.append((card.id, fill(card_html_mod.card_html(project, sources, url)), css))
    return project, out


def stage_card_html(root: str, folder: str) -> None:
    """Write each card's final HTML (QR code filled in) and the stylesheet, for the baselines."""
    project, jobs = _card_jobs(root)
    folder_path = Path(folder)
    shutil.rmtree(folder_path, ignore_errors=True)
    folder_path.mkdir(parents=True)
    (folder_path / "card.css").write_text(jobs[0][2] if jobs else "", encoding="utf-8")
    for card_id, html, css in jobs:
        (folder_path / f"{card_id}.html").write_text(html, encoding="utf-8")
        # Chromium gets one self-contained file: the same stylesheet inline.
        inline = html.replace("</head>", f"<style>{css}</style></head>", 1) if "</head>" in html else \
            f"<style>{css}</style>{html}"
        (folder_path / f"{card_id}.chromium.html").write_text(inline, encoding="utf-8")
    (folder_path / "root.txt").write_text(str(project.root), encoding="utf-8")
    emit(cards=len(jobs))


def stage_cards_bare(folder: str, out: str) -> None:
    """The baseline: a bare WeasyPrint loop over the same HTML, one write_pdf per card.

    As lean as a hand-written loop gets: one process, the stylesheet parsed once, one font
    configuration; no fit check, no cache, no sheet.
    """
    folder_path, out_path = Path(folder), Path(out)
    shutil.rmtree(out_path, ignore_errors=True)
    out_path.mkdir(parents=True)
    base_url = Path((folder_path / "root.txt").read_text(encoding="utf-8")).as_uri() + "/"
    pages = sorted(p for p in folder_path.glob("*.html") if not p.name.endswith(".chromium.html"))
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in pages]
    css_text = (folder_path / "card.css").read_text(encoding="utf-8")
    t0 = time.perf_counter()
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = weasyprint.CSS(string=css_text, base_url=base_url, font_config=fonts)
    t1 = time.perf_counter()
    size = 0
    for name, html in texts:
        target = out_path / f"{name}.pdf"
        weasyprint.HTML(string=html, base_url=base_url).write_pdf(target, stylesheets=[css],
                                                                  font_config=fonts)
        size += target.stat().st_size
    t2 = time.perf_counter()
    emit(total=t2 - t0, setup=t1 - t0, loop=t2 - t1, cards=len(texts), pdf_bytes=size)


def stage_cards_sopbook(root: str, out: str, jobs: str) -> None:
    """sopbook.cards.build_cards on a clean output folder (force: every card is rendered)."""
    from sopbook.model.project import load_project

    _quiet()
    project = load_project(root)
    out_path = Path(out)
    shutil.rmtree(out_path, ignore_errors=True)
    t0 = time.perf_counter()
    from sopbook.cards import build_cards

    report = build_cards(project, out_path, previous=None, jobs=int(jobs), progress=False, force=True)
    total = time.perf_counter() - t0
    errors = [str(f) for f in report.findings if f.level == "error"]
    pdfs = list(out_path.glob("*.pdf"))  # the A4 sheets are in a4/
    emit(total=total, stages=report.seconds, rendered=len(report.rendered), errors=errors[:3],
         pdf_bytes=sum(p.stat().st_size for p in pdfs),
         sheet_bytes=sum(p.stat().st_size for p in report.sheets if p.is_file()))


def stage_chromium(folder: str, out: str, count: str) -> None:
    """Chromium's headless print-to-PDF of the same cards, one browser process per card."""
    from pypdf import PdfReader

    exe = shutil.which("chromium") or "/usr/bin/chromium"
    folder_path, out_path = Path(folder), Path(out)
    shutil.rmtree(out_path, ignore_errors=True)
    out_path.mkdir(parents=True)
    pages = sorted(folder_path.glob("*.chromium.html"))[: int(count)]
    t0 = time.perf_counter()
    failures = 0
    for page in pages:
        target = out_path / (page.name.removesuffix(".chromium.html") + ".pdf")
        done = subprocess.run([exe, *CHROMIUM_FLAGS, f"--print-to-pdf={target}", page.resolve().as_uri()],
                              capture_output=True, timeout=120, check=False)
        failures += done.returncode != 0 or not target.is_file()
    total = time.perf_counter() - t0
    sizes = []
    for pdf in sorted(out_path.glob("*.pdf"))[:1]:
        box = PdfReader(pdf).pages[0].mediabox
        sizes.append([round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)])
    emit(total=total, cards=len(pages), failures=failures, page_mm=sizes[0] if sizes else None,
         pdf_bytes=sum(p.stat().st_size for p in out_path.glob("*.pdf")))


# ---- the full pipeline and the incremental rebuild ----------------------------------------------
def stage_build(root: str, site: str, jobs: str) -> None:
    """sopbook.build.build: load, check, web, cards, swap (a second run reuses unchanged cards)."""
    from sopbook.build import build, quiet_mkdocs_logging

    quiet_mkdocs_logging()
    t0 = time.perf_counter()
    result = build(root, site_dir=site, jobs=int(jobs), progress=False)
    emit(total=time.perf_counter() - t0, stages=result.seconds, rendered=result.cards_rendered,
         skipped=len(result.cards_skipped))


def stage_cards_incremental(root: str, out: str, jobs: str) -> None:
    """build_cards into the folder of the previous build (the `sopbook cards` path)."""
    from sopbook.model.project import load_project

    _quiet()
    project = load_project(root)
    t0 = time.perf_counter()
    from sopbook.cards import build_cards

    report = build_cards(project, Path(out), previous=Path(out), jobs=int(jobs), progress=False)
    emit(total=time.perf_counter() - t0, stages=report.seconds, rendered=report.rendered,
         skipped=len(report.skipped), sheets=len(report.sheets), imposed=len(report.imposed))


def stage_edit(root: str, chapter: str, checklist: str) -> None:
    """Change the first item of one checklist (the editor's one-line fix); print what uses it."""
    emit(**_edit(root, chapter, checklist))


def _edit(root: str, chapter: str, checklist: str) -> dict:
    import yaml

    path = Path(root) / "content" / f"{chapter}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in data["sections"]:
        for block in section.get("blocks", []):
            if isinstance(block, dict) and block.get("id") == checklist:
                block["items"][0] = block["items"][0] + "(已修订)"
                break
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    # Cards whose front or back is this checklist (or the procedure/section holding it).
    address = f"{chapter}.{checklist}"
    users = []
    for card_file in sorted((Path(root) / "checklists").glob("*.yml")):
        if card_file.name == "editions.yml":  # the ledger of released editions, not cards
            continue
        for card in yaml.safe_load(card_file.read_text(encoding="utf-8"))["cards"]:
            if card["source"] == address or address in (card.get("back") or []):
                users.append(card["id"])
    return {"address": address, "users": users}


def stage_editions(root: str, out: str, jobs: str, chapter: str, checklist: str) -> None:
    """A release cycle on the card sample: release every card, render; change one item, release
    again, render into the same folder. What the second render re-renders and imposes (its
    cards, their file's sheet, the reprint sheet), and how long each part took."""
    import datetime

    from sopbook.cards import build_cards
    from sopbook.model import editions as ed
    from sopbook.model.project import load_project

    _quiet()
    out_path = Path(out)
    shutil.rmtree(out_path, ignore_errors=True)

    def release() -> tuple[list[str], float]:
        project = load_project(root)
        t = time.perf_counter()
        editions = ed.project_editions(project)
        recorded = ed.release(project.ledger, editions, datetime.date.today())
        ed.write_ledger(Path(root), project.ledger)
        return [e.card_id for e in recorded], time.perf_counter() - t

    first, first_release = release()
    t0 = time.perf_counter()
    full = build_cards(load_project(root), out_path, previous=out_path, jobs=int(jobs), progress=False)
    full_s = time.perf_counter() - t0
    edit = _edit(root, chapter, checklist)
    changed, release_s = release()
    t0 = time.perf_counter()
    again = build_cards(load_project(root), out_path, previous=out_path, jobs=int(jobs), progress=False)
    again_s = time.perf_counter() - t0
    reprint = [p for p in again.sheets if p.name.startswith(ed.REPRINT_PREFIX)]
    emit(cards=len(first), first_release_s=first_release, full_s=full_s, full_stages=full.seconds,
         address=edit["address"], users=edit["users"], released=changed, release_s=release_s,
         rendered=again.rendered, imposed=again.imposed, total=again_s, stages=again.seconds,
         reprint_bytes=sum(p.stat().st_size for p in reprint),
         errors=[str(f) for f in again.findings if f.level == "error"][:3])


STAGES = {
    "check": stage_check,
    "capture": stage_capture,
    "site-stats": stage_site_stats,
    "offline-size": stage_offline_size,
    "card-html": stage_card_html,
    "cards-bare": stage_cards_bare,
    "cards-sopbook": stage_cards_sopbook,
    "chromium": stage_chromium,
    "build": stage_build,
    "cards-incremental": stage_cards_incremental,
    "edit": stage_edit,
    "editions": stage_editions,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in STAGES:
        raise SystemExit(f"usage: stages.py {{{'|'.join(STAGES)}}} ARGS...")
    STAGES[sys.argv[1]](*sys.argv[2:])
