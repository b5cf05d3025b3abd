"""Does the panel's widget state follow the store: after a check, from any process?

No browser is needed: a widget's model state (``get_state()``) is exactly what
the front end receives, so these tests read it.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from autograder.kernel import REPORT_LISTENERS, CellTracker, Checker
from autograder.progress import ProgressStore, kernel_store, record_report
from autograder.progress._watch import watcher_for
from autograder.progress._widget import ProgressPanel, show_progress
from autograder.runner import WorkerClient

SOLUTION = Path("solutions") / "01_pep8"


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def panel(data_dir: Path, root: Path) -> Iterator[ProgressPanel]:
    shown = ProgressPanel(kernel_store(), root, root / "lessons")
    yield shown
    shown.close()


@pytest.fixture
def listening() -> Iterator[None]:
    REPORT_LISTENERS.append(record_report)
    yield
    REPORT_LISTENERS.remove(record_report)


def test_a_fresh_panel_shows_twenty_exercises_not_started(
    panel: ProgressPanel, root: Path
) -> None:
    assert len(panel.rows) == 20
    pep8 = panel.rows["01_pep8"]
    assert "not started" in pep8.status.get_state()["value"]
    assert pep8.bar.get_state()["value"] == 0
    assert 'href="01_pep8.ipynb"' in pep8.title.value
    assert 'href="../exercises/01_pep8/01_pep8.ipynb"' in pep8.exercise.value
    assert panel.overall.get_state()["max"] == 200
    assert 'href="01_pep8.ipynb"' in panel.next_step.value
    assert "Lesson 01" in panel.next_step.value
    assert repr(panel) == "Progress: 0 of 20 exercises passed, 0/200 points"


def test_an_exercise_not_written_yet_is_coming_soon_without_a_link(
    data_dir: Path, root: Path, tmp_path: Path
) -> None:
    # A course folder that has only exercise 01, as a fork in progress would.
    course = tmp_path / "course"
    shutil.copytree(root / "exercises" / "01_pep8", course / "exercises" / "01_pep8")
    (course / "lessons").mkdir()
    partial = ProgressPanel(kernel_store(), course, course / "lessons")
    try:
        last = partial.rows["20_scalability"]
        assert "coming soon" in last.exercise.value
        assert "href" not in last.exercise.value
        assert "href" not in last.title.value
        assert "coming soon" not in partial.rows["01_pep8"].exercise.value
    finally:
        partial.close()


def test_every_exercise_of_this_course_is_linked(panel: ProgressPanel) -> None:
    for slug, row in panel.rows.items():
        assert "coming soon" not in row.exercise.value, slug
        assert f"../exercises/{slug}/{slug}.ipynb" in row.exercise.value


def test_the_panel_updates_as_soon_as_a_check_ran(
    panel: ProgressPanel, root: Path, worker: WorkerClient, listening: None
) -> None:
    checker = Checker(CellTracker(), runner=worker.run, cwd=root / SOLUTION)
    feedback = checker.check("check_imports", "")
    assert feedback.score == 1
    pep8 = panel.rows["01_pep8"]
    assert wait_for(lambda: pep8.bar.get_state()["value"] == 1)
    assert "in progress" in pep8.status.get_state()["value"]
    assert pep8.score.get_state()["value"] == "1 / 10"
    assert pep8.bar.get_state()["bar_style"] == "info"
    assert panel.overall.get_state()["value"] == 1
    assert "Exercise 01" in panel.next_step.value
    assert "../exercises/01_pep8/01_pep8.ipynb" in panel.next_step.value


def test_a_check_in_another_process_updates_the_panel_within_seconds(
    panel: ProgressPanel, data_dir: Path
) -> None:
    code = (
        "from autograder.progress import ProgressStore\n"
        "store = ProgressStore.from_settings()\n"
        "for cell, points in [('a', 3), ('b', 3), ('c', 4)]:\n"
        "    store.record('02_docstrings', cell, points, points)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    row = panel.rows["02_docstrings"]
    assert wait_for(lambda: row.bar.get_state()["value"] == 10, timeout=5)
    assert "passed" in row.status.value
    assert row.bar.get_state()["bar_style"] == "success"
    assert "1</b> of 20 exercises passed" in panel.summary.value


def test_export_writes_a_file_next_to_the_notebook_and_links_it(
    panel: ProgressPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel.store.record("01_pep8", "check_layout", 2, 3)
    monkeypatch.chdir(tmp_path)  # the kernel runs in the notebook's folder
    panel.start = tmp_path
    panel.name.value = "Ada"
    panel.export_button.click()
    (file,) = tmp_path.glob("course-progress-*.json")
    data = json.loads(file.read_text())
    assert data["learner"] == "Ada"
    assert [entry["cell"] for entry in data["entries"]] == ["check_layout"]
    (output,) = panel.output.get_state()["outputs"]
    assert f"href='{file.name}'" in output["data"]["text/html"]
    encoded = base64.b64encode(file.read_bytes()).decode()
    assert f"data:application/json;base64,{encoded}" in panel.message.value


def test_import_merges_an_upload_keeping_the_best_score(
    panel: ProgressPanel, tmp_path: Path
) -> None:
    panel.store.record("01_pep8", "check_layout", 1, 3)
    elsewhere = ProgressStore(tmp_path / "elsewhere.db")
    elsewhere.record("01_pep8", "check_layout", 3, 3)
    elsewhere.record("03_type_hints", "check_types", 2, 4)
    elsewhere.set_learner("Ada")
    from autograder.progress import export_progress

    export_progress(elsewhere, tmp_path / "old.json")
    panel.import_bytes("old.json", (tmp_path / "old.json").read_bytes())
    assert "1 new cell(s), 1 improved" in panel.message.value
    assert panel.rows["01_pep8"].bar.value == 3
    assert panel.rows["03_type_hints"].bar.value == 2
    assert panel.name.value == "Ada"
    assert panel.upload.value == ()


def test_an_upload_that_is_not_an_export_is_said_in_the_panel(
    panel: ProgressPanel,
) -> None:
    panel.import_bytes("photo.json", b"\x89PNG")
    assert "not a progress export" in panel.message.value
    assert panel.store.cells() == []


def test_a_recovered_store_is_said_in_the_panel(data_dir: Path, root: Path) -> None:
    data_dir.mkdir()
    (data_dir / "progress.db").write_bytes(b"garbage" * 100)
    store = ProgressStore(data_dir / "progress.db")
    shown = ProgressPanel(store, root, root / "lessons", watch=False)
    assert "could not be read" in shown.notice.value
    assert "progress.db.broken-" in shown.notice.value
    shown.close()


def test_closing_the_panel_stops_watching(data_dir: Path, root: Path) -> None:
    store = kernel_store()
    shown = ProgressPanel(store, root, root / "lessons")
    watcher = watcher_for(store.path)
    assert watcher.running
    shown.close()
    assert not watcher.running


def test_showing_a_panel_again_closes_the_previous_one(
    data_dir: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root / "exercises" / "01_pep8")
    first = show_progress()
    second = show_progress()
    assert isinstance(first, ProgressPanel)
    assert isinstance(second, ProgressPanel)
    assert first.comm is None
    assert second.comm is not None
    assert second.here == "01_pep8"
    assert "Exercise 01" in second.next_step.value
    second.close()
    assert not watcher_for(kernel_store().path).running


def test_while_nbgrader_grades_a_note_replaces_the_panel(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    shown = show_progress()
    assert not isinstance(shown, ProgressPanel)
    assert "not shown" in shown._repr_html_()
    assert not (data_dir / "progress.db").exists()
