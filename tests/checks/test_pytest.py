"""Does the pytest check score tests, locate failures, and keep hidden tests hidden?

These run the check the way the engine does: in a forked, limited child.
"""

from __future__ import annotations

from autograder import Settings, split_tests
from autograder.checks import CheckResult
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "shop", "your module", ("total",))

GOOD = "def total(prices):\n    return sum(prices)\n"
WRONG = "def total(prices):\n    return max(prices)\n"
CRASH = "def total(prices):\n    return 1 / 0\n"

TESTS = """%%check behaviour
import shop


def test_adds_prices():
    assert shop.total([1, 2]) == 3
### BEGIN HIDDEN TESTS


def test_secret_empty_total():
    \"\"\"An empty basket costs nothing.\"\"\"
    assert shop.total([]) == 0 or "SECRET-EXPECTATION" == 1
### END HIDDEN TESTS
"""


def run(source: str, tests: str, settings: Settings) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("pytest", 3.0, "answer")},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("behaviour", tests),
    )
    return run_isolated(job, settings)[0]


def test_a_correct_answer_passes_every_test(settings: Settings) -> None:
    result = run(GOOD, TESTS, settings)
    assert result.fraction == 1.0
    assert [f.id for f in result.findings] == ["tests.passed"]


def test_a_public_failure_shows_the_assertion_and_the_test_line(
    settings: Settings,
) -> None:
    result = run(WRONG, TESTS, settings)
    failed = [f for f in result.findings if f.id == "tests.failed"]
    assert len(failed) == 1
    assert "assert 2 == 3" in failed[0].message
    assert failed[0].location is not None
    assert failed[0].location.line == 6  # the assert, counted in the cell


def test_a_hidden_failure_is_named_but_its_code_never_shown(settings: Settings) -> None:
    result = run(
        "def total(prices):\n    return sum(prices) + 0.5 * (not prices)\n",
        TESTS,
        settings,
    )
    assert result.fraction == 0.5
    hidden = [f for f in result.findings if f.id == "tests.hidden-failed"]
    assert len(hidden) == 1
    assert "An empty basket costs nothing." in hidden[0].message
    everything = " ".join(f.message + f.hint for f in result.findings)
    assert "SECRET-EXPECTATION" not in everything


def test_a_crash_points_at_the_learners_line(settings: Settings) -> None:
    result = run(CRASH, TESTS, settings)
    crashed = [f for f in result.findings if f.id == "tests.crashed"]
    assert crashed
    assert "ZeroDivisionError" in crashed[0].message
    assert crashed[0].location is not None
    assert (crashed[0].location.cell, crashed[0].location.line) == ("answer", 2)
    assert result.fraction == 0.0


def test_a_module_that_fails_on_import_scores_zero_with_its_line(
    settings: Settings,
) -> None:
    result = run(
        "def total(prices):\n    return 0\n\n\nraise RuntimeError('boom')\n",
        TESTS,
        settings,
    )
    assert result.fraction == 0.0
    (finding,) = result.findings
    assert finding.id == "tests.import-error"
    assert "RuntimeError: boom" in finding.message
    assert finding.location is not None
    assert finding.location.line == 5


def test_a_cell_without_tests_scores_zero(settings: Settings) -> None:
    result = run(GOOD, "%%check behaviour\n# nothing here\n", settings)
    assert result.fraction == 0.0
    assert result.findings[0].id == "tests.none"


def test_learner_output_does_not_disturb_the_result(settings: Settings) -> None:
    noisy = "import sys\nprint('hello')\nprint('x', file=sys.stderr)\n" + GOOD
    assert run(noisy, TESTS, settings).fraction == 1.0


def test_a_pytest_raises_that_does_not_raise_is_a_failed_expectation(
    settings: Settings,
) -> None:
    tests = (
        "%%check behaviour\nimport pytest\nimport shop\n\n\n"
        "def test_rejects_strings():\n"
        "    with pytest.raises(TypeError):\n        shop.total(3)\n"
    )
    result = run("def total(prices):\n    return 0\n", tests, settings)
    (finding,) = result.findings
    assert finding.id == "tests.failed"
    assert "DID NOT RAISE" in finding.message
