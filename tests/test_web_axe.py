"""Accessibility of the built handbook, judged by axe-core (the npm package, tests/js) in Chromium:
no critical or serious WCAG 2.1 A/AA violation on any page, in Material's light and dark palette,
on a phone and on a desktop, run mode included. Also: the content-health page reads at 390 px."""
from __future__ import annotations

import colorsys

import pytest

from web_support import REPO, browser, built, local, real_content_ready, serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not real_content_ready(), reason="the real handbook is not in this checkout"),
]

AXE = REPO / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Material's palette names: the one picked from prefers-color-scheme shows on <body>.
SCHEMES = {"light": "default", "dark": "slate"}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
RUN_DIALOG = ".sb-run[role=dialog]"  # not Material's search, which is a role=dialog too

# [r, g, b] of a computed CSS colour (rgb() or rgba(), as getComputedStyle gives it).
RGB = "c => c.match(/[\\d.]+/g).slice(0, 3).map(Number)"


@pytest.fixture(scope="module")
def site():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/js` (or `make`)")
    return built(REPO)


@pytest.fixture(scope="module")
def base(site):
    return serve(site.site)


def html_pages(site) -> list[str]:
    return sorted(p.relative_to(site.site).as_posix() for p in site.site.rglob("*.html"))


def context_for(scheme: str, viewport: str):
    context = browser().new_context(color_scheme=scheme, viewport=VIEWPORTS[viewport])
    context.route("**/*", lambda route: route.continue_() if local(route.request.url) else route.abort())
    return context


def open_page(context, url: str, scheme: str):
    """The page in the palette the reader's system asks for, its colour transitions finished."""
    page = context.new_page()
    page.goto(url, wait_until="load")
    active = page.get_attribute("body", "data-md-color-scheme")
    assert active == SCHEMES[scheme], f"{url}: palette {active!r}, expected {SCHEMES[scheme]!r}"
    # The attribute alone proves nothing if the palette's CSS is missing: the page must look it.
    background = page.evaluate(f"() => ({RGB})(getComputedStyle(document.body).backgroundColor)")
    dark = sum(background) < 3 * 128
    assert dark == (scheme == "dark"), f"{url}: {scheme} palette on a background of rgb{tuple(background)}"
    # Material fades colours in when the palette switches after load; judge what stays on screen.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    page.add_script_tag(path=str(AXE))
    return page


def serious(page, selector: str | None = None) -> list[dict]:
    """axe's critical and serious violations of the page (or of the element at selector).
    Fails if axe judged no text colour there: a page whose text axe takes for hidden passes."""
    results = page.evaluate(
        """async ([selector, tags]) => {
            const where = selector ? document.querySelector(selector) : document;
            if (!where) throw new Error(`nothing matches ${selector}`);
            const r = await axe.run(where, {runOnly: {type: 'tag', values: tags}});
            const colour = [...r.passes, ...r.violations, ...r.incomplete]
                .filter(rule => rule.id === 'color-contrast').reduce((n, rule) => n + rule.nodes.length, 0);
            return {violations: r.violations, colour};
        }""", [selector, TAGS])
    assert results["colour"] > 0, f"{page.url} {selector or ''}: axe judged the colour of no text"
    return [v for v in results["violations"] if v["impact"] in ("critical", "serious")]


def measured(data: dict) -> str:
    """The colours and ratio axe measured: text on background, or a link against the text around it."""
    if "contrastRatio" not in data:
        return ""
    if "fgColor" in data:
        pair = f"{data['fgColor']} on {data.get('bgColor')}"
    else:
        pair = f"link {data.get('nodeColor')} in text {data.get('parentColor')}"
    needs = data.get("expectedContrastRatio") or data.get("requiredContrastRatio")
    return f" {pair} = {data['contrastRatio']}:1 (needs {needs})"


def describe(where: str, violations: list[dict], limit: int = 4) -> list[str]:
    """One line per failing element: rule, impact, selector, and the contrast axe measured."""
    lines = []
    for v in violations:
        for node in v["nodes"][:limit]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            data: dict = next((c["data"] for c in checks if isinstance(c.get("data"), dict)), {})
            target = " ".join(map(str, node["target"]))
            lines.append(f"{where}: {v['id']} [{v['impact']}] {target}{measured(data)}")
        if len(v["nodes"]) > limit:
            lines.append(f"{where}: {v['id']} ... and {len(v['nodes']) - limit} more elements")
    return lines


def count(violations: list[dict]) -> int:
    return sum(len(v["nodes"]) for v in violations)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_every_page_has_no_serious_violation(site, base, scheme, viewport):
    pages = html_pages(site)
    assert len(pages) >= 10, pages
    context = context_for(scheme, viewport)
    report, total = [], 0
    try:
        for rel in pages:
            page = open_page(context, base + rel, scheme)
            found = serious(page)
            total += count(found)
            report += describe(f"{rel} ({scheme}, {viewport})", found)
            page.close()
    finally:
        context.close()
    assert total == 0, f"{total} serious or critical axe violations:\n" + "\n".join(report)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_run_mode_dialog_has_no_serious_violation(site, base, scheme, viewport):
    """Every run of the delivery chapter, every step of it and its summary, with the first step
    over its time (the red clock and the 超时 rows are colours too)."""
    context = context_for(scheme, viewport)
    context.clock.install()
    report, screens = [], 0
    try:
        page = open_page(context, base + "delivery/index.html", scheme)
        starts = page.locator("button.sb-run-start")
        runs = starts.count()
        assert runs > 0, "delivery/index.html has no 开始执行 button (.sb-run-start)"
        for i in range(runs):
            starts.nth(i).click()
            dialog = page.locator(RUN_DIALOG)
            dialog.wait_for(state="visible", timeout=5_000)
            title = page.inner_text(f"{RUN_DIALOG} .sb-run-title")
            # Under the dialog the page cannot scroll (overflow: hidden); left scrolled down to the
            # button, it makes axe take the dialog's text for off screen and judge no colour in it.
            page.evaluate("() => window.scrollTo(0, 0)")
            page.clock.fast_forward("02:00:00")  # the first step is late
            step = 1
            while True:
                where = f"run {title!r} step {step} ({scheme}, {viewport})"
                summary = page.locator(f"{RUN_DIALOG} .sb-run-summary").count() > 0
                if summary:
                    where = f"run {title!r} summary ({scheme}, {viewport})"
                report += describe(where, serious(page, RUN_DIALOG))
                screens += 1
                if summary:
                    break
                page.click(f"{RUN_DIALOG} .sb-run-next")
                step += 1
                assert step < 100, f"run {title!r} never reaches its summary"
            page.click(f"{RUN_DIALOG} .sb-run-close")
            dialog.wait_for(state="detached", timeout=5_000)
    finally:
        context.close()
    assert screens > runs, "no run went past its first screen"
    assert not report, "run mode:\n" + "\n".join(report)


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_palette_keeps_the_handbooks_teal(site, base, scheme):
    """Darkened to pass, still teal: without the custom colours Material falls back to indigo,
    which passes axe too."""
    context = context_for(scheme, "phone")
    try:
        page = open_page(context, base + "index.html", scheme)
        header = page.evaluate(f"() => ({RGB})(getComputedStyle(document.querySelector('.md-header'))"
                               ".backgroundColor)")
    finally:
        context.close()
    hue, _, saturation = colorsys.rgb_to_hls(*(c / 255 for c in header))
    assert 160 <= hue * 360 <= 185 and saturation > 0.5, f"the header is rgb{tuple(header)}, not teal"


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_health_page_reads_on_a_phone(site, base, scheme):
    """Each finding stays readable at 390 px: the level label on one line, the location wide enough
    to read a file:line:col, and the page never wider than the screen."""
    context = context_for(scheme, "phone")
    try:
        page = open_page(context, base + "health/index.html", scheme)
        rows = page.locator("tr.sb-finding")
        assert rows.count() > 0, "the real handbook's health page lists no finding to measure"
        # Eight characters of the location's own font, measured inside its cell.
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('tr.sb-finding')].map(tr => {
                const level = tr.querySelector('.sb-level');
                const cell = tr.querySelector('.sb-finding-loc');
                const probe = cell.querySelector('code').cloneNode();
                probe.textContent = '00000000';
                probe.style.cssText = 'position: absolute; visibility: hidden; white-space: nowrap';
                cell.append(probe);
                const eight = probe.getBoundingClientRect().width;
                probe.remove();
                return {label: level.getBoundingClientRect().height,
                        lineHeight: parseFloat(getComputedStyle(level).lineHeight),
                        loc: cell.getBoundingClientRect().width, eight,
                        text: tr.innerText.replace(/\\s+/g, ' ').slice(0, 60)};
            })""")
        wide = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    finally:
        context.close()
    for s in sizes:
        assert s["label"] <= s["lineHeight"] * 1.5, f"level label wraps ({s['label']:.0f} px): {s['text']}"
        assert s["loc"] >= s["eight"], f"location column {s['loc']:.0f} px (< 8 characters): {s['text']}"
    assert wide[0] <= wide[1], f"the health page scrolls sideways: {wide[0]} px wide in a {wide[1]} px screen"
