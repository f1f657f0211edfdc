"""The one Jinja environment that web pages and print cards share: the handbook's macros/ first,
then sopbook's built-in templates (source/templates.py).

Autoescape is always on and undefined names are errors: content is data, and a template that
silently prints nothing would hide a missing field.
"""
from __future__ import annotations

import re
from functools import lru_cache, partial
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from sopbook import i18n
from sopbook.findings import Finding, Loc
from sopbook.i18n import N_
from sopbook.model.project import MACROS_DIR as MACROS_DIR
from sopbook.model.project import Project
from sopbook.render.addresses import item_anchor
from sopbook.render.run import run_island
from sopbook.source import templates


@lru_cache(maxsize=8)
def environment(root: Path, lang: str) -> jinja2.Environment:
    """`lang`: the language of the templates' own words, `_("Start")` (sopbook/i18n.py)."""
    env = jinja2.Environment(
        loader=templates.loader(Path(root)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["slug"] = slug
    env.filters["strong"] = strong
    env.globals["run_island"] = run_island  # run mode's button and data, web pages only
    env.globals["item_anchor"] = item_anchor  # where a search for a checklist item lands
    env.globals["_"] = partial(say_html, lang)
    env.globals["lang"] = lang
    return env


def say_html(lang: str, msgid: str, **params: object) -> Markup:
    """A template's own words in the handbook's language; the values filled in are escaped
    (they are content)."""
    return escape(i18n.gettext(msgid, lang)).format(**params)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def strong(text: object) -> Markup:
    """Escape, then show the source's **bold** as bold: the one inline markup the course documents use.
    Escaping first means nothing from content can become a tag but <strong> itself."""
    return Markup(_BOLD.sub(r"<strong>\1</strong>", str(escape(str(text)))))


def slug(text: object) -> str:
    """An anchor made from free text (a course day '18.5' -> '18-5'): only [a-z0-9-] survive."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"


class TemplateFailed(Exception):
    """A page's template failed; `finding` names the template file and line and what to do."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def render(project: Project, template: str, **context) -> str:
    """A page's HTML, in the project's language. A failing template (most likely a handbook's
    override) is a TemplateFailed naming its file and line, not a traceback."""
    root = project.root
    try:
        return environment(Path(root), project.language).get_template(template).render(**context)
    except Exception as exc:
        at = error_at(Path(root), exc)
        if at is None and not isinstance(exc, jinja2.TemplateError):
            raise
        raise TemplateFailed(template_problem(Path(root), template, exc, at)) from exc


def template_problem(root: Path, template: str, exc: Exception, at: tuple[Path, int] | None) -> Finding:
    """A page's template that failed, named with its file and line; Jinja's own words (`'x' is
    undefined`) are quoted as they are."""
    error = {"error": type(exc).__name__, "detail": str(exc)}
    if at is None:
        hint, params = templates.fix_hint(root, template)
        return Finding("error", "web.template", N_("template {template}: {error}: {detail}"), Loc(template),
                       hint, params={**params, **error})
    path, line = at
    name = templates.name_of(root, path) or path.name
    hint, params = templates.fix_hint(root, name)
    return Finding("error", "web.template",
                   N_("{error} in the template {template} (rendering {page}): {detail}"),
                   Loc(templates.shown(root, path), line), hint, params={**params, **error, "page": template})


def read(root: Path, name: str) -> str:
    """A template file's text as the environment's loader finds it (card.css: the handbook's own,
    else the built-in one)."""
    env = environment(Path(root), i18n.SOURCE_LANGUAGE)
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def error_at(root: Path, exc: BaseException) -> tuple[Path, int] | None:
    """The template file and line a rendering error came from (the innermost template frame), so
    a broken override is named with its line, not as a Jinja traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Path(exc.filename), exc.lineno
    found: tuple[Path, int] | None = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if templates.name_of(Path(root), filename) is not None:
            found = (Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found
