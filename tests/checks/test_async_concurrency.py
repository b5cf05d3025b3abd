"""Does the async-concurrency check tell bounded, concurrent, careful fetching apart?

The check runs as the engine runs it, in a forked, limited child, on small
batches: a correct answer must hold every aspect on every run, and each
classic mistake must lose exactly its aspect, whatever the machine's load.
The batches' arithmetic (the concurrent bound) is tested on its own.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._async_fetch import Batch, read_batch
from autograder.checks._security import Case
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "fetcher", "your module", ("fetch_all",))
ALL = ["results", "peak", "elapsed", "failures", "timeouts", "clean"]

CORRECT = """\
import asyncio


async def fetch_all(urls, fetch, limit, timeout):
    semaphore = asyncio.Semaphore(limit)

    async def one(url):
        async with semaphore:
            try:
                async with asyncio.timeout(timeout):
                    return await fetch(url)
            except Exception as error:
                return error

    return await asyncio.gather(*(one(url) for url in urls))
"""

SEQUENTIAL = """\
import asyncio


async def fetch_all(urls, fetch, limit, timeout):
    results = []
    for url in urls:
        try:
            results.append(await asyncio.wait_for(fetch(url), timeout))
        except Exception as error:
            results.append(error)
    return results
"""

UNBOUNDED = CORRECT.replace("async with semaphore:", "if True:")

TASKGROUP = """\
import asyncio


async def fetch_all(urls, fetch, limit, timeout):
    semaphore = asyncio.Semaphore(limit)

    async def one(url):
        async with semaphore:
            return await asyncio.wait_for(fetch(url), timeout)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(url)) for url in urls]
    return [task.result() for task in tasks]
"""

NEVER_AWAITED = CORRECT.replace(
    "                return error",
    "                asyncio.sleep(0.01)\n                return error",
)

BLOCKING = CORRECT.replace(
    "    semaphore = asyncio.Semaphore(limit)",
    "    semaphore = asyncio.Semaphore(limit)\n    time.sleep(0.25)",
).replace("import asyncio", "import asyncio\nimport time")

NO_TIMEOUT = CORRECT.replace("async with asyncio.timeout(timeout):", "if True:")

WAIT_COUNTS = """\
import asyncio


async def fetch_all(urls, fetch, limit, timeout):
    semaphore = asyncio.Semaphore(limit)

    async def one(url):
        try:
            async with asyncio.timeout(timeout):
                async with semaphore:
                    return await fetch(url)
        except Exception as error:
            return error

    return await asyncio.gather(*(one(url) for url in urls))
"""

NOT_ASYNC = """\
def fetch_all(urls, fetch, limit, timeout):
    return [None for url in urls]
"""

TESTS = """\
%%check fetching
BATCHES = [
    {"limit": 3, "timeout_ms": 500, "requests": [30, 30, 30, 30, 30, 30]},  # equal
    {
        "limit": 2,
        "timeout_ms": 100,
        "requests": [40, ["fail", 10], "hang", 40, 40, 40],
    },  # mixed
]
"""

HIDDEN = """\
### BEGIN HIDDEN TESTS
BATCHES += [
    {
        "limit": 2,
        "timeout_ms": 80,
        "requests": [10, 200, ["fail", 5, "KeyError"]],
    },  # secret mix
]
### END HIDDEN TESTS
"""


def run(
    source: str,
    settings: Settings,
    tests: str = TESTS,
    aspects: list[str] | None = None,
) -> CheckResult:
    options = {"aspects": aspects or ALL}
    job = Job(
        checks={0: CheckSpec("async-concurrency", 3, "answer", options)},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("fetching", tests),
    )
    return run_isolated(job, settings)[0]


def of(result: CheckResult, finding_id: str) -> list[Finding]:
    return [finding for finding in result.findings if finding.id == finding_id]


def failed(result: CheckResult, aspects: list[str] = ALL) -> set[str]:
    held = of(result, "async.aspects-held")
    kept = held[0].message.split(": ", 1)[1].rstrip(".").split(", ") if held else []
    return set(aspects) - set(kept)


def batch(limit: int, timeout_ms: int, requests: list[object]) -> Batch:
    value = {"limit": limit, "timeout_ms": timeout_ms, "requests": requests}
    return read_batch(1, Case(value, "a batch"))


def test_the_bound_starts_each_request_as_a_slot_frees() -> None:
    uneven = batch(2, 1000, [100, 10, 10, 10, 100])
    assert uneven.starts() == pytest.approx([0, 0, 0.01, 0.02, 0.03])
    assert uneven.bound == pytest.approx(0.13)
    assert uneven.sequential == pytest.approx(0.23)


def test_a_hang_holds_its_slot_for_the_timeout() -> None:
    hanging = batch(1, 100, [10, "hang", ["fail", 20]])
    assert hanging.bound == pytest.approx(0.13)
    assert hanging.tests_timeouts
    assert hanging.tests_failures


def test_a_request_ending_past_the_timeout_tests_timeouts() -> None:
    assert batch(1, 100, [40, 40, 40]).tests_timeouts
    assert not batch(1, 100, [40, 40]).tests_timeouts
    assert not batch(4, 100, [40, 40, 40, 40]).tests_timeouts


def test_an_empty_batch_takes_no_time() -> None:
    empty = batch(3, 100, [])
    assert empty.bound == 0
    assert empty.urls == []


@pytest.mark.parametrize(
    "requests",
    [[60], [100], ["fail", 10], [["fail"]], [["fail", 10, "SystemExit"]], [True]],
)
def test_an_ambiguous_or_unknown_request_is_refused(requests: list[object]) -> None:
    with pytest.raises(ValueError, match="request 1"):
        batch(2, 100, requests)


def test_an_unknown_aspect_is_refused() -> None:
    with pytest.raises(ValueError, match="aspects"):
        build_check("async-concurrency", {"aspects": ["speed"]})


@pytest.mark.parametrize("attempt", range(3))
def test_a_correct_answer_holds_every_aspect_every_time(
    attempt: int, settings: Settings
) -> None:
    result = run(CORRECT, settings, TESTS + HIDDEN)
    assert result.fraction == 1, [f.message for f in result.findings]
    [held] = of(result, "async.aspects-held")
    assert "6 of 6 aspects held on every batch (3 batches)" in held.message


@pytest.mark.parametrize("attempt", range(2))
def test_sequential_code_loses_the_peak_and_the_time_every_time(
    attempt: int, settings: Settings
) -> None:
    result = run(SEQUENTIAL, settings)
    assert failed(result) == {"peak", "elapsed"}
    [under, *_] = of(result, "async.peak-under")
    assert "at most 1 request(s) were in flight at once; `limit=3`" in under.message
    [slow, *_] = of(result, "async.too-slow")
    assert "with 3 requests in flight at a time they need about 60 ms" in slow.message
    assert under.location is not None
    assert under.location.line == 4  # the def of fetch_all


def test_no_semaphore_runs_too_many_and_too_fast(settings: Settings) -> None:
    result = run(UNBOUNDED, settings)
    assert failed(result) == {"peak", "elapsed"}
    [over, *_] = of(result, "async.peak-over")
    assert (
        "6 requests were in flight at once; `limit=3` allows at most 3" in over.message
    )
    assert of(result, "async.too-fast")


def test_a_taskgroup_without_try_cancels_the_rest(settings: Settings) -> None:
    result = run(TASKGROUP, settings)
    # batch 2 raises, so nothing of it can be judged but the peak and debug mode
    assert failed(result) == {"results", "elapsed", "failures", "timeouts"}
    [escaped] = of(result, "async.failure-escaped")
    assert "raised ExceptionGroup" in escaped.message
    assert "request(s) that would have succeeded were cancelled" in escaped.message


def test_a_coroutine_never_awaited_is_found_at_its_line(settings: Settings) -> None:
    result = run(NEVER_AWAITED, settings)
    assert failed(result) == {"clean"}
    [finding] = of(result, "async.never-awaited")
    assert "`sleep`" in finding.message
    assert finding.location is not None
    assert (
        finding.location.line
        == NEVER_AWAITED.splitlines().index("                asyncio.sleep(0.01)") + 1
    )


def test_no_timeout_is_cut_off_and_later_hangs_are_skipped(settings: Settings) -> None:
    tests = (
        TESTS + '\nBATCHES += [{"limit": 1, "timeout_ms": 50, "requests": ["hang"]}]\n'
    )
    aspects = ["failures", "timeouts", "clean"]
    result = run(NO_TIMEOUT, settings, tests, aspects=aspects)
    assert failed(result, aspects) == {"failures", "timeouts"}
    [cut] = of(result, "async.never-returned")
    assert "batch 2 (mixed: 6 URLs, limit=2, timeout=0.1)" in cut.message
    assert of(result, "async.skipped")


def test_a_timeout_around_the_semaphore_times_out_the_queue(settings: Settings) -> None:
    tests = (
        "%%check fetching\n"
        'BATCHES = [{"limit": 1, "timeout_ms": 100, "requests": [40, 40, 40]}]\n'
    )
    aspects = ["results", "timeouts"]
    result = run(WAIT_COUNTS, settings, tests, aspects=aspects)
    assert failed(result, aspects) == {"timeouts"}
    [early] = of(result, "async.timeout-early")
    assert "answers after 40 ms, within the 100 ms timeout" in early.message


def test_a_plain_function_is_told_to_be_a_coroutine(settings: Settings) -> None:
    result = run(NOT_ASYNC, settings)
    assert result.fraction == pytest.approx(1 / 6)  # clean: debug mode has nothing
    [finding, *_] = of(result, "async.not-coroutine")
    assert "returned a `list`, not something to await" in finding.message


def test_a_hidden_batch_is_named_by_what_it_tries(settings: Settings) -> None:
    result = run(TASKGROUP, settings, TESTS + HIDDEN, aspects=["failures"])
    messages = " ".join(f.message for f in result.findings)
    assert "a hidden batch (secret mix)" in messages
    assert "batch 3" not in messages


def test_without_the_hidden_part_only_public_batches_run(settings: Settings) -> None:
    result = run(CORRECT, settings)
    [held] = of(result, "async.aspects-held")
    assert "(2 batches)" in held.message


def test_material_that_breaks_the_rules_is_the_courses_fault(
    settings: Settings,
) -> None:
    tests = (
        "%%check fetching\n"
        'BATCHES = [{"limit": 2, "timeout_ms": 100, "requests": [70]}]\n'
    )
    result = run(CORRECT, settings, tests)
    assert result.fraction == 0
    [error] = of(result, "checks.error")
    assert "at most half the timeout" in error.message


def test_a_blocking_call_is_a_slow_step_in_real_time(settings: Settings) -> None:
    result = run(BLOCKING, settings, aspects=["elapsed", "clean"])
    assert failed(result, ["elapsed", "clean"]) == {"clean"}  # the clock is virtual
    [slow, *_] = of(result, "async.slow-step")
    assert "a step of the event loop took" in slow.message
