"""How many times faster than the original is the learner's version?

The ``speedup`` check times the learner's function and the exercise's
original on the same inputs, in the same process, one after the other: a
*ratio*, not a number of seconds, so that a slow or busy machine slows both
alike. Each round builds a fresh input (the cell's workload, given the
round number, so a cache of earlier results cannot help), runs both
functions on their own copy — the original first in even rounds, the
learner's first in odd ones — and keeps the ratio of the two times; the
verdict is the median of the rounds' ratios. A version whose output differs
from the original's on any round earns nothing: a faster wrong report is
not a faster report.

Points: all of them from ``target`` times faster (default 5), half from
``partial`` (default 2), none below. The steps are coarse on purpose: a
measured ratio wobbles by a few tens of percent from run to run, and a
learner must not gain or lose points by the machine's mood.

The material is the one the ``hotspot`` check reads (the original and a
workload function, see :mod:`autograder.checks._hotspot`). The rounds stop
early, after at least two, once they have taken ``budget`` seconds, so that
a slow version cannot run the cell into its time limit.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._hotspot import Original, read_original
from autograder.checks._pytest import _answer_line
from autograder.checks._reference_equivalence import (
    MaterialError,
    Target,
    course_fault,
    error_text,
    find_target,
    same,
)
from autograder.checks._same_behaviour import contrast
from autograder.feedback import make_finding

MIN_ROUNDS = 2
"""Rounds run even past the budget."""

TINY = 1e-7
"""Seconds below which a time is taken as this, to keep ratios finite."""


class _DiffersError(Exception):
    """The learner's output differs from the original's on a round."""

    def __init__(self, round_number: int, difference: str) -> None:
        super().__init__(difference)
        self.round_number = round_number
        self.difference = difference


class _RaisedError(Exception):
    """The learner's function raised on a round."""

    def __init__(self, round_number: int, error: Exception, line: int | None) -> None:
        super().__init__(error_text(error))
        self.round_number = round_number
        self.error = error
        self.line = line


def _timed(
    function: Callable[..., object], arguments: tuple[object, ...]
) -> tuple[object, float]:
    start = time.perf_counter()
    result = function(*arguments)
    return result, time.perf_counter() - start


def _ratio_text(ratio: float) -> str:
    return f"{ratio:.1f}\N{MULTIPLICATION SIGN}"


@register_check
class SpeedupCheck(Check):
    """Time the learner's function against the original, same inputs, same run.

    Options:
        function: The learner's function (required).
        original: The original's entry point in the cell's body (required).
        workload: The body's function that builds the arguments of a round
            from its number (required).
        rounds: Rounds of one run each (default 5).
        target: Ratio that earns all the points (default 5).
        partial: Ratio that earns half of them (default 2).
        budget: Seconds after which no new round starts, once two have run
            (default 4).
    """

    kind = "speedup"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.function: str = parsed.text("function")
        self.original: str = parsed.text("original")
        self.workload: str = parsed.text("workload")
        self.rounds = parsed.integer("rounds", 5, minimum=MIN_ROUNDS)
        self.target = parsed.number("target", 5.0)
        self.partial = parsed.number("partial", 2.0)
        self.budget = parsed.number("budget", 4.0)
        parsed.finish()
        if not 1 < self.partial <= self.target:
            raise ValueError(f"{self.kind} needs 1 < partial <= target")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return (
            f"`{self.function}` runs at least {self.target:g}"
            "\N{MULTIPLICATION SIGN} faster than the original, same output"
        )

    def run(self, context: CheckContext) -> CheckResult:
        """Time both versions round by round and compare the outputs.

        Args:
            context: The answer and the graded cell's body.

        Returns:
            All, half or none of the points, with the measured ratio.
        """
        try:
            original = read_original(context, self.original, self.workload)
        except MaterialError as error:
            return course_fault(self.label, str(error))
        answer = context.answer
        target = find_target(answer, self.function, self.label)
        if not isinstance(target, Target):
            return CheckResult(0.0, (target,))
        try:
            ratios, times = self._measure(context, original, target)
        except MaterialError as error:
            return course_fault(self.label, str(error))
        except _RaisedError as raised:
            finding = make_finding(
                "profiling.speedup-raised",
                answer.at(raised.line or target.line),
                function=self.function,
                round=raised.round_number + 1,
                error=error_text(raised.error),
            )
            return CheckResult(0.0, (finding,))
        except _DiffersError as differs:
            finding = make_finding(
                "profiling.speedup-output-differs",
                answer.at(target.line),
                function=self.function,
                round=differs.round_number + 1,
                difference=differs.difference,
            )
            return CheckResult(0.0, (finding,))
        ratio = statistics.median(ratios)
        original_time = statistics.median(t for t, _ in times)
        learner_time = statistics.median(t for _, t in times)
        fraction = (
            1.0 if ratio >= self.target else 0.5 if ratio >= self.partial else 0.0
        )
        finding_id = {
            1.0: "profiling.speedup-reached",
            0.5: "profiling.speedup-partial",
            0.0: "profiling.speedup-too-small",
        }[fraction]
        finding = make_finding(
            finding_id,
            None if fraction == 1.0 else answer.at(target.line),
            function=self.function,
            ratio=_ratio_text(ratio),
            rounds=len(ratios),
            original_ms=f"{1000 * original_time:.1f} ms",
            learner_ms=f"{1000 * learner_time:.1f} ms",
            target=f"{self.target:g}\N{MULTIPLICATION SIGN}",
            partial=f"{self.partial:g}\N{MULTIPLICATION SIGN}",
        )
        return CheckResult(fraction, (finding,))

    def _measure(
        self, context: CheckContext, original: Original, target: Target
    ) -> tuple[list[float], list[tuple[float, float]]]:
        """Run the rounds: the ratio of each, and both times of each."""
        ratios: list[float] = []
        times: list[tuple[float, float]] = []
        started = time.perf_counter()
        for number in range(self.rounds):
            if number >= MIN_ROUNDS and time.perf_counter() - started > self.budget:
                break
            context.on_event({"test": f"{self.function}, timed round {number + 1}"})
            if number % 2 == 0:
                expected, slow = self._original(original, number)
                result, fast = self._learner(target, original, number)
            else:
                result, fast = self._learner(target, original, number)
                expected, slow = self._original(original, number)
            if not same(result, expected):
                raise _DiffersError(number, contrast(result, expected))
            ratios.append(slow / max(fast, TINY))
            times.append((slow, fast))
        return ratios, times

    @staticmethod
    def _original(original: Original, number: int) -> tuple[object, float]:
        arguments = original.arguments(number)
        try:
            return _timed(original.function, arguments)
        except Exception as error:
            reason = f"the original raised {error_text(error)} in round {number + 1}"
            raise MaterialError(reason) from error

    @staticmethod
    def _learner(
        target: Target, original: Original, number: int
    ) -> tuple[object, float]:
        arguments = original.arguments(number)
        try:
            return _timed(target.function, arguments)
        except Exception as error:
            line = _answer_line(error.__traceback__, target.path)
            raise _RaisedError(number, error, line) from error
