"""Does exercise 03 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/03_type_hints`` is graded as nbgrader grades
it (hidden tests and probes in place), and compared cell by cell with
``expected.toml``. Among them: annotations that are all ``Any`` or all
``object``, which the type probes must see through.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import Mode
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

ASSIGNMENT = "03_type_hints"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / ASSIGNMENT
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
PROBE_CELLS = ("check_data_probes", "check_api_probes")


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, ASSIGNMENT)
        return read_cells(spec.notebook_path).sources["loans"]
    if name == "untyped_unchanged":
        return (root / "exercises" / ASSIGNMENT / "loans_untyped.py").read_text()
    return (FIXTURES / f"{name}.py").read_text()


def _hidden_lines(root: Path, cell_id: str) -> list[str]:
    """Code lines of a graded cell's hidden region that its public part lacks."""
    source = read_cells(source_spec(root, ASSIGNMENT).notebook_path).sources[cell_id]
    public, hidden = source.split("### BEGIN HIDDEN TESTS", 1)
    shared = {line.strip() for line in public.splitlines()}
    lines = [
        line.strip()
        for line in hidden.splitlines()
        if len(line.strip()) > 12 and not line.strip().startswith(('"""', "def "))
    ]
    return [line for line in lines if line not in shared]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    notebook = make_submission(
        root, ASSIGNMENT, {"loans": _answer_text(root, name)}, tmp_path
    )
    report = grade_notebook(
        notebook, spec=source_spec(root, ASSIGNMENT), runner=worker.run
    )
    scores = {cell.cell: cell.score for cell in report.cells}
    assert scores == pytest.approx(EXPECTED[name])


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_the_release_holds_the_untyped_module_and_no_hidden_probe(root: Path) -> None:
    release = root / "exercises" / ASSIGNMENT
    given = (release / "loans_untyped.py").read_text()
    assert given == (root / "solutions" / ASSIGNMENT / "loans_untyped.py").read_text()
    notebook = release / f"{ASSIGNMENT}.ipynb"
    assert "HIDDEN" not in notebook.read_text()
    released = read_cells(notebook).sources
    for cell_id in (*PROBE_CELLS, "check_behaviour"):
        hidden = _hidden_lines(root, cell_id)
        assert hidden
        assert [line for line in hidden if line in released[cell_id]] == []


def test_any_everywhere_is_told_where_the_probes_see_any(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    answer = _answer_text(root, "any_everywhere")
    notebook = make_submission(
        root, ASSIGNMENT, {"loans": answer}, tmp_path, grading=False
    )
    report = grade_notebook(notebook, runner=worker.run)
    cells = {cell.cell: cell for cell in report.cells}
    strict = {f.id for f in cells["check_strict"].findings}
    assert "types.explicit-any" in strict
    data = cells["check_data_probes"]
    assert data.mode is Mode.PUBLIC
    assert data.score == 0
    ids = [f.id for f in data.findings]
    assert ids == ["types.probe-any", "types.probe-accepted", "types.probe-any"]
    assert all(
        f.location and f.location.cell == "check_data_probes" for f in data.findings
    )


@pytest.mark.parametrize("name", ["object_everywhere", "optional_forgotten"])
def test_grading_names_failed_hidden_probes_without_their_code(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    notebook = make_submission(
        root, ASSIGNMENT, {"loans": _answer_text(root, name)}, tmp_path
    )
    report = grade_notebook(
        notebook, spec=source_spec(root, ASSIGNMENT), runner=worker.run
    )
    for cell in report.cells:
        if cell.cell not in PROBE_CELLS:
            continue
        hidden = [f for f in cell.findings if f.id.startswith("types.hidden-probe")]
        assert hidden
        assert all(f.location is None for f in hidden)
        assert all(" — " in f.message for f in hidden)  # name — description
        shown = " ".join(f.message + f.hint for f in cell.findings)
        for line in _hidden_lines(root, cell.cell):
            assert line not in shown


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    answer = _answer_text(root, "alt_runtime_protocol")
    notebook = make_submission(
        root, ASSIGNMENT, {"loans": answer}, tmp_path, grading=False
    )
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 10
    for cell in report.cells:
        assert cell.mode is Mode.PUBLIC
        assert cell.has_hidden_tests == (
            cell.cell not in {"check_style", "check_strict"}
        )
    probes = {c.cell: c for c in report.cells}["check_api_probes"]
    (passed,) = [f for f in probes.findings if f.id == "types.probes-passed"]
    assert "All 3 type probes" in passed.message


def test_course_check_exit_code_says_pass_or_fail(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solution = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert main(["check", str(solution)]) == 0
    assert "10/10" in capsys.readouterr().out
    exercise = root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert main(["check", str(exercise)]) == 1
    assert "0/10" in capsys.readouterr().out


def test_course_verify_passes_for_this_exercise(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["verify", "--root", str(root)])
    out = capsys.readouterr().out
    assert f"ok   solutions/{ASSIGNMENT}: 10/10" in out
    assert f"ok   exercises/{ASSIGNMENT}: 0/10" in out
