"""Does the store keep every check, under concurrent kernels, and survive damage?"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from autograder import ProgressError
from autograder.progress import SCHEMA_VERSION, ProgressStore, store_path
from autograder.progress._store import MIGRATIONS

WRITER = """
import sys, time
from pathlib import Path
from autograder.progress import ProgressStore

store = ProgressStore(Path(sys.argv[1]))
go = Path(sys.argv[3])
worker = int(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
for i in range(int(sys.argv[4])):
    store.record("01_pep8", f"cell{i % 5}", (i * 7 + worker) % 11 / 10, 1.0)
    store.record(f"worker{worker}", "own", i, 5000)
"""


def test_the_store_lives_in_the_configured_data_folder(data_dir: Path) -> None:
    assert store_path() == data_dir / "progress.db"


def test_a_store_never_written_reads_empty_and_creates_no_file(
    store: ProgressStore,
) -> None:
    assert store.cells() == []
    assert store.learner() == ""
    assert not store.path.exists()


def test_a_cell_keeps_its_best_and_latest_score_and_counts_checks(
    store: ProgressStore,
) -> None:
    store.record("01_pep8", "check_layout", 2, 3)
    store.record("01_pep8", "check_layout", 3, 3)
    store.record("01_pep8", "check_layout", 1, 3)
    (cell,) = store.cells()
    assert (cell.best, cell.latest, cell.max_score, cell.attempts) == (3, 1, 3, 3)
    assert cell.first_at <= cell.updated_at


def test_the_store_is_in_wal_mode_at_the_current_schema(store: ProgressStore) -> None:
    store.record("01_pep8", "check_imports", 1, 1)
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    connection.close()


@pytest.mark.slow
def test_two_processes_writing_5000_updates_each_lose_none(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    go = tmp_path / "go"
    updates = 5000
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(path),
                str(worker),
                str(go),
                str(updates),
            ]
        )
        for worker in (1, 2)
    ]
    time.sleep(1.0)  # both interpreters started: let them start writing together
    go.touch()
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0]
    store = ProgressStore(path)
    cells = {(cell.exercise, cell.cell): cell for cell in store.cells()}
    shared = [cells[("01_pep8", f"cell{index}")] for index in range(5)]
    assert sum(cell.attempts for cell in shared) == 2 * updates
    assert max(cell.best for cell in shared) == 1.0
    for worker in (1, 2):
        own = cells[(f"worker{worker}", "own")]
        assert own.attempts == updates
        assert own.best == own.latest == updates - 1


def _backups(store: ProgressStore) -> list[Path]:
    return sorted(store.path.parent.glob("progress.db.broken-*"))


def test_a_file_that_is_not_a_database_is_kept_aside_and_a_fresh_store_starts(
    store: ProgressStore,
) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"these are not the bytes of a database" * 200)
    assert store.cells() == []
    assert store.recovery is not None
    (backup,) = _backups(store)
    assert backup == store.recovery.backup
    assert backup.read_bytes().startswith(b"these are not the bytes")
    assert "could not be read" in store.recovery.message
    assert backup.name in store.recovery.message
    store.record("01_pep8", "check_imports", 1, 1)
    assert len(store.cells()) == 1


def test_a_store_with_damaged_pages_is_kept_aside_and_a_fresh_store_starts(
    store: ProgressStore, tmp_path: Path
) -> None:
    for index in range(300):
        store.record("01_pep8", f"cell{index}", 1, 1)
    store.close()
    with sqlite3.connect(store.path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = bytearray(store.path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[page : 3 * page] = b"\xff" * (2 * page)  # overwrite two pages of the table
    store.path.write_bytes(bytes(data))
    reopened = ProgressStore(store.path)
    assert reopened.cells() == []
    assert reopened.recovery is not None
    assert _backups(reopened)[0].read_bytes() == bytes(data)
    reopened.close()


def test_a_store_missing_its_tables_is_kept_aside(store: ProgressStore) -> None:
    store.record("01_pep8", "check_imports", 1, 1)
    store.close()
    with sqlite3.connect(store.path) as connection:
        connection.execute("DROP TABLE cell_scores")
    connection.close()
    reopened = ProgressStore(store.path)
    assert reopened.cells() == []
    assert reopened.recovery is not None
    assert "no table cell_scores" in reopened.recovery.reason
    reopened.close()


def test_a_store_from_a_newer_course_is_refused_and_left_alone(
    store: ProgressStore,
) -> None:
    store.record("01_pep8", "check_imports", 1, 1)
    store.close()
    with sqlite3.connect(store.path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    before = store.path.read_bytes()
    with pytest.raises(ProgressError, match="newer version of the course"):
        ProgressStore(store.path).cells()
    assert store.path.read_bytes() == before
    assert _backups(store) == []


def test_an_empty_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    path.write_bytes(b"")
    store = ProgressStore(path)
    store.record("01_pep8", "check_imports", 1, 1)
    assert store.recovery is None
    assert set(MIGRATIONS) == set(range(1, SCHEMA_VERSION + 1))
    store.close()


def test_a_store_replaced_by_another_process_is_reopened(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    first = ProgressStore(path)
    first.record("01_pep8", "check_imports", 1, 1)
    path.rename(tmp_path / "elsewhere.db")
    other = ProgressStore(path)
    other.record("02_docstrings", "check_style", 2, 2)
    assert [cell.exercise for cell in first.cells()] == ["02_docstrings"]
    first.close()
    other.close()


def test_times_come_from_the_clock_seam(tmp_path: Path) -> None:
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    store = ProgressStore(tmp_path / "progress.db", clock=lambda: moment)
    store.record("01_pep8", "check_imports", 1, 1)
    assert store.cells()[0].updated_at == "2030-01-02T03:04:05.000000+00:00"
    store.close()


def test_a_folder_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = ProgressStore(blocker / "data" / "progress.db")
    with pytest.raises(ProgressError, match="COURSE_DATA_DIR"):
        store.record("01_pep8", "check_imports", 1, 1)
