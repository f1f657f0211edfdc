"""The one way sopbook hashes what a card or a page depends on.

Each part is length-prefixed, so ("ab", "c") and ("a", "bc") never share a key. Bytes are
hashed as they are, text as UTF-8, and anything else (settings, navigation, lists of keys) as
sorted JSON, so the same data always gives the same key.
"""
from __future__ import annotations

import hashlib
import json


def digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            data = part
        elif isinstance(part, str):
            data = part.encode("utf-8")
        else:
            data = json.dumps(part, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def sha256(data: bytes) -> str:
    """A file's own hash: whether the file in the previous site is still the one written."""
    return hashlib.sha256(data).hexdigest()
