"""`sopbook new | check | build | cards | serve | schema`: thin commands over the same functions the
plugin uses.

Exit codes: 0 success, 1 content or build errors (each printed with file:line:col), 2 usage.
A traceback is shown only with --debug: editors get located messages, not Python internals.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from sopbook import __version__, i18n
from sopbook._util.columns import columns
from sopbook.findings import Finding, LoadFailed, failing, shown
from sopbook.i18n import N_


def _say(args, msgid: str, params: Mapping[str, object] | None = None) -> str:
    """A line of the command's own, in the handbook's language (or --lang's)."""
    return i18n.say(msgid, args.lang, params)


def _note(args, msgid: str, params: Mapping[str, object] | None = None) -> None:
    """`sopbook: ...` on stderr: progress and outcome, apart from the report on stdout."""
    print(f"sopbook: {_say(args, msgid, params)}", file=sys.stderr)


def _print_findings(args, findings: list[Finding], fmt: str = "text") -> None:
    from sopbook.report import write_json, write_text

    (write_json if fmt == "json" else write_text)(findings, sys.stdout, args.lang)


def cmd_check(args) -> int:
    from sopbook.checks import run_checks
    from sopbook.model.project import load_project

    t = time.perf_counter()
    try:
        project = load_project(args.root, args.lang)
    except LoadFailed as exc:
        _print_findings(args, exc.findings, args.format)
        return 1
    findings = run_checks(project)
    if not args.no_cards:
        # What printing would find: a card that does not fit its page, a character no font draws.
        from sopbook.cards.preflight import preflight
        from sopbook.findings import in_order

        findings = in_order(findings + preflight(project, say=lambda msg: print(f"sopbook: {msg}",
                                                                                   file=sys.stderr)))
    _print_findings(args, findings, args.format)
    if args.format == "text":
        print(_say(args, N_("checked {chapters} chapters and {cards} cards in {seconds} s"),
                   {"chapters": len(project.chapters), "cards": len(project.cards),
                    "seconds": f"{time.perf_counter() - t:.2f}"}))
    return 1 if failing(findings) or (args.strict and any(f.level == "warning" and not f.acknowledged
                                                          for f in findings)) else 0


def cmd_build(args) -> int:
    from sopbook.build import BuildFailed, build, quiet_mkdocs_logging

    quiet_mkdocs_logging(args.verbose)
    try:
        result = build(args.root, site_dir=args.site, jobs=args.jobs, cards=not args.no_cards,
                       say=lambda msg: print(f"sopbook: {msg}", file=sys.stderr), language=args.lang)
    except BuildFailed as exc:
        # The same report as `sopbook check`: the same findings, codes and counts.
        _print_findings(args, exc.findings)
        failed = BUILD_FAILED.get(exc.stage) or N_("build failed ({stage}); the previous site/ is unchanged")
        _note(args, failed, {"stage": exc.stage})
        return 1
    from sopbook.report import summary_line, write_problems

    write_problems(result.findings, sys.stderr, args.lang)  # warnings do not stop a build, but are shown
    params = {"site": result.site, "reused": result.pages_reused, **_seconds(result.seconds),
              **result.cards_counts}
    if result.cards_counts:
        built = (N_("built {site} (check {check} s, web {web} s, cards {cards} s, offline {offline} s); "
                    "pages unchanged since the last build {reused}; cards rendered {rendered}, unchanged "
                    "{unchanged}; A4 sheets imposed {imposed} of {sheets}") if result.pages_reused else
                 N_("built {site} (check {check} s, web {web} s, cards {cards} s, offline {offline} s); "
                    "cards rendered {rendered}, unchanged {unchanged}; A4 sheets imposed {imposed} of "
                    "{sheets}"))
    else:
        built = (N_("built {site} (check {check} s, web {web} s, offline {offline} s); "
                    "pages unchanged since the last build {reused}") if result.pages_reused else
                 N_("built {site} (check {check} s, web {web} s, offline {offline} s)"))
    _note(args, built, params)
    print(f"sopbook: {summary_line(result.findings, args.lang)}", file=sys.stderr)
    return 0


# Where a build stopped, as the last line says it (the findings above say why).
BUILD_FAILED = {
    "site folder": N_("build failed (site folder); the previous site/ is unchanged"),
    "load": N_("build failed (load); the previous site/ is unchanged"),
    "check": N_("build failed (check); the previous site/ is unchanged"),
    "fonts": N_("build failed (fonts); the previous site/ is unchanged"),
    "lock": N_("build failed (lock); the previous site/ is unchanged"),
    "web": N_("build failed (web); the previous site/ is unchanged"),
    "cards": N_("build failed (cards); the previous site/ is unchanged"),
    "offline": N_("build failed (offline); the previous site/ is unchanged"),
}
EXPORT_FAILED = {
    "target folder": N_("export failed (target folder); {dir} is unchanged"),
    "config": N_("export failed (config); {dir} is unchanged"),
    "load": N_("export failed (load); {dir} is unchanged"),
    "check": N_("export failed (check); {dir} is unchanged"),
    "pages": N_("export failed (pages); {dir} is unchanged"),
    "cards": N_("export failed (cards); {dir} is unchanged"),
}


def _seconds(seconds: Mapping[str, float]) -> dict[str, str]:
    """How long each stage took, as the lines print it (one decimal)."""
    return {stage: f"{value:.1f}" for stage, value in seconds.items()}


# A card's state against its last release, as the list's first column says it.
CARD_STATES = {"new": N_("new"), "changed": N_("changed"), "removed": N_("removed")}


def _edition_lines(args, editions, last_release) -> list[str]:
    """What `sopbook cards` says about the cards on the wall: which changed since their release."""
    pending = [e for e in editions if e.state != "current"]
    params = {"count": len(editions), "changed": len(pending),
              "date": last_release.isoformat() if last_release else ""}
    if not pending:
        return [_say(args, N_("cards: all {count} cards are as last released ({date})") if last_release
                     else N_("cards: all {count} cards are as last released"), params)]
    lines = [_say(args, N_("cards: {changed} of {count} cards changed since their last release ({date}):")
                  if last_release else
                  N_("cards: {changed} of {count} cards changed since their last release:"), params)]
    for e in pending:
        state = _say(args, CARD_STATES.get(e.state, e.state))
        card = (_say(args, N_("{card} (edition {revision})"),
                     {"card": e.card_id, "revision": e.released.revision}) if e.released is not None
                else _say(args, N_("{card} (never released)"), {"card": e.card_id}))
        lines.append(f"  {state}{' ' * max(1, 9 - columns(state))}{shown(card)}")
        lines += [f"           {shown(c.describe(args.lang))}" for c in e.changes]
    return lines


def cmd_cards(args) -> int:
    import datetime

    from sopbook.build import build_cards
    from sopbook.checks import run_checks
    from sopbook.findings import shown
    from sopbook.model import editions as ed
    from sopbook.model.project import load_project

    try:
        project = load_project(args.root, args.lang)
    except LoadFailed as exc:
        _print_findings(args, exc.findings)
        return 1
    findings = [f for f in run_checks(project, ["references", "cards"]) if f.level == "error"]
    if failing(findings):
        _print_findings(args, findings)
        return 1
    out = Path(args.out).resolve() if args.out else project.root / "site" / "cards"
    from sopbook.findings import Loc
    from sopbook.source.site_paths import output_problem

    if (problem := output_problem(project.root, out, Loc(f"sopbook cards --out {args.out}"),
                                  f"(--out {args.out})")) is not None:
        _print_findings(args, [problem])
        return 1
    editions = ed.project_editions(project)
    for line in _edition_lines(args, editions, project.ledger.last_release()):
        print(line)
    if args.release:
        today = datetime.date.today()
        if args.date:
            last = project.ledger.last_release()
            try:
                given = datetime.date.fromisoformat(args.date)
            except ValueError:
                given = None
            if given is None or given > today or (last is not None and given < last):
                _note(args, N_("--date {date}: give a date YYYY-MM-DD between the last release ({last}) and "
                               "today") if last else
                      N_("--date {date}: give a date YYYY-MM-DD between the last release (none yet) and "
                         "today"), {"date": shown(args.date), "last": last.isoformat() if last else ""})
                return 2
            today = given
        recorded = ed.release(project.ledger, editions, today)
        if recorded:
            path = ed.write_ledger(project.root, project.ledger)
            print(_say(args, N_("cards: released on {date}:"), {"date": today.isoformat()}))
            for e in recorded:
                latest = project.ledger.cards[e.card_id].latest
                line = (N_("{card} removed") if e.state == "removed" else N_("{card} edition {revision}"))
                print("  " + _say(args, line, {"card": e.card_id, "revision": latest.revision}))
            print(_say(args, N_("cards: review and commit {path}"), {"path": path.relative_to(project.root)}))
        elif not args.list:
            print(_say(args, N_("cards: nothing to release")))
    if args.list:
        return 0
    report = build_cards(project, out, out, args.jobs, None, force=args.force)
    findings = list(report.findings)
    if not args.out and not failing(findings) and (out.parent / "sw.js").is_file():
        from sopbook.build import write_offline

        # Phones keep the cards they stored until the offline handbook's build hash changes.
        findings += write_offline(project, out.parent)
    if findings:
        _print_findings(args, findings)
    _note(args, N_("cards rendered {rendered}, unchanged {unchanged}; A4 sheets imposed {imposed} of "
                   "{sheets} -> {out}"), {**report.counts(), "out": out})
    return 1 if failing(findings) else 0


def cmd_serve(args) -> int:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.serve import serve

    from sopbook.build import quiet_mkdocs_logging

    quiet_mkdocs_logging(True)
    serve(config_file=str(Path(args.root) / "mkdocs.yml"), open_in_browser=False,
          dev_addr=args.dev_addr, livereload=True)
    return 0


def cmd_export(args) -> int:
    from sopbook.export import ExportFailed, export

    try:
        result = export(args.root, args.dir, jobs=args.jobs, given=args.dir,
                        say=lambda msg: print(f"sopbook: {msg}", file=sys.stderr), language=args.lang)
    except ExportFailed as exc:
        _print_findings(args, exc.findings)
        _note(args, EXPORT_FAILED.get(exc.stage, N_("export failed ({stage}); {dir} is unchanged")),
              {"stage": exc.stage, "dir": args.dir})
        return 1
    _note(args, N_("exported {files} files to {target} (check {check} s, pages {pages} s, cards {cards} s); "
                   "cards rendered {rendered}, unchanged {unchanged}; A4 sheets imposed {imposed} of "
                   "{sheets}; build it there with `mkdocs build` or `zensical build`"),
          {"files": len(result.pages), "target": result.target, **_seconds(result.seconds),
           **result.cards_counts})
    return 0


def cmd_schema(args) -> int:
    from sopbook.model.schema import write_schemas

    for path in write_schemas(Path(args.out) if args.out else Path(args.root) / "schema"):
        _note(args, N_("wrote {path}"), {"path": path})
    return 0


def cmd_new(args) -> int:
    import datetime

    from sopbook.new import NewRefused, new_handbook, next_steps, scaffold_dir
    from sopbook.source.language import handbook_language
    from sopbook.source.templates import builtin_dir

    target = Path(args.dir).absolute()
    # A new handbook speaks the language it is written in (the one it starts with), unless --lang says.
    args.lang = i18n.match(getattr(args, "requested_lang", None)) or handbook_language(scaffold_dir())
    try:
        written = new_handbook(target, datetime.date.today())
    except NewRefused as exc:
        _note(args, exc.text, exc.params)
        return 1
    wrote = _say(args, N_("wrote a new handbook in {dir}:"), {"dir": args.dir})
    print(f"sopbook: {wrote}")
    for path in written:
        print(f"  {path.relative_to(target).as_posix()}")
    for line in next_steps(args.dir, builtin_dir(), args.lang):
        print(line)
    return 0


def cmd_import(args) -> int:
    from sopbook.importer.command import cmd_import as import_document

    return import_document(args)


def _said_by_argparse(parser: argparse.ArgumentParser, h) -> argparse.ArgumentParser:
    """argparse's own headings and -h line in the handbook's language (its error messages stay
    English: Python ships no catalog for them)."""
    parser._positionals.title = h(N_("positional arguments"))
    parser._optionals.title = h(N_("options"))
    parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                        help=h(N_("show this help message and exit")))
    return parser


def parser(lang: str = i18n.SOURCE_LANGUAGE) -> argparse.ArgumentParser:
    """The commands, with their help in `lang`."""

    def h(msgid: str, **params: object) -> str:
        return i18n.say(msgid, lang, params).replace("%", "%%")  # argparse %-formats help again

    usage = i18n.say(N_("usage: "), lang)

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage_text, actions, groups, prefix=None):
            super().add_usage(usage_text, actions, groups, usage if prefix is None else prefix)

    # --root and --debug work before or after the command (sopbook check --root x)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=argparse.SUPPRESS,
                        help=h(N_("project folder holding handbook.yml (default: .)")))
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=h(N_("show Python tracebacks")))
    common.add_argument("--lang", default=argparse.SUPPRESS,
                        help=h(N_("language of messages, pages and cards: {languages} (default: the "
                                  "handbook's, handbook.yml language or mkdocs.yml theme.language)"),
                               languages=", ".join(i18n.languages())))
    p = _said_by_argparse(argparse.ArgumentParser(
        prog="sopbook", parents=[common], add_help=False, formatter_class=Formatter,
        description=h(N_("Structured SOPs to a web handbook and checklist cards."))), h)
    p.add_argument("--version", action="version", version=f"sopbook {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, **kw) -> argparse.ArgumentParser:
        return _said_by_argparse(sub.add_parser(name, parents=[common], add_help=False,
                                                formatter_class=Formatter, **kw), h)

    n = command("new", help=h(N_("start a handbook in DIR: an example chapter, a card, pages, settings")))
    n.add_argument("dir", metavar="DIR", help=h(N_("a new or empty folder")))
    n.set_defaults(run=cmd_new)

    c = command("check", help=h(N_("check content: timings, completeness, references, arithmetic, cards")))
    c.add_argument("--format", choices=["text", "json"], default="text",
                   help=h(N_("text for people (default), json for tools: the same codes in every language")))
    c.add_argument("--strict", action="store_true", help=h(N_("fail on warnings too")))
    c.add_argument("--no-cards", action="store_true",
                   help=h(N_("skip the cards' fit (measured by laying each changed card out, then cached)")))
    c.set_defaults(run=cmd_check)

    b = command("build", help=h(N_("check, then build the handbook and cards into site/")))
    b.add_argument("--site", help=h(N_("output folder (default: site/)")))
    b.add_argument("--jobs", type=int, help=h(N_("card render workers (default: CPU count)")))
    b.add_argument("--no-cards", action="store_true", help=h(N_("web handbook only")))
    b.add_argument("--verbose", action="store_true", help=h(N_("show what MkDocs logs")))
    b.set_defaults(run=cmd_build)

    k = command("cards",
                help=h(N_("list the cards changed since their last release, then render the cards (PDF)")))
    k.add_argument("--out", help=h(N_("output folder (default: site/cards)")))
    k.add_argument("--list", action="store_true", help=h(N_("only list the changed cards; render nothing")))
    k.add_argument("--release", action="store_true",
                   help=h(N_("record every new or changed card as its next edition in "
                             "checklists/editions.yml")))
    k.add_argument("--date", help=h(N_("release date YYYY-MM-DD (default: today)")))
    k.add_argument("--jobs", type=int, help=h(N_("card render workers (default: CPU count)")))
    k.add_argument("--force", action="store_true", help=h(N_("render even unchanged cards")))
    k.set_defaults(run=cmd_cards)

    s = command("serve", help=h(N_("live preview; rebuilds when content/ or checklists/ change")))
    s.add_argument("-a", "--dev-addr", default="127.0.0.1:8000",
                   help=h(N_("address and port to serve on (default: 127.0.0.1:8000)")))
    s.set_defaults(run=cmd_serve)

    x = command("export", help=h(N_("write the handbook into DIR as a plain MkDocs project, no plugin")))
    x.add_argument("dir", metavar="DIR", help=h(N_("a new folder, or one a previous export wrote")))
    x.add_argument("--jobs", type=int, help=h(N_("card render workers (default: CPU count)")))
    x.set_defaults(run=cmd_export)

    m = command("import",
                help=h(N_("turn a course document (pasted text) into a draft chapter for content/")))
    m.add_argument("file", metavar="FILE.txt", help=h(N_("the course document, UTF-8 text")))
    m.add_argument("-o", "--out", metavar="content/ID.yml",
                   help=h(N_("write the draft there (default: only say where it would go); - prints it")))
    m.add_argument("--id", help=h(N_("the chapter's id (default: the -o file's name, else the document's)")))
    m.add_argument("--force", action="store_true", help=h(N_("replace the -o file if it exists")))
    m.set_defaults(run=cmd_import)

    j = command("schema", help=h(N_("write the JSON Schemas that content files use for autocompletion")))
    j.add_argument("--out", help=h(N_("folder (default: schema/)")))
    j.set_defaults(run=cmd_schema)
    return p


def _language(argv: list[str] | None) -> str:
    """What sopbook speaks in this run, `--help` included: read before the commands are known, from
    --root and --lang (the handbook's own language when --lang names none sopbook speaks)."""
    from sopbook.source.language import handbook_language

    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--root", default=".")
    early.add_argument("--lang")
    known, _ = early.parse_known_args(argv)
    return handbook_language(Path(known.root), known.lang)


def main(argv: list[str] | None = None) -> int:
    lang = _language(argv)
    args = parser(lang).parse_args(argv)
    args.root = str(Path(getattr(args, "root", ".")).resolve())
    args.debug = getattr(args, "debug", False)
    requested = getattr(args, "lang", None)
    args.requested_lang = requested
    args.lang = lang
    if requested is not None and i18n.match(requested) is None:
        _note(args, N_("--lang {lang}: sopbook speaks {languages}; a language is one more catalog in "
                       "sopbook/locale/"),
              {"lang": shown(requested), "languages": ", ".join(i18n.languages())})
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        _note(args, N_("interrupted; the previous site/ is unchanged"))
        return 130
    except BrokenPipeError:
        # `sopbook check | head`: the reader has what it wanted; say nothing more into a closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # a located message for editors; the traceback only when asked
        if args.debug:
            raise
        # Every expected problem is a located finding; this is one sopbook did not foresee.
        # Never a bare "error: " (str(MemoryError()) is empty): name the exception.
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _note(args, N_("error: {detail}"), {"detail": detail})
        _note(args, N_("this is a bug in sopbook, not in your content: run the same command again with "
                       "--debug and report the traceback it prints"))
        return 1


if __name__ == "__main__":
    sys.exit(main())

