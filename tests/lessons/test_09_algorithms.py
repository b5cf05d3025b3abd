"""Does exercise 09 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/09_algorithms`` is graded as nbgrader
grades it (the hidden reference, edge cases and result checks in place) and
compared cell by cell with ``expected.toml``. Efficiency is judged by counted
operations, so the scores are the same on every machine; the reference must
never reach the released exercise, nor the feedback.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import CellReport, Finding
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "09_algorithms"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
SECRETS = (
    "reference_duplicates",
    "reference_top_k",
    "reference_merge",
    "EDGE_CASES = [",
    "counts.get(item, 0) + 1",
    "merged[-1] = (merged[-1][0], max(merged[-1][1], end))",
)
"""Text of the hidden region: the references' names and code, the edge cases."""

TIMES = "\N{MULTIPLICATION SIGN}"


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["algorithms"]
    if name == "quadratic_unchanged":
        return (root / "exercises" / EXERCISE / "algorithms_quadratic.py").read_text()
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root,
        EXERCISE,
        {"algorithms": _answer_text(root, name)},
        folder,
        grading=grading,
    )
    spec = source_spec(root, EXERCISE) if grading else None
    report = grade_notebook(notebook, spec=spec, runner=worker.run)
    return {cell.cell: cell for cell in report.cells}


def _findings(cell: CellReport, finding_id: str) -> list[Finding]:
    return [f for o in cell.outcomes for f in o.findings if f.id == finding_id]


def _line_of(name: str, text: str) -> int:
    lines = (FIXTURES / f"{name}.py").read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, name, tmp_path, worker)
    scores = {cell_id: cell.score for cell_id, cell in cells.items()}
    assert scores == pytest.approx(EXPECTED[name])


def test_every_fixture_file_is_expected() -> None:
    files = {path.stem for path in FIXTURES.glob("*.py")}
    assert files == set(EXPECTED) - {"solution", "quadratic_unchanged"}


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_the_release_holds_none_of_the_hidden_material(root: Path) -> None:
    released = (root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb").read_text()
    source = (root / "solutions" / EXERCISE / f"{EXERCISE}.ipynb").read_text()
    for secret in SECRETS:
        assert secret not in released
        assert secret in source  # else the check above would pass on a typo


def test_quadratic_growth_is_reported_with_both_counts_and_the_ratio(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "top_k_list_count", tmp_path, worker)
    [finding] = _findings(cells["check_top_k"], "efficiency.growth-ratio")
    assert re.search(
        r"at n=100: [\d\u202f]+ operations .*; at n=800: ", finding.message
    )
    grew = rf"grew {TIMES}[56]\d(\.\d)? when the input grew {TIMES}8"
    assert re.search(grew, finding.message)
    assert f"at most {TIMES}16 is allowed" in finding.message
    assert finding.location is not None
    assert finding.location.cell == "algorithms"
    assert finding.location.line == _line_of("top_k_list_count", "def top_k_frequent")


def test_a_wrong_merge_gets_a_shrunk_counterexample_never_the_reference(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "merge_touching", tmp_path, worker)
    [finding] = _findings(cells["check_merge"], "efficiency.equivalence-differs")
    assert finding.message == (
        "On the smallest input hypothesis found, `merge_intervals([(0, 0), (0, 0)])`"
        " returned [(0, 0), (0, 0)]; expected [(0, 0)]."
    )
    assert finding.link == "09_algorithms#Common-mistakes"
    everything = " ".join(
        f.message + f.hint for cell in cells.values() for f in cell.findings
    )
    for secret in SECRETS:
        assert secret not in everything


def test_a_self_check_runs_the_examples_and_says_the_reference_comes_later(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "merge_touching", tmp_path, worker, grading=False)
    merge = cells["check_merge"]
    assert merge.passed
    assert merge.mode.value == "public"
    assert merge.has_hidden_tests
    ids = {f.id for f in merge.findings}
    assert ids == {"efficiency.equivalence-at-grading", "efficiency.growth-unchecked"}


def test_sorting_hashable_items_is_a_crash_at_the_sorting_line(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "duplicates_sorted", tmp_path, worker)
    [crash] = _findings(cells["check_duplicates"], "efficiency.growth-crashed")
    assert "TypeError: '<' not supported" in crash.message
    assert "(hashable items)" in crash.message
    assert crash.location is not None
    assert crash.location.line == _line_of("duplicates_sorted", "sorted(items)")


def test_a_function_that_skips_the_items_fails_even_in_a_self_check(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "empty_results", tmp_path, worker, grading=False)
    for cell_id in ("check_duplicates", "check_top_k", "check_merge"):
        [finding] = _findings(cells[cell_id], "efficiency.growth-too-little")
        assert "0 operations on 100 items" in finding.message


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out


@pytest.mark.slow
def test_stock_nbgrader_grades_as_the_engine_and_its_feedback_keeps_the_secrets(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbgrader.api import Gradebook

    # Parity and secrecy are tested here, not speed: several kernels grading
    # at once on a busy machine must not turn a slow check into a timeout.
    monkeypatch.setenv("COURSE_CHECK_TIMEOUT", "60")
    monkeypatch.setenv("COURSE_CPU_LIMIT", "60")

    from ..build.test_nbgrader_flow import nbgrader

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(root / "nbgrader_config.py", course)
    shutil.copytree(root / "solutions" / EXERCISE, course / "solutions" / EXERCISE)
    with (course / "nbgrader_config.py").open("a") as config:
        config.write(f"\nc.Exchange.root = {str(tmp_path / 'exchange')!r}\n")
    nbgrader(course, "generate_assignment", EXERCISE, "--create")
    students = {"ada": "alt_sets", "bo": "merge_touching", "cy": None}
    for student, name in students.items():
        answers = {"algorithms": _answer_text(root, name)} if name else {}
        folder = course / "submitted" / student / EXERCISE
        make_submission(root, EXERCISE, answers, folder, grading=False)
    nbgrader(course, "autograde", EXERCISE, "--create")
    nbgrader(course, "generate_feedback", EXERCISE)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = [
            gradebook.find_submission_notebook(EXERCISE, EXERCISE, student).score
            for student in students
        ]
    assert scores == pytest.approx([10, 7, 0])
    for student in students:
        feedback = course / "feedback" / student / EXERCISE / f"{EXERCISE}.html"
        text = feedback.read_text()
        assert "course-feedback" in text
        for secret in SECRETS:
            assert secret not in text
