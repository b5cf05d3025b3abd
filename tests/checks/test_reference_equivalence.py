"""Does the equivalence check find a small input where the learner is wrong?

The ``reference-equivalence`` check must pass a function that agrees with the
hidden reference, show a wrong one's smallest counterexample as input,
expected and returned value (never the reference's code), the same on every
run, place a crash at the learner's line, notice a changed argument, run the
public examples in a self-check and say that the reference comes at grading,
and treat faults of the cell's material as the course's. It runs as the
engine runs it: in a forked, limited child.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._reference_equivalence import search
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "ranges", "your module", ("merge",))
OPTIONS = {
    "function": "merge",
    "inputs": "INPUTS",
    "reference": "reference_merge",
    "examples": ["EXAMPLES", "EDGE_CASES"],
    "max_examples": 60,
}
BODY = """%%check equivalence
from hypothesis import strategies as st

INTERVALS = st.tuples(st.integers(0, 20), st.integers(0, 5)).map(
    lambda pair: (pair[0], pair[0] + pair[1])
)
INPUTS = st.tuples(st.lists(INTERVALS))
EXAMPLES = [(([(5, 7), (1, 2)],), [(1, 2), (5, 7)])]
"""
HIDDEN = """### BEGIN HIDDEN TESTS
EDGE_CASES = [(([(1, 3), (3, 5)],), [(1, 5)])]


def reference_merge(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
### END HIDDEN TESTS
"""

RIGHT = """def merge(intervals):
    result = []
    for start, end in sorted(intervals, key=lambda pair: pair[0]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result
"""
TOUCHING = RIGHT.replace("start <= result", "start < result")


def run(
    source: str,
    settings: Settings,
    *,
    hidden: str | None = HIDDEN,
    options: dict[str, object] | None = None,
    body: str = BODY,
) -> CheckResult:
    job = Job(
        checks={
            0: CheckSpec("reference-equivalence", 1.0, "answer", options or OPTIONS)
        },
        answers={"answer": (ANSWER, source)},
        tests=split_tests("equivalence", body + (hidden or "")),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def test_a_function_that_agrees_with_the_reference_passes(settings: Settings) -> None:
    result = run(RIGHT, settings)
    assert result.fraction == 1.0
    [finding] = result.findings
    assert finding.id == "efficiency.equivalence-passed"
    assert finding.message == (
        "`merge` agrees with the reference on 60 generated inputs and on 2 examples."
    )


def test_a_wrong_function_gets_the_smallest_counterexample(settings: Settings) -> None:
    result = run(TOUCHING, settings)
    assert result.fraction == 0.0
    [finding] = result.findings
    assert finding.id == "efficiency.equivalence-differs"
    assert finding.message == (
        "On the smallest input hypothesis found, `merge([(0, 0), (0, 0)])` returned"
        " [(0, 0), (0, 0)]; expected [(0, 0)]."
    )
    assert finding.location is not None
    assert (finding.location.cell, finding.location.line) == ("answer", 1)
    assert "sorted(intervals)" not in finding.message + finding.hint


def test_the_counterexample_is_the_same_on_every_run(settings: Settings) -> None:
    first = run(TOUCHING, settings).findings[0].message
    assert run(TOUCHING, settings).findings[0].message == first


def test_a_crash_is_shown_at_the_learner_s_line(settings: Settings) -> None:
    crashing = RIGHT.replace("    result = []\n", "    result = []\n    intervals[0]\n")
    [finding] = run(crashing, settings).findings
    assert finding.id == "efficiency.equivalence-raised"
    assert "`merge([])` raised IndexError: list index out of range" in finding.message
    assert finding.location is not None
    assert finding.location.line == 3


def test_changing_the_argument_is_a_mistake_unless_allowed(settings: Settings) -> None:
    in_place = RIGHT.replace(
        "sorted(intervals, key=lambda pair: pair[0])", "intervals"
    ).replace("    result = []\n", "    result = []\n    intervals.sort()\n")
    [finding] = run(in_place, settings).findings
    assert finding.id == "efficiency.equivalence-changed-input"
    assert "which became [(1, 2), (5, 7)]" in finding.message
    allowed = run(in_place, settings, options={**OPTIONS, "keep_arguments": False})
    assert allowed.fraction == 1.0


def test_a_self_check_runs_the_public_examples_and_promises_the_rest(
    settings: Settings,
) -> None:
    result = run(TOUCHING, settings, hidden=None)
    assert result.fraction == 1.0
    assert ids(result) == ["efficiency.equivalence-at-grading"]
    assert "on 1 example" in result.findings[0].message
    wrong = run("def merge(intervals):\n    return intervals\n", settings, hidden=None)
    [finding] = wrong.findings
    assert finding.id == "efficiency.equivalence-differs"
    assert finding.message.startswith("On an example of the exercise, ")


def test_hidden_cases_catch_what_the_strategy_cannot_generate(
    settings: Settings,
) -> None:
    one_at_a_time = "st.lists(INTERVALS, max_size=1)"
    narrow = BODY.replace("st.lists(INTERVALS)", one_at_a_time)
    result = run(TOUCHING, settings, body=narrow)
    [finding] = result.findings
    assert finding.message.startswith(
        "On a case the grader adds, `merge([(1, 3), (3, 5)])`"
    )


def test_the_reference_must_stay_in_the_hidden_tests(settings: Settings) -> None:
    public = HIDDEN.replace("### BEGIN HIDDEN TESTS\n", "").replace(
        "### END HIDDEN TESTS\n", ""
    )
    result = run(RIGHT, settings, hidden=None, body=BODY + public)
    assert ids(result) == ["checks.error"]
    assert "reference_merge must be defined in the hidden tests" in (
        result.findings[0].message
    )


def test_a_name_missing_from_the_hidden_tests_is_the_course_s_fault(
    settings: Settings,
) -> None:
    result = run(RIGHT, settings, hidden=HIDDEN.replace("EDGE_CASES", "EDGES"))
    assert ids(result) == ["checks.error"]
    assert "the hidden tests define no EDGE_CASES" in result.findings[0].message


def test_inputs_that_are_no_strategy_are_the_course_s_fault(settings: Settings) -> None:
    broken = run(RIGHT, settings, body=BODY + "INPUTS = [1, 2]\n")
    assert ids(broken) == ["checks.error"]
    assert "INPUTS must be a hypothesis strategy" in broken.findings[0].message


def test_a_stub_waits(settings: Settings) -> None:
    stub = "def merge(intervals):\n    ...\n"
    assert ids(run(stub, settings)) == ["efficiency.waiting"]


def test_search_tries_as_many_inputs_as_asked_and_writes_nothing(
    tmp_path: Path,
) -> None:
    from hypothesis import strategies as st

    seen: list[tuple[object, ...]] = []

    def probe(arguments: tuple[object, ...]) -> None:
        seen.append(arguments)

    assert search(st.integers(), 37, probe, tmp_path / ".hypothesis") is None
    assert len(seen) == 37
    # no constants mined from local modules, so no cache of them either
    assert not (tmp_path / ".hypothesis").exists()


@pytest.mark.parametrize(
    "options",
    [
        {key: value for key, value in OPTIONS.items() if key != "reference"},
        {**OPTIONS, "function": "not a name"},
        {**OPTIONS, "max_examples": 0},
        {**OPTIONS, "seed": 3},
    ],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="reference-equivalence"):
        build_check("reference-equivalence", options)
