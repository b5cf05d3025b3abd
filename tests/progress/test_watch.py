"""Does the watcher see other connections' commits, and stop cleanly?"""

from __future__ import annotations

import threading
from pathlib import Path

from autograder.progress import ProgressStore
from autograder.progress._watch import StoreWatcher


def test_a_commit_by_another_connection_calls_back(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    writer = ProgressStore(path)
    writer.record("01_pep8", "a", 1, 3)
    changed = threading.Event()
    watcher = StoreWatcher(path, interval=0.05)
    watcher.add(changed.set)
    try:
        assert not changed.wait(0.3)  # nothing changed yet
        writer.record("01_pep8", "a", 2, 3)
        assert changed.wait(5)
    finally:
        watcher.remove(changed.set)
    assert not watcher.running
    writer.close()


def test_a_store_created_after_the_watcher_started_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    changed = threading.Event()
    watcher = StoreWatcher(path, interval=0.05)
    watcher.add(changed.set)
    try:
        assert not changed.wait(0.2)
        ProgressStore(path).record("01_pep8", "a", 1, 3)
        assert changed.wait(5)
    finally:
        watcher.stop()
    assert not watcher.running


def test_a_poke_calls_back_without_waiting_for_the_tick(tmp_path: Path) -> None:
    changed = threading.Event()
    watcher = StoreWatcher(tmp_path / "progress.db", interval=60)
    watcher.add(changed.set)
    try:
        watcher.poke()
        assert changed.wait(5)
    finally:
        watcher.stop()


def test_a_failing_callback_does_not_stop_the_others(tmp_path: Path) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    changed = threading.Event()
    watcher = StoreWatcher(tmp_path / "progress.db", interval=60)
    watcher.add(broken)
    watcher.add(changed.set)
    try:
        watcher.poke()
        assert changed.wait(5)
        assert watcher.running
    finally:
        watcher.stop()
