"""Does exercise 19 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/19_async`` is graded as nbgrader grades
it (hidden batches and paths in place), and compared cell by cell with
``expected.toml``. The feedback must point at the learner's lines, name a
hidden batch only by what it tries, and link to the lesson.
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

EXERCISE = "19_async"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
RUNNING_CELLS = ("check_concurrency", "check_failures", "check_loop")


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["fetcher"]
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"fetcher": _answer_text(root, name)}, folder, grading=grading
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


def test_every_fixture_is_expected() -> None:
    assert {path.stem for path in FIXTURES.glob("*.py")} == set(EXPECTED) - {"solution"}


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_the_release_keeps_the_given_parser_and_none_of_the_hidden_batches(
    root: Path,
) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    answer = read_cells(notebook).sources["fetcher"]
    assert "def read_report(path: str)" in answer
    assert "async def fetch_all" not in answer
    assert "raise NotImplementedError()" in answer
    release = notebook.read_text("utf-8")
    assert "a limit of one" not in release
    assert "failures other than ConnectionError" not in release


def test_a_coroutine_never_awaited_is_shown_where_it_was_made(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    failures = _grade(root, "forgot_await", tmp_path, worker)["check_failures"]
    [finding] = _findings(failures, "async.never-awaited")
    assert finding.location is not None
    assert finding.location.cell == "fetcher"
    assert "asyncio.sleep(0.01)" in _line("forgot_await", finding.location.line)
    assert "`sleep`" in finding.message
    assert finding.link == "19_async#Debug-mode-catches-what-you-forgot"


def test_a_blocking_call_on_the_loop_is_measured_and_named(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    loop = _grade(root, "blocking_read", tmp_path, worker)["check_loop"]
    [finding] = _findings(loop, "async.blocking-on-loop")
    assert "ran `read_report` on the event loop's own thread" in finding.message
    assert "heartbeat task stalled" in finding.message
    assert finding.location is not None
    assert "async def load_report" in _line("blocking_read", finding.location.line)
    assert finding.link == "19_async#Blocking-calls-freeze-the-loop"


def test_a_taskgroup_that_cancels_is_told_what_it_cancelled(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    failures = _grade(root, "taskgroup_cancels", tmp_path, worker)["check_failures"]
    escaped = _findings(failures, "async.failure-escaped")
    assert escaped
    first = escaped[0]
    assert "raised ExceptionGroup" in first.message
    assert "request(s) that would have succeeded were cancelled" in first.message
    assert first.link == "19_async#When-one-request-fails"
    hidden = [f for f in escaped if "hidden batch" in f.message]
    assert hidden
    assert "a hidden batch (failures other than ConnectionError)" in hidden[0].message


def test_chunks_are_told_the_time_they_took_against_the_bound(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    concurrency = _grade(root, "chunked", tmp_path, worker)["check_concurrency"]
    [slow] = _findings(concurrency, "async.too-slow")
    assert "batch 2 (one slow request in every four" in slow.message
    assert "they need about 180 ms (allowed: up to 330 ms)" in slow.message
    assert "One at a time would take 600 ms" in slow.message
    assert not _findings(concurrency, "async.peak-over")


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_workers", tmp_path, worker, grading=False)
    for cell_id in RUNNING_CELLS:
        assert cells[cell_id].passed
        assert cells[cell_id].has_hidden_tests
        assert cells[cell_id].mode.value == "public"


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
