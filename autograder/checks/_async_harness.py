"""Run learner coroutines the way asyncio's debug mode would judge them.

The asyncio checks (``async-concurrency``, ``loop-lag``) drive the learner's
coroutines in a fresh event loop started by ``asyncio.run(..., debug=True)``
and collect what debug mode reports besides the result:

* ``RuntimeWarning: coroutine ... was never awaited`` — caught as a warning
  (every warning is recorded while the loop runs, and the garbage collector
  is run before the loop's record is closed, so a coroutine dropped on the
  floor is reported now, not at some later collection; what existed before
  the run is frozen out of that collection, which keeps it quick). Debug mode tracks
  where each coroutine was created, so the warning names the line of the
  learner's cell that made it.
* what the loop's exception handler logs on the ``asyncio`` logger: ``Task
  exception was never retrieved``, ``Task was destroyed but it is pending``;
* slow callbacks: a step of the loop that ran longer than
  ``loop.slow_callback_duration`` (the step's code blocked the loop).

None of this prints anything: the logger's records are kept for the check
and not passed on.

Timing can run on a *virtual clock* (:class:`VirtualClockLoop`): whenever no
callback is ready and the loop would sleep until its next timer, the clock
jumps to that timer instead. ``asyncio.sleep``, ``asyncio.timeout`` and
``wait_for`` all read the loop's clock, so a batch of requests answered by
``asyncio.sleep`` takes exactly the time its schedule implies, however busy
the machine is, and takes almost no real time. Debug mode's own slow-step
report reads the same clock, so the loop measures the real duration of each
of its iterations itself and reports those that took too long.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import time
import warnings
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from autograder.checks._base import Answer
from autograder.feedback import Finding, make_finding

T = TypeVar("T")

MAX_SHOWN = 160
"""Characters of a loop message shown in feedback before it is cut."""

SLOW_STEP = re.compile(r"^Executing .* took (?P<seconds>[0-9.]+) seconds$", re.S)
"""What debug mode logs for a step of the loop that took too long."""


@dataclass(frozen=True)
class Unawaited:
    """A coroutine that was created and never awaited.

    Attributes:
        name: The coroutine's function name, as the warning gives it.
        line: The line of the learner's cell that created it, if known.
    """

    name: str
    line: int | None


class Dropped:
    """Stands for a coroutine the answer handed back without awaiting it.

    The coroutine itself is let go at once, so that debug mode's "never
    awaited" warning comes while the check still records warnings.

    Args:
        coroutine: The coroutine.
    """

    def __init__(self, coroutine: object) -> None:
        """Remember only the coroutine's name."""
        self.name = getattr(coroutine, "__qualname__", type(coroutine).__name__)

    def __repr__(self) -> str:
        """Show it as the coroutine it was."""
        return f"<coroutine object {self.name} (never awaited)>"


@dataclass
class Diagnostics:
    """What asyncio's debug mode reported while one loop ran.

    Attributes:
        unawaited: Coroutines never awaited.
        loop_errors: Messages of the loop's exception handler.
        slow_steps: Seconds taken by each step of the loop that was too slow.
    """

    unawaited: list[Unawaited] = field(default_factory=list)
    loop_errors: list[str] = field(default_factory=list)
    slow_steps: list[float] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether debug mode reported nothing."""
        return not (self.unawaited or self.loop_errors or self.slow_steps)


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock skips the time it would spend idle.

    Attributes:
        slow_steps: Real seconds taken by each iteration of the loop that
            took at least ``slow_callback_duration`` of real time.
    """

    def __init__(self) -> None:
        """Start the clock at zero."""
        super().__init__()
        self._now = 0.0
        self.slow_steps: list[float] = []

    def time(self) -> float:
        """Read the virtual clock.

        Returns:
            Seconds since the loop was made, skipped idle time included.
        """
        return self._now

    def _run_once(self) -> None:
        """Jump to the next timer when nothing is ready, then run one iteration."""
        ready = bool(self._ready)  # type: ignore[attr-defined]
        timers = [
            handle.when()
            for handle in self._scheduled  # type: ignore[attr-defined]
            if not handle.cancelled()
        ]
        if not ready and timers:
            self._now = max(self._now, min(timers))
        started = time.perf_counter()
        super()._run_once()  # type: ignore[misc]
        took = time.perf_counter() - started
        # Without a ready callback or a timer the loop waited for a thread or
        # a file: that wait is idle time, not a slow step.
        if (ready or timers) and took >= self.slow_callback_duration:
            self.slow_steps.append(took)


class _Recorder(logging.Handler):
    """Keep the ``asyncio`` logger's messages."""

    def __init__(self) -> None:
        """Start with no messages."""
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one message."""
        self.messages.append(record.getMessage())


@contextmanager
def _asyncio_log() -> Iterator[_Recorder]:
    """Catch the ``asyncio`` logger's warnings and errors, passing none on."""
    logger = logging.getLogger("asyncio")
    recorder = _Recorder()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(recorder)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield recorder
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(level)
        logger.propagate = propagate


def _created_at(message: str, path: Path) -> int | None:
    """Find the last line of the learner's module in a coroutine's origin."""
    lines = re.findall(rf'File "{re.escape(str(path))}", line (\d+)', message)
    return int(lines[-1]) if lines else None


def run_debug(
    main: Callable[[], Coroutine[Any, Any, T]],
    answer: Answer,
    *,
    slow_callback: float,
    virtual_clock: bool = False,
) -> tuple[T, Diagnostics]:
    """Run a coroutine in a new event loop in debug mode, recording its reports.

    Args:
        main: Makes the coroutine to run (the check's own, which calls the
            learner's code and catches what it raises).
        answer: The learner's answer, to find lines of its code.
        slow_callback: Seconds a step of the loop may take before debug mode
            reports it as slow.
        virtual_clock: Run on a :class:`VirtualClockLoop`, whose clock skips
            idle time, instead of asyncio's usual loop.

    Returns:
        What the coroutine returned, and what debug mode reported.
    """

    async def configured() -> T:
        asyncio.get_running_loop().slow_callback_duration = slow_callback
        return await main()

    diagnostics = Diagnostics()
    factory = VirtualClockLoop if virtual_clock else None
    gc.freeze()  # the collection below then looks only at what the run made
    try:
        with _asyncio_log() as log, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with asyncio.Runner(debug=True, loop_factory=factory) as runner:
                value = runner.run(configured())
                loop = runner.get_loop()
            gc.collect()
    finally:
        gc.unfreeze()
    if isinstance(loop, VirtualClockLoop):
        diagnostics.slow_steps.extend(loop.slow_steps)
    for warning in caught:
        text = str(warning.message)
        named = re.match(r"coroutine '([^']+)' was never awaited", text)
        if issubclass(warning.category, RuntimeWarning) and named:
            line = _created_at(text, answer.path)
            diagnostics.unawaited.append(Unawaited(named.group(1), line))
    for message in log.messages:
        slow = SLOW_STEP.match(message)
        if slow:
            diagnostics.slow_steps.append(float(slow.group("seconds")))
        else:
            diagnostics.loop_errors.append(message)
    return value, diagnostics


def _clip(text: str) -> str:
    text = text.replace(str(Path.cwd()) + "/", "")
    first = text.splitlines()[0] if text else text
    return first if len(first) <= MAX_SHOWN else first[: MAX_SHOWN - 1] + "…"


def debug_findings(
    diagnostics: Diagnostics, answer: Answer, at: int | None
) -> list[Finding]:
    """Say what debug mode reported, one finding per kind of report.

    Args:
        diagnostics: What was reported.
        answer: The learner's answer.
        at: The line to point at when a report names none (the function's
            definition).

    Returns:
        The findings (none when debug mode was quiet).
    """
    findings: list[Finding] = []
    for unawaited in diagnostics.unawaited[:1]:
        line = unawaited.line or at
        findings.append(
            make_finding(
                "async.never-awaited",
                answer.at(line),
                name=unawaited.name,
            )
        )
    if diagnostics.loop_errors:
        findings.append(
            make_finding(
                "async.loop-error",
                answer.at(at),
                message=_clip(diagnostics.loop_errors[0]),
                count=len(diagnostics.loop_errors),
            )
        )
    if diagnostics.slow_steps:
        findings.append(
            make_finding(
                "async.slow-step",
                answer.at(at),
                ms=round(max(diagnostics.slow_steps) * 1000),
                count=len(diagnostics.slow_steps),
            )
        )
    return findings
