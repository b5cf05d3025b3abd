"""Does exercise 07 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/07_design_patterns`` is graded as nbgrader
grades it (hidden tests in place), and compared cell by cell with
``expected.toml``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import CellReport, Finding
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "07_design_patterns"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["shop"]
    if name == "before_unchanged":
        return (root / "exercises" / EXERCISE / "shop_before.py").read_text()
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"shop": _answer_text(root, name)}, folder, grading=grading
    )
    spec = source_spec(root, EXERCISE) if grading else None
    report = grade_notebook(notebook, spec=spec, runner=worker.run)
    return {cell.cell: cell for cell in report.cells}


def _findings(cell: CellReport, finding_id: str) -> list[Finding]:
    return [f for o in cell.outcomes for f in o.findings if f.id == finding_id]


def _line(name: str, text: str) -> int:
    source = (FIXTURES / f"{name}.py").read_text().splitlines()
    return next(n for n, line in enumerate(source, 1) if text in line)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, name, tmp_path, worker)
    scores = {cell_id: cell.score for cell_id, cell in cells.items()}
    assert scores == pytest.approx(EXPECTED[name])


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_the_race_is_shown_at_the_accessor_with_the_lesson_section(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    settings = _grade(root, "lazy_unlocked", tmp_path, worker)["check_settings"]
    [finding] = _findings(settings, "patterns.singleton-race")
    assert finding.location is not None
    assert finding.location.cell == "shop"
    assert finding.location.line == _line("lazy_unlocked", "def get_settings")
    assert "20 threads" in finding.message
    assert "20 different objects" in finding.message
    assert finding.link == f"{EXERCISE}#Races-on-the-first-call"


def test_an_if_elif_factory_is_told_the_decorator_is_ignored(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    factory = _grade(root, "factory_if_elif", tmp_path, worker)["check_factory"]
    [finding] = _findings(factory, "patterns.registry-not-extended")
    assert finding.location is not None
    assert finding.location.line == _line("factory_if_elif", "def make_exporter")
    assert "`make_exporter('course-probe')` raised" in finding.message
    assert "if`/`elif" in finding.hint


def test_a_class_hierarchy_strategy_is_rejected_where_a_function_is_passed(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    public = _grade(root, "strategy_abc", tmp_path, worker, grading=False)
    [finding] = _findings(public["check_protocols"], "types.probe-rejected")
    assert "accepts_a_plain_function_as_a_pricing_strategy" in finding.message
    assert finding.location is not None
    assert finding.location.cell == "check_protocols"


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_registry_object", tmp_path, worker, grading=False)
    for cell_id in ("check_factory", "check_strategy", "check_settings"):
        assert cells[cell_id].passed
        assert cells[cell_id].has_hidden_tests
        assert cells[cell_id].mode.value == "public"


def test_the_release_holds_no_hidden_test(root: Path) -> None:
    released = (root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb").read_text()
    cells = json.loads(released)["cells"]
    text = "".join("".join(cell["source"]) for cell in cells)
    assert "MarkdownExporter" not in text
    assert "accepts_a_lambda_as_a_pricing_strategy" not in text
    assert "BEGIN HIDDEN TESTS" not in text


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
