"""Concurrent requests, bounded, each with its own timeout, failures kept apart.

The ``async-concurrency`` check calls the learner's coroutine function as
``function(urls, fetch, limit=..., timeout=...)`` on batches declared in the
graded cell (see :mod:`autograder.checks._async_fetch`), with a fake
``fetch`` that answers by ``asyncio.sleep`` and counts the calls in flight.
Each batch runs in a fresh event loop in asyncio's debug mode (see
:mod:`autograder.checks._async_harness`). The check judges *aspects*, the
ones its declaration lists, each worth an equal share of its points; an
aspect holds when it holds for every batch it applies to:

``results``
    The function returns a list with one item per URL, in order; a URL that
    answered has its body there. Each URL is fetched exactly once.
``peak``
    The most calls in flight at one moment equals ``min(limit, len(urls))``:
    never more (the bound), and no fewer (the concurrency is used).
``elapsed``
    The batch takes about what ``limit`` requests at a time need (the
    makespan of running them in order, each as soon as a slot frees): no
    less than 90 % of it (less means more than ``limit`` ran at once) and
    no more than ``slack_percent`` per cent plus ``slack_ms`` above it. Well
    below what one request at a time takes. The loop runs on a virtual
    clock (see :mod:`autograder.checks._async_harness`) that skips idle
    time, so the time is the schedule's, the same on a busy machine as on
    an idle one, and a batch costs almost no real time.
``failures``
    (batches with a failing request) The function returns rather than
    raises; a failed URL's item is the exception that ``fetch`` raised; no
    other request was cancelled because of it.
``timeouts``
    (batches with a request slower than the timeout, or one that ends more
    than the timeout after the batch started, having waited for a slot) A
    slow URL's item is a ``TimeoutError`` and its call was cancelled; a URL
    that answers within the timeout is not timed out, however long it waited
    for a slot (the timeout counts from the call's start).
``clean``
    Debug mode reports nothing (no coroutine never awaited, no task
    exception never retrieved, no slow step of the loop), and no call is
    still running when the function returns.

A batch the function never finishes is cut off after twice the time one
request at a time would take (plus a quarter second), on the virtual clock;
later batches with a request that hangs are then skipped, as they would be
cut off too.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from autograder.checks._async_fetch import Batch, FakeServer, read_batch
from autograder.checks._async_harness import Dropped, run_debug
from autograder.checks._async_verdicts import ASPECTS, Judge, Observation
from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._security import (
    forget,
    load_functions,
    malformed,
    read_cases,
)


async def _observe(function: Callable[..., Any], batch: Batch) -> Observation:
    server = FakeServer(batch)
    seen = Observation(server)
    loop = asyncio.get_running_loop()
    guard = asyncio.timeout(batch.guard)
    started = loop.time()
    try:
        async with guard:
            returned = function(
                batch.urls, server.fetch, limit=batch.limit, timeout=batch.timeout
            )
            if inspect.isawaitable(returned):
                seen.value = _settled(await returned)
            else:
                seen.not_awaitable = type(returned).__name__
    except (Exception, asyncio.CancelledError) as error:  # noqa: BLE001 - learner code
        seen.error = error
    seen.elapsed = loop.time() - started
    seen.left_running = server.in_flight
    if guard.expired():
        seen.cut_off, seen.error = True, None
    return seen


def _settled(value: object) -> object:
    """Replace coroutines among the returned items by a note about them.

    A coroutine the answer returned unawaited must be dropped while debug
    mode still listens, so that its warning names the line that made it.
    """
    if isinstance(value, list):
        return [Dropped(item) if inspect.iscoroutine(item) else item for item in value]
    if inspect.iscoroutine(value):
        return Dropped(value)
    return value


def _has_hang(batch: Batch) -> bool:
    return any(request.delay is None for request in batch.requests)


@register_check
class AsyncConcurrencyCheck(Check):
    """Judge a bounded, concurrent fetch of many URLs with a fake server.

    Options:
        function: The coroutine function to call (default ``fetch_all``).
        aspects: What to judge, each an equal share of the points: any of
            results, peak, elapsed, failures, timeouts, clean.
        slack_percent: How far above the concurrent bound a batch may end,
            in per cent of it (default 50).
        slack_ms: ... plus this many milliseconds (default 60).
        attempts: Runs of a batch whose only fault was a slow step of the
            loop, in real time (default 3).
        slow_callback_ms: A step of the loop longer than this, in real time,
            is reported (default 200).
    """

    kind = "async-concurrency"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        function: str = parsed.text("function", "fetch_all")  # the package's own
        self.function = function
        self.aspects = parsed.text_list("aspects")
        self.slack = parsed.integer("slack_percent", 50) / 100
        self.slack_ms = parsed.integer("slack_ms", 60) / 1000
        self.attempts = parsed.integer("attempts", 3, minimum=1)
        self.slow_callback = parsed.integer("slow_callback_ms", 200, minimum=1) / 1000
        parsed.finish()
        unknown = sorted(set(self.aspects) - set(ASPECTS))
        if unknown or not self.aspects:
            raise ValueError(
                f"async-concurrency aspects must be among {', '.join(ASPECTS)}"
            )

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"{self.function} under asyncio debug mode ({', '.join(self.aspects)})"

    def upper(self, batch: Batch) -> float:
        """The longest a batch may take, in seconds."""
        return batch.bound * (1 + self.slack) + self.slack_ms

    def run(self, context: CheckContext) -> CheckResult:
        """Run every batch and judge the declared aspects.

        Args:
            context: The answer, the graded cell's batches and settings.

        Returns:
            The share of aspects that held on every batch, and findings.
        """
        answer = context.answer
        try:
            cases = read_cases(context.tests, {"BATCHES": "a batch"})["BATCHES"]
            batches = [read_batch(n, case) for n, case in enumerate(cases, start=1)]
        except ValueError as error:
            return malformed(self.label, error)
        if not batches:
            return malformed(self.label, ValueError("there is no BATCHES list"))
        functions, ended = load_functions(answer, [self.function])
        if ended is not None:
            return ended
        function = functions[self.function]
        judge = Judge(self.aspects, self.upper, self.function, answer)
        hung = False
        for batch in batches:
            if hung and _has_hang(batch):
                judge.skipped(batch)
                continue
            context.on_event({"test": f"{batch.call} on {batch.shown}"})
            seen = self._observe(function, batch, answer, set(judge.failed))
            hung = hung or seen.cut_off
            judge.batch(batch, seen)
        forget(answer)
        return judge.result()

    def _observe(
        self,
        function: Callable[..., Any],
        batch: Batch,
        answer: Answer,
        failed: set[str],
    ) -> Observation:
        first = self._once(function, batch, answer)
        for _ in range(self.attempts - 1):
            if not self._worth_another_run(first, failed):
                break
            _merge(first, self._once(function, batch, answer))
        return first

    def _once(
        self, function: Callable[..., Any], batch: Batch, answer: Answer
    ) -> Observation:
        seen, diagnostics = run_debug(
            lambda: _observe(function, batch),
            answer,
            slow_callback=self.slow_callback,
            virtual_clock=True,
        )
        seen.diagnostics = diagnostics
        return seen

    def _worth_another_run(self, seen: Observation, failed: set[str]) -> bool:
        """Whether a run showed a slow step, which load alone could explain.

        An aspect that an earlier batch failed is not worth another run.
        """
        return (
            "clean" in self.aspects
            and "clean" not in failed
            and bool(seen.diagnostics.slow_steps)
        )


def _merge(first: Observation, again: Observation) -> None:
    """Keep the first run's verdicts, unless a repeat run had no slow step.

    A loaded machine can make a step of the loop take longer in real time,
    never shorter: a step that is slow in one run only was the machine's.
    """
    if not again.diagnostics.slow_steps:
        first.diagnostics.slow_steps = []
