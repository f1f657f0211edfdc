"""The live preview (`sopbook serve`) says what is wrong where the editor is looking: in the page.

An editor saves a YAML file with a mistake; the preview rebuilds. Aborting the rebuild would
leave the browser waiting with nothing to say why. Instead the preview keeps showing the last
content that loaded and puts the findings, each with its file:line, at the top of every page,
in the page's own markup (no stylesheet needed) and in the handbook's language; the next good
save takes the box away.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import jinja2
from markupsafe import escape

from sopbook import i18n
from sopbook.findings import Finding
from sopbook.i18n import N_

_BODY = re.compile(r"<body\b[^>]*>", re.I)
_STYLE = ("position:sticky;top:0;z-index:10;margin:0;padding:.8em 1em;background:#b71c1c;color:#fff;"
          "font:15px/1.5 system-ui,sans-serif;max-height:60vh;overflow:auto")


def banner(findings: list[Finding], lang: str = i18n.SOURCE_LANGUAGE) -> str:
    """The box of findings in `lang`: where, what, and what to do, every string escaped."""
    items = []
    for f in findings:
        hint = f"<br><span>{escape(f.hint_in(lang))}</span>" if f.hint_text else ""
        items.append(f"<li><code style=\"color:#fff;background:none\">{escape(str(f.loc))}</code> "
                     f"{escape(f.message_in(lang))}{hint}</li>")
    title = i18n.say(N_("The content has {count} errors; the preview shows the last content that loaded."),
                     lang, {"count": len(findings)})
    return (f'<div class="sb-preview-error" role="alert" style="{_STYLE}">'
            f"<strong>{escape(title)}</strong>"
            f"<ul style=\"margin:.4em 0 0 1.2em;padding:0\">{''.join(items)}</ul></div>")


def with_banner(html: str, findings: list[Finding], lang: str = i18n.SOURCE_LANGUAGE) -> str:
    if not findings:
        return html
    found = _BODY.search(html)
    if found is None:
        return banner(findings, lang) + html
    return html[:found.end()] + banner(findings, lang) + html[found.end():]


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled theme templates kept for the whole preview session.

    MkDocs makes a new theme environment for every rebuild, and compiling Material's templates
    again was half of an edit's wait. Jinja keys each entry by the template's name and checks its
    source's checksum, so an edited template is compiled again."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


THEME_BYTECODE = MemoryBytecodeCache()


def templates_signature(folder: Path) -> tuple:
    """What changes when any template under `folder` is edited, added or removed: the preview
    compiles the templates again only then (compiling them all was a third of an edit's wait)."""
    found = []
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            try:
                stat = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            found.append((dirpath, name, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))
