"""The cards' QR codes open the site_url the web handbook is built with, as MkDocs resolves it
(`!ENV [SITE_URL, ...]`, how CI sets it); a missing, placeholder or non-web site_url is said
once per card build, naming mkdocs.yml and site_url. zbarimg reads the printed codes."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from cards_support import FIXTURES, REPO, make_project, pdf_text

pytestmark = pytest.mark.slow
needs_zbar = pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                                reason="zbar-tools / poppler-utils not installed")

PUBLIC = "https://sop.dealer-training.cn/handbook/"
ENV_SITE_URL = "site_url: !ENV [SITE_URL, https://handbook.example.invalid/]\n"
ONE_CARD = "cards:\n  - id: quick\n    source: long.quick\n"


def _site_url_line(root, line: str) -> None:
    """mkdocs.yml as the fixture has it, with its site_url line replaced by `line`."""
    path = root / "mkdocs.yml"
    text = re.sub(r"^site_url:.*\n", "", path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(line + text, encoding="utf-8")


def _scan(pdf) -> str:
    """What a phone reads from the card's first page."""
    out = pdf.parent / f"{pdf.stem}-scan"
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(out)], check=True)
    (png,) = pdf.parent.glob(f"{pdf.stem}-scan*.png")
    return subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True).stdout.strip()


@needs_zbar
@pytest.mark.parametrize("command", ["build", "cards"])
def test_qr_code_opens_the_site_url_from_the_environment(tmp_path, monkeypatch, capsys, command):
    from sopbook.cli import main

    root = make_project(FIXTURES / "web", tmp_path)  # a project `sopbook build` builds
    shutil.copytree(REPO / "macros", root / "macros", dirs_exist_ok=True)
    _site_url_line(root, ENV_SITE_URL)
    monkeypatch.setenv("SITE_URL", PUBLIC)
    assert main([command, "--root", str(root)]) == 0, capsys.readouterr().err
    assert _scan(root / "site" / "cards" / "nps-card.pdf") == PUBLIC + "cards/nps-card/"
    if command == "build":  # the web pages were built for the same address
        page = (root / "site" / "mobile" / "index.html").read_text(encoding="utf-8")
        assert f'<link rel="canonical" href="{PUBLIC}mobile/index.html">' in page
    assert "site_url" not in capsys.readouterr().out  # a real address: nothing to warn about


def _cards(root, tmp_path):
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    (root / "checklists" / "cards.yml").write_text(ONE_CARD, encoding="utf-8")
    return build_cards(load_project(root), tmp_path / "out", jobs=1, progress=False)


def _said(report) -> list[str]:
    return [f"{f.loc}: {f.level}: {f.message} [{f.code}] hint: {f.hint}" for f in report.findings]


def test_the_placeholder_default_is_said_once_and_still_printed(tmp_path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    root = make_project("cards-overflow", tmp_path)
    _site_url_line(root, ENV_SITE_URL)
    report = _cards(root, tmp_path)
    assert _said(report) == [
        "mkdocs.yml:1: warning: site_url in mkdocs.yml is https://handbook.example.invalid/, a placeholder: "
        "the QR codes on the cards lead nowhere [cards.placeholder-site-url] "
        "hint: build with the handbook's address: SITE_URL=https://<the handbook's address>/ sopbook build"]
    assert report.rendered == ["quick"] and "scan to" in pdf_text(tmp_path / "out" / "quick.pdf")


@pytest.mark.parametrize("url", ["https://example.com/sop/", "http://localhost:8000/", "http://127.0.0.1/",
                                 "https://handbook.test/", "https://docs.example.org/"])
def test_every_reserved_address_is_a_placeholder(tmp_path, url):
    root = make_project("cards-overflow", tmp_path)
    _site_url_line(root, f"site_url: {url}\n")
    report = _cards(root, tmp_path)
    assert [(f.code, str(f.loc)) for f in report.findings] == [("cards.placeholder-site-url", "mkdocs.yml:1")]
    assert f"site_url in mkdocs.yml is {url}, a placeholder" in report.findings[0].message
    assert report.findings[0].hint == ("set the handbook's public address in mkdocs.yml: "
                                       "site_url: https://<the handbook's address>/")


def test_a_public_address_is_not_warned_about(tmp_path):
    root = make_project("cards-overflow", tmp_path)
    _site_url_line(root, f"site_url: {PUBLIC}\n")
    assert _said(_cards(root, tmp_path)) == []


def test_an_env_site_url_that_is_not_set_is_no_site_url_and_no_qr_code(tmp_path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    root = make_project("cards-overflow", tmp_path)
    _site_url_line(root, "site_url: !ENV SITE_URL\n")
    report = _cards(root, tmp_path)
    assert _said(report) == [
        "mkdocs.yml:1: warning: mkdocs.yml has no site_url: the cards are printed without a QR code "
        "[cards.no-site-url] hint: build with the handbook's address: "
        "SITE_URL=https://<the handbook's address>/ sopbook build"]
    assert "扫码" not in pdf_text(tmp_path / "out" / "quick.pdf")


def test_a_site_url_a_phone_cannot_open_prints_no_qr_code_and_says_so(tmp_path):
    root = make_project("cards-overflow", tmp_path)
    _site_url_line(root, "site_url: ftp://files.dealer-training.cn/handbook/\n")
    report = _cards(root, tmp_path)
    assert [(f.level, f.code) for f in report.findings] == [("warning", "cards.no-site-url")]
    assert report.findings[0].message == (
        "site_url in mkdocs.yml is ftp://files.dealer-training.cn/handbook/, not an http(s) address a phone "
        "can open: the cards are printed without a QR code")
    assert "扫码" not in pdf_text(tmp_path / "out" / "quick.pdf")


def test_a_mkdocs_yml_that_mkdocs_refuses_is_named_with_mkdocs_reason(tmp_path):
    root = make_project("cards-overflow", tmp_path)
    shutil.rmtree(root / "docs")
    report = _cards(root, tmp_path)
    assert [(f.level, f.code, str(f.loc)) for f in report.findings] == [
        ("warning", "cards.no-site-url", "mkdocs.yml")]
    assert re.fullmatch(r"MkDocs cannot read mkdocs\.yml \(Config value 'docs_dir': The path '.*docs' isn't "
                        r"an existing directory\.\): the cards are printed without a QR code",
                        report.findings[0].message), report.findings[0].message
