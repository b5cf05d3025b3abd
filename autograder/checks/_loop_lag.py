"""A blocking call moved off the event loop: the loop keeps running meanwhile.

Some work has no ``async`` version: a legacy parser, a file read by a library
that only knows ``open``, a CPU-heavy step. Called from a coroutine it
freezes the event loop — every other task waits until it returns. The fix is
to run it in a worker thread (``asyncio.to_thread``, or
``loop.run_in_executor``) and await the result.

The ``loop-lag`` check calls the learner's coroutine function with the
arguments of each item of ``CALLS``, a literal list in the graded cell (see
:mod:`autograder.checks._security` for the format; one tuple of positional
arguments per item). Meanwhile:

1. The module's blocking function (option ``blocking``) is replaced by a fake
   that sleeps ``block_ms`` with ``time.sleep`` — which blocks whatever
   thread it runs on — notes the thread it runs on and returns a fresh
   object, which the coroutine must hand back (equal to it).
2. A heartbeat task ticks every 5 ms on the loop, in asyncio's debug mode
   (see :mod:`autograder.checks._async_harness`), and the largest delay of a
   tick is the loop's *lag*.

A call passes when the fake was called once with the same arguments, ran on
a thread other than the loop's, the coroutine returned its result, debug
mode reported no coroutine never awaited and no lost task exception, and the
lag stayed under ``lag_ms``. The thread is a deterministic verdict; the lag,
which a loaded machine can only make worse, is measured again (up to
``attempts`` runs) when only it failed. All or nothing: every call must pass.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autograder.checks._async_harness import (
    Diagnostics,
    Dropped,
    debug_findings,
    run_debug,
)
from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._security import (
    clip,
    definition_line,
    forget,
    load_functions,
    malformed,
    read_cases,
    short,
)
from autograder.checks._singleton_race import answer_line
from autograder.feedback import Finding, make_finding

TICK = 0.005
"""Seconds between two beats of the heartbeat."""

GUARD_EXTRA = 2.0
"""Seconds past the blocking time before a call counts as stuck."""


@dataclass
class FakeBlocking:
    """Stands in for the module's blocking function, and watches how it is run.

    Attributes:
        seconds: How long each call blocks its thread.
        loop_thread: Ident of the event loop's thread.
        calls: Arguments of each call.
        on_loop: How many calls ran on the event loop's thread.
        results: The object each call returned.
    """

    seconds: float
    loop_thread: int
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = field(
        default_factory=list
    )
    on_loop: int = 0
    results: list[dict[str, int]] = field(default_factory=list)

    def __call__(self, *args: object, **kwargs: object) -> dict[str, int]:
        """Block for a while like the real function, then return a new result."""
        self.calls.append((args, kwargs))
        if threading.get_ident() == self.loop_thread:
            self.on_loop += 1
        time.sleep(self.seconds)
        result = {"INFO": 3, "WARNING": 1, "ERROR": len(self.calls)}
        self.results.append(result)
        return result


@dataclass
class LagRun:
    """One run of the learner's coroutine with the heartbeat beside it.

    Attributes:
        fake: The fake blocking function, with its record.
        value: What the coroutine returned.
        error: What it raised.
        not_awaitable: Type of what the function returned, when no awaitable.
        stuck: Whether it was cut off.
        lag: The longest delay of a heartbeat tick, in seconds.
        diagnostics: What debug mode reported.
    """

    fake: FakeBlocking
    value: object = None
    error: BaseException | None = None
    not_awaitable: str | None = None
    stuck: bool = False
    lag: float = 0.0
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


async def _heartbeat(stop: asyncio.Event, lags: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(TICK)
        lags.append(loop.time() - before - TICK)


async def _run(
    function: Callable[..., Any],
    args: tuple[object, ...],
    install: Callable[[FakeBlocking], None],
    seconds: float,
) -> LagRun:
    fake = FakeBlocking(seconds, threading.get_ident())
    install(fake)
    seen = LagRun(fake)
    stop, lags = asyncio.Event(), [0.0]
    beating = asyncio.create_task(_heartbeat(stop, lags))
    await asyncio.sleep(0)  # the heartbeat is waiting on its first tick now
    guard = asyncio.timeout(seconds + GUARD_EXTRA)
    try:
        async with guard:
            returned = function(*args)
            if inspect.isawaitable(returned):
                value = await returned
                seen.value = Dropped(value) if inspect.iscoroutine(value) else value
            else:
                seen.not_awaitable = type(returned).__name__
    except (Exception, asyncio.CancelledError) as error:  # noqa: BLE001 - learner code
        seen.error = error
    seen.stuck = guard.expired()
    stop.set()
    await beating
    seen.lag = max(lags)
    return seen


@register_check
class LoopLagCheck(Check):
    """Check that a coroutine runs a blocking function without freezing the loop.

    Options:
        function: The coroutine function to call.
        blocking: The module-level blocking function it must run off the
            loop (replaced by a fake while the check runs).
        block_ms: How long the fake blocks (default 300).
        lag_ms: The longest the loop may stall meanwhile (default 100).
        attempts: Runs of a call whose only fault was the lag (default 3).
    """

    kind = "loop-lag"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        function: str = parsed.text("function")  # the package's own
        blocking: str = parsed.text("blocking")
        self.function, self.blocking = function, blocking
        self.seconds = parsed.integer("block_ms", 300, minimum=10) / 1000
        self.lag = parsed.integer("lag_ms", 100, minimum=1) / 1000
        self.attempts = parsed.integer("attempts", 3, minimum=1)
        parsed.finish()
        if self.lag >= self.seconds:
            raise ValueError("loop-lag option lag_ms must be below block_ms")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"{self.function} keeps the event loop running (asyncio debug mode)"

    def run(self, context: CheckContext) -> CheckResult:
        """Call the coroutine function with each declared argument list.

        Args:
            context: The answer, the graded cell's calls and settings.

        Returns:
            Full marks when every call ran the blocking function off the loop.
        """
        answer = context.answer
        try:
            cases = read_cases(context.tests, {"CALLS": "a call"})["CALLS"]
        except ValueError as error:
            return malformed(self.label, error)
        calls = [c.value if isinstance(c.value, tuple) else (c.value,) for c in cases]
        if not calls:
            return malformed(self.label, ValueError("there is no CALLS list"))
        functions, ended = load_functions(answer, [self.function])
        if ended is not None:
            return ended
        module = sys.modules[answer.spec.module]
        original = getattr(module, self.blocking, None)

        def install(fake: FakeBlocking) -> None:
            setattr(module, self.blocking, fake)

        try:
            for args in calls:
                call = f"{self.function}({', '.join(short(a) for a in args)})"
                context.on_event({"test": call})
                problems = self._judge(
                    answer, functions[self.function], args, install, call
                )
                if problems:
                    return CheckResult(0.0, tuple(problems))
        finally:
            setattr(module, self.blocking, original)
            forget(answer)
        finding = make_finding(
            "async.off-loop",
            blocking=self.blocking,
            function=self.function,
            ms=round(self.seconds * 1000),
            lag=round(self.lag * 1000),
            count=len(calls),
        )
        return CheckResult(1.0, (finding,))

    def _judge(
        self,
        answer: Answer,
        function: Callable[..., Any],
        args: tuple[object, ...],
        install: Callable[[FakeBlocking], None],
        call: str,
    ) -> list[Finding]:
        """Run one call, again while only the lag failed; say what went wrong."""
        lags: list[float] = []
        for _ in range(self.attempts):
            seen, diagnostics = run_debug(
                lambda: _run(function, args, install, self.seconds),
                answer,
                slow_callback=self.lag,
            )
            seen.diagnostics = diagnostics
            problems = self._problems(answer, seen, args, call)
            if problems:
                return problems
            if seen.lag <= self.lag:
                return []
            lags.append(seen.lag)
        return [self._stalled(answer, min(lags), call)]

    def _problems(
        self, answer: Answer, seen: LagRun, args: tuple[object, ...], call: str
    ) -> list[Finding]:
        """Everything but the lag alone that makes the call fail."""
        at = answer.at(definition_line(answer.source, self.function))
        fields = {"call": call, "blocking": self.blocking}
        fake = seen.fake
        if fake.on_loop:
            return [self._on_loop(answer, seen, call)]
        if seen.stuck:
            seconds = f"{self.seconds + GUARD_EXTRA:.1f}"
            return [make_finding("async.lag-stuck", at, seconds=seconds, **fields)]
        if seen.not_awaitable is not None:
            found = seen.not_awaitable
            return [make_finding("async.lag-not-coroutine", at, found=found, **fields)]
        if seen.error is not None:
            error = seen.error
            line = answer_line(error.__traceback__, answer)
            text = clip(f"{type(error).__name__}: {error}", 100)
            where = answer.at(line) if line else at
            return [make_finding("async.lag-crashed", where, error=text, **fields)]
        problems: list[Finding] = []
        if [(tuple(a), k) for a, k in fake.calls] != [(args, {})]:
            problems.append(
                make_finding(
                    "async.blocking-calls",
                    at,
                    count=len(fake.calls),
                    args=", ".join(short(a) for a in args),
                    **fields,
                )
            )
        elif seen.value is not fake.results[0] and seen.value != fake.results[0]:
            problems.append(
                make_finding(
                    "async.lag-wrong-return",
                    at,
                    got=short(seen.value),
                    expected=short(fake.results[0]),
                    **fields,
                )
            )
        diagnostics = Diagnostics(
            seen.diagnostics.unawaited, seen.diagnostics.loop_errors
        )
        problems.extend(debug_findings(diagnostics, answer, at.line))
        return problems

    def _on_loop(self, answer: Answer, seen: LagRun, call: str) -> Finding:
        steps = seen.diagnostics.slow_steps
        logged = (
            f"; debug mode logged a step of the loop that took "
            f"{round(max(steps) * 1000)} ms"
            if steps
            else ""
        )
        return make_finding(
            "async.blocking-on-loop",
            answer.at(definition_line(answer.source, self.function)),
            call=call,
            blocking=self.blocking,
            ms=round(self.seconds * 1000),
            lag=round(seen.lag * 1000),
            logged=logged,
        )

    def _stalled(self, answer: Answer, lag: float, call: str) -> Finding:
        return make_finding(
            "async.loop-stalled",
            answer.at(definition_line(answer.source, self.function)),
            call=call,
            blocking=self.blocking,
            lag=round(lag * 1000),
            allowed=round(self.lag * 1000),
            attempts=self.attempts,
        )
