"""The handbook on a phone without signal: the web app manifest, its icons, and the service worker
that stores one whole build (sw.js at the site's root; the worker itself is assets/sw.js).

Staff install the handbook from the browser and read it beside the car or in an underground
garage. What the worker stores is the build as published: every page, the search index, the
styles, scripts and images the pages load, the manifest and its icons, and every card PDF
(cards/*.pdf, cards/a4/*.pdf). Left out, because no page loads them: sopbook's own manifests
(dot files, cards/manifest.json), source maps, the sitemap, search/search_index.js (the index
inlined for file:// only) and the lunr language files the search index does not ask for
(Material ships about 30).

The cache is named after a hash of the stored files' contents: a build that changes any of them
is a new sw.js, which phones fetch, store whole beside the old build, and switch to when staff
press the notice that the handbook was updated (said in the handbook's language). So the list
and the hash must be written last: after MkDocs (the plugin's on_post_build) and again after
the cards (`sopbook build`, which renders them once MkDocs has finished).
"""
from __future__ import annotations

import errno
import json
import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from markupsafe import escape
from mkdocs.utils import get_relative_url

from sopbook import i18n
from sopbook._util.columns import columns
from sopbook._util.digest import digest, sha256
from sopbook.findings import Finding, Loc
from sopbook.i18n import N_
from sopbook.web import icons
from sopbook.web.site import asset

SW_FILE = "sw.js"
MANIFEST_FILE = "manifest.webmanifest"
ICON_DIR = "assets/sopbook/icons"
REGISTER_JS, REGISTER_CSS = "assets/sopbook/offline.js", "assets/sopbook/offline.css"
THEME_COLOR = "#00695c"  # the primary colour of the header (sopbook.css)
BACKGROUND_COLOR = "#ffffff"
# The notice that a newer build is stored and waiting (offline.js).
NOTICE_WORDS = {"updated": N_("The handbook has been updated"), "reload": N_("Load the new version")}

SEARCH_INDEX = "search/search_index.json"
LUNR_DIR = "assets/javascripts/lunr/"
NOT_LOADED = {"search/search_index.js", "sitemap.xml", "sitemap.xml.gz"}
CARD_DIR = "cards/"


# ---- what is stored -----------------------------------------------------------------------------
def _search_languages(site: Path) -> list[str]:
    try:
        config = json.loads((site / SEARCH_INDEX).read_text(encoding="utf-8")).get("config") or {}
    except (OSError, ValueError, AttributeError):
        return []
    langs = config.get("lang") if isinstance(config, dict) else None
    return [str(lang) for lang in langs] if isinstance(langs, list) else []


def lunr_files(langs: list[str]) -> set[str]:
    """The lunr scripts Material's search worker imports for these languages (its own rule)."""
    files: list[str] = []
    for lang in langs:
        if lang in ("ja", "jp"):
            files.append("tinyseg.js")
        elif lang in ("hi", "th"):
            files.append("wordcut.js")
        if lang != "en":
            files.append(f"min/lunr.{lang}.min.js")
    if len(langs) > 1:
        files.append("min/lunr.multi.min.js")
    if files:
        files.append("min/lunr.stemmer.support.min.js")
    return {LUNR_DIR + name for name in files}


def _stored(rel: str, lunr: set[str]) -> bool:
    parts = PurePosixPath(rel).parts
    if any(part.startswith(".") for part in parts) or rel == SW_FILE or rel in NOT_LOADED:
        return False
    if rel.endswith(".map"):
        return False
    if rel.startswith(LUNR_DIR):
        return rel in lunr
    if rel.startswith(CARD_DIR):
        return rel.endswith((".pdf", ".html"))
    return True


def precache(site: Path) -> list[str]:
    """The files of the build the worker stores, relative to the site, in a stable order."""
    lunr = lunr_files(_search_languages(site))
    out = []
    for folder, dirs, names in os.walk(site):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            path = Path(folder, name)
            rel = path.relative_to(site).as_posix()
            if path.is_file() and _stored(rel, lunr):
                out.append(rel)
    return sorted(out)


def build_key(site: Path, files: list[str], network_first: bool = False) -> str:
    """The hash of the stored files' contents: the name of this build's cache."""
    return digest("sopbook-offline 1", network_first,
                  [[rel, sha256((site / rel).read_bytes())] for rel in files])[:20]


# ---- the manifest and the worker ----------------------------------------------------------------
def short_name(title: str) -> str:
    """The name under the home-screen icon, where about 12 columns fit (a CJK character is two):
    the title when it fits; else its first two and last two characters for a Chinese title
    (售后服务培训手册 -> 售后手册), its first words for another."""
    title = " ".join(title.split())
    if columns(title) <= 12:
        return title
    if columns(title) >= 2 * len(title) - 2:  # (almost) all wide characters
        return title[:2] + title[-2:]
    words, out = title.split(" "), ""
    for word in words:
        if columns(f"{out} {word}".strip()) > 12:
            break
        out = f"{out} {word}".strip()
    return out or title[:12]


def icon_glyph(title: str) -> str:
    return next((c for c in title if c.isalnum()), "")


def _icons() -> list[tuple[str, int, bool]]:
    return [(f"{ICON_DIR}/{'maskable' if maskable else 'icon'}-{size}.png", size, maskable)
            for maskable in (False, True) for size in icons.SIZES]


def manifest(title: str, description: str | None, lang: str) -> str:
    """The web app manifest: JSON, so the handbook's title is data, never markup or code.
    `lang`: the handbook's language (zh, en), what the phone reads its name in."""
    data: dict[str, object] = {
        "name": title, "short_name": short_name(title),
        "start_url": "index.html", "scope": "./", "display": "standalone",
        "lang": lang, "dir": "ltr", "theme_color": THEME_COLOR, "background_color": BACKGROUND_COLOR,
        "icons": [{"src": rel, "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": "maskable" if maskable else "any"} for rel, size, maskable in _icons()],
    }
    if description:
        data["description"] = description
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _replace_line(text: str, line: str, value: str) -> str:
    if text.count(line) != 1:
        raise ValueError(f"sw.js has no single line {line!r}")
    name = line.split("=")[0]
    return text.replace(line, f"{name}= {value};")


def service_worker(files: list[str], key: str, network_first: bool = False) -> str:
    """sw.js for this build: its files as URLs relative to the worker, JSON-encoded."""
    urls = [quote(rel, safe="/!$&'()*+,;=:@~") for rel in files]
    text = asset(SW_FILE)
    text = _replace_line(text, 'const BUILD = "__BUILD__";', json.dumps(key))
    text = _replace_line(text, "const FILES = [];", json.dumps(urls, indent=0).replace("\n", ""))
    return _replace_line(text, "const NETWORK_FIRST = false;", json.dumps(network_first))


def register_script(live_preview: bool, lang: str = i18n.SOURCE_LANGUAGE) -> str:
    """offline.js, its notice in `lang`; under `mkdocs serve` it shows no notice (live reload
    shows the new build)."""
    text = _replace_line(asset("offline.js"), "var LIVE_PREVIEW = false;", json.dumps(live_preview))
    words = {name: i18n.gettext(msgid, lang) for name, msgid in NOTICE_WORDS.items()}
    line = next(line for line in text.splitlines() if line.strip().startswith("var WORDS = "))
    return _replace_line(text, line.strip(), json.dumps(words, ensure_ascii=False))


def head_tags(page_url: str) -> str:
    href = get_relative_url(MANIFEST_FILE, page_url)
    return (f'<link rel="manifest" href="{escape(href)}">'
            f'<meta name="theme-color" content="{THEME_COLOR}">')


def with_head_tags(html: str, page_url: str) -> str:
    """The page with the manifest link and theme colour at the end of its <head>."""
    head, found, rest = html.partition("</head>")
    return f"{head}{head_tags(page_url)}{found}{rest}" if found else html


# ---- writing ------------------------------------------------------------------------------------
def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # a server never hands out half a worker


def manifest_language(site: Path) -> str | None:
    """The language of the manifest already in `site` (the build's first pass wrote it)."""
    try:
        lang = json.loads((site / MANIFEST_FILE).read_text(encoding="utf-8")).get("lang")
    except (OSError, ValueError, AttributeError):
        return None
    return lang if isinstance(lang, str) and lang else None


def write(site: Path, title: str, description: str | None = None, *,
          network_first: bool = False, lang: str | None = None) -> list[Finding]:
    """Write the icons, the manifest and sw.js (last, over everything else in `site`).
    `lang`: the handbook's language; when not given, the one the site's manifest already says
    (the second pass of a build, once the cards exist), else English.
    Returns the findings of a failure to write (none when it worked)."""
    lang = lang or manifest_language(site) or i18n.SOURCE_LANGUAGE
    target = site / SW_FILE
    try:
        glyph = icon_glyph(title)
        for rel, size, maskable in _icons():
            target = site / rel
            _write(target, icons.draw(size, glyph, THEME_COLOR, maskable=maskable))
        target = site / MANIFEST_FILE
        _write(target, manifest(title, description, lang).encode("utf-8"))
        target = site / SW_FILE
        files = precache(site)
        _write(target, service_worker(files, build_key(site, files, network_first), network_first).encode())
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            text = N_("cannot write {file} of the offline handbook: the disk is full")
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            text = N_("cannot write {file} of the offline handbook: no permission to write there")
        else:
            text = N_("cannot write {file} of the offline handbook: {reason}")
        return [Finding("error", "build.offline", text, Loc(str(target)),
                        N_("check that the output folder is writable and the disk not full, "
                           "then build again"),
                        params={"file": target.name, "reason": exc.strerror or str(exc)})]
    return []
