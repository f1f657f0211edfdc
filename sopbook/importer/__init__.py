"""`sopbook import`: a course document (pasted text) into a draft chapter that the loader accepts.

lines (what one line is) -> tokens (lines that go together) -> structure (sections and blocks) ->
finish (pending headings, ids, references) -> yaml_text (the file, with comments) -> read back with
the loader and the model. The importer stands on the model: it imports sopbook.model, .source,
.findings and .i18n, and nothing that renders or checks.
"""
from __future__ import annotations

from sopbook.importer.pipeline import ImportResult, NothingToImport, import_text

__all__ = ["ImportResult", "NothingToImport", "import_text"]
