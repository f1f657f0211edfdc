"""WeasyPrint reads only files inside the project: no file:///etc/passwd, no http fetch."""
from __future__ import annotations

import pytest

from cards_support import make_project, pdf_text

pytestmark = pytest.mark.slow

HOSTILE_HTML = """
<section class="side" data-side="front"><div class="side-body">
<link rel="stylesheet" href="file:///etc/passwd">
<img src="file:///etc/passwd" alt="passwd">
<img src="http://127.0.0.1:9/x.png" alt="http">
<img src="../../../../../../etc/hostname" alt="relative">
<img src="inside.svg" alt="inside">
<p>正文</p>
</div></section>
"""


def test_renderer_fetches_project_files_only(tmp_path):
    from sopbook.cards.fonts import require_cjk_font
    from sopbook.cards.html import stylesheet
    from sopbook.cards.pdf import CardJob, Renderer

    root = make_project("cards", tmp_path)
    (root / "inside.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                     '<rect width="10" height="10"/></svg>', encoding="utf-8")
    renderer = Renderer(root, stylesheet(root, require_cjk_font()))
    result = renderer.render(CardJob("raw", HOSTILE_HTML, ("front",), str(tmp_path / "raw.pdf")))
    assert result.ok, result
    blocked = renderer.fetcher.blocked
    assert "file:///etc/passwd" in blocked
    assert "http://127.0.0.1:9/x.png" in blocked
    assert any(url.endswith("/etc/hostname") for url in blocked)
    assert not any(url.endswith("inside.svg") for url in blocked)
    assert len(blocked) == 4  # the stylesheet, the two images, the relative escape
    assert "正文" in pdf_text(tmp_path / "raw.pdf")
    # WeasyPrint said it could not load them: the build shows that as a warning.
    assert any("etc/passwd" in w for w in result.warnings)
