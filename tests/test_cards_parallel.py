"""Worker processes: how many, and a safe start when the calling process runs threads."""
from __future__ import annotations

import threading

import pytest

from sopbook.cards.parallel import _context, worker_count

from cards_support import besides_placeholder, make_project


def test_worker_count_is_bounded_by_the_cards_to_render():
    assert worker_count(4, 2) == 2
    assert worker_count(2, 100) == 2
    assert worker_count(None, 1) == 1
    assert worker_count(0, 0) == 1


@pytest.mark.slow
def test_workers_start_from_a_fork_server_while_other_threads_run(tmp_path):
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)  # like a test's HTTP server
    thread.start()
    try:
        assert _context().get_start_method() == "forkserver"
        project = load_project(make_project("cards-overflow", tmp_path))
        report = build_cards(project, tmp_path / "out", jobs=2, progress=False)
    finally:
        stop.set()
        thread.join()
    assert report.rendered == ["quick"]
    assert [f.code for f in besides_placeholder(report.findings)] == ["cards.overflow"]
    assert _context().get_start_method() == "fork"
