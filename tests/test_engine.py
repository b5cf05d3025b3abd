"""Does the engine decide what runs, and assemble reports, independent of the tools?

The runner is swapped for a fake (the seam), so these tests are about the
engine's own decisions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import (
    SpecError,
    grade_cell,
    load_exercise,
    normalise_answer,
    split_tests,
)
from autograder._engine import CellInput
from autograder.checks import CheckResult
from autograder.runner import Job

SPEC_TEXT = """
id = "demo"
title = "Demo"
notebook = "demo.ipynb"
lesson = "01_pep8"

[answers.code]
module = "demo"
label = "your module"
defines = ["f", "g"]

[cells.style]
title = "Style"
[[cells.style.checks]]
kind = "ruff"
answer = "code"
points = 2
select = ["E"]

[cells.behaviour]
title = "Behaviour"
hidden_tests = true
[[cells.behaviour.checks]]
kind = "pytest"
answer = "code"
points = 3
"""


class FakeRunner:
    """Records jobs and answers every check with a fixed fraction."""

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction
        self.jobs: list[Job] = []

    def __call__(self, job: Job) -> dict[int, CheckResult]:
        self.jobs.append(job)
        return {index: CheckResult(self.fraction, ()) for index in job.checks}


@pytest.fixture
def spec(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "exercise.toml").write_text(SPEC_TEXT)
    return load_exercise(tmp_path / "exercise.toml")


def test_points_are_the_fraction_of_each_check(spec) -> None:  # type: ignore[no-untyped-def]
    runner = FakeRunner(0.5)
    report = grade_cell(
        spec,
        "style",
        CellInput({"code": "def f(): return 1\ndef g(): return 2"}, "%%check style\n"),
        runner,
    )
    assert report.score == 1.0
    assert report.max_score == 2.0
    assert len(runner.jobs) == 1


def test_static_checks_wait_for_the_whole_contract(spec) -> None:  # type: ignore[no-untyped-def]
    runner = FakeRunner(1.0)
    given = CellInput({"code": "def f(): return 1\n"}, "%%check style\n")
    report = grade_cell(spec, "style", given, runner)
    assert runner.jobs == []
    assert report.score == 0
    assert [f.id for f in report.notes] == ["answer.missing-name"]


def test_tests_run_on_a_partial_answer(spec) -> None:  # type: ignore[no-untyped-def]
    runner = FakeRunner(1.0)
    given = CellInput(
        {"code": "def f(): return 1\n"}, "%%check behaviour\ndef test_x(): pass\n"
    )
    assert grade_cell(spec, "behaviour", given, runner).score == 3.0


def test_a_missing_test_cell_scores_zero_and_says_so(spec) -> None:  # type: ignore[no-untyped-def]
    report = grade_cell(
        spec,
        "behaviour",
        CellInput({"code": "def f(): return 1\ndef g(): return 2"}, None),
        FakeRunner(1.0),
    )
    assert report.score == 0
    assert "answer.cell-missing" in {f.id for f in report.notes}


def test_hidden_markers_mean_grading_mode(spec) -> None:  # type: ignore[no-untyped-def]
    source = (
        "%%check behaviour\ndef test_a(): pass\n"
        "### BEGIN HIDDEN TESTS\ndef test_b(): pass\n"
    )
    report = grade_cell(
        spec,
        "behaviour",
        CellInput({"code": "def f(): return 1\ndef g(): return 2"}, source),
        FakeRunner(1.0),
    )
    assert report.mode.value == "grading"


def test_an_unknown_cell_is_a_spec_error(spec) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpecError):
        grade_cell(spec, "nope", CellInput({}, ""), FakeRunner(1.0))


def test_split_tests_drops_the_magic_and_finds_hidden_tests() -> None:
    tests = split_tests("c", "%%check c\na = 1\n### BEGIN HIDDEN TESTS\nb = 2\n")
    assert tests.source == "a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n"
    assert tests.line_offset == 1
    assert tests.hidden_from == 2
    assert tests.at(1).line == 2


def test_normalise_answer_drops_solution_markers_and_ends_with_newline() -> None:
    assert normalise_answer("### BEGIN SOLUTION\nx = 1\n### END SOLUTION") == "x = 1\n"
    assert normalise_answer(None) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("id = 'x'", "answers"),
        (SPEC_TEXT.replace('kind = "ruff"', 'kind = "nope"'), "checks[0]"),
        (SPEC_TEXT.replace("points = 2", "points = -1"), "points"),
        (
            SPEC_TEXT.replace(
                'answer = "code"\npoints = 2', 'answer = "x"\npoints = 2'
            ),
            "answer",
        ),
        ("not = [toml", ""),
    ],
)
def test_a_broken_declaration_names_the_key(
    tmp_path: Path, text: str, key: str
) -> None:
    path = tmp_path / "exercise.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_exercise(path)
    assert key in caught.value.key
    assert caught.value.path == path


PYTHON_ANSWER = (
    '[answers.code]\nmodule = "demo"\nlabel = "your module"\ndefines = ["f", "g"]\n'
)
MARKDOWN_ANSWER = '[answers.code]\nmodule = "demo"\nformat = "markdown"\nlabel = "x"\n'


@pytest.mark.parametrize(
    ("declared", "key"),
    [
        ('format = "rst"', "format"),
        ('format = "markdown"\ndefines = ["f"]', "defines"),
    ],
)
def test_a_bad_answer_format_names_the_key(
    tmp_path: Path, declared: str, key: str
) -> None:
    text = SPEC_TEXT.replace('defines = ["f", "g"]', declared)
    path = tmp_path / "exercise.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_exercise(path)
    assert caught.value.key == f"answers.code.{key}"


def test_a_markdown_answer_is_written_as_a_markdown_file(tmp_path: Path) -> None:
    text = SPEC_TEXT.replace(PYTHON_ANSWER, MARKDOWN_ANSWER)
    path = tmp_path / "exercise.toml"
    path.write_text(text)
    answer = load_exercise(path).answers["code"]
    assert answer.is_markdown
    assert answer.filename == "demo.md"
    job = Job(checks={}, answers={"code": (answer, "# Demo\n")}, tests=None)
    assert Job.from_dict(job.to_dict()).answers["code"][0] == answer


def test_an_untouched_markdown_answer_skips_every_check(tmp_path: Path) -> None:
    text = SPEC_TEXT.replace(PYTHON_ANSWER, MARKDOWN_ANSWER)
    path = tmp_path / "exercise.toml"
    path.write_text(text)
    spec = load_exercise(path)
    runner = FakeRunner(1.0)
    given = CellInput({"code": "# Demo\n\nYOUR ANSWER HERE\n"}, "%%check style\n")
    report = grade_cell(spec, "style", given, runner)
    assert report.score == 0
    assert runner.jobs == []
    assert [f.id for f in report.notes] == ["answer.markdown-not-started"]
