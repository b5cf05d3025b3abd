"""Does exercise 13 give each kind of review and fix exactly the points it should?

Every submission in ``tests/fixtures/13_code_review`` (a folder with the
review cell, the fixed module, or both; the solution's text fills in the
other) is graded as nbgrader grades it — the planted-defect key, the hidden
tests and the reference in place — and compared cell by cell with
``expected.toml``. The key must never reach the released exercise, nor the
feedback beyond a count of the defects not found.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import CellReport, Finding, NotebookReport
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "13_code_review"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
CELLS = {"review": "review.py", "coupons": "coupons.py"}


def _answers(root: Path, name: str) -> dict[str, str]:
    solution = read_cells(source_spec(root, EXERCISE).notebook_path).sources
    answers = {}
    for grade_id, filename in CELLS.items():
        path = FIXTURES / name / filename
        answers[grade_id] = (
            path.read_text("utf-8") if path.is_file() else solution[grade_id]
        )
    return answers


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> NotebookReport:
    notebook = make_submission(
        root, EXERCISE, _answers(root, name), folder, grading=grading
    )
    spec = source_spec(root, EXERCISE) if grading else None
    return grade_notebook(notebook, spec=spec, runner=worker.run)


def _cell(report: NotebookReport, cell_id: str) -> CellReport:
    return next(cell for cell in report.cells if cell.cell == cell_id)


def _findings(cell: CellReport, finding_id: str) -> list[Finding]:
    return [f for o in cell.outcomes for f in o.findings if f.id == finding_id]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, name, tmp_path, worker)
    scores = {cell.cell: cell.score for cell in report.cells}
    assert scores == pytest.approx(EXPECTED[name], abs=0.005)


def test_every_fixture_folder_is_expected() -> None:
    folders = {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert folders == set(EXPECTED) - {"solution"}


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_the_release_holds_none_of_the_hidden_material(root: Path) -> None:
    released = (root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb").read_text()
    for secret in ("DEFECTS", "reference_unused", "test_a_second_redemption"):
        assert secret not in released
    source = (root / "solutions" / EXERCISE / f"{EXERCISE}.ipynb").read_text()
    assert "DEFECTS" in source  # the check above would pass on a typo otherwise


def test_the_diff_shown_numbers_the_shipped_pull_request(root: Path) -> None:
    notebook = json.loads(
        (root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb").read_text("utf-8")
    )
    shown = next(
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["metadata"]["nbgrader"]["grade_id"] == "pull_request"
    )
    first_block = shown.split("```text\n")[1].split("```")[0]
    numbered = {
        int(line[:3]): line[6:]
        for line in first_block.splitlines()
        if line[:3].strip().isdigit()
    }
    shipped = (root / "exercises" / EXERCISE / "coupons_pr.py").read_text("utf-8")
    new_lines = shipped.splitlines()
    assert numbered == dict(enumerate(new_lines, start=1))
    check = source_spec(root, EXERCISE).cells["check_review"].checks[0]
    assert check.options["lines"] == len(new_lines)


def test_the_planted_defects_are_where_the_key_says(root: Path) -> None:
    shipped = (root / "exercises" / EXERCISE / "coupons_pr.py").read_text("utf-8")
    lines = shipped.splitlines()
    assert lines[32 - 1].strip() == "return coupon.expires <= today"
    assert "f\"WHERE code = '{code}'\"" in lines[39 - 1]
    assert lines[47 - 1].startswith("def redeem(")
    assert lines[55 - 1].strip().startswith("c = find_coupon")
    assert lines[65 - 1].strip() == "except Exception:"
    assert lines[74 - 1].strip() == "if code not in redeemed:"


def test_unfound_defects_are_counted_never_placed(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "tools_only", tmp_path, worker)
    review = _cell(report, "check_review")
    [summary] = _findings(review, "review.summary")
    assert summary.message.startswith(
        "Your review found 3 of 6 planted defects (3 not found yet); "
        "3 of your 3 comments match one (precision 100%)."
    )
    shown = json.dumps([f.to_dict() for o in review.outcomes for f in o.findings])
    for secret in ("32", "47", "55", '"bug"', "`bug`", "testing`", "naming`"):
        assert secret not in shown


def test_a_comment_that_matches_nothing_is_shown_at_its_line_in_the_cell(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "shotgun", tmp_path, worker)
    unmatched = _findings(_cell(report, "check_review"), "review.comment-unmatched")
    assert len(unmatched) == 6  # the six nits
    first = unmatched[0]
    assert first.message.startswith(
        "Your comment 7 (line 1, `naming`) matches no planted defect"
    )
    assert first.location is not None
    assert first.location.cell == "review"
    text = (FIXTURES / "shotgun" / "review.py").read_text().splitlines()
    assert text[first.location.line - 1].strip() == "Comment("
    assert text[first.location.line].strip() == "1,"
    assert first.link == "13_code_review#What-to-look-for"


def test_vague_and_copied_suggestions_are_told_apart(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "vague_suggestions", tmp_path, worker)
    review = _cell(report, "check_review")
    ids = [f.id for o in review.outcomes for f in o.findings]
    assert ids.count("review.suggestion-vague") == 3
    assert ids.count("review.suggestion-copy") == 2
    assert ids.count("review.suggestion-missing") == 1
    [vague, *_] = _findings(review, "review.suggestion-vague")
    assert '"Fix this."' in vague.message
    assert vague.link == "13_code_review#Writing-a-comment-that-helps"


def test_lines_counted_down_the_diff_find_nothing(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "wrong_lines", tmp_path, worker)
    review = _cell(report, "check_review")
    [outside] = _findings(review, "review.comment-malformed")
    assert "its line 80 is not a line of the file (1 to 76)" in outside.message
    assert len(_findings(review, "review.comment-unmatched")) == 5


def test_a_self_check_reads_the_form_and_says_matching_comes_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "alt_dicts", tmp_path, worker, grading=False)
    review = _cell(report, "check_review")
    assert review.passed
    assert review.mode.value == "public"
    assert review.has_hidden_tests
    [note] = _findings(review, "review.matched-at-grading")
    assert note.message.startswith("7 of your 7 comments are well-formed.")


def test_the_pr_as_it_is_fails_what_the_tools_and_the_hidden_tests_see(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "pr_unchanged", tmp_path, worker)
    lint = {f.id for o in _cell(report, "check_lint").outcomes for f in o.findings}
    assert {"style.S608", "style.S110", "style.BLE001", "style.PERF401"} <= lint
    fix = _cell(report, "check_fix")
    hidden = {f.message for f in _findings(fix, "tests.hidden-failed")}
    assert any("test_a_second_redemption_is_refused" in text for text in hidden)


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
