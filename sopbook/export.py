"""`sopbook export DIR`: the handbook as a plain MkDocs project that needs no sopbook plugin.

The plugin is the fast path, but it lives on MkDocs 1.x and Material, both at the end of their
life, and Zensical (Material's successor) silently drops third-party plugins. The export writes
what the plugin would hand MkDocs as ordinary files, so `mkdocs build` or `zensical build` in DIR
gives the same pages:

- DIR/docs/<chapter>/index.md, syllabus, KPI overview, card index and content health: each a
  Markdown file whose body is the page's HTML, one raw block Python-Markdown passes through
  (with its title and search setting as front matter);
- docs/'s trainer pages with `{{ ref() }}`, `{{ checklist() }}` and `{{ card() }}` expanded,
  and every other file of docs/ (images, handouts) as it is;
- the plugin's CSS and the file:// search shim, and the card PDFs and A4 sheets the card
  index and chapters link to (unchanged cards are taken from the previous export or site/);
- DIR/mkdocs.yml: the project's own settings (theme, palette, search, markdown_extensions,
  validation, site_url) with the navigation written out and without the `sopbook` plugin.

It lives beside build.py, not in web/: it needs the cards as well as the pages.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markupsafe import escape

from sopbook import __version__
from sopbook.findings import Finding, Loc, StageFailed, failing
from sopbook.i18n import N_
from sopbook.i18n import say as said
from sopbook.source import files as docs_files
from sopbook.source import site_paths

MARKER = ".sopbook-export"  # tells a previous export (safe to replace) from someone's folder
CONFIG = "mkdocs.yml"
DOCS = "docs"
# The paths the plugin gives its assets in the site; the export keeps them, so the pages match.
CSS = "assets/sopbook/sopbook.css"
SHIM = "assets/sopbook/iframe-worker-shim.js"
# Run mode's and the card pages' own assets, listed as the plugin lists them.
EXTRA_CSS = ("assets/sopbook/run.css",)
EXTRA_JS = ("assets/sopbook/run.js", "assets/sopbook/card-page.js")


class ExportFailed(StageFailed):
    verb = "export"


@dataclass
class ExportResult:
    target: Path
    findings: list[Finding]
    pages: list[str] = field(default_factory=list)  # the files written to DIR/docs, sorted
    cards_counts: dict[str, int] = field(default_factory=dict)  # CardsReport.counts()
    seconds: dict[str, float] = field(default_factory=dict)


def target_problem(root: Path, target: Path, given: str) -> Finding | None:
    """Why DIR must not be written: it holds sources, or is somebody's folder, not an export."""
    where = Loc(f"sopbook export {given}")
    problem = site_paths.output_problem(root, target, where, f"({given})", exporting=True)
    if problem is not None:
        return Finding(problem.level, "export.target", problem.text, where,
                       N_("export into a folder of its own, e.g. sopbook export /tmp/handbook-export"),
                       params=problem.params)
    if target.exists() and not target.is_dir():
        return Finding("error", "export.target", N_("{given} is a file, not a folder"), where,
                       N_("give a new folder, or a folder a previous export wrote"), params={"given": given})
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        return Finding("error", "export.target",
                       N_("{given} is not empty and is not a folder sopbook export wrote "
                          "(it has no {marker}): exporting would overwrite its files"), where,
                       N_("give a new or empty folder, or empty this one first"),
                       params={"given": given, "marker": MARKER})
    return None


def _site_settings(root: Path) -> tuple[bool, str | None, bool]:
    """use_directory_urls, site_url and whether the navigation is the plugin's, as MkDocs
    resolves them (`!ENV [SITE_URL, ...]`, INHERIT), without running a build."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config

    config = load_config(str(root / CONFIG))
    # Material's offline plugin turns directory URLs off in its on_config, which this skips.
    directory_urls = bool(config.use_directory_urls) and "material/offline" not in config.plugins \
        and "offline" not in config.plugins
    plugin = config.plugins.get("sopbook")
    plugin_nav = plugin is None or bool(plugin.config.nav)
    return directory_urls, config.site_url, plugin_nav and not config.nav


def _front_matter(title: str, search: bool) -> str:
    # The theme prints a title as HTML: escaped here, as the plugin does, so content is text.
    meta: dict = {"title": str(escape(title))}
    if not search:
        meta["search"] = {"exclude": True}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"


def page_file(title: str, html: str, search: bool = True) -> str:
    """A generated page as Markdown: front matter, then the HTML as one raw block (a blank line
    before and after, no indentation), which Python-Markdown hands on unchanged."""
    return _front_matter(title, search) + html.strip() + "\n"


def _plain(value):
    """Markup (nav titles) as plain strings, for YAML."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if value is not None else None


def export_config(source: str, *, site_name: str, nav: list | None, directory_urls: bool,
                  not_in_nav: tuple[str, ...] = ()) -> str:
    """The project's mkdocs.yml without the sopbook plugin, for the export.

    Edited as YAML nodes, not values, so MkDocs' own tags (`!ENV`, `!!python/object/apply:` of
    a slugify function) reach MkDocs unchanged; comments are lost.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    node = yaml.compose(source, Loader=loader)
    if not isinstance(node, yaml.MappingNode):
        node = yaml.MappingNode("tag:yaml.org,2002:map", [])

    def value_node(data) -> yaml.Node:
        composed = yaml.compose(yaml.safe_dump(data, allow_unicode=True), Loader=loader)
        assert composed is not None  # safe_dump always writes a document
        return composed

    def put(key: str, data) -> None:
        new = value_node(data)
        for i, (k, _v) in enumerate(node.value):
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                node.value[i] = (k, new)
                return
        node.value.append((value_node(key), new))

    def get(key: str) -> yaml.Node | None:
        return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)

    # Paths that point into the project mean something else in DIR: docs/ is DIR/docs, the site
    # is DIR/site; hooks and INHERIT would be code and files the export does not carry.
    node.value = [(k, v) for k, v in node.value
                  if not (isinstance(k, yaml.ScalarNode) and k.value in ("site_dir", "hooks", "INHERIT"))]
    put("site_name", str(escape(site_name)))
    put("docs_dir", DOCS)
    put("use_directory_urls", directory_urls)
    plugins = get("plugins")
    if isinstance(plugins, yaml.SequenceNode):
        plugins.value = [p for p in plugins.value if not _is_sopbook(p)]
    elif isinstance(plugins, yaml.MappingNode):
        plugins.value = [(k, v) for k, v in plugins.value if not _is_sopbook(k)]
    css = get("extra_css")
    listed = [v.value for v in css.value] if isinstance(css, yaml.SequenceNode) else []
    put("extra_css", listed + [c for c in (CSS, *EXTRA_CSS) if c not in listed])
    scripts = get("extra_javascript")
    listed = [v.value for v in scripts.value] if isinstance(scripts, yaml.SequenceNode) else []
    put("extra_javascript", listed + [j for j in EXTRA_JS if j not in listed])
    if not_in_nav:
        # Reached by a card's QR code or the card index, never the menu: MkDocs is told so.
        put("not_in_nav", "\n".join(f"/{src}" for src in not_in_nav))
    extra = get("extra")
    if not isinstance(extra, yaml.MappingNode):
        put("extra", {})
        extra = get("extra")
    assert isinstance(extra, yaml.MappingNode)
    # Material's offline plugin adds iframe-worker from unpkg unless a polyfill names it: the
    # handbook ships its own, so the site makes no request beyond itself.
    extra.value = [(k, v) for k, v in extra.value
                   if not (isinstance(k, yaml.ScalarNode) and k.value == "polyfills")]
    extra.value.append((value_node("polyfills"), value_node([SHIM])))
    if nav is not None:
        put("nav", _plain(nav))
    text = yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=True, width=100)
    return ("# Written by `sopbook export` from the handbook's sources; build with `mkdocs build` or\n"
            "# `zensical build`. Edit the sources and export again rather than editing this folder.\n" + text)


def _is_sopbook(node: yaml.Node) -> bool:
    if isinstance(node, yaml.ScalarNode):
        return node.value == "sopbook"
    if isinstance(node, yaml.MappingNode):
        return any(isinstance(k, yaml.ScalarNode) and k.value == "sopbook" for k, _v in node.value)
    return False


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def export(root: Path | str, target: Path | str, *, jobs: int | None = None, given: str | None = None,
           say: Callable[[str], None] = lambda _msg: None, language: str | None = None) -> ExportResult:
    """Export the handbook into `target`; `say` gets each stage's progress line in `language`
    (`--lang`; the handbook's own language when None)."""
    import time

    from sopbook.build import load_checked, no_config
    from sopbook.model.trainer_refs import page_body
    from sopbook.source.language import handbook_language
    from sopbook.web import pages as web_pages

    root = Path(root).resolve()
    target = Path(target).resolve()
    lang = handbook_language(root, language)
    given = given or str(target)
    problem = target_problem(root, target, given)
    if problem is not None:
        raise ExportFailed([problem], "target folder")
    if not (root / CONFIG).is_file():
        raise ExportFailed([no_config()], "config")
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    say(said(N_("loading content"), lang))
    project, findings = load_checked(root, ExportFailed, lang)
    seconds["check"] = time.perf_counter() - t

    t = time.perf_counter()
    say(said(N_("writing the pages"), lang))
    directory_urls, site_url, plugin_nav = _site_settings(root)
    site = web_pages.Site(project, directory_urls, site_url)
    pages = web_pages.render_site(site, findings)
    generated = {page.src_uri for page in pages}
    files: dict[str, str | Path] = {}  # src_uri -> text, or the docs/ file copied as it is
    errors: list[Finding] = []
    handwritten: list[tuple[str, str | None]] = []
    docs = root / site_paths.docs_dir(root)
    for path in docs_files.walk_docs(root):
        src_uri = path.relative_to(docs).as_posix()
        display = os.path.relpath(path, root)
        if src_uri in generated:
            errors.append(docs_files.reserved_page(root, display))
            continue
        if not docs_files.is_page(path):
            if (refused := docs_files.file_problem(root, path, display)) is not None:
                errors.append(refused)
            else:
                files[src_uri] = path
            continue
        source, refused = docs_files.read_page(root, path, display)
        if source is None:
            errors.append(refused or Finding("error", "load.file", N_("cannot read the page"),
                                             Loc(display, 1),
                                             N_("check that it exists and that you may read it")))
            continue
        body, offset = page_body(source)
        expanded = web_pages.expand_trainer_page(site, src_uri, body, display, offset)
        errors += expanded.errors
        front = source[:len(source) - len(body)] if source.endswith(body) else ""
        files[src_uri] = front + expanded.markdown
        handwritten.append((src_uri, None))
    if errors:
        raise ExportFailed(findings + [e for e in errors if e not in findings], "pages")
    for page in pages:
        files[page.src_uri] = page_file(page.title, page.html, page.search)
    files[CSS] = web_pages.asset("sopbook.css")
    for asset in (*EXTRA_CSS, *EXTRA_JS):
        files[asset] = web_pages.asset(asset.rsplit("/", 1)[1])
    files[SHIM] = web_pages.asset("iframe-worker-shim.js")
    nav = web_pages.nav(site, pages, handwritten) if plugin_nav else None
    config = export_config((root / CONFIG).read_text(encoding="utf-8"), site_name=project.handbook.title,
                           nav=nav, directory_urls=directory_urls,
                           not_in_nav=tuple(p.src_uri for p in pages if not p.in_nav))

    # Written beside the old export and swapped in at the end: a failed export leaves it as it was.
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f".docs.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for src_uri, content in files.items():
            out = tmp / src_uri
            if isinstance(content, Path):
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(content, out)
            else:
                _write(out, content)
        seconds["pages"] = time.perf_counter() - t

        t = time.perf_counter()
        say(said(N_("rendering checklist cards"), lang))
        from sopbook.cards import build_cards

        # Cards nothing changed for come from the previous export, or else from the built site.
        previous = target / DOCS / "cards"
        if not previous.is_dir():
            previous = root / "site" / "cards"
        report = build_cards(project, tmp / "cards", previous=previous if previous.is_dir() else None,
                             jobs=jobs)
        seconds["cards"] = time.perf_counter() - t
        if failing(report.findings):
            raise ExportFailed(findings + report.findings, "cards")
        written = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        old = target / DOCS
        if old.exists():
            shutil.rmtree(old)
        tmp.rename(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _write(target / CONFIG, config)
    _write(target / MARKER, json.dumps({"sopbook": __version__, "project": str(root)}) + "\n")
    return ExportResult(target, findings + report.findings, written, report.counts(), seconds)
