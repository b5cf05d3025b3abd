"""Does the asyncio harness report what debug mode sees, on a clock that skips idling?

These run in the test process: the harness starts event loops of its own and
imports no learner module (the "answer" is a file the tests write).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from autograder.checks import Answer
from autograder.checks._async_harness import VirtualClockLoop, run_debug
from autograder.spec import AnswerSpec

SPEC = AnswerSpec("answer", "helpers", "your module", ())


def answer(tmp_path: Path) -> Answer:
    path = tmp_path / "helpers.py"
    path.write_text("", encoding="utf-8")
    return Answer(SPEC, "", path)


def test_the_virtual_clock_jumps_over_a_long_sleep() -> None:
    async def nap() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(100)
        return loop.time() - start

    started = time.perf_counter()
    with asyncio.Runner(loop_factory=VirtualClockLoop) as runner:
        slept = runner.run(nap())
    assert slept == pytest.approx(100)
    assert time.perf_counter() - started < 5


def test_timers_and_timeouts_keep_their_order_on_the_virtual_clock() -> None:
    async def race() -> tuple[list[str], float]:
        order: list[str] = []

        async def after(delay: float, name: str) -> None:
            await asyncio.sleep(delay)
            order.append(name)

        try:
            async with asyncio.timeout(0.25):
                await asyncio.gather(
                    after(0.3, "late"), after(0.1, "b"), after(0.05, "a")
                )
        except TimeoutError:
            order.append("timeout")
        return order, asyncio.get_running_loop().time()

    with asyncio.Runner(loop_factory=VirtualClockLoop) as runner:
        order, now = runner.run(race())
    assert order == ["a", "b", "timeout"]
    assert now == pytest.approx(0.25)


def test_a_blocking_step_is_measured_in_real_time(tmp_path: Path) -> None:
    async def block() -> None:
        time.sleep(0.15)  # noqa: ASYNC251 - the blocking step under test

    _, diagnostics = run_debug(
        block, answer(tmp_path), slow_callback=0.1, virtual_clock=True
    )
    assert diagnostics.slow_steps
    assert diagnostics.slow_steps[0] >= 0.15


def test_a_wait_for_a_thread_is_no_slow_step(tmp_path: Path) -> None:
    async def in_thread() -> None:
        await asyncio.to_thread(time.sleep, 0.15)

    _, diagnostics = run_debug(
        in_thread, answer(tmp_path), slow_callback=0.1, virtual_clock=True
    )
    assert diagnostics.slow_steps == []


def test_a_coroutine_never_awaited_is_found_at_its_line(tmp_path: Path) -> None:
    helpers = answer(tmp_path)
    helpers.path.write_text(
        "import asyncio\n\n\nasync def forget():\n    asyncio.sleep(1)\n",
        encoding="utf-8",
    )
    namespace: dict[str, object] = {}
    code = compile(helpers.path.read_text(), str(helpers.path), "exec")
    exec(code, namespace)  # noqa: S102 - the test's own module
    forget = namespace["forget"]
    assert callable(forget)

    async def main() -> None:
        await forget()

    _, diagnostics = run_debug(main, helpers, slow_callback=1.0)
    [unawaited] = diagnostics.unawaited
    assert unawaited.name == "sleep"
    assert unawaited.line == 5


def test_a_task_exception_never_retrieved_is_reported(tmp_path: Path) -> None:
    async def crash() -> None:
        raise ValueError("lost")

    async def main() -> None:
        asyncio.get_running_loop().create_task(crash())
        await asyncio.sleep(0.01)

    _, diagnostics = run_debug(main, answer(tmp_path), slow_callback=1.0)
    assert any("never retrieved" in text for text in diagnostics.loop_errors)
    assert not diagnostics.clean
