"""Does the same-behaviour check hold a rewrite to the original's behaviour?

The ``same-behaviour`` check compares the learner's function with the
original of the graded cell on listed cases and on inputs hypothesis
generates: the same results, and the same exception type where the original
raises. A difference shows the input (the smallest hypothesis found), what
came back and what the original did; a multi-line text is shown at its first
differing line. It runs as the engine runs it: in a forked, limited child.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._same_behaviour import contrast
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "shipping", "your module", ("cost",))
OPTIONS = {
    "function": "cost",
    "original": "cost",
    "inputs": "INPUTS",
    "cases": ["CASES", "EDGE_CASES"],
    "max_examples": 80,
}
BODY = """%%check behaviour
from hypothesis import strategies as st


def cost(weight, zone):
    if weight <= 0:
        raise ValueError("weight must be positive")
    if zone == "A":
        if weight > 10:
            return 20
        return 10
    return 30


INPUTS = st.tuples(st.integers(-3, 20), st.sampled_from("AB"))
CASES = [(1, "A")]
"""
HIDDEN = """### BEGIN HIDDEN TESTS
EDGE_CASES = [(10, "A"), (50, "A")]
### END HIDDEN TESTS
"""
RIGHT = """RATES = {"A": 10}


def cost(weight, zone):
    if weight <= 0:
        raise ValueError("no weight")
    if zone != "A":
        return 30
    return 20 if weight > 10 else RATES[zone]
"""


def run(
    source: str,
    settings: Settings,
    *,
    hidden: str = HIDDEN,
    options: dict[str, object] | None = None,
) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("same-behaviour", 1.0, "answer", options or OPTIONS)},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("behaviour", BODY + hidden),
    )
    return run_isolated(job, settings)[0]


def test_a_rewrite_that_behaves_alike_passes(settings: Settings) -> None:
    result = run(RIGHT, settings)
    assert result.fraction == 1.0
    [finding] = result.findings
    assert finding.id == "behaviour.passed"
    assert finding.message == (
        "`cost` behaves as the original on 3 listed cases and 80 generated inputs."
    )


def test_a_different_result_shows_the_smallest_input(settings: Settings) -> None:
    wrong = RIGHT.replace("weight > 10", "weight >= 10")
    [finding] = run(wrong, settings).findings
    assert finding.id == "behaviour.differs"
    assert finding.message == (
        "On the smallest input hypothesis found, `cost(10, 'A')` returned"
        " 20 where the original returned 10."
    )


def test_another_exception_type_is_a_difference(settings: Settings) -> None:
    other = RIGHT.replace('raise ValueError("no weight")', 'raise TypeError("no")')
    [finding] = run(other, settings).findings
    assert finding.id == "behaviour.other-error"
    assert "raised TypeError: no; the original raised ValueError" in finding.message
    assert finding.location is not None
    assert finding.location.line == 6


def test_dropping_a_check_of_invalid_input_is_a_difference(
    settings: Settings,
) -> None:
    lenient = RIGHT.replace(
        '        raise ValueError("no weight")\n', "        return 0\n"
    )
    [finding] = run(lenient, settings).findings
    assert finding.id == "behaviour.did-not-raise"
    assert "returned 0; the original raised ValueError" in finding.message


def test_a_self_check_runs_what_is_public_and_says_more_comes(
    settings: Settings,
) -> None:
    wrong_on_hidden = RIGHT.replace("weight > 10", "weight > 10 and weight != 50")
    result = run(wrong_on_hidden, settings, hidden="")
    assert result.fraction == 1.0
    assert result.findings[0].id == "behaviour.at-grading"
    graded = run(wrong_on_hidden, settings, options={**OPTIONS, "inputs": ""})
    assert graded.fraction == 0.0
    assert "a case the grader adds" in graded.findings[0].message


def test_the_link_option_points_the_findings_elsewhere(settings: Settings) -> None:
    wrong = RIGHT.replace("weight > 10", "weight >= 10")
    options = {**OPTIONS, "link": "18_refactoring#Characterisation-tests-first"}
    [finding] = run(wrong, settings, options=options).findings
    assert finding.link == "18_refactoring#Characterisation-tests-first"


def test_a_text_is_shown_at_its_first_differing_line() -> None:
    original = "title\nAda 1\nBob 2\n"
    assert contrast("title\nAda 1\nBob 3\n", original) == (
        "a text that differs at line 3: 'Bob 3' where the original has 'Bob 2'"
    )
    assert contrast("title\nAda 1\n", original) == (
        "a text of 2 lines where the original has 3"
    )


@pytest.mark.parametrize(
    "options",
    [{"inputs": "", "cases": []}, {"link": "no-anchor"}, {"function": "not a name"}],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="same-behaviour"):
        build_check("same-behaviour", {**OPTIONS, **options})
