"""Do ``course progress`` and its export/import work from a terminal?"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.progress import ProgressStore


def test_progress_shows_the_table_and_where_it_is_stored(
    store: ProgressStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store.record("01_pep8", "check_layout", 3, 3)
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Progress: 0 of 20 exercises passed, 3/200 points")
    assert "01 PEP 8" in out
    assert f"Store: {store.path}" in out


def test_export_then_import_into_another_store_round_trips(
    store: ProgressStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store.record("01_pep8", "check_layout", 3, 3)
    file = tmp_path / "mine.json"
    assert main(["progress", "export", str(file), "--name", "Ada"]) == 0
    assert "Exported 1 graded cell(s) for Ada" in capsys.readouterr().out
    assert json.loads(file.read_text())["learner"] == "Ada"

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "binder"))
    assert main(["progress", "import", str(file)]) == 0
    assert "1 new cell(s), 0 improved" in capsys.readouterr().out
    assert ProgressStore.from_settings().cells() == store.cells()


def test_importing_a_file_that_is_not_an_export_fails_with_a_message(
    store: ProgressStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    file = tmp_path / "bad.json"
    file.write_text("[]")
    assert main(["progress", "import", str(file)]) == 2
    assert "not a progress export" in caplog.text


def test_team_report_needs_a_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["team-report"]) == 2
    assert "--gradebook" in capsys.readouterr().out
