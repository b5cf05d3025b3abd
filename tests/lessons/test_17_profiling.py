"""Does exercise 17 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/17_profiling`` is graded as nbgrader
grades it (the hidden edge cases in place) and compared cell by cell with
``expected.toml``. The speed-up is a ratio measured against the original in
the same run, and the fixtures sit far from its steps, so the scores hold on
a busy machine. The original must be the same in the shipped file and in
both graded cells that run it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import CellReport, Finding
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "17_profiling"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
TIMES = "\N{MULTIPLICATION SIGN}"


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["report"]
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"report": _answer_text(root, name)}, folder, grading=grading
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


def test_the_graded_cells_run_the_shipped_original(root: Path) -> None:
    shipped = (root / "solutions" / EXERCISE / "report_slow.py").read_text("utf-8")
    code = shipped.split('"""\n\n', 1)[1]
    sources = read_cells(source_spec(root, EXERCISE).notebook_path).sources
    for cell in ("check_profile", "check_output"):
        assert code in sources[cell]


def test_naming_the_entry_point_is_told_about_cumulative_time(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "entry_point_named", tmp_path, worker)
    [finding] = _findings(cells["check_profile"], "profiling.hotspot-cumulative")
    assert "`build_report` has the most *cumulative* time" in finding.message
    assert "customer_totals" not in finding.message + finding.hint
    assert finding.location is not None
    assert 'HOTSPOT = "build_report"' in _line(
        "entry_point_named", finding.location.line
    )
    assert finding.link == "17_profiling#Reading-the-pstats-table"


def test_half_the_speed_up_says_the_ratio_and_to_profile_again(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "only_hotspot_fixed", tmp_path, worker)
    [finding] = _findings(cells["check_profile"], "profiling.speedup-partial")
    assert "faster than the original, with the same output (median of 5 rounds" in (
        finding.message
    )
    assert f"from 2{TIMES} earns half the points, from 5{TIMES} all" in finding.message
    assert "Profile your own version" in finding.hint
    assert finding.link == "17_profiling#Profile-again-after-each-fix"


def test_a_tie_in_another_order_is_shown_at_the_first_line_that_differs(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "customers_in_list_order", tmp_path, worker)
    [finding] = _findings(cells["check_output"], "behaviour.differs")
    assert "returned a text that differs at line 3" in finding.message
    assert "where the original has" in finding.message
    assert finding.location is not None
    assert "def build_report" in _line("customers_in_list_order", finding.location.line)


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_grouped", tmp_path, worker, grading=False)
    assert cells["check_profile"].passed
    output = cells["check_output"]
    assert output.passed
    assert output.has_hidden_tests
    assert output.mode.value == "public"
    [finding] = _findings(output, "behaviour.at-grading")
    assert "on 2 listed cases and 100 generated inputs" in finding.message


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
