"""The benchmark script itself runs: every measure at N=2 with the smallest settings.

The benchmarks are not run by the test suite; this only makes sure `make bench` would not fail
on a broken script, and that it writes its table, results.json and RESULTS.md.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"


@pytest.mark.slow  # builds sites and renders PDFs (about 30 s)
def test_benchmark_script_runs_at_n2(tmp_path):
    out_json, out_md = tmp_path / "results.json", tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, str(RUN), "--sizes", "2", "--quick", "--card-chapters", "1", "--chromium-cards", "0",
         "--work", str(tmp_path / "work"), "--json", str(out_json), "--markdown", str(out_md)],
        capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    table = done.stdout
    assert "measure" in table and "baseline" in table and "ratio" in table
    for row in ("sopbook check", "web build vs plain mkdocs build", "search_index.json per page",
                "cards serial vs bare WeasyPrint loop", "cards parallel", "incremental build", "peak RSS",
                "cards: ms and bytes per card", "editions: one item changed and released",
                "preview: edit saved -> page served"):
        assert row in table, f"no '{row}' row in:\n{table}"
    assert "FAILED" not in table, table

    results = json.loads(out_json.read_text(encoding="utf-8"))
    assert results["check"][0]["ok"] and results["check"][0]["errors"] == 0  # the generated handbook is clean
    assert results["web"][0]["ok"] and results["web"][0]["ratio"] > 0
    assert results["cards"]["ok"] and results["cards"]["cards"] == 5
    assert results["incremental"]["exact"], results["incremental"]  # exactly the card using the item
    # After a release of one changed item: that card alone, and the reprint sheet of the release.
    assert results["editions"]["exact"] and results["editions"]["reprint_imposed"], results["editions"]
    text = out_md.read_text(encoding="utf-8")
    assert "results:begin" in text and "| measure |" in text
