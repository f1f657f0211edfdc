"""Render card jobs in worker processes, each set up once, with progress on the terminal.

Every worker imports WeasyPrint, configures fonts and parses the card stylesheet once, then
renders many cards (per-card set-up is the cost to avoid), each card its own tagged
WeasyPrint document (Renderer.render_each). Where it is safe, workers are forked after
WeasyPrint is imported here, so they start without importing it.
"""
from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import as_completed
from multiprocessing.context import BaseContext
from pathlib import Path

from sopbook._util.procs import pool_context, process_pool
from sopbook.cards.pdf import CardJob, CardResult, Renderer
from sopbook.i18n import N_, SOURCE_LANGUAGE, say

_renderer: Renderer | None = None


def _init_worker(root: str, css: str) -> None:
    global _renderer
    _renderer = Renderer(Path(root), css)


def _render(batch: list[CardJob]) -> list[CardResult]:
    assert _renderer is not None, "worker not initialised"
    return _renderer.render_each(batch)


BATCH = 8  # cards handed to a worker at a time: fewer round trips, and workers still end together


def batches(jobs: list[CardJob], workers: int) -> list[list[CardJob]]:
    """Jobs in batches of up to BATCH, at least two per worker so the workers end together."""
    size = max(1, min(BATCH, math.ceil(len(jobs) / (2 * workers))))
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]


# Imported once before the workers start (_util/procs.py): every worker renders with them.
PRELOAD = ("weasyprint", "sopbook.cards.pdf")


def _context() -> BaseContext:
    return pool_context(PRELOAD)


def worker_count(jobs: int | None, tasks: int) -> int:
    wanted = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, tasks))


class Progress:
    """A rich progress bar on a terminal, one plain line per card otherwise, or nothing; in `lang`."""

    def __init__(self, total: int, mode: bool | None, stream=None, lang: str = SOURCE_LANGUAGE) -> None:
        self.stream = stream or sys.stderr
        self.lang = lang
        self.total = total
        self.done = 0
        self.start = time.perf_counter()
        bar = self.stream.isatty() if mode is None else mode
        self.plain = mode is None and not bar
        self._bar = None
        if bar and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn(say(N_("rendering cards"), lang)), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.description}"),
                            console=Console(file=self.stream), transient=False)
            self._task = self._bar.add_task("", total=total)
            self._bar.start()

    def advance(self, result: CardResult) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=result.card_id)
        elif self.plain:
            line = (N_("cards: [{done}/{total}] {card} ok ({seconds} s)") if result.ok
                    else N_("cards: [{done}/{total}] {card} FAILED ({seconds} s)"))
            print(say(line, self.lang, {"done": self.done, "total": self.total, "card": result.card_id,
                                        "seconds": f"{result.seconds:.2f}"}), file=self.stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


def run(root: Path, css: str, jobs: list[CardJob], workers: int, progress: bool | None,
        on_result: Callable[[CardResult], None], lang: str = SOURCE_LANGUAGE) -> None:
    """Render every job and hand each result to on_result as it finishes; progress in `lang`.

    One worker (or one card) renders in this process: no pool start-up.
    """
    # Longest first, so the last card to finish is a short one and workers end together.
    ordered = sorted(jobs, key=lambda j: len(j.html), reverse=True)
    if not ordered:
        return
    if workers <= 1:
        renderer = Renderer(root, css)
        with Progress(len(ordered), progress, lang=lang) as bar:
            for batch in batches(ordered, 1):
                for result in renderer.render_each(batch):
                    on_result(result)
                    bar.advance(result)
        return
    with process_pool(workers, PRELOAD, initializer=_init_worker, initargs=(str(root), css)) as pool:
        # Submitting forks the workers; the progress bar's refresh thread starts only after that.
        futures = {pool.submit(_render, batch): batch for batch in batches(ordered, workers)}
        with Progress(len(ordered), progress, lang=lang) as bar:
            for future in as_completed(futures):
                try:
                    results = future.result()
                except Exception as exc:  # a worker died (out of memory, killed): say which cards
                    results = [CardResult(job.card_id, error=f"{type(exc).__name__}: {exc}",
                                          worker_failed=True) for job in futures[future]]
                for result in results:
                    on_result(result)
                    bar.advance(result)
