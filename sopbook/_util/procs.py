"""The one choice of how worker processes start (card rendering, A4 imposition).

fork when it is safe: the workers then inherit what the parent imported (WeasyPrint takes a
second to import). Forking a process that runs other threads (a test's HTTP server, an
embedding app) can copy a lock in the held state, so then the workers start from a clean
process: a fork server that has imported `preload` once (Linux), else a fresh interpreter.
"""
from __future__ import annotations

import importlib
import multiprocessing
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any


def pool_context(preload: tuple[str, ...] = ()) -> BaseContext:
    linux = sys.platform.startswith("linux")
    if linux and threading.active_count() == 1:
        for module in preload:  # before the fork: the workers inherit it
            importlib.import_module(module)
        return multiprocessing.get_context("fork")
    if linux and preload:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(preload))
        return context
    return multiprocessing.get_context("spawn")


def process_pool(workers: int, preload: tuple[str, ...] = (), **options: Any) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=pool_context(preload), **options)
