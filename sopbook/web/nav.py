"""The navigation by course day, when mkdocs.yml has none of its own."""
from __future__ import annotations

from markupsafe import escape

from sopbook.i18n import N_, say
from sopbook.web.page import Page
from sopbook.web.site import CARDS, HEALTH, KPIS, SYLLABUS, Site


def nav(site: Site, pages: list[Page], other_pages: list[tuple[str, str | None]]) -> list:
    """Navigation by course day: home, syllabus, one section per day, trainer pages, overviews.

    `other_pages` are the hand-written pages (src_uri, title or None) from docs/. The labels are
    in the handbook's language.
    """
    lang = site.project.language

    def title(text: str) -> str:
        return escape(text)  # nav titles are HTML in themes; Markup so |e does not escape twice

    def label(msgid: str, **params: object) -> str:
        return title(say(msgid, lang, params))

    items: list = []
    handwritten = dict(other_pages)
    if "index.md" in handwritten:
        items.append({label(N_("Home")): "index.md"})
    items.append({label(N_("Syllabus")): SYLLABUS})
    days: list[tuple[str, list]] = []
    for page in pages:
        if page.chapter is None:
            continue
        day = page.chapter.day
        group = label(N_("Day {day}"), day=day) if day else label(N_("Other chapters"))
        if not days or days[-1][0] != group:
            days.append((group, []))
        days[-1][1].append({title(page.title): page.src_uri})
    items += [{group: chapters} for group, chapters in days]
    trainers = [src for src in handwritten if src.startswith("trainers/")]
    if trainers:
        items.append({label(N_("Trainers")): sorted(trainers)})
    tools = [{label(N_("KPI overview")): KPIS}, {label(N_("Checklist cards")): CARDS},
             {label(N_("Content health")): HEALTH}]
    items.append({label(N_("Handbook tools")): tools})
    rest = sorted(src for src in handwritten if src != "index.md" and not src.startswith("trainers/"))
    items += rest
    return items
