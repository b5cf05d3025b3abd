"""Does exercise 06 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/06_error_handling`` is graded as nbgrader
grades it (hidden tests and cases in place), and compared cell by cell with
``expected.toml``. Then the feedback a learner reads is checked: it names the
call, what came out and what was expected, points into the learner's cell,
and never shows a hidden case's code.
"""

from __future__ import annotations

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

EXERCISE = "06_error_handling"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["sensors"]
    return (FIXTURES / f"{name}.py").read_text("utf-8")


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"sensors": _answer_text(root, name)}, folder, grading=grading
    )
    spec = source_spec(root, EXERCISE) if grading else None
    report = grade_notebook(notebook, spec=spec, runner=worker.run)
    return {cell.cell: cell for cell in report.cells}


def _findings(cell: CellReport, finding_id: str) -> list[Finding]:
    return [f for o in cell.outcomes for f in o.findings if f.id == finding_id]


def _line(name: str, text: str) -> int:
    source = (FIXTURES / f"{name}.py").read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(source, 1) if text in line)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, name, tmp_path, worker)
    scores = {cell_id: cell.score for cell_id, cell in cells.items()}
    assert scores == pytest.approx(EXPECTED[name])


def test_every_fixture_is_expected() -> None:
    files = {path.stem for path in FIXTURES.glob("*.py")}
    assert files == set(EXPECTED) - {"solution"}


def test_the_given_loader_is_the_unchanged_fixture(root: Path) -> None:
    given = root / "exercises" / EXERCISE / "sensors_given.py"
    assert given.read_text("utf-8") == _answer_text(root, "given_unchanged")


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_the_release_holds_none_of_the_hidden_cases(root: Path) -> None:
    released = (root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb").read_text()
    source = (root / "solutions" / EXERCISE / f"{EXERCISE}.ipynb").read_text()
    for secret in ("raises_source_error_for_a_folder", "latin1.csv", "-50.5"):
        assert secret in source  # the check below would pass on a typo otherwise
        assert secret not in released


def test_a_missing_cause_is_shown_at_the_raise_with_the_call_and_the_context(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    raises = _grade(root, "no_from", tmp_path, worker)["check_raises"]
    by_call = {f.message.split("`")[1]: f for f in _findings(raises, "errors.no-cause")}
    finding = by_call['sensors.parse_reading("t1, 2024-05-01T10:00, hot", 7)']
    assert "raised `ReadingError` without a `__cause__`" in finding.message
    assert "from` the `ValueError` it replaces" in finding.message
    assert "only has a `__context__` (`ValueError`)" in finding.message
    assert finding.location is not None
    assert finding.location.cell == "sensors"
    source = (FIXTURES / "no_from.py").read_text("utf-8").splitlines()
    assert "value_text!r} is not a number" in source[finding.location.line - 2]
    assert "raise ReadingError(" in source[finding.location.line - 1]
    assert finding.link == "06_error_handling#Chain-the-error-you-translate"


def test_a_file_left_open_points_at_the_open_call(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cleanup = _grade(root, "file_left_open", tmp_path, worker)["check_cleanup"]
    [public] = _findings(cleanup, "errors.file-left-open")
    assert public.message.startswith(
        "After `sensors.load_readings(path)` raised `ReadingError`, the file "
        "`readings.csv` opened here was still open"
    )
    assert public.location is not None
    assert public.location.cell == "sensors"
    assert public.location.line == _line("file_left_open", "file = open(path")
    hidden = _findings(cleanup, "errors.hidden-case")
    assert len(hidden) == 2
    assert all("left a file open" in f.message for f in hidden)


def test_a_bare_except_is_told_it_turned_a_reading_error_into_another(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "bare_except", tmp_path, worker)
    hidden = _findings(cells["check_raises"], "errors.hidden-case")
    assert any(
        "`raises_reading_error_through_the_loader`" in f.message
        and "Your code raised `SourceError`, which is no `ReadingError`." in f.message
        for f in hidden
    )
    [bare] = _findings(cells["check_handlers"], "style.E722")
    assert bare.location is not None
    assert bare.location.line == _line("bare_except", "except:")
    assert bare.link == "06_error_handling#Never-swallow-an-error"


def test_a_flat_hierarchy_names_each_class_and_its_base(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    raises = _grade(root, "flat_hierarchy", tmp_path, worker)["check_raises"]
    messages = {f.message for f in _findings(raises, "errors.wrong-base")}
    assert messages == {
        "`SourceError` derives from `ValueError`; expected a subclass of "
        "`SensorError`, so that `except SensorError:` catches it too.",
        "`ReadingError` derives from `ValueError`; expected a subclass of "
        "`SensorError`, so that `except SensorError:` catches it too.",
        "`RangeError` derives from `ValueError`; expected a subclass of "
        "`ReadingError`, so that `except ReadingError:` catches it too.",
    }


def test_hidden_cases_show_their_description_never_their_code(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "given_unchanged", tmp_path, worker)
    everything = " ".join(
        f.message + f.hint for cell in cells.values() for f in cell.findings
    )
    assert "A grading case failed: `raises_source_error_for_a_folder`" in everything
    for code in ("write(tmp_path", 'encode("latin-1")', "t2,yesterday,21.5"):
        assert code not in everything


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_dataclass_errors", tmp_path, worker, grading=False)
    for cell_id in ("check_loader", "check_raises", "check_cleanup"):
        assert cells[cell_id].passed
        assert cells[cell_id].has_hidden_tests
        assert cells[cell_id].mode.value == "public"
    [passed] = _findings(cells["check_cleanup"], "errors.passed")
    assert passed.message == "All 2 cases behave as expected; judged: closed."


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out


@pytest.mark.slow
def test_stock_nbgrader_grades_as_the_engine_and_its_feedback_keeps_the_cases(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbgrader.api import Gradebook

    # Parity and secrecy are tested here, not speed (three kernels at once).
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
    students = {"ada": "alt_try_finally", "bo": "file_left_open", "cy": None}
    for student, name in students.items():
        answers = {"sensors": _answer_text(root, name)} if name else {}
        folder = course / "submitted" / student / EXERCISE
        make_submission(root, EXERCISE, answers, folder, grading=False)
    nbgrader(course, "autograde", EXERCISE, "--create")
    nbgrader(course, "generate_feedback", EXERCISE)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = [
            gradebook.find_submission_notebook(EXERCISE, EXERCISE, student).score
            for student in students
        ]
    assert scores == pytest.approx([10, 8.8, 0])
    feedback = (course / "feedback" / "bo" / EXERCISE / f"{EXERCISE}.html").read_text()
    assert "course-feedback" in feedback
    assert "raises_on_bytes_that_are_not_utf8_and_closes_the_file" in feedback
    for secret in ('encode("latin-1")', "BEGIN HIDDEN TESTS", "-90\\n"):
        assert secret not in feedback
