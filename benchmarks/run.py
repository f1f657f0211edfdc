"""sopbook benchmarks: `make bench`, or `python benchmarks/run.py [options]`.

Generates synthetic handbooks (benchmarks/generate.py) and measures, in one run:

  check        `sopbook check` (the CLI, as editors run it) at every size; target: linear in N,
               under 2 s at N = 1000
  web          `mkdocs build` with the sopbook plugin against plain `mkdocs build` of the same
               pages written out as Markdown (same theme, search, nav); target ratio <= 1.3;
               also search_index.json per page and the site's size
  cards        on a fixed sample: sopbook.cards.build_cards serial against a bare WeasyPrint loop
               over the same HTML (target <= 1.1), parallel against serial (target >= 1.7x on
               2 cores), and Chromium's headless print-to-PDF of the same cards as the peer
  incremental  at the largest size: a full `sopbook build`, one checklist item changed, and the
               build again: exactly the cards using it are re-rendered, in <= 10 % of the full
               build's time; peak memory (RSS) of every stage
  offline      what a phone downloads to keep the handbook offline (the service worker's list),
               stored and gzip-compressed: the real handbook (budget <= 3 MB with gzip) and per
               chapter at N = 100 (or the smallest size when 100 is not among them)

Every measured stage runs in its own process (benchmarks/stages.py), so each starts cold and
its peak RSS is its own. Baseline and subject runs are interleaved and the best of the repeats
is kept; the load average is recorded beside every figure, because other work on the machine
slows both sides. Results: a table on stdout, benchmarks/results.json and the generated part
of benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

PYTHON = sys.executable
STAGES = HERE / "stages.py"
BEGIN, END = "<!-- results:begin (written by benchmarks/run.py) -->", "<!-- results:end -->"
ALL = ("check", "web", "cards", "incremental", "offline", "editions", "preview")


# ---- running things -----------------------------------------------------------------------------
@dataclass
class Run:
    wall: float
    maxrss_kb: int  # the process's own peak (ru_maxrss of the waited child)
    data: dict = field(default_factory=dict)  # the stage's JSON line
    load: float = 0.0  # 1-minute load average when it started
    ok: bool = True
    output: str = ""

    @property
    def peak_kb(self) -> int:
        """Peak RSS of the stage or of the largest process it started (card workers, chromium)."""
        return max(self.maxrss_kb, int(self.data.get("children_maxrss_kb") or 0))


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(cmd: list[str], cwd: Path | None = None, timeout: float | None = None) -> Run:
    """Run a command, wait for it with wait4 (wall time and the child's own peak RSS)."""
    with tempfile.TemporaryFile() as out:
        load = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=_env())
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    data = {}
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                data = json.loads(line)
            break
    return Run(wall, usage.ru_maxrss, data, load, proc.returncode == 0, text[-4000:])


def stage(*args: str, timeout: float | None = None) -> Run:
    return run([PYTHON, str(STAGES), *map(str, args)], timeout=timeout)


def best(runs: list[Run]) -> Run:
    ok = [r for r in runs if r.ok] or runs
    return min(ok, key=lambda r: r.wall)


def best_of(runs: list[Run], key) -> float:
    values = [key(r) for r in runs if r.ok]
    return min(values) if values else float("nan")


class Budget:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.perf_counter()
        self.skipped: list[str] = []

    def left(self) -> float:
        return self.seconds - (time.perf_counter() - self.start)

    def allows(self, what: str) -> bool:
        if self.left() > 0:
            return True
        self.skipped.append(what)
        say(f"budget spent: skipping {what}")
        return False


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {message}", file=sys.stderr,
          flush=True)


def fail(what: str, r: Run) -> None:
    say(f"{what} FAILED (exit {not r.ok}):\n{r.output[-2000:]}")


# ---- the measures -------------------------------------------------------------------------------
def bench_check(project: Path, n: int, repeats: int) -> dict:
    cli = [ROOT / ".venv" / "bin" / "sopbook", "--root", project, "check"]
    exe = cli[0] if Path(cli[0]).exists() else None
    cmd = [str(exe), *map(str, cli[1:])] if exe else [PYTHON, "-m", "sopbook.cli", *map(str, cli[1:])]
    cli_runs, split_runs = [], []
    for _ in range(repeats):
        cli_runs.append(run(cmd))
        split_runs.append(stage("check", project))
    b = best(cli_runs)
    if not b.ok:
        fail(f"sopbook check N={n}", b)
    s = best(split_runs)
    return {"n": n, "cli_s": b.wall, "cli_runs": [r.wall for r in cli_runs], "ok": b.ok,
            "load_s": best_of(split_runs, lambda r: r.data.get("load", float("nan"))),
            "checks_s": best_of(split_runs, lambda r: r.data.get("checks", float("nan"))),
            "imports_s": best_of(split_runs, lambda r: r.data.get("imports", float("nan"))),
            "errors": s.data.get("errors"), "peak_rss_kb": b.maxrss_kb, "loadavg": [r.load for r in cli_runs]}


def bench_web(project: Path, plain: Path, work: Path, n: int, repeats: int) -> dict:
    cap = stage("capture", project, plain)
    if not cap.ok:
        fail("capture", cap)
        return {"n": n, "ok": False}
    subject, baseline = [], []
    sites = {"sopbook": work / f"site-sopbook-{n}", "plain": work / f"site-plain-{n}"}
    for _ in range(repeats):  # interleaved
        subject.append(run([PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"),
                            "-d", str(sites["sopbook"])]))
        baseline.append(run([PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(plain / "mkdocs.yml"),
                             "-d", str(sites["plain"])]))
    s, b = best(subject), best(baseline)
    for what, r in (("sopbook mkdocs build", s), ("plain mkdocs build", b)):
        if not r.ok:
            fail(f"{what} N={n}", r)
    stats = {k: stage("site-stats", v).data for k, v in sites.items()}
    for site in sites.values():
        shutil.rmtree(site, ignore_errors=True)
    pages = stats["sopbook"].get("pages") or 1
    return {"n": n, "ok": s.ok and b.ok, "sopbook_s": s.wall, "plain_s": b.wall, "ratio": s.wall / b.wall,
            "sopbook_runs": [r.wall for r in subject], "plain_runs": [r.wall for r in baseline],
            "sopbook_peak_rss_kb": s.maxrss_kb, "plain_peak_rss_kb": b.maxrss_kb,
            "pages": pages, "search_index_bytes": stats["sopbook"].get("search_index_bytes", 0),
            "search_index_per_page": stats["sopbook"].get("search_index_bytes", 0) / pages,
            "site_bytes": stats["sopbook"].get("site_bytes", 0),
            "plain_site_bytes": stats["plain"].get("site_bytes", 0),
            "html_per_page": stats["sopbook"].get("html_bytes", 0) / pages,
            "largest_page_bytes": stats["sopbook"].get("largest_page_bytes", 0),
            "loadavg": [r.load for r in subject + baseline]}


def bench_cards(project: Path, work: Path, chapters: int, repeats: int, jobs: int,
                chromium_cards: int) -> dict:
    html = work / "card-html"
    prep = stage("card-html", project, html)
    if not prep.ok:
        fail("card-html", prep)
        return {"ok": False}
    cards = prep.data["cards"]
    bare, serial, parallel = [], [], []
    for _ in range(repeats):  # interleaved
        bare.append(stage("cards-bare", html, work / "cards-bare"))
        serial.append(stage("cards-sopbook", project, work / "cards-serial", 1))
        parallel.append(stage("cards-sopbook", project, work / "cards-parallel", jobs))
    for what, runs in (("bare WeasyPrint", bare), ("cards serial", serial), ("cards parallel", parallel)):
        if not best(runs).ok or best(runs).data.get("errors"):
            fail(what, best(runs))
    t_bare = best_of(bare, lambda r: r.data["total"])
    t_serial = best_of(serial, lambda r: r.data["total"])
    t_parallel = best_of(parallel, lambda r: r.data["total"])
    render_serial = best_of(serial, lambda r: r.data["stages"].get("render", float("nan")))
    # The same output as the bare loop (the A6 PDFs): everything but imposing the A4 sheets.
    a6_serial = best_of(serial, lambda r: r.data["total"] - r.data["stages"].get("sheet", 0.0))
    result = {
        "ok": all(best(x).ok for x in (bare, serial, parallel)), "chapters": chapters, "cards": cards,
        "jobs": jobs,
        "bare_s": t_bare, "serial_s": t_serial, "parallel_s": t_parallel,
        "serial_render_s": render_serial, "serial_a6_s": a6_serial, "ratio_a6_vs_bare": a6_serial / t_bare,
        "serial_stages": best(serial).data.get("stages", {}),
        "parallel_stages": best(parallel).data.get("stages", {}),
        "ratio_serial_vs_bare": t_serial / t_bare, "ratio_render_vs_bare": render_serial / t_bare,
        "speedup_parallel": t_serial / t_parallel,
        "bare_runs": [r.data.get("total") for r in bare],
        "serial_runs": [r.data.get("total") for r in serial],
        "parallel_runs": [r.data.get("total") for r in parallel],
        "bare_pdf_bytes": best(bare).data.get("pdf_bytes"),
        "sopbook_pdf_bytes": best(serial).data.get("pdf_bytes"),
        "sheet_bytes": best(serial).data.get("sheet_bytes"),
        "serial_peak_rss_kb": best(serial).peak_kb, "parallel_peak_rss_kb": best(parallel).peak_kb,
        "bare_peak_rss_kb": best(bare).peak_kb,
        "loadavg": [r.load for r in bare + serial + parallel],
    }
    exe = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if chromium_cards and exe:
        c = stage("chromium", html, work / "cards-chromium", chromium_cards)
        if c.ok and c.data.get("cards"):
            per = c.data["total"] / c.data["cards"]
            result["chromium"] = {"cards": c.data["cards"], "total_s": c.data["total"], "per_card_s": per,
                                  "failures": c.data.get("failures"), "page_mm": c.data.get("page_mm"),
                                  "pdf_bytes": c.data.get("pdf_bytes"), "peak_rss_kb": c.peak_kb,
                                  "vs_bare_per_card": per / (t_bare / cards), "loadavg": c.load}
        else:
            fail("chromium", c)
    elif chromium_cards:
        result["chromium"] = {"skipped": "no chromium on PATH"}
    return result


def bench_incremental(project: Path, work: Path, n: int, jobs: int) -> dict:
    site = work / f"site-build-{n}"
    shutil.rmtree(site, ignore_errors=True)
    say(f"incremental: full build at N={n} (web and every card)")
    full = stage("build", project, site, jobs)
    if not full.ok:
        fail("full build", full)
        return {"n": n, "ok": False}
    chapter = f"ch{n // 2:04d}"
    edit = stage("edit", project, chapter, "check-2")
    say(f"incremental: changed one item of {edit.data.get('address')}, building again")
    again = stage("build", project, site, jobs)
    if not again.ok:
        fail("incremental build", again)
        return {"n": n, "ok": False}
    users = sorted(edit.data.get("users") or [])
    rendered = sorted(again.data.get("rendered") or [])
    # The cards stage alone (`sopbook cards` into the same folder), after a second one-item change.
    edit2 = stage("edit", project, chapter, "check-3")
    cards_again = stage("cards-incremental", project, site / "cards", jobs)
    full_cards = full.data.get("stages", {}).get("cards", float("nan"))
    result = {
        "n": n, "ok": True, "full_s": full.wall, "full_stages": full.data.get("stages", {}),
        "full_cards_rendered": len(full.data.get("rendered") or []),
        "incremental_s": again.wall, "incremental_stages": again.data.get("stages", {}),
        "changed": edit.data.get("address"), "cards_using_it": users, "rendered": rendered,
        "exact": rendered == users, "ratio": again.wall / full.wall,
        "full_peak_rss_kb": full.peak_kb, "full_main_rss_kb": full.maxrss_kb,
        "incremental_peak_rss_kb": again.peak_kb, "loadavg": [full.load, again.load],
    }
    if cards_again.ok:
        cards_rendered = sorted(cards_again.data.get("rendered") or [])
        result["cards_only"] = {
            "changed": edit2.data.get("address"), "cards_using_it": sorted(edit2.data.get("users") or []),
            "rendered": cards_rendered, "exact": cards_rendered == sorted(edit2.data.get("users") or []),
            "seconds": cards_again.data.get("total"), "stages": cards_again.data.get("stages", {}),
            "full_cards_s": full_cards, "ratio": (cards_again.data.get("total") or 0) / full_cards,
            "peak_rss_kb": cards_again.peak_kb, "loadavg": cards_again.load,
            "sheets": cards_again.data.get("sheets"), "imposed": cards_again.data.get("imposed")}
    else:
        fail("cards incremental", cards_again)
    shutil.rmtree(site, ignore_errors=True)
    return result


def bench_editions(project: Path, work: Path, chapters: int, jobs: int) -> dict:
    """Release every card of the sample, change one item, release again: exactly the cards that
    print it are rendered again, with their file's sheet and the reprint sheet."""
    chapter = f"ch{chapters // 2:04d}"
    r = stage("editions", project, work / "cards-editions", jobs, chapter, "check-2")
    if not r.ok or r.data.get("errors"):
        fail("editions", r)
        return {"ok": False}
    d = r.data
    users = sorted(d["users"])
    return {**d, "ok": True, "exact": sorted(d["rendered"]) == users == sorted(d["released"]),
            "reprint_imposed": any(name.startswith("reprint--") for name in d["imposed"]),
            "loadavg": r.load, "peak_rss_kb": r.peak_kb}


PREVIEW_TARGET_S = 1.0


def copy_real_handbook(where: Path) -> Path:
    """The real handbook's sources in `where`, which the measure may edit and build in."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    for name in ("handbook.yml", "mkdocs.yml", "content", "checklists", "macros", "docs"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, where / name)
        elif (ROOT / name).is_file():
            shutil.copy(ROOT / name, where / name)
    return where


def bench_preview(project: Path, edits: int = 5) -> dict:
    """`sopbook serve` of the real handbook: from saving a one-word edit of a chapter to the
    preview server answering with the new page (what the browser's live reload then loads)."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/delivery/"
    command = [str(Path(sys.executable).with_name("sopbook")), "serve", "-a", f"127.0.0.1:{port}",
               "--root", str(project)]
    server = subprocess.Popen(command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def page() -> str:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.read().decode("utf-8")
        except OSError:
            return ""

    try:
        deadline = time.monotonic() + 120
        while not page() and time.monotonic() < deadline:
            time.sleep(0.2)
        chapter = project / "content" / "delivery.yml"
        original = chapter.read_text(encoding="utf-8")
        word = "感受力度"
        times = []
        for n in range(edits):
            marker = f"{word}{n}"
            chapter.write_text(original.replace(word, marker, 1), encoding="utf-8")
            t0 = time.perf_counter()
            while marker not in page() and time.perf_counter() - t0 < 60:
                time.sleep(0.02)
            times.append(time.perf_counter() - t0)
            time.sleep(1.0)
        chapter.write_text(original, encoding="utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)
    times.sort()
    return {"ok": True, "edits": edits, "seconds": times, "median_s": times[len(times) // 2],
            "max_s": times[-1], "load": os.getloadavg()[0]}


OFFLINE_BUDGET = 3 * 1024 * 1024  # bytes with gzip, the real handbook


def bench_offline(projects: dict[str, tuple[Path, int]], work: Path, jobs: int) -> dict:
    """A full `sopbook build` of each handbook, then the size of what its service worker stores."""
    out: dict = {"measured": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "ok": True,
                 "handbooks": []}
    for name, (project, chapters) in projects.items():
        site = work / f"site-offline-{name}"
        shutil.rmtree(site, ignore_errors=True)
        built = stage("build", project, site, jobs)
        size = stage("offline-size", site) if built.ok else built
        if not size.ok:
            fail(f"offline {name}", size)
            out["ok"] = False
            continue
        out["handbooks"].append({"name": name, "chapters": chapters, **size.data, "load": size.load})
        shutil.rmtree(site, ignore_errors=True)
    return out


# ---- machine ------------------------------------------------------------------------------------
def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def machine() -> dict:
    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, TypeError):
        pass
    chromium = "-"
    exe = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if exe:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
            chromium = version.stdout.strip()
    try:
        import yaml

        libyaml = bool(yaml.__with_libyaml__)
    except ImportError:
        libyaml = False
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {d: _version(d) for d in ("sopbook", "mkdocs", "mkdocs-material", "weasyprint", "pydyf",
                                                "pypdf", "PyYAML", "pydantic", "Jinja2", "jieba", "segno")},
        "libyaml": libyaml, "chromium": chromium,
    }


# ---- report -------------------------------------------------------------------------------------
def _s(x) -> str:
    return "-" if x is None or x != x else (f"{x:.2f} s" if x < 100 else f"{x:.0f} s")


def _mb(kb) -> str:
    return "-" if not kb else f"{kb / 1024:.0f} MB"


def _kb(b) -> str:
    return "-" if b is None else (f"{b / 1024:.1f} KB" if b < 10 * 1024 * 1024
                                  else f"{b / 1024 / 1024:.0f} MB")


def _load(values) -> str:
    values = [v for v in (values if isinstance(values, list) else [values]) if v is not None]
    if not values:
        return "-"
    lo, hi = min(values), max(values)
    return f"{lo:.1f}" if abs(hi - lo) < 0.05 else f"{lo:.1f}-{hi:.1f}"


def rows(results: dict) -> list[list[str]]:
    """measure | N | sopbook | baseline | ratio | target | met | load"""
    out: list[list[str]] = []
    for c in results.get("check", []):
        per = c["cli_s"] / c["n"] * 1000
        target = "< 2 s" if c["n"] >= 1000 else "linear"
        met = ("yes" if c["cli_s"] < 2 else "NO") if c["n"] >= 1000 else "-"
        out.append([f"sopbook check (load {_s(c['load_s'])}, checks {_s(c['checks_s'])})", str(c["n"]),
                    _s(c["cli_s"]), "-", f"{per:.2f} s/1000 ch", target, met, _load(c["loadavg"])])
    checks = [c for c in results.get("check", []) if c.get("ok")]
    if len(checks) >= 2:
        # Linearity of the work that grows with N (load + checks, measured in-process); the CLI's
        # fixed cost (interpreter, imports: about 0.25 s) is what dominates at small N.
        a, b = checks[-2], checks[-1]
        work_a, work_b = a["load_s"] + a["checks_s"], b["load_s"] + b["checks_s"]
        growth, ratio_n = work_b / work_a, b["n"] / a["n"]
        out.append([f"check load+checks N={a['n']}->{b['n']}: {work_a * 1000 / a['n']:.2f} -> "
                    f"{work_b * 1000 / b['n']:.2f} ms per chapter", "", _s(work_b), _s(work_a),
                    f"x{growth:.1f} for x{ratio_n:.0f} N", "linear",
                    "yes" if growth <= 1.2 * ratio_n else "NO", ""])
    for w in results.get("web", []):
        if not w.get("ok"):
            out.append(["web build vs plain mkdocs", str(w["n"]), "FAILED", "", "", "", "", ""])
            continue
        out.append(["web build vs plain mkdocs build", str(w["n"]), _s(w["sopbook_s"]), _s(w["plain_s"]),
                    f"{w['ratio']:.2f}", "<= 1.3", "yes" if w["ratio"] <= 1.3 else "NO", _load(w["loadavg"])])
        out.append(["search_index.json per page (site per page)", str(w["n"]),
                    _kb(w["search_index_per_page"]),
                    "-", f"({_kb(w['site_bytes'] / w['pages'])})", "-", "-", ""])
    c = results.get("cards")
    if c and c.get("ok"):
        label = f"{c['cards']} cards"
        out.append([f"cards serial vs bare WeasyPrint loop ({label})", "", _s(c["serial_s"]), _s(c["bare_s"]),
                    f"{c['ratio_serial_vs_bare']:.2f}", "<= 1.1",
                    "yes" if c["ratio_serial_vs_bare"] <= 1.1 else "NO",
                    _load(c["loadavg"])])
        if c.get("serial_a6_s"):
            out.append([f"  the A6 PDFs only, as the bare loop (all but the A4 sheets; {label})", "",
                        _s(c["serial_a6_s"]), _s(c["bare_s"]), f"{c['ratio_a6_vs_bare']:.2f}", "<= 1.1",
                        "yes" if c["ratio_a6_vs_bare"] <= 1.1 else "NO", ""])
        out.append([f"  render stage only vs bare loop ({label})", "", _s(c["serial_render_s"]),
                    _s(c["bare_s"]),
                    f"{c['ratio_render_vs_bare']:.2f}", "", "", ""])
        out.append([f"cards parallel ({c['jobs']} workers) vs serial ({label})", "", _s(c["parallel_s"]),
                    _s(c["serial_s"]), f"x{c['speedup_parallel']:.2f} faster", ">= x1.7",
                    "yes" if c["speedup_parallel"] >= 1.7 else "NO", _load(c["loadavg"])])
        ch = c.get("chromium") or {}
        if ch.get("per_card_s"):
            out.append([f"Chromium print-to-PDF per card ({ch['cards']} cards; pages {ch.get('page_mm')} mm)",
                        "",
                        _s(c["bare_s"] / c["cards"]), _s(ch["per_card_s"]),
                        f"x{ch['vs_bare_per_card']:.1f} slower", "peer", "-", _load(ch.get("loadavg"))])
    i = results.get("incremental")
    if i and i.get("ok"):
        out.append([f"incremental build: 1 item of {i['changed']}", str(i["n"]), _s(i["incremental_s"]),
                    _s(i["full_s"]), f"{i['ratio'] * 100:.0f} %", "<= 10 %",
                    "yes" if i["ratio"] <= 0.10 else "NO",
                    _load(i["loadavg"])])
        for label, stages in (("full", i.get("full_stages") or {}),
                              ("incremental", i.get("incremental_stages") or {})):
            out.append([f"  {label} build by stage: " + ", ".join(f"{k} {_s(v)}" for k, v in stages.items()),
                        str(i["n"]), "", "", "", "", "", ""])
        out.append([f"  cards re-rendered (using it: {', '.join(i['cards_using_it'])})", str(i["n"]),
                    ", ".join(i["rendered"]) or "none", "-", "exact" if i["exact"] else "NOT exact", "exact",
                    "yes" if i["exact"] else "NO", ""])
        co = i.get("cards_only")
        if co:
            out.append([f"  cards stage alone (`sopbook cards`), 1 item of {co['changed']}", str(i["n"]),
                        _s(co["seconds"]), _s(co["full_cards_s"]), f"{co['ratio'] * 100:.0f} %", "<= 10 %",
                        "yes" if co["ratio"] <= 0.10 else "NO", _load(co.get("loadavg"))])
            out.append([f"    of which A4 sheets ({co.get('imposed', '?')} of {co.get('sheets', '?')} "
                        f"re-imposed)", str(i["n"]),
                        _s(co["stages"].get("sheet")), "-", "-", "-", "-", ""])
        out.append(["peak RSS: full build (largest process)", str(i["n"]), _mb(i["full_peak_rss_kb"]),
                    "-", "-", "-", "-", ""])
        if co and co.get("peak_rss_kb"):
            out.append(["peak RSS: `sopbook cards` after one change", str(i["n"]), _mb(co["peak_rss_kb"]),
                        "-", "-", "-", "-", ""])
    c = results.get("cards")
    if c and c.get("ok") and c.get("cards"):
        out.append([f"cards: ms and bytes per card ({c['cards']} cards, serial; A4 sheets "
                    f"{_kb((c.get('sheet_bytes') or 0) / max(1, c['cards']))} per card)", str(c["chapters"]),
                    f"{c['serial_s'] / c['cards'] * 1000:.0f} ms, {_kb(c['sopbook_pdf_bytes'] / c['cards'])}",
                    f"{c['bare_s'] / c['cards'] * 1000:.0f} ms, {_kb(c['bare_pdf_bytes'] / c['cards'])}",
                    "", "<= 100 KB a card", "yes" if c["sopbook_pdf_bytes"] / c["cards"] <= 100_000 else "NO",
                    _load(c["loadavg"])])
    e = results.get("editions")
    if e and e.get("ok"):
        stages = e.get("stages") or {}
        out.append([f"editions: one item changed and released ({e['address']}): cards re-rendered "
                    f"{len(e['rendered'])} of {e['cards']} ({', '.join(e['rendered'])}); sheets imposed "
                    f"{', '.join(e['imposed'])}; render {_s(stages.get('render'))}, sheets "
                    f"{_s(stages.get('sheet'))}, release {_s(e['release_s'])}",
                    "-", _s(e["total"]), _s(e["full_s"]), f"{e['total'] / e['full_s']:.2f}",
                    "exactly the cards that print it, and one reprint sheet",
                    "yes" if e["exact"] and e["reprint_imposed"] else "NO", _load([e["loadavg"]])])
    pv = results.get("preview")
    if pv and pv.get("ok"):
        out.append([f"preview: edit saved -> page served by `sopbook serve` (real handbook; median of "
                    f"{pv['edits']}, max {_s(pv['max_s'])})", "-", _s(pv["median_s"]), "-", "-",
                    f"< {PREVIEW_TARGET_S:g} s", "yes" if pv["median_s"] < PREVIEW_TARGET_S else "NO",
                    _load([pv["load"]])])
    o = results.get("offline")
    for h in (o or {}).get("handbooks", []):
        kinds = ", ".join(f"{k} {v[0]} / {_kb(v[2])}" for k, v in sorted(h["kinds"].items()))
        real = h["name"] == "real"
        label = "the real handbook" if real else f"{h['chapters']} synthetic chapters"
        out.append([f"offline ({o['measured'][:10]}): what a phone stores, gzip vs stored ({label}; "
                    f"{h['files']} of {h['site_files']} files: {kinds})", "-" if real else str(h["chapters"]),
                    _kb(h["gzip_bytes"]), _kb(h["bytes"]), f"{h['gzip_bytes'] / h['bytes']:.2f}",
                    "<= 3 MB gzip" if real else "-",
                    ("yes" if h["gzip_bytes"] <= OFFLINE_BUDGET else "NO") if real else "-",
                    _load(h["load"])])
        if not real:
            out.append(["  offline per chapter", str(h["chapters"]),
                        _kb(h["gzip_bytes"] / h["chapters"]), _kb(h["bytes"] / h["chapters"]),
                        "", "", "", ""])
    for c in results.get("check", []):
        if c["n"] == max(x["n"] for x in results["check"]):
            out.append(["peak RSS: sopbook check", str(c["n"]), _mb(c["peak_rss_kb"]), "-", "-", "-", "-",
                        ""])
    for w in results.get("web", []):
        if w.get("ok") and w["n"] == max(x["n"] for x in results["web"]):
            out.append(["peak RSS: mkdocs build (sopbook plugin vs plain)", str(w["n"]),
                        _mb(w["sopbook_peak_rss_kb"]),
                        _mb(w["plain_peak_rss_kb"]), "-", "-", "-", ""])
    return out


HEADER = ["measure", "N", "sopbook", "baseline", "ratio", "target", "met", "load"]


def table_text(results: dict) -> str:
    data = [HEADER, *rows(results)]
    widths = [max(len(r[i]) for r in data) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in data]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def table_markdown(results: dict) -> str:
    data = rows(results)
    out = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(" --- " for _ in HEADER) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") or " " for cell in r) + " |" for r in data]
    return "\n".join(out)


def generated_markdown(results: dict) -> str:
    m = results["machine"]
    v = m["versions"]
    o = results["options"]
    loads = results.get("loadavg_samples") or []
    lines = [
        BEGIN,
        f"Run: {results['started']} to {results['finished']} ({results['seconds']:.0f} s), "
        f"`{' '.join(['python benchmarks/run.py', *o['argv']])}`",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, {m['os']}",
        f"- Load average (1 min) while measuring: {_load(loads)} "
        "(other developers' tests were running; every ratio pairs interleaved runs taken "
        "under the same load)",
        f"- Python {m['python']}; sopbook {v['sopbook']}, MkDocs {v['mkdocs']}, "
        f"Material {v['mkdocs-material']}, "
        f"WeasyPrint {v['weasyprint']} (pydyf {v['pydyf']}), pypdf {v['pypdf']}, PyYAML {v['PyYAML']} "
        f"(libyaml {'yes' if m['libyaml'] else 'no'}), pydantic {v['pydantic']}, Jinja2 {v['Jinja2']}, "
        f"jieba {v['jieba']}, segno {v['segno']}; {m['chromium']}",
        f"- Sizes {', '.join(map(str, o['sizes']))} chapters (5 cards each); "
        f"best of {o['repeats']} interleaved "
        f"runs; card sample: the {o['card_chapters'] * 5} cards of an N={o['card_chapters']} handbook; "
        f"{o['jobs']} card workers",
        "",
        table_markdown(results),
    ]
    if results.get("skipped"):
        lines += ["", f"Skipped (time budget): {', '.join(results['skipped'])}"]
    lines += ["", END]
    return "\n".join(lines)


def write_markdown(path: Path, results: dict) -> None:
    block = generated_markdown(results)
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            path.write_text(head + block + tail, encoding="utf-8")
            return
        path.write_text(text.rstrip() + "\n\n" + block + "\n", encoding="utf-8")
        return
    path.write_text("# sopbook benchmarks\n\n" + block + "\n", encoding="utf-8")


# ---- main ---------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10,100,1000", help="handbook sizes in chapters (default 10,100,1000)")
    p.add_argument("--only", default=",".join(ALL), help=f"measures to run, of {','.join(ALL)}")
    p.add_argument("--quick", action="store_true",
                   help="one run each, a 20-card sample, 2 Chromium cards (sizes stay as given)")
    p.add_argument("--repeats", type=int, help="runs per measure, best kept (default 3; 1 with --quick)")
    p.add_argument("--card-chapters", type=int, help="card sample: the cards of an N-chapter handbook "
                   "(default 100, i.e. 500 cards; 4 with --quick)")
    p.add_argument("--chromium-cards", type=int,
                   help="cards printed by Chromium (default 5; 2 with --quick; 0: none)")
    p.add_argument("--incremental-size", type=int,
                   help="N for the incremental build (default: the largest size)")
    p.add_argument("--jobs", type=int, default=2, help="card workers for the parallel runs (default 2)")
    p.add_argument("--budget", type=float, default=5400,
                   help="seconds; measures not started by then are skipped")
    p.add_argument("--work", help="folder for generated handbooks and sites (default benchmarks/out)")
    p.add_argument("--json", default=str(HERE / "results.json"), help="where results.json goes")
    p.add_argument("--markdown", default=str(HERE / "RESULTS.md"),
                   help="the RESULTS.md whose generated part is replaced")
    p.add_argument("--from-json",
                   help="measure nothing: print the table and rewrite --markdown from this results.json")
    args = p.parse_args(argv)
    if args.from_json:
        results = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        write_markdown(Path(args.markdown), results)
        print(table_text(results))
        return 0

    sizes = sorted({int(x) for x in args.sizes.split(",") if x.strip()})
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(only) - set(ALL)
    if unknown or not sizes:
        p.error(f"unknown measure(s) {', '.join(sorted(unknown))}" if unknown else "no sizes")
    repeats = args.repeats or (1 if args.quick else 3)
    card_chapters = args.card_chapters or (4 if args.quick else 100)
    chromium_cards = args.chromium_cards if args.chromium_cards is not None else (2 if args.quick else 5)
    inc_size = args.incremental_size or max(sizes)
    work = Path(args.work).resolve() if args.work else HERE / "out"
    work.mkdir(parents=True, exist_ok=True)
    budget = Budget(args.budget)

    import generate

    started = dt.datetime.now().astimezone()
    t0 = time.perf_counter()
    results: dict = {"machine": machine(), "started": started.isoformat(timespec="seconds"),
                     "options": {"sizes": sizes, "only": only, "repeats": repeats,
                                 "card_chapters": card_chapters,
                                 "chromium_cards": chromium_cards, "jobs": args.jobs,
                                 "incremental_size": inc_size,
                                 "argv": argv}}
    samples: list[float] = []
    texts = generate.corpus()
    projects: dict[int, Path] = {}

    def project(n: int) -> Path:
        if n not in projects:
            say(f"generating a handbook of {n} chapters")
            projects[n] = generate.generate(work / f"n{n}", n, texts=texts)
        return projects[n]

    if "check" in only:
        results["check"] = []
        for n in sizes:
            if budget.allows(f"check N={n}"):
                say(f"check N={n}")
                samples.append(os.getloadavg()[0])
                results["check"].append(bench_check(project(n), n, repeats))
    if "web" in only:
        results["web"] = []
        for n in sizes:
            if budget.allows(f"web N={n}"):
                say(f"web N={n}: sopbook and plain mkdocs, {repeats} run(s) each, interleaved")
                samples.append(os.getloadavg()[0])
                results["web"].append(bench_web(project(n), work / f"plain{n}", work, n, repeats))
    if "cards" in only and budget.allows("cards"):
        say(f"cards: {card_chapters * 5} cards, bare / serial / {args.jobs} workers, {repeats} run(s) each")
        samples.append(os.getloadavg()[0])
        sample = generate.generate(work / f"cards-n{card_chapters}", card_chapters, texts=texts)
        results["cards"] = bench_cards(sample, work, card_chapters, repeats, args.jobs, chromium_cards)
    if "incremental" in only and budget.allows(f"incremental N={inc_size}"):
        samples.append(os.getloadavg()[0])
        # A copy: the edit must not leak into the other measures' handbook.
        src = project(inc_size)
        copy = work / f"inc-n{inc_size}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(src, copy)
        results["incremental"] = bench_incremental(copy, work, inc_size, args.jobs)
        shutil.rmtree(copy, ignore_errors=True)
    if "offline" in only and budget.allows("offline"):
        samples.append(os.getloadavg()[0])
        n = 100 if 100 in sizes else min(sizes)
        say(f"offline: sopbook build of the real handbook and of N={n}, then what the worker stores")
        real = copy_real_handbook(work / "offline-real")
        chapters = len(list((ROOT / "content").glob("*.yml")))
        results["offline"] = bench_offline({"real": (real, chapters), f"n{n}": (project(n), n)}, work,
                                           args.jobs)
    if "editions" in only and budget.allows("editions"):
        samples.append(os.getloadavg()[0])
        say(f"editions: release the {card_chapters * 5} cards of N={card_chapters}, change one item, "
            "release and render again")
        sample = work / f"editions-n{card_chapters}"
        shutil.rmtree(sample, ignore_errors=True)
        generate.generate(sample, card_chapters, texts=texts)
        results["editions"] = bench_editions(sample, work, card_chapters, args.jobs)
        shutil.rmtree(sample, ignore_errors=True)
    if "preview" in only and budget.allows("preview"):
        samples.append(os.getloadavg()[0])
        say("preview: sopbook serve of the real handbook, one-word edits until the page shows them")
        real = copy_real_handbook(work / "preview-real")
        results["preview"] = bench_preview(real)
        shutil.rmtree(real, ignore_errors=True)
    samples.append(os.getloadavg()[0])

    results["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    results["seconds"] = time.perf_counter() - t0
    results["loadavg_samples"] = samples
    results["skipped"] = budget.skipped
    Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_markdown(Path(args.markdown), results)
    print(table_text(results))
    print(f"\nload average (1 min) during the run: {_load(samples)}; results: {args.json}, {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
