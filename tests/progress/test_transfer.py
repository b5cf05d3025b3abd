"""Does progress survive an export and an import, merging to the best score?"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autograder import ProgressError
from autograder.progress import (
    EXPORT_VERSION,
    CellProgress,
    ProgressExport,
    ProgressStore,
    export_progress,
    import_progress,
    merge_cells,
    read_export,
)


class Clock:
    """A clock that moves a minute at each call."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def test_an_export_imported_into_an_empty_store_gives_the_same_progress(
    tmp_path: Path,
) -> None:
    home = ProgressStore(tmp_path / "home.db")
    home.record("01_pep8", "check_layout", 2, 3)
    home.record("01_pep8", "check_layout", 1, 3)
    home.record("02_docstrings", "check_style", 2, 2)
    home.set_learner("Ada Lovelace")
    file = tmp_path / "ada.json"
    written = export_progress(home, file)
    assert written.learner == "Ada Lovelace"
    data = json.loads(file.read_text())
    assert data["format"] == "python-practice-course/progress"
    assert data["format_version"] == EXPORT_VERSION
    assert data["course_version"]
    assert len(data["entries"]) == 2

    binder = ProgressStore(tmp_path / "binder.db")
    result = import_progress(binder, read_export(file))
    assert (result.added, result.improved, result.unchanged) == (2, 0, 0)
    assert binder.cells() == home.cells()
    assert binder.learner() == "Ada Lovelace"


def test_import_keeps_the_best_score_and_the_most_recent_latest(tmp_path: Path) -> None:
    clock = Clock()
    here = ProgressStore(tmp_path / "here.db", clock=clock)
    there = ProgressStore(tmp_path / "there.db", clock=clock)
    here.record("01_pep8", "check_layout", 3, 3)  # best here, earlier
    there.record("01_pep8", "check_layout", 1, 3)  # worse, but more recent
    here.record("01_pep8", "check_imports", 0, 1)
    there.record("01_pep8", "check_imports", 1, 1)  # better there
    there.record("02_docstrings", "check_style", 2, 2)  # only there
    export_progress(there, tmp_path / "there.json")

    result = import_progress(here, read_export(tmp_path / "there.json"))
    assert (result.added, result.improved, result.unchanged) == (1, 1, 1)
    cells = {(c.exercise, c.cell): c for c in here.cells()}
    layout = cells[("01_pep8", "check_layout")]
    assert (layout.best, layout.latest) == (3, 1)
    assert cells[("01_pep8", "check_imports")].best == 1
    assert cells[("02_docstrings", "check_style")].best == 2

    again = import_progress(here, read_export(tmp_path / "there.json"))
    assert (again.added, again.improved) == (0, 0)
    assert {(c.exercise, c.cell): c for c in here.cells()} == cells


def test_merging_without_a_store_agrees_with_the_store(tmp_path: Path) -> None:
    clock = Clock()
    one = ProgressStore(tmp_path / "one.db", clock=clock)
    two = ProgressStore(tmp_path / "two.db", clock=clock)
    one.record("01_pep8", "a", 3, 3)
    two.record("01_pep8", "a", 1, 3)
    two.record("01_pep8", "b", 2, 3)
    merged = merge_cells(one.cells(), two.cells())
    import_progress(one, export_progress(two, tmp_path / "two.json"))
    assert merged == one.cells()


def test_a_file_that_is_not_an_export_is_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    file = tmp_path / "notes.json"
    file.write_text('{"hello": 1}')
    with pytest.raises(ProgressError, match="not a progress export"):
        read_export(file)
    file.write_text("not json")
    with pytest.raises(ProgressError, match="not a progress export"):
        read_export(file)
    with pytest.raises(ProgressError, match="cannot be read"):
        read_export(tmp_path / "missing.json")


def test_an_export_from_a_newer_course_is_refused(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "format": "python-practice-course/progress",
            "format_version": EXPORT_VERSION + 1,
            "entries": [],
        }
    )
    with pytest.raises(ProgressError, match="newer version"):
        ProgressExport.from_json(text, tmp_path / "x.json")


def test_an_entry_with_a_bad_score_names_the_entry(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "format": "python-practice-course/progress",
            "format_version": 1,
            "entries": [
                {"exercise": "01_pep8", "cell": "a", "best": 1},
                {"exercise": "01_pep8", "cell": "b", "best": "ten"},
            ],
        }
    )
    with pytest.raises(ProgressError, match="entry 1: 'best' must be a number"):
        ProgressExport.from_json(text, tmp_path / "x.json")


def test_a_minimal_entry_gets_sensible_defaults(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "format": "python-practice-course/progress",
            "format_version": 1,
            "exported_at": "2025-01-01T00:00:00.000000+00:00",
            "entries": [{"exercise": "01_pep8", "cell": "a", "best": 2}],
        }
    )
    (entry,) = ProgressExport.from_json(text, tmp_path / "x.json").entries
    assert entry == CellProgress(
        "01_pep8",
        "a",
        2.0,
        2.0,
        0,
        1,
        "2025-01-01T00:00:00.000000+00:00",
        "2025-01-01T00:00:00.000000+00:00",
    )
