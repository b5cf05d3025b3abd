"""Does the hotspot check agree with cProfile about where the time goes?

The ``hotspot`` check profiles the original code of the graded cell and
compares the function first by own time (``tottime``) with the name the
learner's answer gives. It must accept the name however pstats prints it,
tell a learner who named the entry point about cumulative time, rank a
wrong guess without naming the right one, and run as the engine runs it:
in a forked, limited child.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._hotspot import normal_name
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "named", "your module", ("HOTSPOT",))
OPTIONS = {"original": "main", "workload": "workload"}
BODY = """%%check profile
def squares(n):
    total = 0
    for number in range(n):
        total += number * number
    return total


def tenth(n):
    total = 0
    for number in range(n // 10):
        total += number
    return total


def main(n):
    return squares(n) + tenth(n)


def workload(round_number):
    return (200_000 + round_number,)
"""


def run(
    named: str, settings: Settings, options: dict[str, object] | None = None
) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("hotspot", 1.0, "answer", options or OPTIONS)},
        answers={"answer": (ANSWER, f"HOTSPOT = {named}\n")},
        tests=split_tests("profile", BODY),
    )
    return run_isolated(job, settings)[0]


@pytest.mark.parametrize(
    "named", ['"squares"', '"module.squares"', '"module.py:2(squares)"', '"squares()"']
)
def test_the_function_first_by_own_time_is_the_hotspot(
    named: str, settings: Settings
) -> None:
    result = run(named, settings)
    assert result.fraction == 1.0
    [finding] = result.findings
    assert finding.id == "profiling.hotspot-found"
    assert finding.message.startswith("`squares` is the hotspot: first by tottime")
    assert finding.location is not None
    assert (finding.location.cell, finding.location.line) == ("answer", 1)


def test_the_entry_point_is_first_only_by_cumulative_time(settings: Settings) -> None:
    result = run('"main"', settings)
    assert result.fraction == 0.0
    [finding] = result.findings
    assert finding.id == "profiling.hotspot-cumulative"
    assert "`main` has the most *cumulative* time" in finding.message
    assert "squares" not in finding.message + finding.hint


def test_a_wrong_guess_is_ranked_without_naming_the_hotspot(settings: Settings) -> None:
    [finding] = run('"tenth"', settings).findings
    assert finding.id == "profiling.hotspot-wrong"
    assert "`tenth` is number 2 by tottime" in finding.message
    assert "squares" not in finding.message + finding.hint


def test_a_name_the_original_lacks_lists_its_functions(settings: Settings) -> None:
    [finding] = run('"sort"', settings).findings
    assert finding.id == "profiling.hotspot-unknown"
    assert "`main`, `squares`, `tenth`" in finding.message


def test_the_name_must_be_a_string_literal(settings: Settings) -> None:
    [finding] = run("squares", settings).findings
    assert finding.id == "profiling.hotspot-not-text"
    assert finding.location is not None
    assert finding.location.line == 1


def test_ranking_by_cumulative_time_leaves_the_entry_point_out(
    settings: Settings,
) -> None:
    result = run('"squares"', settings, {**OPTIONS, "sort": "cumtime"})
    assert result.fraction == 1.0


def test_a_cell_without_the_original_is_a_fault_of_the_course(
    settings: Settings,
) -> None:
    [finding] = run('"squares"', settings, {**OPTIONS, "original": "absent"}).findings
    assert finding.id == "checks.error"
    assert "the cell defines no function absent" in finding.message


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("customer_totals", "customer_totals"),
        ("report_slow.customer_totals", "customer_totals"),
        ("report_slow.py:43(customer_totals)", "customer_totals"),
        (" customer_totals() ", "customer_totals"),
    ],
)
def test_every_way_of_writing_a_function_comes_down_to_its_name(
    written: str, name: str
) -> None:
    assert normal_name(written) == name


@pytest.mark.parametrize("options", [{"sort": "ncalls"}, {"close": 1.5}, {"nope": 1}])
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="hotspot"):
        build_check("hotspot", {**OPTIONS, **options})
