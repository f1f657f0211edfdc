"""The build pipeline: MkDocs errors come back located; the site is swapped in only on success."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sopbook.build import BuildFailed, build, build_web
from sopbook.model.project import load_project

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "web"


@pytest.fixture
def project_dir(tmp_path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root, symlinks=False, ignore=shutil.ignore_patterns("site", "site.*"))
    return root


def test_broken_trainer_ref_in_mkdocs_comes_back_as_a_located_finding(project_dir, tmp_path):
    (project_dir / "docs" / "trainers").mkdir(parents=True, exist_ok=True)
    (project_dir / "docs" / "trainers" / "oops.md").write_text("# 课\n\n见 {{ ref('nope.nothing') }}\n",
                                                                encoding="utf-8")
    with pytest.raises(BuildFailed) as info:
        build_web(load_project(project_dir), tmp_path / "out")
    located = [f for f in info.value.findings if f.loc.file == "docs/trainers/oops.md"]
    assert [(f.loc.line, f.loc.col, f.message) for f in located] == [
        (3, 3, "ref('nope.nothing') points to an id that does not exist")]


def test_failed_check_leaves_the_previous_site_and_says_why(project_dir):
    site = project_dir / "site"
    site.mkdir()
    (site / "marker.txt").write_text("previous build")
    (project_dir / "docs" / "broken.md").write_text("{{ ref('x.y') }}\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as info:
        build(project_dir, cards=False)
    assert info.value.stage == "check"
    assert (site / "marker.txt").read_text() == "previous build"
    assert not list(project_dir.glob("site.tmp-*"))


def test_successful_build_replaces_the_site(project_dir):
    site = project_dir / "site"
    site.mkdir()
    (site / "marker.txt").write_text("previous build")
    result = build(project_dir, cards=False)
    assert result.site == site
    assert not (site / "marker.txt").exists()
    assert (site / "index.html").exists() and (site / "search" / "search_index.json").exists()
    assert not list(project_dir.glob("site.old-*")) and not list(project_dir.glob("site.tmp-*"))


def test_build_reads_and_checks_the_content_once(project_dir, monkeypatch):
    # The MkDocs plugin gets the project `sopbook build` loaded (1.5 s at 1000 chapters); a
    # second read would also race an editor saving a file mid-build into two different models.
    import sopbook.build
    import sopbook.checks
    import sopbook.web.plugin

    loads, checks = [], []
    real_load, real_checks = sopbook.build.load_project, sopbook.checks.run_checks
    monkeypatch.setattr(sopbook.build, "load_project",
                        lambda root, *lang: loads.append(root) or real_load(root, *lang))
    monkeypatch.setattr(sopbook.web.plugin, "load_project",
                        lambda root: loads.append(root) or real_load(root))
    monkeypatch.setattr(sopbook.build, "run_checks", lambda p: checks.append(p) or real_checks(p))
    monkeypatch.setattr(sopbook.checks, "run_checks", lambda p: checks.append(p) or real_checks(p))
    build(project_dir, cards=False)
    assert len(loads) == 1 and len(checks) == 1
    health = (project_dir / "site" / "health" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"待补充 [1-9]", health)  # the health page still lists what the one check found


def _html(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.html"))}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_rebuild_writes_unchanged_generated_pages_as_they_were_and_equals_a_fresh_build(
        project_dir, tmp_path):
    # MkDocs renders every page again; sopbook build takes the generated pages nothing changed
    # from the previous site. The result must be exactly what a fresh build writes.
    first = build(project_dir, cards=False)
    assert first.pages_reused == 0
    _edit(project_dir / "content" / "delivery.yml", "邀请客户踩刹车踏板,感受力度",
          "邀请客户踩刹车踏板,感受踏板力度")
    again = build(project_dir, cards=False)
    generated = ["cards/index.html", "delivery/index.html", "health/index.html", "kpis/index.html",
                 "mobile/index.html", "syllabus/index.html", "cards/verify-card/index.html",
                 "cards/nps-card/index.html"]
    # All but the chapter that changed and the page of the card that prints the changed item.
    assert again.pages_reused == len(generated) - 2
    fresh = tmp_path / "fresh"
    shutil.copytree(project_dir, fresh, ignore=shutil.ignore_patterns("site", "site.*"))
    build(fresh, cards=False)
    assert _html(project_dir / "site") == _html(fresh / "site")
    assert "感受踏板力度" in (project_dir / "site" / "delivery" / "index.html").read_text(encoding="utf-8")


def test_a_navigation_change_renders_every_page_again(project_dir):
    build(project_dir, cards=False)
    _edit(project_dir / "content" / "mobile.yml", "title: 移动服务客户体验管理", "title: 移动服务体验管理")
    again = build(project_dir, cards=False)
    assert again.pages_reused == 0  # every page's sidebar shows the new title
    page = project_dir / "site" / "delivery" / "index.html"
    assert "移动服务体验管理" in page.read_text(encoding="utf-8")


def test_a_previous_page_edited_by_hand_is_rendered_again(project_dir):
    build(project_dir, cards=False)
    page = project_dir / "site" / "mobile" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("移动服务的关键时刻", "篡改"), encoding="utf-8")
    again = build(project_dir, cards=False)
    assert again.pages_reused == 7  # the 8 generated pages (see above) but the one edited by hand
    html = page.read_text(encoding="utf-8")
    assert "篡改" not in html and "移动服务的关键时刻" in html
