"""Generate a synthetic sopbook project of N chapters from the real content's Chinese text.

Each chapter has a timed procedure (5 steps summing to its total), four checklists, a KPI table
and a timeline, and five cards (the procedure and the four checklists), so check, web and card
builds all have realistic work. Text is sampled deterministically from the strings of the
project's own content/ (the course), so segmentation and glyph coverage are realistic.
"""
from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sopbook.model.project import load_project, walk  # noqa: E402
from sopbook.model.quantities import claimed_count  # noqa: E402


def corpus(root: Path = ROOT) -> list[str]:
    """Every distinct string in the real content, short ones first (checklist-item sized)."""
    project = load_project(root)
    texts: set[str] = set()
    for chapter in project.chapters:
        for node, _ in walk(chapter):
            for name in ("text", "title", "name", "definition"):
                value = getattr(node, name, None)
                if isinstance(value, str) and 4 <= len(value) <= 120:
                    texts.add(value)
    if not texts:
        raise SystemExit("benchmarks: content/ has no text to sample from")
    return sorted(texts, key=lambda t: (len(t), t))


_POOLS: dict[tuple[int, int], list[str]] = {}


def _short(rng: random.Random, texts: list[str], limit: int = 28) -> str:
    """A short string for a title or an item. Never one that claims a count ('六大招式'): the
    completeness check would rightly fail a title that promises six things over a list of four."""
    key = (id(texts), limit)
    if key not in _POOLS:
        pool = ([" ".join(t.split())[:limit] for t in texts if len(t) <= limit]
                or [" ".join(t.split())[:limit] for t in texts])
        _POOLS[key] = [t for t in pool if claimed_count(t) is None] or ["检查"]
    return rng.choice(_POOLS[key])


def chapter(n: int, rng: random.Random, texts: list[str]) -> dict:
    minutes = [rng.randint(1, 5) for _ in range(5)]
    cid = f"ch{n:04d}"

    def checklist(k: int) -> dict:
        return {
            "type": "checklist", "id": f"check-{k}", "title": _short(rng, texts, 16), "kind": "do-confirm",
            "items": [_short(rng, texts) for _ in range(rng.randint(3, 6))],
            "confirmation": {"question": _short(rng, texts, 14), "expected": "点头确认"},
        }

    return {
        "id": cid,
        "title": f"{n + 1}. {_short(rng, texts, 24)}",
        "day": str(20 + n // 10),
        "sections": [
            {"id": "sop", "title": _short(rng, texts, 30), "blocks": [
                rng.choice(texts),
                {"type": "procedure", "id": "run", "title": _short(rng, texts, 20),
                 "total_minutes": sum(minutes),
                 "steps": [{"id": f"step-{i + 1}", "label": f"Step {i + 1}", "title": _short(rng, texts, 12),
                            "minutes": m, "actions": [_short(rng, texts) for _ in range(2)]}
                           for i, m in enumerate(minutes)]},
            ]},
            {"id": "verify", "title": _short(rng, texts, 30),
             "blocks": [rng.choice(texts)] + [checklist(k) for k in range(1, 5)]},
            {"id": "kpi", "title": _short(rng, texts, 30), "blocks": [
                {"type": "kpis", "id": "kpis", "title": "KPI体系", "kpis": [
                    {"id": f"kpi-{k}", "name": _short(rng, texts, 10), "definition": rng.choice(texts),
                     "target": rng.choice(["≥9分", "15-20分钟", "≤1%", "≥20%", "10-15%"]),
                     "levers": [_short(rng, texts, 16)]} for k in range(1, 5)]},
            ]},
            {"id": "case", "title": _short(rng, texts, 30), "blocks": [
                {"type": "timeline", "id": "timeline", "title": _short(rng, texts, 16), "events": [
                    {"time": f"{9 + k}:{rng.choice(['00', '15', '30'])}", "text": rng.choice(texts)}
                    for k in range(4)]},
            ]},
        ],
    }


def cards(n: int) -> list[dict]:
    cid = f"ch{n:04d}"
    return [{"id": f"{cid}-run", "source": f"{cid}.run", "kind": "read-do"}] + [
        {"id": f"{cid}-check-{k}", "source": f"{cid}.check-{k}", "kind": "do-confirm"} for k in range(1, 5)]


def dump(data, path: Path) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


def generate(out: Path, n: int, seed: int = 19, texts: list[str] | None = None) -> Path:
    """Write a project of n chapters into `out` (replacing it) and return it."""
    texts = texts or corpus()
    rng = random.Random(seed)
    shutil.rmtree(out, ignore_errors=True)
    (out / "content").mkdir(parents=True)
    (out / "checklists").mkdir()
    dump({"title": "基准手册", "version": "bench", "revised": "2026-11-23",
          "syllabus": [{"id": f"ch{i:04d}"} for i in range(n)]}, out / "handbook.yml")
    for i in range(n):
        dump(chapter(i, rng, texts), out / "content" / f"ch{i:04d}.yml")
        dump({"cards": cards(i)}, out / "checklists" / f"ch{i:04d}.yml")
    # the same site settings as the real handbook (theme, search, plugins)
    shutil.copy(ROOT / "mkdocs.yml", out / "mkdocs.yml")
    shutil.copytree(ROOT / "macros", out / "macros")
    docs(out, n)
    return out


def docs(out: Path, n: int) -> None:
    """A home page and one trainer page, with the ref()/checklist()/card() calls trainers write."""
    (out / "docs" / "trainers").mkdir(parents=True)
    first = "ch0000"
    (out / "docs" / "index.md").write_text(
        "# 基准手册\n\n"
        f"合成的手册,{n} 章,每章一个流程、四个检查清单、一张 KPI 表和五张检查卡。\n\n"
        "- [课程大纲](syllabus/index.md) · [检查卡](cards/index.md) · [KPI 总览](kpis/index.md)\n\n"
        f"常用入口:{{{{ ref('{first}.run') }}}} · {{{{ ref('{first}.kpis') }}}}\n", encoding="utf-8")
    (out / "docs" / "trainers" / "lesson.md").write_text(
        "# 培训课\n\n## 课前\n\n"
        f"1. 学员先通读 {{{{ ref('{first}.run') }}}},注意每一步的时长。\n"
        f"2. 对照 {{{{ ref('{first}.kpis') }}}} 讨论目标。\n\n"
        "## 课堂练习\n\n"
        f"{{{{ checklist('{first}.check-1') }}}}\n\n"
        f"打印 {{{{ card('{first}.check-1') }}}}。\n", encoding="utf-8")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "benchmarks" / "out" / f"n{count}"
    print(generate(target, count))
