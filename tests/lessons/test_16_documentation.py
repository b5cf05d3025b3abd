"""Does exercise 16 give each README and changelog exactly the points it should?

Every submission in ``tests/fixtures/16_documentation`` (a folder with a
``README.md`` and/or a ``CHANGELOG.md``; a file it lacks is the reference's)
is put into the exercise's two Markdown answer cells, graded as nbgrader
grades it, and compared cell by cell with ``expected.toml``. The facts the
checks hold (the package's source, version, variables, license) must be the
package's own.
"""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import CellReport
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "16_documentation"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
FILES = {"readme": "README.md", "changelog": "CHANGELOG.md"}


def _answers(root: Path, name: str) -> dict[str, str]:
    spec = source_spec(root, EXERCISE)
    answers = {
        grade_id: read_cells(spec.notebook_path).sources[grade_id] for grade_id in FILES
    }
    if name != "solution":
        for grade_id, filename in FILES.items():
            path = FIXTURES / name / filename
            if path.is_file():
                answers[grade_id] = path.read_text("utf-8")
    return answers


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient
) -> dict[str, CellReport]:
    notebook = make_submission(root, EXERCISE, _answers(root, name), folder)
    report = grade_notebook(
        notebook, spec=source_spec(root, EXERCISE), runner=worker.run
    )
    return {cell.cell: cell for cell in report.cells}


def _options(root: Path, cell: str, kind: str) -> dict[str, object]:
    spec = source_spec(root, EXERCISE)
    [check] = [c for c in spec.cells[cell].checks if c.kind == kind]
    return check.options


def _package(root: Path) -> ModuleType:
    path = root / "solutions" / EXERCISE / "pricetag.py"
    loader = importlib.util.spec_from_file_location("pricetag_under_test", path)
    assert loader is not None
    assert loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


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
    notes = {f.id for cell in report.cells for f in cell.notes}
    assert notes == {"answer.markdown-not-started"}


def test_the_usage_check_runs_the_package_that_ships(root: Path) -> None:
    shipped = (root / "solutions" / EXERCISE / "pricetag.py").read_text("utf-8")
    assert _options(root, "check_usage", "readme-usage")["source"] == shipped
    released = (root / "exercises" / EXERCISE / "pricetag.py").read_text("utf-8")
    assert released == shipped


def test_the_declared_facts_are_the_packages(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(root)
    read: dict[str, str] = {}

    class Recording(dict[str, str]):
        def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
            if default is not None:
                read[key] = default
            return default

    monkeypatch.setattr(package.os, "environ", Recording())
    package.format_price("1234.5")
    facts = _options(root, "check_facts", "readme-accuracy")
    assert facts["environment"] == [f"{k}={v}" for k, v in sorted(read.items())]
    assert facts["license"] == package.__license__
    entry = _options(root, "check_changelog", "changelog-entry")
    assert entry["version"] == package.__version__


def test_a_stale_example_is_shown_with_both_outputs_at_its_line(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    usage = _grade(root, "stale_examples", tmp_path, worker)["check_usage"]
    findings = [f for o in usage.outcomes for f in o.findings]
    assert [f.id for f in findings] == ["docs.usage-output-differs"] * 2
    readme = (FIXTURES / "stale_examples" / "README.md").read_text("utf-8")
    first = findings[0]
    assert first.location is not None
    assert first.location.cell == "readme"
    assert (
        readme.splitlines()[first.location.line - 1] == '>>> format_price("12", "CHF")'
    )
    assert "`'CHF12.00'`" in first.message
    assert "`'CHF 12.00'`" in first.message
    assert first.link == "16_documentation#Examples-that-run"


def test_a_commit_log_is_not_a_changelog(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cell = _grade(root, "commit_log_changelog", tmp_path, worker)["check_changelog"]
    ids = {f.id for o in cell.outcomes for f in o.findings}
    assert {
        "docs.changelog-heading",
        "docs.changelog-section-name",
        "docs.changelog-change-misplaced",
        "docs.changelog-internal",
    } <= ids


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
