"""Does exercise 08 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/08_naming`` is graded as nbgrader grades
it (hidden tests in place), and compared cell by cell with ``expected.toml``;
the feedback on a bad name is read the way a learner reads it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import CellReport, Finding, Mode
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "08_naming"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
GIVEN = "race_cryptic.py"


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["race"]
    if name == "cryptic_unchanged":
        return (root / "exercises" / EXERCISE / GIVEN).read_text("utf-8")
    return (FIXTURES / f"{name}.py").read_text("utf-8")


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"race": _answer_text(root, name)}, folder, grading=grading
    )
    spec = source_spec(root, EXERCISE) if grading else None
    report = grade_notebook(notebook, spec=spec, runner=worker.run)
    return {cell.cell: cell for cell in report.cells}


def _findings(cell: CellReport, prefix: str) -> list[Finding]:
    return [f for o in cell.outcomes for f in o.findings if f.id.startswith(prefix)]


def _line_of(finding: Finding, name: str) -> str:
    source = (FIXTURES / f"{name}.py").read_text("utf-8").splitlines()
    assert finding.location is not None
    assert finding.location.cell == "race"
    return source[(finding.location.line or 0) - 1]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, name, tmp_path, worker)
    scores = {cell_id: cell.score for cell_id, cell in cells.items()}
    assert scores == pytest.approx(EXPECTED[name])


def test_every_fixture_file_is_expected() -> None:
    files = {path.stem for path in FIXTURES.glob("*.py")}
    assert files == set(EXPECTED) - {"solution", "cryptic_unchanged"}


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_the_release_holds_the_cryptic_module_and_no_hidden_test(root: Path) -> None:
    release = root / "exercises" / EXERCISE
    given = (release / GIVEN).read_text("utf-8")
    assert given == (root / "solutions" / EXERCISE / GIVEN).read_text("utf-8")
    released = (release / f"{EXERCISE}.ipynb").read_text("utf-8")
    assert "HIDDEN" not in released
    assert "SAMPLE_BOARD" not in released
    source = (root / "solutions" / EXERCISE / f"{EXERCISE}.ipynb").read_text("utf-8")
    assert "SAMPLE_BOARD" in source  # the check above would pass on a typo otherwise


def test_the_cryptic_module_works_and_is_told_the_public_names(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "cryptic_unchanged", tmp_path, worker)
    notes = {f.message for f in cells["check_names"].notes}
    assert any("`parse_finisher`" in message for message in notes)


def test_a_vague_name_is_shown_at_its_line_with_the_kind_of_name_expected(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    names = _grade(root, "vague_left", tmp_path, worker)["check_names"]
    tmp, data = _findings(names, "naming.")
    assert tmp.id == data.id == "naming.vague"
    assert "tmp = line.strip()" in _line_of(tmp, "vague_left")
    assert tmp.message.startswith(
        "`tmp`, a variable in `load_finishers`, is a vague name"
    )
    assert "Expected a noun for what it holds" in tmp.message
    assert data.message.startswith("`data`, a parameter in `format_leaderboard`")
    assert "what the caller passes in" in data.message
    assert tmp.link == "08_naming#Names-that-say-what-they-hold"


def test_a_bool_that_is_no_question_is_told_why_it_is_a_bool(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    names = _grade(root, "bool_not_predicate", tmp_path, worker)["check_names"]
    valid, flag = _findings(names, "naming.")
    assert valid.id == "naming.predicate"
    assert "valid = len(fields) == 4" in _line_of(valid, "bool_not_predicate")
    assert "holds a bool (it is assigned `len(fields) == 4`)" in valid.message
    assert "such as `is_valid`" in valid.message
    assert valid.link == "08_naming#Booleans-read-as-questions"
    assert flag.id == "naming.vague"  # on the vague list, and a bool: both said
    assert "a yes/no question" in flag.message


def test_a_shadowed_builtin_gets_the_lessons_words_and_link(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "builtins_shadowed", tmp_path, worker)
    shadowed = _findings(cells["check_conventions"], "style.A")
    assert [f.id for f in shadowed] == ["style.A001", "style.A002", "style.A002"]
    assert "def rank_finishers(list" in _line_of(shadowed[-1], "builtins_shadowed")
    assert all(f.link == "08_naming#Do-not-shadow-builtins" for f in shadowed)


def test_a_renamed_public_function_is_reported_missing(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "function_renamed", tmp_path, worker)
    missing = [f for f in cells["check_names"].notes if f.id == "answer.missing-name"]
    assert [f.message for f in missing] == [
        "MISSING `is_qualified`: the exercise asks for it, and the answer cell "
        "does not define it."
    ]


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_tables", tmp_path, worker, grading=False)
    assert all(cell.passed for cell in cells.values())
    behaviour = cells["check_behaviour"]
    assert behaviour.has_hidden_tests
    assert behaviour.mode is Mode.PUBLIC
    (clean,) = _findings(cells["check_names"], "naming.")
    assert clean.id == "naming.clean"


def test_course_check_exit_code_says_pass_or_fail(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solution = root / "solutions" / EXERCISE / f"{EXERCISE}.ipynb"
    assert main(["check", str(solution)]) == 0
    assert "10/10" in capsys.readouterr().out
    exercise = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    assert main(["check", str(exercise)]) == 1
    assert "0/10" in capsys.readouterr().out


def test_course_verify_passes_for_this_exercise(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["verify", "--root", str(root)])
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
