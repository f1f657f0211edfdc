"""The `sopbook` MkDocs plugin: the web handbook from the model.

Each hook only translates an MkDocs event into calls of sopbook functions (web/pages.py does the
rendering), in the spirit of Material's own plugins:

- on_config   loads the project (every load problem listed with file:line, then abort once),
              refuses a site_dir that would replace the sources, and makes the site private: no
              web fonts, no CDN polyfill;
- on_files    refuses docs/ files that must not be published (source/files.py), adds one
              generated page per chapter, the syllabus, KPI overview, card index and
              content-health page, the plugin's CSS and the file:// worker shim, and the
              navigation by course day;
- on_page_markdown  expands {{ ref() }}, {{ checklist() }}, {{ card() }} in trainer pages, and
                    skips Markdown for generated pages (they are HTML already);
- on_page_content   puts generated pages' HTML in place of Markdown's pass, with their table of
                    contents and anchors;
- on_page_context   hands Material's search the entries of a chapter page: each step, checklist
                    item and KPI at its own anchor (web/search.py);
- on_nav      (sopbook build only) hashes what every page shows beside its own content;
- on_env      aborts once with every broken trainer reference;
Every abort keeps its findings as data (`result.failures`, web/handoff.py): `sopbook build`
reports them as they are.
- on_post_page, on_post_build  (sopbook build only) write unchanged generated pages as the
              previous build had them, and record what this build wrote (web/reuse.py);
- on_serve    rebuilds when YAML in content/ or checklists/, handbook.yml or macros/ change.
- on_startup, on_post_page, on_post_build also make the handbook installable and readable
              offline (web/offline.py): the manifest link in every page, then the manifest,
              icons and service worker once the site is written.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import cast

from markupsafe import escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkPage
from mkdocs.structure.toc import get_toc

from sopbook.checks.references import reserved_ids
from sopbook.findings import Finding, LoadFailed, Loc, failing
from sopbook.i18n import N_, SOURCE_LANGUAGE, say
from sopbook.model.project import CARDS_DIR, CONTENT_DIR, HANDBOOK_FILE, Project, load_project
from sopbook.render.templating import MACROS_DIR, TemplateFailed, environment
from sopbook.source import files as docs_files
from sopbook.source import site_paths
from sopbook.source.language import handbook_language, written_language
from sopbook.web import offline as web_offline
from sopbook.web import pages as web_pages
from sopbook.web import preview as web_preview
from sopbook.web import reuse as web_cache
from sopbook.web import search as web_search
from sopbook.web.handoff import Handoff, WebResult

log = get_plugin_logger(__name__)

CSS = "assets/sopbook/sopbook.css"
SHIM = "assets/sopbook/iframe-worker-shim.js"
RUN_JS, RUN_CSS = "assets/sopbook/run.js", "assets/sopbook/run.css"  # run mode of procedures
CARD_JS = "assets/sopbook/card-page.js"  # a card's page: is the scanned revision current?
REUSED_TEMPLATE = "sopbook-reused-page.html"
PREVIEW_POLL_S = 0.1


class _PluginConfig(base.Config):
    root = c.Optional(c.Type(str))
    """Project root (handbook.yml, content/, checklists/, macros/); default: the folder of mkdocs.yml."""
    nav = c.Type(bool, default=True)
    """Build the navigation by course day when mkdocs.yml has no `nav`."""
    checks = c.Type(bool, default=True)
    """Run the checks for the content-health page (and log the findings that would fail CI)."""


def _failure(what: str, findings: list[Finding], lang: str) -> PluginError:
    """`what` (a message id) failed, and the findings why, in the handbook's language."""
    lines = "\n".join(f"  {f.render(lang)}" for f in findings)
    return PluginError(f"sopbook: {say(what, lang)}:\n{lines}")


def _external(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


class SopbookPlugin(BasePlugin[_PluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.project: Project | None = None
        self.root: Path | None = None
        self.site: web_pages.Site | None = None
        self.generated: dict[str, web_pages.Page] = {}
        self.errors: list[Finding] = []
        self.findings: list[Finding] | None = None
        self.handoff: Handoff | None = None  # from `sopbook build`, for its next build only
        self.result = WebResult()  # for `sopbook build`: pages reused, or the findings of an abort
        # Generated pages whose previous output is written again (web/reuse.py), sopbook build only.
        self.cache: web_cache.PageCache | None = None
        self.site_key = ""
        self.keys: dict[str, str] = {}
        self.serving = False  # `mkdocs serve`: the offline copy follows the preview server
        # `mkdocs serve`: what keeps the last good content from loading, shown in every page.
        self.preview_errors: list[Finding] = []
        self.templates: tuple = ()  # the macros/ files as last compiled (web/preview.py)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    @property
    def lang(self) -> str:
        """What the log says findings in: the handbook's language, even before it loads."""
        if self.project is not None and self.project.root == self.root:
            return self.project.language
        return handbook_language(self.root) if self.root is not None else SOURCE_LANGUAGE

    def _fail(self, what: str, findings: list[Finding]) -> PluginError:
        self.result.failures = list(findings)
        return _failure(what, findings, self.lang)

    # Runs after the other plugins' on_config (Material's offline plugin sets use_directory_urls
    # and adds a CDN polyfill there; both are settled here).
    @event_priority(-50)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # jieba (used by Material's search for Chinese) logs its dictionary loading to stderr.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        self.root = Path(self.config.root or os.path.dirname(config.config_file_path)).resolve()
        self.errors, self.result = [], WebResult()
        # `mkdocs serve`: compile the templates again when one of them was edited, not every time.
        templates = web_preview.templates_signature(self.root / MACROS_DIR)
        if templates != self.templates:
            environment.cache_clear()
            self.templates = templates
        handoff, self.handoff = self.handoff, None
        self.cache, self.keys = None, {}
        if handoff is not None and handoff.project.root == self.root:
            self.project, self.findings = handoff.project, handoff.findings
            if handoff.previous_site is not None:
                self.cache = web_cache.PageCache(handoff.previous_site)
        else:
            self.findings = None
            try:
                self.project = load_project(self.root)
                self.preview_errors = []
            except LoadFailed as exc:
                if not (self.serving and self.project is not None and self.project.root == self.root):
                    raise self._fail(N_("the content does not load"), exc.findings) from exc
                # The preview keeps the last content that loaded, and says in the page why.
                self.preview_errors = list(exc.findings)
                for finding in exc.findings:
                    log.error(finding.render(self.lang).replace("\n", " "))
        clashes = reserved_ids(self.project)
        if clashes:
            raise self._fail(N_("chapter ids clash with the site's folders"), clashes)
        # MkDocs empties site_dir before it writes: never when that would delete the sources.
        given = site_paths.setting(self.root, "site_dir")
        where = given.loc if given is not None else Loc(site_paths.CONFIG_FILE)
        problem = site_paths.output_problem(self.root, config.site_dir, where, f"site_dir: {config.site_dir}")
        if problem is not None:
            raise self._fail(N_("site_dir would replace the project's sources"), [problem])

        # Themes print site_name raw in text and through |e in attributes: a Markup string is
        # escaped once for both (|e leaves Markup alone), so no live markup and no "&lt;" tooltips.
        config.site_name = escape(self.project.handbook.title)
        # Private and offline: no Google Fonts, no polyfill from a CDN. The offline
        # plugin adds iframe-worker from unpkg for file:// search; ship it from the site instead.
        config.theme["font"] = False
        polyfills = list(config.extra.get("polyfills") or [])
        kept = [p for p in polyfills if not _external(str(p))]
        if any("iframe-worker" in str(p) for p in polyfills) and SHIM not in kept:
            kept.append(SHIM)
        config.extra["polyfills"] = kept
        if CSS not in config.extra_css:
            config.extra_css.append(CSS)
        if RUN_CSS not in config.extra_css:
            config.extra_css.append(RUN_CSS)
        for script in (RUN_JS, CARD_JS):
            if script not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(script)
        if web_offline.REGISTER_CSS not in config.extra_css:
            config.extra_css.append(web_offline.REGISTER_CSS)
        if web_offline.REGISTER_JS not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(web_offline.REGISTER_JS)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.project is not None and self.root is not None
        refused = self._refused_files(files, config)
        if refused:
            raise self._fail(N_("docs/ has files that must not be published"), refused)
        self.site = web_pages.Site(self.project, config.use_directory_urls, config.site_url)
        findings: list[Finding] = []
        if self.config.checks:
            from sopbook.checks import run_checks

            findings = self.findings if self.findings is not None else run_checks(self.project)
            for finding in failing(findings):
                log.warning(finding.render(self.lang).replace("\n", " "))
        try:
            pages = web_pages.render_site(self.site, findings)
        except TemplateFailed as exc:  # a handbook's template override that does not render
            raise self._fail(N_("a template failed"), [exc.finding]) from exc
        clashes = [docs_files.reserved_page(self.root, display)
                   for p in pages if (file := files.get_file_from_path(p.src_uri)) is not None
                   and (display := os.path.relpath(file.abs_src_path or p.src_uri, self.root))]
        if clashes:
            raise self._fail(N_("docs/ has pages where the handbook generates its own"), clashes)
        self.generated = {}
        for page in pages:
            file = File.generated(config, page.src_uri, content=page.markdown)
            if not page.in_nav:
                file.inclusion = InclusionLevel.NOT_IN_NAV
            files.append(file)
            self.generated[page.src_uri] = page
        files.append(File.generated(config, CSS, content=web_pages.asset("sopbook.css")))
        for script in (RUN_JS, RUN_CSS, CARD_JS):
            files.append(File.generated(config, script, content=web_pages.asset(script.rsplit("/", 1)[1])))
        files.append(File.generated(config, web_offline.REGISTER_JS,
                                    content=web_offline.register_script(live_preview=self.serving,
                                                                        lang=self.lang)))
        files.append(File.generated(config, web_offline.REGISTER_CSS, content=web_pages.asset("offline.css")))
        if SHIM in config.extra["polyfills"]:
            files.append(File.generated(config, SHIM, content=web_pages.asset("iframe-worker-shim.js")))

        if self.config.nav and not config.nav:
            handwritten: list[tuple[str, str | None]] = [
                (f.src_uri, None) for f in files.documentation_pages() if f.src_uri not in self.generated]
            config.nav = web_pages.nav(self.site, pages, handwritten)
        return files

    def _refused_files(self, files: Files, config: MkDocsConfig) -> list[Finding]:
        """docs/ files MkDocs would publish (or read as pages) that the file rules refuse."""
        assert self.root is not None
        out = []
        docs = os.path.normpath(config.docs_dir)
        for file in files:
            # The theme's own files come from its package, not from the repository.
            if file.generated_by or file.src_dir is None or os.path.normpath(file.src_dir) != docs \
                    or not file.abs_src_path or file.inclusion.is_excluded():
                continue
            path = Path(file.abs_src_path)
            display = os.path.relpath(path, self.root)
            if docs_files.is_page(path):
                problem = docs_files.read_page(self.root, path, display)[1]
            else:
                problem = docs_files.file_problem(self.root, path, display)
            if problem is not None:
                out.append(problem)
        return out

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        if self.cache is not None:
            self.site_key = web_cache.site_key(config, nav)
        return nav

    def on_page_markdown(self, markdown: str, *, page: MkPage, config: MkDocsConfig, files: Files) -> str:
        generated = self.generated.get(page.file.src_uri)
        if generated is not None:
            page.meta["title"] = escape(generated.title)  # Markup: see site_name in on_config
            if not generated.search:
                page.meta["search"] = {"exclude": True}
            if self.cache is not None:
                key = self.keys[page.file.src_uri] = web_cache.page_key(self.site_key, page, generated.html)
                if self.cache.previous_output(page.file.dest_uri, key) is not None:
                    # The theme renders nothing (on_env); on_post_page writes the previous output.
                    self.result.reused.add(page.file.src_uri)
                    page.meta["template"] = REUSED_TEMPLATE
            # The page is one raw HTML block that Markdown would only scan and pass through (a
            # third of the web build at 1000 chapters): skip it, on_page_content puts it back.
            return ""
        assert self.site is not None and self.root is not None
        source = page.file.content_string
        display = (os.path.relpath(page.file.abs_src_path, self.root) if page.file.abs_src_path
                   else page.file.src_uri)
        try:
            expanded = web_pages.expand_trainer_page(self.site, page.file.src_uri, markdown, display,
                                                     web_pages.body_line_offset(source, markdown))
        except TemplateFailed as exc:  # page/ref.html overridden by the handbook, and failing
            raise self._fail(N_("a template failed"), [exc.finding]) from exc
        self.errors.extend(expanded.errors)
        return expanded.markdown

    def on_page_content(self, html: str, *, page: MkPage, config: MkDocsConfig, files: Files) -> str:
        generated = self.generated.get(page.file.src_uri)
        if generated is None:
            return html
        # What Markdown's pass would have given: the HTML, its headings as the table of
        # contents, and the ids that MkDocs checks links from other pages against.
        page.toc = get_toc(cast(list, web_pages.toc_tokens(generated.html)))
        page.present_anchor_ids = web_pages.anchor_ids(generated.html)
        return generated.html.strip()

    # Before Material's search plugin reads the page (priority 0): a chapter page is indexed by
    # the things in it, each step, checklist item and KPI at its own anchor (web/search.py).
    @event_priority(50)
    def on_page_context(self, context, *, page: MkPage, config: MkDocsConfig, nav):
        generated = self.generated.get(page.file.src_uri)
        if generated is not None and generated.chapter is not None and generated.search:
            web_search.index_chapter_page(config, page, generated.chapter, generated.html, self.lang)
        return context

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        if self.serving:
            env.bytecode_cache = web_preview.THEME_BYTECODE
        if self.errors and self.serving:  # the preview shows them in the page instead of stopping
            self.preview_errors += self.errors
            for finding in self.errors:
                log.error(finding.render(self.lang).replace("\n", " "))
            self.errors = []
        if self.errors:
            errors, self.errors = self.errors, []
            raise self._fail(N_("broken references in trainer pages"), errors)
        if self.cache is not None:
            import jinja2

            env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({REUSED_TEMPLATE: ""}), env.loader])
        return env

    # Last, so the output recorded (and reused next time) is what every other plugin made of it.
    @event_priority(-100)
    def on_post_page(self, output: str, *, page: MkPage, config: MkDocsConfig) -> str:
        output = web_offline.with_head_tags(output, page.url)
        if self.preview_errors:
            return web_preview.with_banner(output, self.preview_errors, self.lang)
        src_uri = page.file.src_uri
        if self.cache is None or src_uri not in self.keys:
            return output
        key = self.keys[src_uri]
        if src_uri in self.result.reused:
            previous = self.cache.previous_output(page.file.dest_uri, key)
            if previous is None:  # checked a moment ago: only a change to site/ mid-build gets here
                said = say(N_("{file} in the previous site changed during the build; build again"), self.lang,
                           {"file": page.file.dest_uri})
                raise PluginError(f"sopbook: {said}")
            output = previous
        self.cache.record(page.file.dest_uri, key, output)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.cache is not None:
            self.cache.save(Path(config.site_dir))
        assert self.project is not None
        # The manifest names the language the handbook is written in (its title is content).
        lang = (written_language(self.project.root) or self.project.language).replace("_", "-")
        problems = web_offline.write(Path(config.site_dir), self.project.handbook.title,
                                     self.project.handbook.subtitle, network_first=self.serving, lang=lang)
        if problems:
            raise self._fail(N_("the offline handbook could not be written"), problems)

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        assert self.root is not None
        # The preview looks at the sources every 0.1 s, not 0.5 s: an edit then shows in under a
        # second (the content's few files cost nothing to look at so often).
        observer = getattr(server, "observer", None)
        if observer is not None and isinstance(getattr(observer, "_timeout", None), float):
            observer._timeout = PREVIEW_POLL_S
        for name in (CONTENT_DIR, CARDS_DIR, MACROS_DIR, HANDBOOK_FILE):
            path = self.root / name
            if path.exists():
                server.watch(str(path))
        # The preview writes pages, not cards: a card PDF is rendered when the browser asks.
        from sopbook.cards.on_demand import CardsOnDemand

        cards, files_app, mount = CardsOnDemand(), server.get_app(), server.mount_path

        def app(environ, start_response):
            path = environ.get("PATH_INFO", "")
            if self.project is not None and path.startswith(mount + "cards/") and path.endswith(".pdf"):
                pdf, problems = cards.pdf(self.project, path[len(mount):])
                if pdf is not None:
                    start_response("200 OK", [("Content-Type", "application/pdf"),
                                              ("Content-Length", str(len(pdf)))])
                    return [pdf]
                if problems:
                    body = web_preview.banner(problems, self.lang).encode("utf-8")
                    start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8"),
                                                                  ("Content-Length", str(len(body)))])
                    return [body]
            return files_app(environ, start_response)

        server.set_app(app)
        return server
