#!/usr/bin/env python3
"""Render the printable checklist cards: `python build_pdf.py [--root .] [--out site/cards]`.

One A6 PDF per card defined in checklists/, and one A4 4-up sheet per card file
(checklists/delivery.yml -> OUT/a4/delivery.pdf). Unchanged cards and sheets are reused from the
output folder. Exit 1 when a card fails (it does not fit, its source is missing, no CJK font),
and then no sheet is written; every problem is printed as file:line:col: level: message.
(`sopbook cards` does the same after checking references.)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the checklist cards to PDF.")
    parser.add_argument("--root", default=".", help="project folder holding handbook.yml (default: .)")
    parser.add_argument("--out", help="output folder (default: ROOT/site/cards)")
    parser.add_argument("--jobs", type=int, help="render workers (default: CPU count)")
    parser.add_argument("--force", action="store_true", help="render even unchanged cards")
    args = parser.parse_args(argv)

    from sopbook.cards import build_cards
    from sopbook.findings import LoadFailed, failing
    from sopbook.model.project import load_project
    from sopbook.source.language import handbook_language

    try:
        project = load_project(args.root)
    except LoadFailed as exc:
        for finding in exc.findings:
            print(finding.render(handbook_language(Path(args.root))))
        return 1
    out = Path(args.out) if args.out else project.root / "site" / "cards"
    report = build_cards(project, out, previous=out, jobs=args.jobs, force=args.force)
    for finding in report.findings:
        print(finding.render(project.language))
    print(f"cards: {report.summary()} -> {out}", file=sys.stderr)
    return 1 if failing(report.findings) else 0


if __name__ == "__main__":
    sys.exit(main())
