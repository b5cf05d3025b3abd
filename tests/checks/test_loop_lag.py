"""Does the loop-lag check tell a blocking call moved off the loop from one that is not?

The check runs as the engine runs it, in a forked, limited child. Where the
blocking function ran (the loop's thread or another) decides most verdicts
deterministically; the heartbeat's lag catches what blocks otherwise.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "reports", "your module", ("load",))
OPTIONS = {"function": "load", "blocking": "parse", "block_ms": 200, "lag_ms": 80}

HEADER = """\
import asyncio
import threading
import time


def parse(path):
    time.sleep(5)  # replaced by the check's fake
    return {}

"""

TO_THREAD = (
    HEADER
    + """
async def load(path):
    return await asyncio.to_thread(parse, path)
"""
)

EXECUTOR = (
    HEADER
    + """
async def load(path):
    loop = asyncio.get_running_loop()
    report = await loop.run_in_executor(None, parse, path)
    return report
"""
)

DIRECT = (
    HEADER
    + """
async def load(path):
    return parse(path)
"""
)

CALLED_FIRST = (
    HEADER
    + """
async def load(path):
    return await asyncio.to_thread(parse(path))
"""
)

JOINED = (
    HEADER
    + """
async def load(path):
    found = []
    worker = threading.Thread(target=lambda: found.append(parse(path)))
    worker.start()
    worker.join()
    return found[0]
"""
)

NOT_AWAITED = (
    HEADER
    + """
async def load(path):
    return asyncio.to_thread(parse, path)
"""
)

PLAIN = (
    HEADER
    + """
def load(path):
    return {"INFO": 1}
"""
)

IGNORES = (
    HEADER
    + """
async def load(path):
    return await asyncio.to_thread(parse, "today.log")
"""
)

TESTS = """\
%%check loop
CALLS = [
    ("reports/monday.log",),
]
"""


def run(source: str, settings: Settings, tests: str = TESTS) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("loop-lag", 2, "answer", OPTIONS)},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("loop", tests),
    )
    return run_isolated(job, settings)[0]


def only(result: CheckResult) -> Finding:
    [finding] = result.findings
    return finding


@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.parametrize("source", [TO_THREAD, EXECUTOR], ids=["to_thread", "executor"])
def test_a_worker_thread_keeps_the_loop_running_every_time(
    source: str, attempt: int, settings: Settings
) -> None:
    result = run(source, settings)
    assert result.fraction == 1, [f.message for f in result.findings]
    assert only(result).id == "async.off-loop"


@pytest.mark.parametrize("attempt", range(2))
def test_a_direct_call_blocks_the_loop_every_time(
    attempt: int, settings: Settings
) -> None:
    result = run(DIRECT, settings)
    assert result.fraction == 0
    finding = only(result)
    assert finding.id == "async.blocking-on-loop"
    assert "ran `parse` on the event loop's own thread: for 200 ms" in finding.message
    assert "debug mode logged a step of the loop" in finding.message
    assert finding.location is not None
    assert finding.location.line == 11  # async def load


def test_calling_the_function_inside_to_thread_runs_it_on_the_loop(
    settings: Settings,
) -> None:
    result = run(CALLED_FIRST, settings)
    assert only(result).id == "async.blocking-on-loop"


def test_a_thread_joined_from_the_coroutine_still_stalls_the_loop(
    settings: Settings,
) -> None:
    result = run(JOINED, settings)
    finding = only(result)
    assert finding.id == "async.loop-stalled"
    assert "ran `parse` in another thread, but the event loop still stalled" in (
        finding.message
    )
    assert "best of 3 runs" in finding.message


def test_a_coroutine_returned_unawaited_is_a_wrong_result_and_never_awaited(
    settings: Settings,
) -> None:
    result = run(NOT_AWAITED, settings)
    assert result.fraction == 0
    ids = [finding.id for finding in result.findings]
    assert ids == ["async.blocking-calls", "async.never-awaited"]


def test_a_plain_function_is_told_to_be_a_coroutine(settings: Settings) -> None:
    result = run(PLAIN, settings)
    finding = only(result)
    assert finding.id == "async.lag-not-coroutine"
    assert "returned a `dict`, not something to await" in finding.message


def test_the_path_must_be_passed_on(settings: Settings) -> None:
    result = run(IGNORES, settings)
    finding = only(result)
    assert finding.id == "async.blocking-calls"
    assert "as `parse('reports/monday.log')`" in finding.message


def test_a_lag_allowance_above_the_block_is_refused() -> None:
    with pytest.raises(ValueError, match="lag_ms"):
        build_check("loop-lag", {**OPTIONS, "lag_ms": 300})
