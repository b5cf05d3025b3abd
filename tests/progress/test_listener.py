"""Does every check land in the store, except while nbgrader grades?"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from autograder.feedback import CellReport, CheckOutcome, Mode
from autograder.kernel import REPORT_LISTENERS, load_ipython_extension
from autograder.progress import ProgressStore, kernel_store, record_report


def report(exercise: str, cell: str, points: float, of: float) -> CellReport:
    return CellReport(
        exercise, cell, "title", Mode.PUBLIC, (CheckOutcome("ruff", points, of),)
    )


def test_a_report_is_recorded_in_the_configured_store(data_dir: Path) -> None:
    record_report(report("01_pep8", "check_layout", 2, 3))
    record_report(report("01_pep8", "check_layout", 1, 3))
    (cell,) = ProgressStore(data_dir / "progress.db").cells()
    assert (cell.exercise, cell.cell, cell.best, cell.latest) == (
        "01_pep8",
        "check_layout",
        2,
        1,
    )
    assert kernel_store() is kernel_store()


def test_nothing_is_recorded_while_nbgrader_grades(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    record_report(report("01_pep8", "check_layout", 2, 3))
    assert not (data_dir / "progress.db").exists()


def test_a_store_that_cannot_be_written_is_said_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("COURSE_DATA_DIR", str(blocker / "data"))
    record_report(report("01_pep8", "check_layout", 2, 3))
    assert "progress not saved" in caplog.text


def test_loading_the_extension_registers_the_listener_once() -> None:
    shell = SimpleNamespace(
        events=SimpleNamespace(register=lambda *args: None),
        register_magic_function=lambda *args, **kwargs: None,
        user_ns={},
    )
    before = list(REPORT_LISTENERS)
    try:
        fake: Any = shell
        load_ipython_extension(fake)
        load_ipython_extension(fake)
        assert REPORT_LISTENERS.count(record_report) == 1
    finally:
        REPORT_LISTENERS[:] = before


def test_loading_the_extension_keeps_course_logs_away_from_the_root_logger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    shell: Any = SimpleNamespace(
        events=SimpleNamespace(register=lambda *args: None),
        register_magic_function=lambda *args, **kwargs: None,
        user_ns={},
    )
    load_ipython_extension(shell)
    course = logging.getLogger("autograder")
    assert course.propagate is False
    logging.getLogger("autograder.kernel").warning("for the file only")
    assert "for the file only" in (tmp_path / "cache" / "kernel.log").read_text()
