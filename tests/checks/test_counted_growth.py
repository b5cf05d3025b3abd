"""Does counting operations tell linear from quadratic code, on any machine?

The instrumented items must count every comparison and hash that sorting,
``set``, ``dict``, ``Counter``, ``heapq`` and ``list.count`` do on them, stop
a run past its limit even through ``except Exception``, and keep their values
out of reach. The ``counted-growth`` check must pass linear and n log n code,
fail quadratic code with both counts and the ratio, hold the cap, and, at
grading only, refuse a fast but wrong result. It runs as the engine runs it:
in a forked, limited child.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._counted_growth import (
    Instrumented,
    OperationLimitReachedError,
    factor_text,
    figure,
)
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "dedup", "your module", ("duplicates",))
OPTIONS = {
    "function": "duplicates",
    "builder": "build",
    "reference": "reference",
    "items": "hashable",
    "max_operations": 5000,
    "min_per_item": 1,
}
BODY = """%%check growth
def build(n, item, rng):
    \"\"\"n items drawn from n // 2 values.\"\"\"
    return ([item(rng.randrange(n // 2)) for _ in range(n)],)
"""
HIDDEN = """### BEGIN HIDDEN TESTS
def reference(items):
    counts = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return [item for item, count in counts.items() if count > 1]
### END HIDDEN TESTS
"""

LINEAR = """from collections import Counter


def duplicates(items):
    counts = Counter(items)
    return [item for item, count in counts.items() if count > 1]
"""

QUADRATIC = """def duplicates(items):
    found = []
    for i, item in enumerate(items):
        if item in items[:i] and item not in found:
            found.append(item)
    return found
"""

TIMES = "\N{MULTIPLICATION SIGN}"


def run(
    source: str,
    settings: Settings,
    *,
    hidden: bool = True,
    options: dict[str, object] | None = None,
    body: str = BODY,
) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("counted-growth", 2.0, "answer", options or OPTIONS)},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("growth", body + (HIDDEN if hidden else "")),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


# --- The instrumented items ------------------------------------------------------


def test_sorting_counts_each_comparison_it_makes() -> None:
    items = Instrumented("orderable")
    values = [items.item(value) for value in (5, 3, 9, 1, 7)]
    made = sorted(values)
    assert [items.value_of(item) for item in made] == [1, 3, 5, 7, 9]
    assert items.tally.comparisons > 0
    assert items.tally.total == items.tally.comparisons


def test_hashing_containers_count_one_hash_per_item() -> None:
    items = Instrumented("hashable")
    values = [items.item(value) for value in range(10)]
    assert len(set(values)) == 10
    assert items.tally.hashes == 10
    Counter(values)
    assert items.tally.hashes == 20


def test_equal_values_in_distinct_items_are_compared_not_identity_matched() -> None:
    items = Instrumented("hashable")
    values = [items.item(value) for value in (1, 2, 1, 1)]
    assert values.count(values[0]) == 3
    # list.count skips the identical item, and compares the other three
    assert items.tally.comparisons == 3


def test_heapq_and_min_count_through_the_items_too() -> None:
    items = Instrumented("orderable")
    values = [items.item(value) for value in range(20, 0, -1)]
    assert [items.value_of(v) for v in heapq.nsmallest(3, values)] == [1, 2, 3]
    before = items.tally.comparisons
    assert items.value_of(min(values)) == 1
    assert items.tally.comparisons - before == 19


def test_hashable_items_cannot_be_ordered() -> None:
    items = Instrumented("hashable")
    with pytest.raises(TypeError, match="not supported between instances of"):
        sorted([items.item(2), items.item(1)])


def test_arithmetic_and_text_count_as_other_operations() -> None:
    items = Instrumented("orderable")
    start, end = items.item(3), items.item(5)
    assert items.value_of(end - start) == 2
    assert items.value_of(1 + start) == 4
    assert str(start) == "3"
    assert repr(end) == "Item(5)"
    assert items.tally.other == 4


def test_an_item_holds_no_value_to_read_around_the_count() -> None:
    items = Instrumented("hashable")
    item = items.item("secret value")
    assert not hasattr(item, "__dict__")
    assert all(getattr(item, name) != "secret value" for name in ("_key",))


def test_unwrap_rebuilds_containers_of_plain_values() -> None:
    items = Instrumented("orderable")
    value = [(items.item(1), items.item(2)), {items.item(3)}, iter([items.item(4)])]
    assert items.unwrap(value) == [(1, 2), {3}, [4]]


def test_past_the_limit_every_operation_stops_the_run() -> None:
    items = Instrumented("hashable", limit=3)
    values = [items.item(value) for value in range(10)]
    with pytest.raises(OperationLimitReachedError):
        set(values)
    try:
        set(values)
    except Exception:  # noqa: BLE001 - learner code that swallows errors
        pytest.fail("the stop is no Exception")
    except OperationLimitReachedError:
        pass
    assert items.tally.stopped


def test_after_finish_the_items_are_free_and_the_counts_kept() -> None:
    items = Instrumented("hashable", limit=2)
    values = [items.item(value) for value in range(3)]
    with pytest.raises(OperationLimitReachedError):
        set(values)
    counted = items.finish()
    assert len(set(values)) == 3
    assert counted.total == 3
    assert items.tally.total == 6


def test_figures_and_factors_read_well() -> None:
    assert figure(79300) == "79\u202f300"
    assert factor_text(8.0) == f"{TIMES}8"
    assert factor_text(10.71) == f"{TIMES}10.7"


# --- The check --------------------------------------------------------------------


def test_linear_code_passes_with_both_counts_and_the_ratio(settings: Settings) -> None:
    result = run(LINEAR, settings)
    assert result.fraction == 1.0
    [finding] = result.findings
    assert finding.id == "efficiency.growth-passed"
    assert re.search(
        r"at n=100: \d+ operations \(.*hashes\); at n=800:", finding.message
    )
    assert f"({TIMES}8" in finding.message


def test_quadratic_code_fails_on_the_ratio_at_its_def_line(settings: Settings) -> None:
    result = run(QUADRATIC, settings)
    assert result.fraction == 0.0
    [finding] = result.findings
    assert finding.id == "efficiency.growth-ratio"
    ratio = re.search(
        rf"grew {TIMES}(\d+(\.\d)?) when the input grew {TIMES}8", finding.message
    )
    assert ratio is not None
    assert 40 < float(ratio.group(1)) < 80
    assert finding.location is not None
    assert (finding.location.cell, finding.location.line) == ("answer", 1)


def test_the_counts_are_the_same_on_every_run(settings: Settings) -> None:
    first = run(QUADRATIC, settings).findings[0].message
    assert run(QUADRATIC, settings).findings[0].message == first


def test_cubic_code_is_stopped_and_said_to_grow_faster_than_measured(
    settings: Settings,
) -> None:
    cubic = """def duplicates(items):
    found = []
    for item in items:
        for other in items:
            for third in items:
                if item == other == third and item not in found:
                    found.append(item)
    return [i for i in found if items.count(i) > 1]
"""
    options = {**OPTIONS, "n": 20, "max_operations": 0}
    result = run(cubic, settings, options=options)
    [finding] = result.findings
    assert finding.id == "efficiency.growth-ratio"
    assert "(stopped there)" in finding.message
    assert f"grew more than {TIMES}100" in finding.message


def test_a_cap_holds_even_when_the_growth_is_fine(settings: Settings) -> None:
    wasteful = """from collections import Counter


def duplicates(items):
    for _ in range(5):
        counts = Counter(items)
    return [item for item, count in counts.items() if count > 1]
"""
    result = run(wasteful, settings, options={**OPTIONS, "max_operations": 2000})
    [finding] = result.findings
    assert finding.id == "efficiency.growth-cap"
    assert "at most 2\u202f000 are allowed at n=800" in finding.message


def test_a_crash_on_the_items_points_at_its_line(settings: Settings) -> None:
    sorting = """def duplicates(items):
    ordered = sorted(items)
    return [a for a, b in zip(ordered, ordered[1:]) if a == b]
"""
    result = run(sorting, settings)
    [finding] = result.findings
    assert finding.id == "efficiency.growth-crashed"
    assert "TypeError" in finding.message
    assert "(hashable items)" in finding.message
    assert finding.location is not None
    assert finding.location.line == 2


def test_a_function_that_looks_at_nothing_fails_without_the_reference(
    settings: Settings,
) -> None:
    result = run("def duplicates(items):\n    return []\n", settings, hidden=False)
    assert result.fraction == 0.0
    assert ids(result) == ["efficiency.growth-too-little"]


def test_a_fast_wrong_result_is_refused_only_at_grading(settings: Settings) -> None:
    wrong = """def duplicates(items):
    return list(set(items))
"""
    public = run(wrong, settings, hidden=False)
    assert public.fraction == 1.0
    assert ids(public) == ["efficiency.growth-unchecked"]
    graded = run(wrong, settings)
    assert graded.fraction == 0.0
    [finding] = graded.findings
    assert finding.id == "efficiency.growth-wrong-result"
    assert "at n=100" in finding.message
    assert "counts.get" not in finding.message + finding.hint


def test_a_reference_outside_the_hidden_tests_is_the_course_s_fault(
    settings: Settings,
) -> None:
    body = BODY + HIDDEN.replace("### BEGIN HIDDEN TESTS\n", "").replace(
        "### END HIDDEN TESTS\n", ""
    )
    result = run(LINEAR, settings, hidden=False, body=body)
    assert ids(result) == ["checks.error"]
    assert "must be defined in the hidden tests" in result.findings[0].message


def test_a_builder_that_fails_is_the_course_s_fault(settings: Settings) -> None:
    body = "%%check growth\ndef build(n, item, rng):\n    return 1 / 0\n"
    result = run(LINEAR, settings, hidden=False, body=body)
    assert ids(result) == ["checks.error"]
    assert "the builder raised ZeroDivisionError" in result.findings[0].message


def test_a_stub_waits_instead_of_being_measured(settings: Settings) -> None:
    stub = "def duplicates(items):\n    raise NotImplementedError\n"
    assert ids(run(stub, settings)) == ["efficiency.waiting"]


@pytest.mark.parametrize(
    "options",
    [
        {**OPTIONS, "items": "frozen"},
        {**OPTIONS, "max_ratio": 1},
        {**OPTIONS, "max_operations": 10**7},
        {**OPTIONS, "tolerance": 3},
        {key: value for key, value in OPTIONS.items() if key != "builder"},
    ],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="counted-growth"):
        build_check("counted-growth", options)
