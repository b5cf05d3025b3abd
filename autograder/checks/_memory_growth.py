"""Bounded memory, measured: tracemalloc's peak at n and at ``factor`` times n.

The ``memory-growth`` check calls one function of the learner's answer on an
input of size n and on one of size ``factor`` times n (4n by default) and
records, with :mod:`tracemalloc`, the peak of memory that Python allocated
during each call. Code that streams — reads one item, folds it into running
totals, lets it go — has the same peak at both sizes; code that keeps the
input (``list(lines)``, ``read()``, every value per key) has a peak that grows
with it. The check passes when the peak at the larger size stays within
``max_growth`` times the peak at n plus a small ``slack_kb`` (allocator noise)
and under ``max_peak_kb`` in absolute terms.

Peaks are measured, not timed: the same code allocates the same on any
machine, busy or not. A first, untraced call on a small input warms up what a
first call allocates once (compiled regular expressions, caches), so that it
does not count against the smaller size.

The input comes from a *builder*, a function of the graded cell's body named
by the ``builder`` option, called as ``builder(n, rng, workdir)``: ``n`` is the
size, ``rng`` a :class:`random.Random` seeded by the check (the same seed
gives the same input), ``workdir`` the scratch folder (for inputs that are
files). It returns the argument tuple; a generator among the arguments makes
the input on the fly, so that the input itself takes no memory. For example::

    def log_lines(n, rng, workdir):
        return ((f"GET /api/{rng.randrange(9)} 200" for _ in range(n)),)

Building happens before tracing starts, so a file the builder writes is not
counted; what a generator allocates while the function pulls from it is, and
is the same at both sizes.

At grading, the results at both sizes are compared with a hidden reference
(the ``reference`` option) called on a fresh input from the same seed, after
both results go through the cell's ``normalise`` function if one is named:
a function that keeps nothing gets no points for keeping nothing.
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._pytest import _answer_line
from autograder.checks._reference_equivalence import (
    MaterialError,
    Target,
    as_arguments,
    course_fault,
    difference,
    error_text,
    find_target,
    read_material,
    same,
)
from autograder.feedback import Finding, make_finding

WARM_UP_DIVISOR = 10
"""The untraced first call runs on ``n // WARM_UP_DIVISOR`` items (at least 1)."""

Builder = Callable[[int, random.Random, Path], object]


@dataclass(frozen=True)
class Peak:
    """One traced call.

    Attributes:
        size: The input's size.
        peak: Bytes at the peak of the call, above what was allocated before.
        result: What the call returned (``None`` when it raised).
        error: What it raised, if it did.
        line: The line of the answer where it raised, if there.
    """

    size: int
    peak: int = 0
    result: object = None
    error: BaseException | None = None
    line: int | None = None


def kilobytes(amount: int) -> str:
    """Show a number of bytes in KB, as people read them.

    Args:
        amount: Bytes.

    Returns:
        Such as ``"6.7 KB"`` or ``"2,135 KB"``.
    """
    value = amount / 1024
    return f"{value:,.1f} KB" if value < 100 else f"{value:,.0f} KB"


def traced_call(function: Callable[..., object], arguments: tuple[object, ...]) -> int:
    """Call a function under tracemalloc and return its peak.

    Args:
        function: What to call.
        arguments: Its arguments.

    Returns:
        Bytes allocated at the peak of the call, above the level at its start.

    Raises:
        BaseException: Whatever the function raises (tracing is stopped first).
    """
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start, _ = tracemalloc.get_traced_memory()
    try:
        function(*arguments)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        if not was_tracing:
            tracemalloc.stop()
    return max(0, peak - start)


@register_check
class MemoryGrowthCheck(Check):
    """Measure a function's peak memory at n and at ``factor`` times n.

    All or nothing: the peak must stay flat, under a bound, and (at grading)
    the results must be right.

    Options:
        function: The learner's function (required).
        builder: Name of the cell's input builder (required).
        reference: Name of the cell's hidden reference function, to check
            the results at grading (default: results are not checked).
        normalise: Name of a cell function applied to both results before
            they are compared (default: compared as they are).
        n: The smaller size (default 1000).
        factor: The larger size is ``factor`` times n (default 4).
        max_growth: The peak at the larger size may be this many times the
            peak at n (default 1.5), plus ``slack_kb``.
        slack_kb: Kilobytes of allocator noise allowed on top (default 32).
        max_peak_kb: Absolute bound on the peak at the larger size, in
            kilobytes (default 1024).
        seed: Seeds the builder (default 0).
    """

    kind = "memory-growth"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.function = parsed.text("function")
        self.builder = parsed.text("builder")
        self.reference = parsed.text("reference", "")
        self.normalise = parsed.text("normalise", "")
        self.n = parsed.integer("n", 1000, minimum=1)
        self.factor = parsed.integer("factor", 4, minimum=2)
        self.max_growth = parsed.number("max_growth", 1.5, minimum=1)
        self.slack_kb = parsed.number("slack_kb", 32, minimum=0)
        self.max_peak_kb = parsed.number("max_peak_kb", 1024, minimum=1)
        self.seed = parsed.integer("seed", 0)
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        large = self.n * self.factor
        return f"`{self.function}`: peak memory at n={self.n} and n={large}"

    def run(self, context: CheckContext) -> CheckResult:
        """Trace both sizes, then judge growth, bound and results.

        Args:
            context: The answer and the graded cell's body.

        Returns:
            All or nothing, with the peaks.
        """
        try:
            material = self._material(context)
            target = find_target(context.answer, self.function, self.label)
            if isinstance(target, Finding):
                return CheckResult(0.0, (target,))
            peaks = self._measure(context, target, material[0])
        except MaterialError as error:
            return course_fault(self.label, str(error))
        problem = self._problem(context, target, peaks, material)
        if problem is not None:
            return CheckResult(0.0, (problem,))
        small, large = peaks
        finding = make_finding(
            "memory.flat-unchecked" if material[1] is None else "memory.flat",
            function=self.function,
            peaks=self._peaks(peaks),
            bound=kilobytes(int(self.max_peak_kb * 1024)),
            growth=f"{large.peak / max(small.peak, 1):.2f}",
        )
        return CheckResult(1.0, (finding,))

    def _material(
        self, context: CheckContext
    ) -> tuple[Builder, Callable[..., object] | None, Callable[[object], object]]:
        """Read the builder, the reference (at grading) and the normaliser."""
        secret = (self.reference,) if self.reference else ()
        material = read_material(context.tests, secret, context.workdir)
        build = material.names.get(self.builder)
        if not callable(build):
            raise MaterialError(f"{self.builder} must be a function")
        reference = material.hidden_value(self.reference) if secret else None
        if reference is not None and not callable(reference):
            raise MaterialError(f"{self.reference} must be a function")
        normalise: Callable[[object], object] = _unchanged
        if self.normalise:
            found = material.names.get(self.normalise)
            if not callable(found):
                raise MaterialError(f"{self.normalise} must be a function")
            normalise = found
        return build, reference, normalise

    def _arguments(
        self, build: Builder, size: int, workdir: Path
    ) -> tuple[object, ...]:
        try:
            rng = random.Random(self.seed)  # noqa: S311 - test data, not secrets
            return as_arguments(build(size, rng, workdir))
        except Exception as error:
            reason = f"{self.builder} raised {error_text(error)} at n={size}"
            raise MaterialError(reason) from error

    def _measure(
        self, context: CheckContext, target: Target, build: Builder
    ) -> list[Peak]:
        """Warm up untraced, then trace n and factor times n."""
        warm = max(1, self.n // WARM_UP_DIVISOR)
        peaks: list[Peak] = []
        for size in (warm, self.n, self.n * self.factor):
            context.on_event({"test": f"{self.function} at n={size}"})
            arguments = self._arguments(build, size, context.workdir)
            peak = self._traced(target, arguments, size, trace=size != warm)
            if size != warm or peak.error is not None:
                peaks.append(peak)
            if peak.error is not None:
                break
        return peaks

    @staticmethod
    def _traced(
        target: Target, arguments: tuple[object, ...], size: int, *, trace: bool
    ) -> Peak:
        result: list[object] = []

        def call(*given: object) -> None:
            result.append(target.function(*given))

        try:
            if trace:
                peak = traced_call(call, arguments)
            else:
                call(*arguments)
                peak = 0
        except Exception as error:  # noqa: BLE001 - a crash of learner code is a finding
            line = _answer_line(error.__traceback__, target.path)
            return Peak(size, error=error, line=line)
        return Peak(size, peak, result[0])

    def _problem(
        self,
        context: CheckContext,
        target: Target,
        peaks: list[Peak],
        material: tuple[
            Builder, Callable[..., object] | None, Callable[[object], object]
        ],
    ) -> Finding | None:
        """The first reason the check fails: a crash, the peaks, a wrong result."""
        where = context.answer.at(target.line)
        crash = next((peak for peak in peaks if peak.error is not None), None)
        if crash is not None and crash.error is not None:
            return make_finding(
                "memory.crashed",
                context.answer.at(crash.line or target.line),
                function=self.function,
                size=crash.size,
                error=error_text(crash.error),
            )
        small, large = peaks
        allowed = small.peak * self.max_growth + self.slack_kb * 1024
        if large.peak > allowed:
            return make_finding(
                "memory.grows",
                where,
                function=self.function,
                peaks=self._peaks(peaks),
                factor=self.factor,
                growth=f"{large.peak / max(small.peak, 1):.1f}",
                allowed=f"{self.max_growth:g}",
                slack=kilobytes(int(self.slack_kb * 1024)),
            )
        if large.peak > self.max_peak_kb * 1024:
            return make_finding(
                "memory.too-much",
                where,
                function=self.function,
                peaks=self._peaks(peaks),
                bound=kilobytes(int(self.max_peak_kb * 1024)),
                size=large.size,
            )
        return self._wrong_result(context, peaks, material)

    def _wrong_result(
        self,
        context: CheckContext,
        peaks: list[Peak],
        material: tuple[
            Builder, Callable[..., object] | None, Callable[[object], object]
        ],
    ) -> Finding | None:
        build, reference, normalise = material
        if reference is None:
            return None
        for peak in peaks:
            arguments = self._arguments(build, peak.size, context.workdir)
            try:
                expected = normalise(reference(*arguments))
            except Exception as error:  # noqa: BLE001 - the course's fault, said so
                reason = f"the reference raised {error_text(error)} at n={peak.size}"
                return make_finding("checks.error", check=self.label, reason=reason)
            try:
                got = normalise(peak.result)
            except Exception as error:  # noqa: BLE001 - a result of the wrong shape
                text = f"its result could not be read: {error_text(error)}"
                return self._wrong(context, peak.size, text)
            if not same(got, expected):
                return self._wrong(context, peak.size, difference(got, expected))
        return None

    def _wrong(self, context: CheckContext, size: int, text: str) -> Finding:
        return make_finding(
            "memory.wrong-result",
            context.answer.at(None),
            function=self.function,
            size=size,
            difference=text,
        )

    def _peaks(self, peaks: list[Peak]) -> str:
        return "; ".join(f"at n={p.size}: {kilobytes(p.peak)}" for p in peaks)


def _unchanged(value: object) -> object:
    return value
