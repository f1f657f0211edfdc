"""The navigation by course day, when mkdocs.yml has none of its own."""
from __future__ import annotations

from markupsafe import escape

from sopbook.web.page import Page
from sopbook.web.site import CARDS, HEALTH, KPIS, SYLLABUS, Site


def nav(site: Site, pages: list[Page], other_pages: list[tuple[str, str | None]]) -> list:
    """Navigation by course day: home, syllabus, one section per day, trainer pages, overviews.

    `other_pages` are the hand-written pages (src_uri, title or None) from docs/.
    """
    def title(text: str) -> str:
        return escape(text)  # nav titles are HTML in themes; Markup so |e does not escape twice

    items: list = []
    handwritten = dict(other_pages)
    if "index.md" in handwritten:
        items.append({"首页": "index.md"})
    items.append({"课程大纲": SYLLABUS})
    days: list[tuple[str, list]] = []
    for page in pages:
        if page.chapter is None:
            continue
        day = page.chapter.day
        label = title(f"第 {day} 天") if day else "其他章节"
        if not days or days[-1][0] != label:
            days.append((label, []))
        days[-1][1].append({title(page.title): page.src_uri})
    items += [{label: chapters} for label, chapters in days]
    trainers = [src for src in handwritten if src.startswith("trainers/")]
    if trainers:
        items.append({"培训师": sorted(trainers)})
    items.append({"手册工具": [{"KPI 总览": KPIS}, {"检查卡": CARDS}, {"内容健康": HEALTH}]})
    rest = sorted(src for src in handwritten if src != "index.md" and not src.startswith("trainers/"))
    items += rest
    return items
