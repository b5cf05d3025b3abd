"""Does exercise 20 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/20_scalability`` is graded as nbgrader
grades it (hidden tests and the memory checks' references in place) and
compared cell by cell with ``expected.toml``. Memory is judged by
tracemalloc's peaks, which are the same on a busy machine as on an idle one;
the references must never reach the released exercise.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.feedback import CellReport, Finding
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "20_scalability"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
SECRETS = (
    "reference_summarise",
    "reference_parallel",
    "Stats = namedtuple(",
    "test_hidden_any_split_in_any_order_merges_to_the_whole",
)
"""Text of the hidden regions: the references and a hidden test."""


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["access_stats"]
    if name == "given_unchanged":
        return (root / "exercises" / EXERCISE / "access_stats_given.py").read_text()
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root,
        EXERCISE,
        {"access_stats": _answer_text(root, name)},
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
    assert files == set(EXPECTED) - {"solution", "given_unchanged"}


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


def test_growing_memory_is_reported_with_both_peaks_at_the_function(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "keeps_lines", tmp_path, worker)
    findings = _findings(cells["check_memory"], "memory.grows")
    [streaming] = [f for f in findings if f.message.startswith("`summarise`")]
    assert re.search(r"at n=500: [\d.,]+ KB; at n=2000: [\d.,]+ KB", streaming.message)
    assert "made the peak \N{MULTIPLICATION SIGN}3" in streaming.message
    assert streaming.location is not None
    assert streaming.location.cell == "access_stats"
    assert streaming.location.line == _line_of("keeps_lines", "def summarise(")
    assert streaming.link == "20_scalability#Streaming-one-line-at-a-time"


def test_a_self_check_says_the_results_are_compared_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "solution", tmp_path, worker, grading=False)
    memory = cells["check_memory"]
    assert memory.score == 3
    assert len(_findings(memory, "memory.flat-unchecked")) == 2
    assert not _findings(memory, "memory.flat")


def test_an_unpicklable_task_is_named_in_the_feedback(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "nested_task", tmp_path, worker, grading=False)
    messages = [f.message for o in cells["check_parallel"].outcomes for f in o.findings]
    assert any("Can't pickle local object" in text for text in messages)
    assert not any(
        "reference_" in text
        for cell in cells.values()
        for text in [f.message for o in cell.outcomes for f in o.findings]
    )
