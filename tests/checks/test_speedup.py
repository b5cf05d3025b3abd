"""Does the speed-up check measure a ratio against the original, fairly?

The ``speedup`` check times the learner's function and the cell's original
on fresh inputs, alternating which runs first, and grades the median ratio:
all points from ``target``, half from ``partial``. A different output or a
crash earns nothing and says in which round; a slow version stops the
rounds at the budget. It runs as the engine runs it: in a forked child.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "fast", "your module", ("total",))
OPTIONS = {"function": "total", "original": "total", "workload": "workload"}
TIMES = "\N{MULTIPLICATION SIGN}"
BODY = """%%check speed
def total(n):
    result = 0
    for number in range(n):
        for _ in range(20):
            result += number
    return result


def workload(round_number):
    return (30_000 + round_number,)
"""
FAST = "def total(n):\n    return 20 * n * (n - 1) // 2\n"


def run(
    source: str, settings: Settings, options: dict[str, object] | None = None
) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("speedup", 1.0, "answer", options or OPTIONS)},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("speed", BODY),
    )
    return run_isolated(job, settings)[0]


def test_a_much_faster_version_with_the_same_output_gets_all_points(
    settings: Settings,
) -> None:
    result = run(FAST, settings)
    assert result.fraction == 1.0
    [finding] = result.findings
    assert finding.id == "profiling.speedup-reached"
    assert "faster than the original, with the same output (median of 5 rounds" in (
        finding.message
    )
    assert f"from 5{TIMES} earns all the points" in finding.message


def test_the_original_itself_is_about_as_fast_and_gets_nothing(
    settings: Settings,
) -> None:
    slow = BODY.split("\n", 1)[1].split("\n\n\ndef workload", maxsplit=1)[0] + "\n"
    result = run(slow, settings)
    assert result.fraction == 0.0
    [finding] = result.findings
    assert finding.id == "profiling.speedup-too-small"
    assert finding.location is not None
    assert finding.location.line == 1


def test_between_partial_and_target_earns_half(settings: Settings) -> None:
    result = run(FAST, settings, {**OPTIONS, "target": 10**12, "partial": 2})
    assert result.fraction == 0.5
    assert result.findings[0].id == "profiling.speedup-partial"


def test_a_faster_wrong_answer_earns_nothing(settings: Settings) -> None:
    wrong = "def total(n):\n    return 20 * n * (n - 1) // 2 + (n % 2)\n"
    [finding] = run(wrong, settings).findings
    assert finding.id == "profiling.speedup-output-differs"
    assert finding.message.startswith("In timed round 2, `total` returned")
    assert "where the original returned" in finding.message


def test_a_crash_names_the_round_and_the_learner_s_line(settings: Settings) -> None:
    crashing = (
        "def total(n):\n"
        "    if n % 2 == 0:\n"
        "        raise ValueError('even')\n"
        "    return 0\n"
    )
    [finding] = run(crashing, settings).findings
    assert finding.id == "profiling.speedup-raised"
    assert "In timed round 1, `total` raised ValueError: even" in finding.message
    assert finding.location is not None
    assert finding.location.line == 3


def test_a_slow_version_stops_the_rounds_at_the_budget(settings: Settings) -> None:
    sleepy = "import time\n\n\ndef total(n):\n    time.sleep(0.2)\n    return 0\n"
    sleepy += FAST.replace("def total", "def unused")
    right_but_slow = sleepy.replace("return 0", "return 20 * n * (n - 1) // 2")
    [finding] = run(right_but_slow, settings, {**OPTIONS, "budget": 0.1}).findings
    assert finding.id == "profiling.speedup-too-small"
    assert "(median of 2 rounds" in finding.message


@pytest.mark.parametrize(
    "options", [{"partial": 6}, {"partial": 1}, {"rounds": 1}, {"unknown": 1}]
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="speedup"):
        build_check("speedup", {**OPTIONS, **options})
