"""The home-screen icons of the installed handbook, drawn at build time with Pillow.

A phone shows the icon on its home screen and on the splash screen of the installed app: the
handbook's first character, white on the primary colour, is what staff recognise among their
apps. A "maskable" icon fills the whole square and keeps the glyph inside the centre circle
(40 % of the size as radius), because Android cuts it to the launcher's shape. Without a CJK
font (fontconfig cannot name one that has the character) a white checklist mark is drawn
instead, so a build never fails for want of an icon font.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

SIZES = (192, 512)


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@lru_cache(maxsize=8)
def font_for(glyph: str) -> tuple[str, int] | None:
    """A bold sans-serif face (file, index in a collection) that has `glyph`, as fontconfig picks it."""
    exe = shutil.which("fc-match")
    if exe is None or not glyph:
        return None
    pattern = f"sans-serif:lang=zh-cn:weight=bold:charset={ord(glyph):x}"
    try:
        done = subprocess.run([exe, "--format", "%{file}\t%{index}", pattern],
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = done.stdout.partition("\t")
    if done.returncode != 0 or not path or not index.isdigit():
        return None
    # fontconfig answers with its best match even when no font has the character: check it.
    try:
        face = ImageFont.truetype(path, 64, index=int(index))
    except OSError:
        return None
    if face.getmask(glyph).getbbox() is None or _is_notdef(face, glyph):
        return None
    return path, int(index)


def _is_notdef(face: ImageFont.FreeTypeFont, glyph: str) -> bool:
    """Whether the face draws `glyph` as its missing-glyph box (the same ink as an unassigned code point)."""
    missing = "\U0010fffd"  # a private-use code point no font draws
    return bytes(face.getmask(glyph)) == bytes(face.getmask(missing))


def draw(size: int, glyph: str, colour: str, *, maskable: bool) -> bytes:
    """A square PNG of `size` pixels: the glyph in white on `colour` (rounded unless maskable)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    background = (*_rgb(colour), 255)
    if maskable:
        pen.rectangle((0, 0, size, size), fill=background)
    else:
        pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(size * 0.18), fill=background)
    # The glyph's box: inside the safe circle for a maskable icon, most of the square otherwise.
    box = size * (0.5 if maskable else 0.66)
    found = font_for(glyph)
    if found is not None:
        face = ImageFont.truetype(found[0], round(box), index=found[1])
        left, top, right, bottom = pen.textbbox((0, 0), glyph, font=face)
        # Centre the ink, not the line box: CJK glyphs sit low in their em square.
        pen.text(((size - (right - left)) / 2 - left, (size - (bottom - top)) / 2 - top), glyph,
                 font=face, fill="white")
    else:
        _checklist_mark(pen, size, box)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _checklist_mark(pen: ImageDraw.ImageDraw, size: int, box: float) -> None:
    """Three ticked lines: a checklist, the handbook's other face, when no font has the glyph."""
    left = (size - box) / 2
    width = max(2, round(size / 40))
    for row in range(3):
        y = left + box * (0.2 + 0.3 * row)
        tick = box * 0.12
        pen.line([(left, y), (left + tick * 0.6, y + tick * 0.6), (left + tick * 1.6, y - tick * 0.6)],
                 fill="white", width=width, joint="curve")
        pen.line([(left + box * 0.35, y), (left + box, y)], fill="white", width=width)
