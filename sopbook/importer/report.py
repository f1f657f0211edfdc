"""What `sopbook import` says about a draft: how many lines found a place, the blocks it made, every
line that has none (with its number and text), and whether the draft reads back without errors."""
from __future__ import annotations

from sopbook.findings import shown
from sopbook.i18n import N_, say
from sopbook.importer.pipeline import ImportResult


def report_lines(result: ImportResult, lang: str) -> list[str]:
    lines = [say(N_("{source}: {lines} lines with text, {placed} placed in the draft, {unplaced} not placed"),
                 lang, {"source": result.source_name, "lines": len(result.source_lines),
                        "placed": len(result.placed), "unplaced": len(result.unplaced)})]
    counted = sorted(result.blocks.items(), key=lambda kv: (-kv[1], kv[0]))
    blocks = ", ".join(f"{kind} {n}" for kind, n in counted)
    lines.append(say(N_("blocks: {blocks}"), lang, {"blocks": blocks}))
    if result.rebuilt_tables:
        lines.append(say(N_("tables rebuilt from rows the source split: {count} (each says how in the "
                            "draft)"), lang, {"count": result.rebuilt_tables}))
    lines += [say(N_("line {line} not placed: {text}"), lang, {"line": number, "text": shown(text)})
              for number, text in result.unplaced]
    if result.load_findings:
        lines.append(say(N_("the draft does not read back as a chapter; this is a bug in sopbook import: "
                            "please report it with the document"), lang))
        lines += [f.render(lang) for f in result.load_findings]
    return lines
