"""Reuse a generated page's finished HTML from the previous build when nothing it shows changed.

MkDocs has no incremental build: after a one-line fix it renders every page through the theme
again, which at 1000 chapters is most of a rebuild. A generated page's output is a
function of its own HTML, title and metadata, its place in the navigation (the sidebar and the
previous/next links show the whole navigation's titles and URLs), the resolved site settings,
and the code and packages that render it. The key below hashes all of those; a page whose key
matches the previous build's, and whose previous file is still the one that build wrote, is
not rendered by the theme again: its old output is written instead.

Only `sopbook build` turns this on (it builds beside the previous site and swaps); a bare
`mkdocs build` or `mkdocs serve` renders everything, as MkDocs always does. Hand-written pages
are always rendered: Markdown extensions may read files this key knows nothing about.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import metadata
from pathlib import Path

from sopbook._util.digest import digest as _digest
from sopbook._util.digest import sha256 as _sha
from sopbook._util.manifest import read_manifest, write_manifest

MANIFEST = ".sopbook-pages.json"
FORMAT = 1
PACKAGES = ("sopbook", "mkdocs", "mkdocs-material", "pymdown-extensions", "markdown", "jinja2", "jieba")


@lru_cache(maxsize=1)
def _code() -> str:
    """Versions of the rendering packages, and sopbook's own source (an edited checkout keeps its version)."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    package = Path(__file__).parents[1]
    return _digest(versions, *(p.read_bytes() for p in sorted(package.rglob("*.py"))),
                   *(p.read_bytes() for p in sorted((package / "web" / "assets").glob("*")) if p.is_file()))


def _nav_items(items) -> list:
    out = []
    for item in items:
        children = getattr(item, "children", None)
        out.append([type(item).__name__, str(item.title or ""), getattr(item, "url", None),
                    _nav_items(children) if children else None])
    return out


def site_key(config, nav) -> str:
    """Everything every page shows beside its own content: settings, theme, navigation, code."""
    config_file = Path(config.config_file_path)
    settings = {
        "site_name": str(config.site_name), "site_url": config.site_url, "copyright": config.copyright,
        "site_description": config.site_description, "repo_url": config.repo_url, "edit_uri": config.edit_uri,
        "use_directory_urls": config.use_directory_urls, "extra": dict(config.extra),
        "extra_css": [str(x) for x in config.extra_css],
        "extra_javascript": [str(x) for x in config.extra_javascript],
        "theme": {key: config.theme[key] for key in config.theme}, "theme_dirs": list(config.theme.dirs),
    }
    # Template overrides (custom_dir) and MkDocs hooks are project files, not package versions.
    local = [Path(d) for d in config.theme.dirs if "site-packages" not in Path(d).parts]
    local_files = sorted(f for d in local for f in d.rglob("*") if f.is_file())
    hooks = sorted(Path(h) for h in (config.get("hooks") or []))
    config_text = config_file.read_bytes() if config_file.is_file() else b""
    return _digest(_code(), config_text, settings, _nav_items(nav.items),
                   [(str(f), f.read_bytes().hex()) for f in local_files + hooks if f.is_file()])


def page_key(site: str, page, html: str) -> str:
    return _digest(site, page.file.src_uri, page.file.dest_uri, str(page.title or ""), dict(page.meta), html)


class PageCache:
    """The previous build's generated pages: which can be written again as they were."""

    def __init__(self, previous_site: Path | None) -> None:
        self.previous = Path(previous_site) if previous_site else None
        self.old: dict[str, dict] = {}
        self.new: dict[str, dict] = {}
        if self.previous is not None:  # no site yet: nothing to reuse, a manifest to write
            pages = read_manifest(self.previous / MANIFEST, FORMAT).get("pages")
            if isinstance(pages, dict):
                self.old = pages

    def previous_output(self, dest_uri: str, key: str) -> str | None:
        """The page's previous HTML if its key matches and the file is the one that build wrote."""
        entry = self.old.get(dest_uri)
        if self.previous is None or not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            data = (self.previous / dest_uri).read_bytes()
        except OSError:
            return None
        return data.decode("utf-8") if _sha(data) == entry.get("sha256") else None

    def record(self, dest_uri: str, key: str, output: str) -> None:
        self.new[dest_uri] = {"key": key, "sha256": _sha(output.encode("utf-8", errors="xmlcharrefreplace"))}

    def save(self, site_dir: Path) -> None:
        write_manifest(Path(site_dir) / MANIFEST, FORMAT, {"pages": dict(sorted(self.new.items()))})
