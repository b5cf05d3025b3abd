"""Does tracemalloc's peak tell streaming code from code that keeps its input?

The ``memory-growth`` check must pass a function that folds lines into
running totals, fail one that keeps the lines (with both peaks and the
growth), fail a flat function whose peak is over the bound, refuse a flat
but wrong result at grading only, turn a crash into a located finding, and
read files a builder writes without counting them. It runs as the engine
runs it: in a forked, limited child.
"""

from __future__ import annotations

import tracemalloc

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._memory_growth import kilobytes, traced_call
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "counting", "your module", ("count_words",))
OPTIONS = {
    "function": "count_words",
    "builder": "lines",
    "reference": "reference",
    "n": 400,
    "max_peak_kb": 64,
}
BODY = """%%check memory
def lines(n, rng, workdir):
    \"\"\"n lines of three words from a small vocabulary, made on the fly.\"\"\"
    words = ["alpha", "beta", "gamma", "delta"]
    return ((" ".join(rng.choice(words) for _ in range(3)) for _ in range(n)),)
"""
HIDDEN = """### BEGIN HIDDEN TESTS
def reference(lines):
    counts = {}
    for line in lines:
        for word in line.split():
            counts[word] = counts.get(word, 0) + 1
    return counts
### END HIDDEN TESTS
"""

STREAMING = """def count_words(lines):
    counts = {}
    for line in lines:
        for word in line.split():
            counts[word] = counts.get(word, 0) + 1
    return counts
"""

KEEPS_LINES = """def count_words(lines):
    kept = list(lines)
    counts = {}
    for line in kept:
        for word in line.split():
            counts[word] = counts.get(word, 0) + 1
    return counts
"""

KEEPS_NOTHING = """def count_words(lines):
    for line in lines:
        pass
    return {}
"""

CRASHES = """def count_words(lines):
    return {"lines": len(lines)}
"""

BIG_BUFFER = """def count_words(lines):
    buffer = bytearray(200_000)
    counts = {}
    for line in lines:
        for word in line.split():
            counts[word] = counts.get(word, 0) + 1
    del buffer
    return counts
"""


def run(
    source: str,
    settings: Settings,
    *,
    hidden: bool = True,
    options: dict[str, object] | None = None,
    body: str = BODY,
) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("memory-growth", 2.0, "answer", options or OPTIONS)},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("memory", body + (HIDDEN if hidden else "")),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def test_traced_call_sees_what_a_call_holds_at_its_peak() -> None:
    def hold(size: int) -> None:
        block = bytearray(size)
        del block

    small = traced_call(hold, (10_000,))
    large = traced_call(hold, (1_000_000,))
    assert small >= 10_000
    assert large >= 1_000_000 > small
    assert not tracemalloc.is_tracing()


def test_kilobytes_reads_as_people_read_sizes() -> None:
    assert kilobytes(6_860) == "6.7 KB"
    assert kilobytes(2_186_090) == "2,135 KB"


def test_streaming_code_passes_with_both_peaks(settings: Settings) -> None:
    result = run(STREAMING, settings)
    assert result.fraction == 1.0
    assert ids(result) == ["memory.flat"]
    assert "at n=400" in result.findings[0].message
    assert "at n=1600" in result.findings[0].message


def test_code_that_keeps_its_input_fails_with_the_growth(settings: Settings) -> None:
    result = run(KEEPS_LINES, settings)
    assert result.fraction == 0.0
    [finding] = result.findings
    assert finding.id == "memory.grows"
    assert "\N{MULTIPLICATION SIGN}4 made the peak \N{MULTIPLICATION SIGN}" in (
        finding.message
    )
    assert finding.location is not None
    assert finding.location.line == 1


def test_a_flat_but_empty_result_loses_at_grading_only(settings: Settings) -> None:
    graded = run(KEEPS_NOTHING, settings)
    assert graded.fraction == 0.0
    assert ids(graded) == ["memory.wrong-result"]
    public = run(KEEPS_NOTHING, settings, hidden=False)
    assert public.fraction == 1.0
    assert ids(public) == ["memory.flat-unchecked"]


def test_a_flat_peak_over_the_bound_fails(settings: Settings) -> None:
    result = run(BIG_BUFFER, settings)
    assert result.fraction == 0.0
    assert ids(result) == ["memory.too-much"]
    assert "at most 64.0 KB" in result.findings[0].message


def test_a_crash_points_at_the_learners_line(settings: Settings) -> None:
    result = run(CRASHES, settings)
    assert result.fraction == 0.0
    [finding] = result.findings
    assert finding.id == "memory.crashed"
    assert "TypeError" in finding.message
    assert finding.location is not None
    assert finding.location.line == 2


def test_a_file_the_builder_writes_is_not_counted(settings: Settings) -> None:
    body = """%%check memory
def lines(n, rng, workdir):
    path = workdir / f"words_{n}.txt"
    path.write_text("alpha beta gamma\\n" * n, encoding="utf-8")
    return (path,)
"""
    reader = """def count_words(path):
    counts = {}
    with open(path, encoding="utf-8") as text:
        for line in text:
            for word in line.split():
                counts[word] = counts.get(word, 0) + 1
    return counts
"""
    slurper = reader.replace("for line in text:", "for line in text.readlines():")
    options = {**OPTIONS, "reference": "", "n": 2000}
    assert run(reader, settings, hidden=False, options=options, body=body).fraction
    slurped = run(slurper, settings, hidden=False, options=options, body=body)
    assert ids(slurped) == ["memory.grows"]


def test_a_builder_that_is_not_a_function_is_the_courses_fault(
    settings: Settings,
) -> None:
    body = "%%check memory\nlines = 3\n"
    result = run(STREAMING, settings, hidden=False, body=body)
    assert ids(result) == ["checks.error"]
    assert "lines must be a function" in result.findings[0].message


@pytest.mark.parametrize(
    "options",
    [
        {"builder": "lines"},
        {"function": "f", "builder": "lines", "max_growth": 0.5},
        {"function": "f", "builder": "lines", "factor": 1},
        {"function": "f", "builder": "lines", "unknown": 1},
    ],
)
def test_bad_declarations_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="memory-growth"):
        build_check("memory-growth", options)
