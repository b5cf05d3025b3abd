"""Does the line-problems check score a learner's checker by what it reports?

The check runs as the engine runs it, in a forked, limited child.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "lint", "your module", ("lint",))
KINDS = ["long", "tab"]

RIGHT = """\
from typing import NamedTuple


class Problem(NamedTuple):
    line: int
    kind: str


def lint(text):
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > 10:
            problems.append(Problem(number, "long"))
        if "\\t" in line:
            problems.append(Problem(number, "tab"))
    return problems
"""

TESTS = """\
%%check lint
FILES = [
    ("short\\nthis one is long\\n", [(2, "long")]),  # long lines
    ("a\\tb\\n", [(1, "tab")]),  # tabs
]
### BEGIN HIDDEN TESTS
FILES += [
    ("\\tand this is long too\\n", [(1, "long"), (1, "tab")]),  # both on one line
]
### END HIDDEN TESTS
"""


def run(source: str, settings: Settings, tests: str = TESTS) -> CheckResult:
    job = Job(
        checks={
            0: CheckSpec(
                "line-problems", 4, "answer", {"function": "lint", "kinds": KINDS}
            )
        },
        answers={"answer": (ANSWER, source)},
        tests=split_tests("lint", tests),
    )
    return run_isolated(job, settings)[0]


def of(result: CheckResult, finding_id: str) -> list[Finding]:
    return [f for f in result.findings if f.id == finding_id]


def test_a_right_checker_earns_everything(settings: Settings) -> None:
    result = run(RIGHT, settings)
    assert result.fraction == 1.0
    [finding] = result.findings
    assert finding.id == "dependencies.checker-right"
    assert "all 3 sample files" in finding.message


def test_a_missed_problem_costs_its_sample_and_is_named(settings: Settings) -> None:
    result = run(RIGHT.replace('"\\t" in line', "False"), settings)
    assert result.fraction == pytest.approx(1 / 3)
    wrong = of(result, "dependencies.checker-wrong")
    assert wrong[0].message == (
        "On sample 2 of FILES (tabs), `lint` missed: tab on line 1; "
        "it reported, wrongly: nothing."
    )
    assert wrong[0].location is not None
    assert wrong[0].location.line == 9
    assert "On a hidden sample (both on one line)" in wrong[1].message


def test_a_problem_reported_twice_is_one_too_many(settings: Settings) -> None:
    source = RIGHT.replace("    return problems", "    return problems + problems")
    result = run(source, settings)
    assert result.fraction == 0.0


def test_a_crash_points_at_the_line_that_raised(settings: Settings) -> None:
    source = RIGHT.replace(
        "        if len(line) > 10:",
        "        if line.startswith('a'):\n"
        "            raise KeyError(line)\n        if len(line) > 10:",
    )
    result = run(source, settings)
    [crash] = of(result, "dependencies.checker-crashed")
    assert "On sample 2 of FILES (tabs), `lint` raised KeyError" in crash.message
    assert crash.location is not None
    assert crash.location.line == 13
    assert result.fraction == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("returned", "said"),
    [
        ("'none'", "returned str, not a list of problems"),
        ("[(1, 'long')]", "whose `line` is None"),
        ("[Problem(1, 'wide')]", "whose `kind` is 'wide'"),
    ],
)
def test_a_result_that_is_no_list_of_problems_is_said(
    returned: str, said: str, settings: Settings
) -> None:
    source = RIGHT.replace("    return problems", f"    return {returned}")
    result = run(source, settings)
    assert result.fraction == 0.0
    bad = of(result, "dependencies.checker-bad-result")
    assert said in bad[0].message


def test_public_samples_only_in_a_self_check(settings: Settings) -> None:
    public = TESTS.split("### BEGIN", maxsplit=1)[0]
    result = run(RIGHT.replace('"\\t" in line', "False"), settings, tests=public)
    assert result.fraction == pytest.approx(1 / 2)


def test_malformed_samples_are_a_fault_of_the_course(settings: Settings) -> None:
    result = run(RIGHT, settings, tests='%%check lint\nFILES = [("x", [(1, "odd")])]\n')
    assert [f.id for f in result.findings] == ["checks.error"]
