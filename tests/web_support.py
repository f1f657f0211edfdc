"""Build a handbook site once per test session, serve it on 127.0.0.1, and drive Debian's chromium.

Shared by tests/test_web_*.py. Builds are cached per project folder, so every test module that
asks for the same site gets the one build (the fixtures in the modules are thin wrappers).
"""
from __future__ import annotations

import atexit
import contextlib
import functools
import http.server
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "web"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass
class Built:
    root: Path
    site: Path
    seconds: float
    log: list[logging.LogRecord]

    def search_index(self) -> dict:
        return json.loads((self.site / "search" / "search_index.json").read_text(encoding="utf-8"))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def build_site(root: Path, site_dir: Path) -> Built:
    """What `sopbook build` does for the web: load mkdocs.yml from the project, build into site_dir."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    handler = _Collect()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    old_level = mkdocs_log.level
    mkdocs_log.setLevel(logging.INFO)
    start = time.perf_counter()
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    finally:
        mkdocs_log.removeHandler(handler)
        mkdocs_log.setLevel(old_level)
    return Built(root, site_dir, time.perf_counter() - start, handler.records)


_BUILDS: dict[Path, Built] = {}


def built(root: Path) -> Built:
    """One build per project and session, into a temporary folder removed at exit."""
    root = root.resolve()
    if root not in _BUILDS:
        out = Path(tempfile.mkdtemp(prefix="sopbook-web-")) / "site"
        _BUILDS[root] = build_site(root, out)
    return _BUILDS[root]


@atexit.register
def _cleanup() -> None:
    for result in _BUILDS.values():
        shutil.rmtree(result.site.parent, ignore_errors=True)
    _BUILDS.clear()


def real_content_ready() -> bool:
    return (REPO / "mkdocs.yml").exists() and any((REPO / "content").glob("*.yml"))


# ---- a static server like any static host: 127.0.0.1, a free port, a thread -----------------------
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a page navigated away mid-download (broken pipe): not a test failure


@functools.cache
def serve(site: Path) -> str:
    handler = functools.partial(_Quiet, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the browser ---------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    # Debian's chromium, never a downloaded one (`playwright install` is not available here).
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "file"):
        return True
    return parts.hostname in ("127.0.0.1", "localhost")


def search(page, query: str, timeout: float = 15_000) -> list[list[str]]:
    """Type a query into Material's search box; return each result group's links (page first)."""
    box = page.locator("input.md-search__input")
    if not box.is_visible():  # on a phone the box opens from the header's search button
        page.locator("label.md-header__button[for='__search']").first.click()
    box.click()
    box.fill(query)
    # fill() of Chinese text fires no keyboard event, and Material searches on key events.
    box.press("End")
    page.wait_for_function(
        """(q) => {
            const meta = document.querySelector('.md-search-result__meta');
            const input = document.querySelector('input.md-search__input');
            return input && input.value === q && meta && document.querySelector('.md-search-result__item')
        }""", arg=query, timeout=timeout)
    return page.eval_on_selector_all(
        ".md-search-result__item",
        """items => items.map(li => [...li.querySelectorAll('a.md-search-result__link')].map(a => [
            a.href, parseFloat(a.querySelector('article').dataset.mdScore)]))""")


def first_hit(groups: list[list], base: str) -> str:
    """The best-scoring entry of the first result group (Material ranks groups by their best entry),
    relative to the site: 'delivery/index.html#brakes'."""
    best_score = max(score for _href, score in groups[0])
    href = next(href for href, score in groups[0] if score == best_score)
    parts = urlsplit(href)
    path = parts.path[len(urlsplit(base).path):]
    return path + (f"#{parts.fragment}" if parts.fragment else "")


def first_hit_text(page, groups: list[list]) -> str:
    """What the search result shows for the first hit (title and snippet), as a reader sees it,
    without the zero-width spaces between Chinese words."""
    best_score = max(score for _href, score in groups[0])
    text = page.evaluate(
        """(best) => [...document.querySelector('.md-search-result__item').querySelectorAll('article')]
            .find(article => parseFloat(article.dataset.mdScore) === best).innerText""", best_score)
    return " ".join(text.replace("\u200b", "").split())


def phone_context(**options):
    """A phone-sized browser context that reaches nothing beyond this machine; what it refused
    to fetch is listed in `context.outside`."""
    context = browser().new_context(**{"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                                       "has_touch": True, "locale": "zh-CN", **options})
    outside: list[str] = []

    def route(r):
        if local(r.request.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    context.outside = outside
    return context


# A page's first bytes as the browser fetches them: [status, the first 4 characters, length].
FETCH = """async (url) => {
    const response = await fetch(url);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return [response.status, String.fromCharCode(...bytes.slice(0, 4)), bytes.length];
}"""


@contextlib.contextmanager
def preview_server(project: Path, *, mkdocs: bool = False) -> Iterator[str]:
    """`sopbook serve` (or plain `mkdocs serve`) of `project` on a free port; its base URL. The
    server is stopped when the block ends."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    sopbook = str(Path(sys.executable).with_name("sopbook"))
    command = ([sys.executable, "-m", "mkdocs", "serve", "-a", address] if mkdocs else
               [sopbook, "serve", "-a", address, "--root", str(project)])
    server = subprocess.Popen(command, cwd=project, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"http://{address}/"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def goto_when_up(page, url: str) -> None:
    """Open `url` as soon as the preview server that serves it has started (at most a minute)."""
    for _ in range(120):
        try:
            page.goto(url)
            return
        except Exception:  # the preview server is still starting
            page.wait_for_timeout(500)
    page.goto(url)
