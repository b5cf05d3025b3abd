"""Does exercise 14 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/14_dependencies`` is graded as nbgrader
grades it (hidden distributions, versions and sample files in place), and
compared cell by cell with ``expected.toml``. The feedback must point at the
learner's lines and never name what is hidden.
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

EXERCISE = "14_dependencies"
ANSWER = "requirements"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
HIDDEN_CELLS = ("check_runtime", "check_dev", "check_checker")


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources[ANSWER]
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {ANSWER: _answer_text(root, name)}, folder, grading=grading
    )
    spec = source_spec(root, EXERCISE) if grading else None
    report = grade_notebook(notebook, spec=spec, runner=worker.run)
    return {cell.cell: cell for cell in report.cells}


def _findings(cell: CellReport, finding_id: str) -> list[Finding]:
    return [f for o in cell.outcomes for f in o.findings if f.id == finding_id]


def _line(name: str, number: int | None) -> str:
    assert number is not None
    return (FIXTURES / f"{name}.py").read_text().splitlines()[number - 1]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, name, tmp_path, worker)
    scores = {cell_id: cell.score for cell_id, cell in cells.items()}
    assert scores == pytest.approx(EXPECTED[name], abs=0.005)


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_an_import_name_is_shown_at_its_line_without_the_hidden_name(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    runtime = _grade(root, "import_names", tmp_path, worker)["check_runtime"]
    found = _findings(runtime, "dependencies.import-name")
    assert len(found) == 3
    first = found[0]
    assert first.location is not None
    assert first.location.cell == ANSWER
    assert _line("import_names", first.location.line).startswith("yaml>=6.0.1")
    assert "the distribution that provides `yaml`" in first.message
    assert first.link == "14_dependencies#Import-names-are-not-distribution-names"
    shown = json.dumps([f.to_dict() for o in runtime.outcomes for f in o.findings])
    for hidden in ("PyYAML", "python-dateutil", "Pillow"):
        assert hidden not in shown


def test_a_bound_that_is_missing_names_the_version_it_lets_in(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    runtime = _grade(root, "lower_bounds_only", tmp_path, worker)["check_runtime"]
    let_in = _findings(runtime, "dependencies.admits-excluded")
    requests = [f for f in let_in if "`requests` (import `requests`)" in f.message]
    assert len(requests) == 1
    assert "3.0.0, 3.0.0rc1" in requests[0].message
    assert requests[0].location is not None
    assert _line("lower_bounds_only", requests[0].location.line) == "requests>=2.32"


def test_dev_tools_in_runtime_are_named_with_the_reason(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    runtime = _grade(root, "everything_in_runtime", tmp_path, worker)["check_runtime"]
    [pytest_line] = [
        f
        for f in _findings(runtime, "dependencies.not-here")
        if "`pytest`" in f.message
    ]
    assert "a test tool, which belongs in DEV" in pytest_line.message
    assert pytest_line.location is not None
    assert _line("everything_in_runtime", pytest_line.location.line) == "pytest>=8,<9"


def test_a_wrong_checker_is_told_what_it_missed_on_which_sample(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "conflicts_as_duplicates", tmp_path, worker)
    wrong = _findings(cells["check_checker"], "dependencies.checker-wrong")
    public = [f for f in wrong if "sample 3 of FILES" in f.message]
    assert len(public) == 1
    assert "missed: conflict on line 3" in public[0].message
    assert "wrongly: duplicate on line 3" in public[0].message
    hidden = [f for f in wrong if "a hidden sample (conflicts by ~=" in f.message]
    assert len(hidden) == 1
    assert "django" not in hidden[0].message


def test_a_crash_points_at_the_line_that_raised(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "crash_on_invalid", tmp_path, worker)
    crashed = _findings(cells["check_checker"], "dependencies.checker-crashed")
    assert len(crashed) == 2
    assert "raised InvalidRequirement" in crashed[0].message
    assert crashed[0].location is not None
    line = _line("crash_on_invalid", crashed[0].location.line)
    assert "Requirement(content)" in line


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_candidates", tmp_path, worker, grading=False)
    for cell_id in HIDDEN_CELLS:
        assert cells[cell_id].passed
        assert cells[cell_id].has_hidden_tests
        assert cells[cell_id].mode.value == "public"


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
