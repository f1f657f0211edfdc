"""The CJK font the cards are set in, and the library that subsets it: both checked before
anything is rendered.

A card without a CJK font would print tofu boxes (or WeasyPrint would fail deep inside font
subsetting), so a missing font is an error up front that says what to install. Without
HarfBuzz-Subset, WeasyPrint subsets the 20 MB Noto CJK font with fontTools instead: 15-20 s a
card instead of half a second, and one log warning per font per document, so that is an error
up front too.
"""
from __future__ import annotations

import ctypes
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sopbook.findings import Finding, Loc
from sopbook.i18n import N_, SOURCE_LANGUAGE, say

# Sans-serif CJK families in order of preference: simplified Chinese first, any sans CJK after.
PREFERRED = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
INSTALL_HINT = N_("install fonts-noto-cjk (apt-get install fonts-noto-cjk)")
SUBSET_LIBRARY = "libharfbuzz-subset.so.0"
SUBSET_HINT = N_("sudo apt-get install libharfbuzz-subset0")


class FontMissing(RuntimeError):
    """No sans-serif CJK font is installed: the message says what to install."""


@dataclass(frozen=True)
class CjkFont:
    family: str
    files: tuple[str, ...]  # every file holding a face of the family (regular, bold)

    def signature(self) -> str:
        # Path, size and mtime rather than the bytes: the Noto CJK files are ~20 MB each, and a
        # package upgrade that changes a font changes all three.
        parts = []
        for name in self.files:
            try:
                st = Path(name).stat()
                parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{name}:missing")
        return f"{self.family}|" + "|".join(parts)


def fc_list(*args: str) -> str | None:
    """What fontconfig's `fc-list` prints for the arguments: the fonts WeasyPrint can find, as
    it finds them. None when fontconfig's tools are missing or fail."""
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def _fc_list() -> str:
    """The CJK fonts as family<TAB>file lines."""
    return fc_list("--format", "%{family[0]}\t%{file}\n", ":lang=zh") or ""


def _is_sans(family: str) -> bool:
    words = family.lower()
    return ("sans" in words or "hei" in words) and "mono" not in words and "serif" not in words


@lru_cache(maxsize=1)
def find_cjk_font() -> CjkFont | None:
    """The preferred sans-serif CJK family that fontconfig knows, with its files; None if none."""
    files: dict[str, set[str]] = {}
    for line in _fc_list().splitlines():
        family, _, path = line.partition("\t")
        if family and path:
            files.setdefault(family.strip(), set()).add(path.strip())
    for family in PREFERRED:
        if family in files:
            return CjkFont(family, tuple(sorted(files[family])))
    for family in sorted(files):
        if _is_sans(family):
            return CjkFont(family, tuple(sorted(files[family])))
    return None


def missing_message() -> str:
    """Why there is no font, as a message id (what to install is in it)."""
    if shutil.which("fc-list") is None:
        return N_("no sans-serif CJK font for the cards (fc-list is not installed): "
                  "install fonts-noto-cjk (apt-get install fonts-noto-cjk)")
    return N_("no sans-serif CJK font for the cards (fc-list :lang=zh lists no sans-serif CJK font): "
              "install fonts-noto-cjk (apt-get install fonts-noto-cjk)")


def require_cjk_font() -> CjkFont:
    """The font, or FontMissing with what to install: call before rendering anything."""
    font = find_cjk_font()
    if font is None:
        raise FontMissing(say(missing_message(), SOURCE_LANGUAGE))
    return font


def font_finding() -> Finding:
    return Finding("error", "cards.font-missing", missing_message(), Loc("checklists"), INSTALL_HINT)


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz, decided as weasyprint.pdf.fonts does:
    its ffi module loaded harfbuzz-subset, and HarfBuzz is 4.1.0 or newer."""
    try:
        with warnings.catch_warnings():  # its DeprecationWarning when the library is missing
            warnings.simplefilter("ignore")
            from weasyprint.text import ffi
    except Exception:  # WeasyPrint itself cannot load (no Pango): rendering reports that
        return True
    subset = getattr(ffi, "harfbuzz_subset", _MISSING)
    if subset is _MISSING:  # a WeasyPrint that names it differently: load it the same way
        try:
            ctypes.CDLL(SUBSET_LIBRARY)
        except OSError:
            return False
        return True
    if subset is None:
        return False
    try:
        return bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))
    except AttributeError:
        return True


_MISSING = object()


def subset_finding() -> Finding:
    return Finding("error", "cards.fonttools-fallback",
                   N_("WeasyPrint cannot load HarfBuzz-Subset ({library}): it would subset the CJK font "
                      "with fontTools, 15-20 s a card instead of under one"), Loc("checklists"), SUBSET_HINT,
                   params={"library": SUBSET_LIBRARY})
