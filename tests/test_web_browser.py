"""The built handbook in a real browser: Debian's chromium through Playwright, from a local static
server with nothing else reachable, and from file://. Screenshots go to tests/artifacts/."""
from __future__ import annotations

import pytest

from web_support import (
    ARTIFACTS,
    FIXTURE,
    REPO,
    browser,
    built,
    first_hit,
    local,
    real_content_ready,
    search,
    serve,
)

pytestmark = pytest.mark.browser

# Query -> where it must land: the thing that is about it (tests/fixtures/web). Equal matches go
# to a checklist or step first, then a KPI, segment or moment of truth, then prose.
FIXTURE_QUERIES = {
    "刹车": "delivery/index.html#brakes",
    "异响": "delivery/index.html#noise",
    "续航": "delivery/index.html#range",
    "胎压": "mobile/index.html#tire-timeline",
    "贬损者": "mobile/index.html#detractors",
    "黄金30秒": "mobile/index.html#mot-meeting",
    "冷媒": "mobile/index.html#aircon-talk",
    # Latin acronyms beside the Chinese: English stemming once indexed NPS as "np" (no hits).
    "NPS": "mobile/index.html#nps-segments",
    "nps": "mobile/index.html#nps-segments",
    "KPI": "delivery/index.html#delivery-kpis",
    "MOT": "mobile/index.html#mot-set",
    "ROI": "delivery/index.html#roi-calc",
    "SOP": "delivery/index.html#golden-sop",
}
# The same queries on the real handbook (content/), by global id.
REAL_QUERIES = {
    "刹车": "delivery.verify-brakes--1",  # the brakes checklist's first item (踩刹车踏板)
    "异响": "delivery.verify-noise",
    "续航": "delivery.verify-range",
    "胎压": "mobile-experience.proactive-discovery--1",  # the checklist item 轮胎胎压和磨损
    "贬损者": "mobile-experience.detractor-recovery",
    "黄金30秒": "mobile-experience.mot-3",
    "冷媒": "mobile-experience.wang-timeline",
    "NPS": "mobile-experience.nps-segments",
    "GPS": "mobile-experience.mot-2",
    "MOT": "mobile-experience.mot-1",
    "KPI": "delivery.delivery-kpis",
    "ROI": "mobile-experience.wang-roi",
    "VIP": "mobile-experience.personalization",
    "SOP": "delivery.golden-sop",
    "Warranty": "delivery.show-warranty",
}


def offline(context) -> None:
    """Network off: anything not on this machine fails (and is still recorded as requested)."""
    context.route("**/*", lambda route: route.continue_() if local(route.request.url) else route.abort())


@pytest.fixture(scope="module")
def site():
    return built(FIXTURE)


@pytest.fixture(scope="module")
def base(site):
    return serve(site.site)


@pytest.fixture(scope="module")
def requests_seen():
    return []


@pytest.fixture
def page(requests_seen):
    context = browser().new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    offline(context)
    page = context.new_page()
    page.on("request", lambda request: requests_seen.append(request.url))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


@pytest.mark.parametrize("query", list(FIXTURE_QUERIES))
def test_search_lands_on_the_section(page, base, query):
    page.goto(base + "index.html")
    assert first_hit(search(page, query), base) == FIXTURE_QUERIES[query]


def test_search_works_from_file_url(page, site):
    base = site.site.as_uri() + "/"
    page.goto(base + "index.html")
    assert first_hit(search(page, "刹车"), base) == "delivery/index.html#brakes"


def test_script_in_content_shows_as_text(page, base):
    page.goto(base + "delivery/index.html")
    assert '<script>alert("x")</script>' in page.inner_text("#mission ~ .sb-prose")
    search(page, "script")
    assert page.dialogs == []


def test_dark_mode_toggle(page, base):
    page.goto(base + "delivery/index.html")
    scheme = page.get_attribute("body", "data-md-color-scheme")
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    assert page.get_attribute("body", "data-md-color-scheme") != scheme


@pytest.mark.parametrize("path", ["delivery/index.html", "mobile/index.html", "health/index.html"])
def test_phone_width_has_no_horizontal_scroll(base, path, requests_seen):
    context = browser().new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                    is_mobile=True, has_touch=True, locale="zh-CN")
    offline(context)
    page = context.new_page()
    page.on("request", lambda request: requests_seen.append(request.url))
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = path.split("/")[0]
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=False)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}-full.png"), full_page=True)
    context.close()
    assert widths[0] <= widths[1], f"{path} is {widths[0]}px wide at {widths[1]}px"


def test_no_request_leaves_localhost(page, base, requests_seen):
    """Runs last in this module: every page and search above recorded its requests."""
    for path in ["index.html", "syllabus/index.html", "kpis/index.html", "cards/index.html",
                 "trainers/lesson.html"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    assert requests_seen, "no requests were recorded"
    assert [url for url in requests_seen if not local(url)] == []


@pytest.mark.slow
@pytest.mark.skipif(not real_content_ready(), reason="content/ has no chapters yet")
@pytest.mark.parametrize("query", list(REAL_QUERIES))
def test_real_handbook_search_lands_on_the_section(page, query, requests_seen):
    from sopbook.model.project import load_project
    from sopbook.web import pages as web_pages

    real = built(REPO)
    base = serve(real.site)
    expected = web_pages.Site(load_project(REPO), use_directory_urls=False).address_url(REAL_QUERIES[query])
    page.goto(base + "index.html")
    assert first_hit(search(page, query), base) == expected
    assert [url for url in requests_seen if not local(url)] == []


@pytest.mark.slow
@pytest.mark.skipif(not real_content_ready(), reason="content/ has no chapters yet")
def test_real_chapters_fit_a_phone(requests_seen):
    from sopbook.model.project import load_project

    base = serve(built(REPO).site)
    context = browser().new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                    is_mobile=True, has_touch=True, locale="zh-CN")
    offline(context)
    page = context.new_page()
    page.on("request", lambda request: requests_seen.append(request.url))
    too_wide = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for chapter in load_project(REPO).chapters:
        page.goto(f"{base}{chapter.id}/index.html")
        page.wait_for_load_state("networkidle")
        width, client = page.evaluate("() => [document.documentElement.scrollWidth, "
                                      "document.documentElement.clientWidth]")
        page.screenshot(path=str(ARTIFACTS / f"phone-real-{chapter.id}.png"), full_page=True)
        if width > client:
            too_wide[chapter.id] = width
    context.close()
    assert too_wide == {}
    assert [url for url in requests_seen if not local(url)] == []
