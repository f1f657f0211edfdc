"""The one way sopbook keeps what a library logs (MkDocs, WeasyPrint) to turn it into findings.

MkDocs' exceptions say only "Aborted with a BuildError!" and WeasyPrint warns and carries on,
so their log is where the reason is. `quiet` stops the records at the collector: what becomes
a finding is not also printed (once per card, from every worker).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class _Collect(logging.Handler):
    def __init__(self, level: int, keep: Callable[[str], bool], tidy: Callable[[str], str]) -> None:
        super().__init__(level)
        self.keep, self.tidy = keep, tidy
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.keep(message):
            self.messages.append(self.tidy(message))


@contextmanager
def collected(logger: str, level: int, *, quiet: bool = False, keep: Callable[[str], bool] = lambda _m: True,
              tidy: Callable[[str], str] = lambda m: m) -> Iterator[list[str]]:
    """The messages `logger` logs at `level` or above while the block runs, as they come."""
    log = logging.getLogger(logger)
    collect = _Collect(level, keep, tidy)
    log.addHandler(collect)
    propagate = log.propagate
    if quiet:
        log.propagate = False
    try:
        yield collect.messages
    finally:
        log.propagate = propagate
        log.removeHandler(collect)
