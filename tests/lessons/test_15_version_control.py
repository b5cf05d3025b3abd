"""Does exercise 15 give each kind of submission exactly the points it should?

Every plan in ``tests/fixtures/15_version_control`` is graded as nbgrader
grades it (hidden paths in place), and compared cell by cell with
``expected.toml``. The history is made and read with real git; the feedback
must point at the learner's commit and never name a hidden path.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.checks._git import scenario_from_exercise, scratch_repository, try_plan
from autograder.cli import main
from autograder.feedback import CellReport, Finding
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "15_version_control"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["history"]
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"history": _answer_text(root, name)}, folder, grading=grading
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


def test_a_mixed_commit_names_its_concerns_at_the_commit(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    history = _grade(root, "whole_file_not_split", tmp_path, worker)["check_history"]
    [mixed] = _findings(history, "git.mixed-commit")
    assert "Commit 2 (`fix(cart): take the discount off the total`)" in mixed.message
    assert "the formatting (`shop/cart.py`)" in mixed.message
    assert mixed.location is not None
    assert mixed.location.cell == "history"
    assert mixed.location.line is not None
    assert _line("whole_file_not_split", mixed.location.line).strip() == "{"
    assert '"shop/cart.py", "tests/test_cart.py"' in _line(
        "whole_file_not_split", mixed.location.line + 1
    )
    assert mixed.link == "15_version_control#Why-one-change-per-commit"


def test_a_committed_secret_is_found_in_the_real_history(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    history = _grade(root, "env_committed", tmp_path, worker)["check_history"]
    [secret] = _findings(history, "git.secret-committed")
    assert "git log -S" in secret.message
    assert "rotate" in secret.hint
    [forbidden] = _findings(history, "git.forbidden-committed")
    assert "`.env`" in forbidden.message


def test_hidden_paths_are_named_by_kind_never_by_text(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "wide_patterns", tmp_path, worker)
    wrong = _findings(cells["check_ignore"], "git.wrongly-ignored")
    assert len(wrong) == 3
    assert "the path `'.env.example'` (pattern `.env*`, line 1)" in wrong[0].message
    shown = json.dumps(
        [
            f.to_dict()
            for cell in cells.values()
            for o in cell.outcomes
            for f in o.findings
        ]
    )
    for hidden in ("catalog.py", "logging.md", "test_env.py", "2024-05-06.log"):
        assert hidden not in shown


def test_messages_are_judged_as_git_stores_them(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    messages = _grade(root, "bad_messages", tmp_path, worker)["check_messages"]
    ids = {f.id for o in messages.outcomes for f in o.findings}
    assert ids == {
        "git.message-format",
        "git.message-mood",
        "git.message-period",
        "git.message-length",
        "git.message-blank",
        "git.message-wrap",
        "git.message-body",
    }
    [adds] = [
        f for f in _findings(messages, "git.message-mood") if "`adds`" in f.message
    ]
    assert "the -s form" in adds.message


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_positional", tmp_path, worker, grading=False)
    assert all(cell.passed for cell in cells.values())
    assert cells["check_ignore"].has_hidden_tests
    assert cells["check_ignore"].mode.value == "public"


def test_the_learners_scratch_repository_is_the_graders(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exercise = root / "exercises" / EXERCISE / "exercise.toml"
    monkeypatch.chdir(tmp_path)
    lab = scratch_repository(exercise)
    assert (tmp_path / "scratch-repo" / "repo" / ".env").is_file()
    assert [h.number for h in lab.hunks["shop/cart.py"]] == [1, 2]
    assert lab.scenario == scenario_from_exercise(
        root / "solutions" / EXERCISE / "exercise.toml"
    )
    shown = try_plan(
        ".env\n*.log\n__pycache__/\n",
        [{"changes": ["."], "message": "feat: everything at once"}],
        exercise,
    )
    assert "feat: everything at once" in shown
    assert shown.rstrip().endswith("(clean)")


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
