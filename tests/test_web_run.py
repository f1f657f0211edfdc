"""Run mode in a real browser: the delivery SOP walked step by step in Debian's chromium, with
Playwright's clock standing in for the minutes beside the car, so every time is exact."""
from __future__ import annotations

import json
import re
import shutil
import textwrap
from datetime import datetime
from html.parser import HTMLParser

import pytest

from projects import write_project
from web_support import FIXTURE, REPO, build_site, built, phone_context, real_content_ready, serve

pytestmark = pytest.mark.browser

START = datetime(2026, 12, 1, 9, 0, 0)
GOLDEN = ".sb-procedure:has(> #golden-sop) > .sb-run-start"
DIALOG = "[role=dialog].sb-run"
MINUTE = 60_000


@pytest.fixture(scope="module")
def base():
    if not real_content_ready():
        pytest.skip("the real handbook is not in this checkout")
    return serve(built(REPO).site)


def new_page(*, clipboard: bool = True, width: int = 390, height: int = 844):
    """A phone-sized page that reaches nothing beyond 127.0.0.1, with its clock paused at START."""
    # No service worker: a rebuilt procedure must reach the page at once, not after 手册已更新.
    context = phone_context(service_workers="block", viewport={"width": width, "height": height})
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.outside = context.outside
    page.clock.install(time=START)
    page.clock.pause_at(START)
    return page


def advance(page, ms: int) -> None:
    page.clock.run_for(ms)


def step_title(page) -> str:
    return page.inner_text(f"{DIALOG} .sb-run-step-title")


def next_step(page) -> None:
    page.locator(f"{DIALOG} .sb-run-next").click()


# ---- the data on the page ----------------------------------------------------------------------
class _Islands(HTMLParser):
    """Each run's JSON island as the browser's HTML parser reads it, and the blocks around them."""

    def __init__(self) -> None:
        super().__init__()
        self.islands: list[str] = []
        self.blocks = 0
        self.buttons = 0
        self._in = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "div" and ("sb-procedure" in classes or "sb-checklist" in classes) \
                and "sb-embedded" not in classes:
            self.blocks += 1
        if tag == "button" and "sb-run-start" in classes:
            self.buttons += 1
        if tag == "script" and "sb-run-data" in classes:
            assert a.get("type") == "application/json"
            self._in = True
            self.islands.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.islands[-1] += data


def test_every_procedure_and_checklist_carries_its_run(base):
    html = (built(REPO).site / "delivery" / "index.html").read_text(encoding="utf-8")
    parsed = _Islands()
    parsed.feed(html)
    assert parsed.blocks == parsed.buttons == len(parsed.islands) >= 6
    runs = {d["address"]: d for d in map(json.loads, parsed.islands)}
    golden = runs["delivery/#golden-sop"]
    assert golden["kpi"] == {"label": "交付时长", "target": "15–20分钟", "min": 15, "max": 20}
    assert [s["marks"] for s in golden["steps"]] == ["0–2′", "2–7′", "7–10′", "10–13′", "13–15′"]
    brakes = golden["steps"][2]["lists"][0]
    assert brakes["title"] == "刹车系统" and brakes["confirmation"]["question"] == "刹车正常了吗?"
    assert runs["delivery/#verify-brakes"]["steps"][0]["lists"][0]["confirmation"]["expected"] == "点头确认"
    # Cards print no run: the button is for the web page alone.
    assert "sb-run" not in (REPO / "macros" / "card" / "card.html").read_text(encoding="utf-8")


# ---- a run on the phone ------------------------------------------------------------------------
def test_full_delivery_run_within_plan_and_copied(base):
    page = new_page()
    page.goto(base + "delivery/index.html")
    page.locator(GOLDEN).click()
    dialog = page.locator(DIALOG)
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.evaluate("() => document.activeElement.closest('[role=dialog]') !== null")
    assert "Step 1" in step_title(page) and "0–2′" in dialog.inner_text()
    for minutes in (2, 5, 3, 3, 2):
        advance(page, minutes * MINUTE)
        if minutes == 3 and "功能验证" in step_title(page):
            text = dialog.inner_text()
            assert "刹车正常了吗?" in text and "点头确认" in text
            for label in page.locator(f"{DIALOG} .sb-run-tick").all():
                if "试车测试刹车效果" not in label.inner_text():
                    label.click()
        assert not page.locator(f"{DIALOG} .sb-run-over-text").is_visible()
        next_step(page)
    summary = dialog.inner_text()
    assert "总用时 15:00,符合 交付时长 15–20分钟" in summary
    spent = page.eval_on_selector_all(f"{DIALOG} .sb-run-spent", "tds => tds.map(t => t.textContent)")
    assert spent == ["02:00", "05:00", "03:00", "03:00", "02:00"]
    assert "刹车系统:试车测试刹车效果" in page.inner_text(f"{DIALOG} .sb-run-unticked")
    page.locator(f"{DIALOG} .sb-run-copy").click()
    page.wait_for_selector(f"{DIALOG} .sb-run-copied:text('已复制')")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == textwrap.dedent("""\
        完美交付的黄金SOP 执行记录
        Step 1 氛围营造 - 仪式感的力量:02:00 / 计划 2分钟
        Step 2 成果展示 - 让客户看见价值:05:00 / 计划 5分钟
        Step 3 功能验证 - 与客户一起确认:03:00 / 计划 3分钟
        Step 4 惊喜制造 - 超预期的临门一脚:03:00 / 计划 3分钟
        Step 5 情感连接 - 让客户记住你:02:00 / 计划 2分钟
        总用时 15:00,符合 交付时长 15–20分钟
        未勾选 1 项:
        - 刹车系统:试车测试刹车效果""")
    assert page.outside == []
    page.context.close()


def test_a_step_past_its_plan_shows_as_over(base):
    page = new_page()
    page.goto(base + "delivery/index.html")
    page.locator(GOLDEN).click()
    clock = page.locator(f"{DIALOG} .sb-run-clock")
    advance(page, 2 * MINUTE)
    assert "02:00 / 2分钟" in clock.inner_text()
    assert "sb-run-over" not in clock.get_attribute("class")
    assert not page.locator(f"{DIALOG} .sb-run-over-text").is_visible()
    advance(page, 61_000)
    assert "03:01 / 2分钟" in clock.inner_text() and "超时" in clock.inner_text()
    assert "sb-run-over" in clock.get_attribute("class")
    # Pausing stops the clock; the step stays over in the summary.
    page.locator(f"{DIALOG} .sb-run-pause").click()
    advance(page, 10 * MINUTE)
    assert "03:01 / 2分钟" in clock.inner_text()
    assert page.inner_text(f"{DIALOG} .sb-run-pause") == "继续"
    page.locator(f"{DIALOG} .sb-run-pause").click()
    for _ in range(5):
        next_step(page)
    assert page.eval_on_selector_all(f"{DIALOG} .sb-run-spent", "tds => tds.map(t => t.textContent)")[0] \
        == "03:01 超时"
    page.keyboard.press("Escape")
    assert page.locator(DIALOG).count() == 0
    assert page.evaluate("() => document.activeElement.classList.contains('sb-run-start')")
    page.context.close()


def test_reload_mid_run_resumes_at_the_same_step(base):
    page = new_page()
    page.goto(base + "delivery/index.html")
    page.locator(GOLDEN).click()
    advance(page, 2 * MINUTE)
    next_step(page)
    advance(page, 2 * MINUTE)
    next_step(page)
    page.locator(f"{DIALOG} .sb-run-tick").first.click()
    advance(page, 90_000)
    page.reload()  # what a phone does to a tab it dropped while locked
    advance(page, 30_000)
    assert "功能验证" in step_title(page)
    assert page.inner_text(f"{DIALOG} .sb-run-step-clock") == "02:00 / 3分钟"
    assert "总计 06:00 / 15分钟" in page.inner_text(f"{DIALOG} .sb-run-total")
    assert page.locator(f"{DIALOG} .sb-run-check").first.is_checked()
    page.context.close()


def test_touch_targets_are_big_enough_on_a_phone(base):
    page = new_page()
    page.goto(base + "delivery/index.html")
    page.locator(GOLDEN).click()
    advance(page, 2 * MINUTE)
    next_step(page)
    next_step(page)
    sizes = page.eval_on_selector_all(
        f"{DIALOG} button, {DIALOG} .sb-run-tick",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.height] })")
    assert sizes and all(height >= 48 for _text, height in sizes), sizes
    page.context.close()


# ---- content is data; a changed procedure starts afresh ----------------------------------------
def procedure_yaml(second_step: str) -> str:
    return textwrap.dedent(f"""\
        id: ch
        title: 测试章
        sections:
          - id: s
            title: 小节
            blocks:
              - type: procedure
                id: p
                title: 流程</script><b>粗</b>
                steps:
                  - id: a
                    title: <script>alert("x")</script>第一步
                    minutes: 1
                  - id: b
                    title: {second_step}
                    minutes: 1
        """)


def test_hostile_content_is_text_and_a_changed_procedure_starts_afresh(tmp_path):
    root = write_project(tmp_path / "p", procedure_yaml("第二步"))
    (root / "macros").symlink_to(REPO / "macros")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# 首页\n", encoding="utf-8")
    shutil.copy(FIXTURE / "mkdocs.yml", root / "mkdocs.yml")
    site = tmp_path / "site"
    build_site(root, site)
    html = (site / "ch" / "index.html").read_text(encoding="utf-8")
    island = re.search(r'<script type="application/json" class="sb-run-data">(.*?)</script>', html, re.S)
    assert island and "</script" not in island.group(1) and "<" not in island.group(1)
    assert json.loads(island.group(1))["title"] == "流程</script><b>粗</b>"

    base = serve(site)
    page = new_page()
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    page.goto(base + "ch/index.html")
    page.locator(".sb-run-start").click()
    assert page.inner_text(f"{DIALOG} .sb-run-title") == "流程</script><b>粗</b>"
    assert step_title(page) == '<script>alert("x")</script>第一步'
    advance(page, MINUTE)
    next_step(page)
    assert step_title(page) == "第二步"
    keys = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('sopbook.run|'))")
    assert len(keys) == 1

    shutil.rmtree(site)
    (root / "content" / "ch.yml").write_text(procedure_yaml("第二步:改过"), encoding="utf-8")
    build_site(root, site)
    page.reload()
    # The saved run was of other steps: no dialog reopens, and the next run is a new one.
    assert page.locator(DIALOG).count() == 0
    page.locator(".sb-run-start").click()
    assert step_title(page) == '<script>alert("x")</script>第一步'
    assert page.inner_text(f"{DIALOG} .sb-run-step-clock") == "00:00 / 1分钟"
    after = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('sopbook.run|'))")
    assert len(after) == 1 and after != keys
    assert alerts == [] and page.outside == []
    page.context.close()


def test_copy_falls_back_without_the_clipboard_api(base):
    page = new_page(clipboard=False)
    page.add_init_script("""
        Object.defineProperty(navigator, 'clipboard', {value: undefined});
        document.addEventListener('copy', () => {
            const a = document.activeElement;
            window.copied = a.value.substring(a.selectionStart, a.selectionEnd);
        });
    """)
    page.goto(base + "delivery/index.html")
    page.locator(".sb-checklist:has(> #verify-brakes) > .sb-run-start").click()
    assert step_title(page) == "刹车系统"
    page.locator(f"{DIALOG} .sb-run-tick").first.click()
    advance(page, 45_000)
    next_step(page)
    page.locator(f"{DIALOG} .sb-run-copy").click()
    assert page.evaluate("() => window.copied") == textwrap.dedent("""\
        刹车系统 执行记录
        刹车系统:00:45
        总用时 00:45
        未勾选 2 项:
        - 刹车系统:静止状态多次刹车,听是否有异响
        - 刹车系统:试车测试刹车效果""")
    assert "已复制" in page.inner_text(f"{DIALOG} .sb-run-copied")
    page.context.close()


def test_back_returns_to_the_previous_step_and_keeps_its_time(base):
    page = new_page()
    page.goto(base + "delivery/index.html")
    page.locator(GOLDEN).click()
    advance(page, 90_000)
    next_step(page)
    assert "成果展示" in step_title(page)
    advance(page, 30_000)
    page.locator(f"{DIALOG} .sb-run-prev").click()
    assert "氛围营造" in step_title(page)
    # Time spent on a step adds up across visits; the step left keeps what it had.
    assert page.inner_text(f"{DIALOG} .sb-run-step-clock") == "01:30 / 2分钟"
    advance(page, 15_000)
    assert page.inner_text(f"{DIALOG} .sb-run-step-clock") == "01:45 / 2分钟"
    assert "总计 02:15 / 15分钟" in page.inner_text(f"{DIALOG} .sb-run-total")
    page.context.close()
