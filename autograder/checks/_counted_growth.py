"""Efficiency by counting, not by clock: operations at n and at 8n.

The ``counted-growth`` check calls one function of the learner's answer on an
input of size n and on one of size ``factor`` times n (8n by default), made
of *instrumented items*: objects that stand for plain values and count every
comparison (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``), every hash and
every other operation (``bool``, ``repr``/``str``/``format``, ``+``/``-``)
done on them. Sorting, ``set``, ``dict``, ``heapq``, ``collections.Counter``,
``in``, ``list.count``, ``min`` and ``max`` all go through those methods, so
the count is the same on every machine and does not depend on its speed.

Linear work grows about 8 times when the input grows 8 times, ``n log n``
work about 11 times, quadratic work 64 times. The check passes when the
growth stays within ``max_ratio`` and the count at the larger size within
``max_operations``. The run at the larger size stops once it passes both the
cap and :data:`REPORT_RATIO` times the first count, so that quadratic code
costs a fraction of a second and is still measured to its 64 times; no run
goes past :data:`CEILING`.

Two kinds of item exist: ``orderable`` items compare, hash and add like the
numbers they stand for; ``hashable`` items only hash and test equality, as a
contract that promises "hashable items" does (sorting them raises
``TypeError``). An item keeps its value out of reach: it holds a key into a
table that only the counting methods read, so reading an attribute does not
get around the count.

The input comes from a *builder*, a function of the graded cell's body named
by the ``builder`` option, called as ``builder(n, item, rng)``: ``n`` is the
size, ``item(value)`` wraps a value in a new instrumented item (wrap ints:
their hashes are the same in every process, so the counts are too) and
``rng`` is a :class:`random.Random` seeded by the check. It returns the
argument tuple. For example::

    def duplicates_input(n, item, rng):
        return ([item(rng.randrange(n // 2)) for _ in range(n)],)

At grading, the results at both sizes are compared with the hidden reference
(the ``reference`` option, as for ``reference-equivalence``): a wrong result
earns no efficiency points. Work that calls no method of an item (copying a
list, arithmetic on counts the function made itself) is not counted.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
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

CEILING = 1_000_000
"""Operations after which any one run is stopped (about a third of a second)."""

REPORT_RATIO = 100
"""The run at the larger size goes on to this multiple of the first count,
so that quadratic growth is measured (64 times), not only detected."""

ITEM_KINDS = ("orderable", "hashable")
"""The instrumented item types a builder can be given."""

_ORDERING: dict[str, Callable[[Any, Any], Any]] = {
    "__lt__": operator.lt,
    "__le__": operator.le,
    "__gt__": operator.gt,
    "__ge__": operator.ge,
}
_ARITHMETIC: dict[str, Callable[..., Any]] = {
    "__add__": operator.add,
    "__sub__": operator.sub,
    "__neg__": operator.neg,
    "__abs__": operator.abs,
}


class OperationLimitReachedError(BaseException):
    """Raised inside the learner's code when a run has counted enough.

    A ``BaseException``, so that ``except Exception`` in the learner's code
    does not swallow it; every further operation raises it again.
    """


@dataclass
class Tally:
    """Operations counted on the items of one run.

    Attributes:
        comparisons: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``.
        hashes: ``hash()``, as ``set``, ``dict`` and ``Counter`` call it.
        other: Anything else done with an item (truth, text, arithmetic).
        total: All of them.
        limit: The total after which the run is stopped.
    """

    comparisons: int = 0
    hashes: int = 0
    other: int = 0
    total: int = 0
    limit: float = CEILING

    @property
    def stopped(self) -> bool:
        """Whether the run went past its limit."""
        return self.total > self.limit

    def kinds(self) -> str:
        """Name the kinds of operation counted, such as ``(12 comparisons)``.

        Returns:
            The text, with a space before it, or ``""`` when nothing counted.
        """
        parts = [
            f"{figure(count)} {name}"
            for name, count in (
                ("comparisons", self.comparisons),
                ("hashes", self.hashes),
                ("other", self.other),
            )
            if count
        ]
        return f" ({', '.join(parts)})" if parts else ""


class Instrumented:
    """A fresh type of counting items, and the tally they share.

    Args:
        kind: ``"orderable"`` (compare, hash, add like numbers) or
            ``"hashable"`` (only hash and ``==``/``!=``).
        limit: Total operations after which every operation raises
            :class:`OperationLimitReachedError`.

    Attributes:
        tally: What the items' methods count.
        item_type: The class of the items.

    Raises:
        ValueError: The kind is unknown.
    """

    def __init__(self, kind: str, limit: float = CEILING) -> None:
        """Make the item class, whose methods count into a new tally."""
        if kind not in ITEM_KINDS:
            raise ValueError(f"unknown item kind {kind!r}; known: {ITEM_KINDS}")
        self.tally = Tally(limit=limit)
        self._values: list[object] = []
        name = "Item" if kind == "orderable" else "HashableItem"

        def init(item: Any, key: int) -> None:
            item._key = key

        self.item_type: type[Any] = type(
            name, (), {"__slots__": ("_key",), "__init__": init}
        )
        methods = self._methods(kind == "orderable")
        methods["__repr__"] = self._other(lambda value: f"{name}({value!r})")
        for method_name, method in methods.items():
            setattr(self.item_type, method_name, method)

    def _methods(self, orderable: bool) -> dict[str, Callable[..., Any]]:
        """The counting methods of the item class."""
        methods = {
            "__eq__": self._comparison(operator.eq),
            "__ne__": self._comparison(operator.ne),
            "__hash__": self._hash(),
            "__bool__": self._other(bool),
            "__str__": self._other(str),
            "__format__": self._other(format),
        }
        if orderable:
            for name, compare in _ORDERING.items():
                methods[name] = self._comparison(compare)
            for name, apply in _ARITHMETIC.items():
                methods[name] = self._other(apply, wrap=True)
            methods["__radd__"] = self._other(lambda v, left: left + v, wrap=True)
            methods["__rsub__"] = self._other(lambda v, left: left - v, wrap=True)
        return methods

    def _comparison(self, compare: Callable[[Any, Any], Any]) -> Callable[..., Any]:
        tally, values, item_type = self.tally, self._values, self.item_type

        def method(item: Any, other: Any) -> Any:
            tally.comparisons += 1
            tally.total += 1
            if tally.total > tally.limit:
                raise OperationLimitReachedError
            if type(other) is item_type:
                other = values[other._key]
            return compare(values[item._key], other)

        return method

    def _hash(self) -> Callable[..., int]:
        tally, values = self.tally, self._values

        def method(item: Any) -> int:
            tally.hashes += 1
            tally.total += 1
            if tally.total > tally.limit:
                raise OperationLimitReachedError
            return hash(values[item._key])

        return method

    def _other(
        self, apply: Callable[..., Any], *, wrap: bool = False
    ) -> Callable[..., Any]:
        tally, values, plain, make = self.tally, self._values, self.value_of, self.item

        def method(item: Any, *more: Any) -> Any:
            tally.other += 1
            tally.total += 1
            if tally.total > tally.limit:
                raise OperationLimitReachedError
            result = apply(values[item._key], *(plain(value) for value in more))
            return make(result) if wrap else result

        return method

    def item(self, value: object) -> object:
        """Wrap a plain value in a new item.

        Args:
            value: The value it stands for.

        Returns:
            The item.
        """
        self._values.append(value)
        return self.item_type(len(self._values) - 1)

    def value_of(self, value: Any) -> Any:
        """Read the plain value of an item (anything else as it is), uncounted.

        Args:
            value: An item, or any other value.

        Returns:
            The value it stands for.
        """
        return self._values[value._key] if type(value) is self.item_type else value

    def unwrap(self, value: object) -> object:
        """Replace every item in a value by its plain value, without counting.

        Lists, tuples, sets, frozensets and dicts are rebuilt; an iterator is
        read into a list (its work, done now, is counted).

        Args:
            value: A value that may hold items.

        Returns:
            The same value made of plain values.
        """
        if type(value) is self.item_type:
            return self.value_of(value)
        if isinstance(value, dict):
            return {self.unwrap(key): self.unwrap(item) for key, item in value.items()}
        for container in (list, tuple, set, frozenset):
            if isinstance(value, container):
                return container(self.unwrap(element) for element in value)
        if isinstance(value, Iterator):
            return [self.unwrap(element) for element in value]
        return value

    def reset(self) -> None:
        """Start counting again from zero."""
        tally = self.tally
        tally.comparisons = tally.hashes = tally.other = tally.total = 0

    def finish(self) -> Tally:
        """Stop limiting the items and keep what was counted so far.

        Returns:
            A copy of the tally, which later use of the items leaves alone.
        """
        counted = replace(self.tally)
        self.tally.limit = math.inf
        return counted


Builder = Callable[[int, Callable[[object], object], random.Random], object]
"""``builder(n, item, rng)``: the argument tuple of a run of size n."""


@dataclass(frozen=True)
class Sizing:
    """How the check builds its inputs.

    Attributes:
        build: The cell's builder.
        kind: The kind of instrumented item.
        seed: Seeds the builder's random numbers.
    """

    build: Builder
    kind: str
    seed: int


@dataclass(frozen=True)
class Run:
    """One call of the learner's function on instrumented input.

    Attributes:
        size: The input's size, n.
        tally: What was counted during the call.
        arguments: The input as plain values.
        result: What the function returned, as plain values.
        error: What it raised, if it did (other than a stop at the limit).
        line: The answer's line where it raised, if there.
    """

    size: int
    tally: Tally
    arguments: tuple[object, ...]
    result: object = None
    error: Exception | None = None
    line: int | None = None


def measure(target: Target, sizing: Sizing, size: int, limit: float) -> Run:
    """Call the learner's function on instrumented input of one size, counting.

    Args:
        target: The learner's function.
        sizing: The builder and the kind of item.
        size: n.
        limit: Operations after which the call is stopped.

    Returns:
        The run.

    Raises:
        MaterialError: The builder failed.
    """
    items = Instrumented(sizing.kind, limit)
    rng = random.Random(sizing.seed + size)  # noqa: S311 - reproducible, not secret
    try:
        arguments = as_arguments(sizing.build(size, items.item, rng))
    except Exception as error:
        reason = f"the builder raised {error_text(error)} at n={size}"
        raise MaterialError(reason) from error
    plain = tuple(items.unwrap(argument) for argument in arguments)
    items.reset()
    result: object = None
    crash: Exception | None = None
    try:
        result = items.unwrap(target.function(*arguments))
    except OperationLimitReachedError:
        pass
    except Exception as error:  # noqa: BLE001 - a crash of learner code is a finding
        crash = error
    tally = items.finish()
    if tally.stopped:
        return Run(size, tally, plain)
    line = _answer_line(crash.__traceback__, target.path) if crash else None
    return Run(size, tally, plain, result, crash, line)


def figure(number: float) -> str:
    """Write a count with thin spaces between thousands: ``79 300``.

    Args:
        number: The count.

    Returns:
        The text.
    """
    return f"{number:,.0f}".replace(",", "\u202f")


def factor_text(ratio: float) -> str:
    """Write a growth factor with a multiplication sign: 8, then 10.7.

    Args:
        ratio: The factor.

    Returns:
        The text: the multiplication sign, then the factor.
    """
    return "×" + f"{ratio:.1f}".removesuffix(".0")  # noqa: RUF001 - the sign


@register_check
class GrowthCheck(Check):
    """Count a function's operations at n and at ``factor`` times n.

    All or nothing: the count must grow at most ``max_ratio`` times, stay
    within ``max_operations`` at the larger size and, at grading, the results
    must be right.

    Options:
        function: The learner's function (required).
        builder: Name of the cell's input builder (required).
        reference: Name of the cell's hidden reference function, to check
            the results at grading (default: results are not checked).
        items: The instrumented item kind, ``orderable`` or ``hashable``
            (default ``orderable``).
        n: The smaller size (default 100).
        factor: The larger size is ``factor`` times n (default 8).
        max_ratio: Growth allowed between the sizes (default 16: n log n
            passes, n^1.5 and quadratic fail).
        max_operations: Operations allowed at the larger size (default 0:
            no cap).
        min_per_item: Operations required per item at each size (default
            0). A function that must look at every item to be right does at
            least one operation on each: fewer means it skipped some, which
            is caught even in a self-check, without the reference.
        seed: Seeds the builder (default 0).
    """

    kind = "counted-growth"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.function: str = parsed.text("function")
        self.builder: str = parsed.text("builder")
        self.reference: str = parsed.text("reference", "")
        self.items: str = parsed.text("items", "orderable")
        self.n = parsed.integer("n", 100, minimum=2)
        self.factor = parsed.integer("factor", 8, minimum=2)
        self.max_ratio = parsed.number("max_ratio", 16)
        self.max_operations = parsed.integer("max_operations", 0, minimum=0)
        self.min_per_item = parsed.number("min_per_item", 0)
        self.seed = parsed.integer("seed", 0)
        parsed.finish()
        if self.items not in ITEM_KINDS:
            raise ValueError(f"{self.kind} option 'items' must be one of {ITEM_KINDS}")
        if self.min_per_item < 0:
            raise ValueError(f"{self.kind} option 'min_per_item' must be ≥ 0")
        if self.max_ratio <= 1:
            raise ValueError(f"{self.kind} option 'max_ratio' must be > 1")
        if self.max_operations > CEILING:
            raise ValueError(f"{self.kind} option 'max_operations' must be ≤ {CEILING}")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        large = self.n * self.factor
        return f"`{self.function}`: operations counted at n={self.n} and n={large}"

    def run(self, context: CheckContext) -> CheckResult:
        """Measure at both sizes, then judge growth, cap and results.

        Args:
            context: The answer and the graded cell's body.

        Returns:
            All or nothing, with the counts.
        """
        try:
            build, reference = self._material(context)
            target = find_target(context.answer, self.function, self.label)
            if isinstance(target, Finding):
                return CheckResult(0.0, (target,))
            sizing = Sizing(build, self.items, self.seed)
            runs = self._measure(context, target, sizing)
        except MaterialError as error:
            return course_fault(self.label, str(error))
        problem = self._problem(context, target, runs, reference)
        if problem is not None:
            return CheckResult(0.0, (problem,))
        small, large = runs
        ratio = large.tally.total / max(small.tally.total, 1)
        cap = f"; at most {figure(self.max_operations)} at n={large.size}"
        finding = make_finding(
            "efficiency.growth-unchecked"
            if reference is None
            else "efficiency.growth-passed",
            function=self.function,
            counts=self._counts(runs),
            ratio=factor_text(ratio),
            allowed=factor_text(self.max_ratio),
            cap=cap if self.max_operations else "",
        )
        return CheckResult(1.0, (finding,))

    def _material(
        self, context: CheckContext
    ) -> tuple[Builder, Callable[..., object] | None]:
        """Read the builder and, at grading, the reference from the cell."""
        secret = (self.reference,) if self.reference else ()
        material = read_material(context.tests, secret, context.workdir)
        build = material.names.get(self.builder)
        reference = material.hidden_value(self.reference) if secret else None
        if not callable(build):
            raise MaterialError(f"{self.builder} must be a function")
        if reference is not None and not callable(reference):
            raise MaterialError(f"{self.reference} must be a function")
        return build, reference

    def _measure(
        self, context: CheckContext, target: Target, sizing: Sizing
    ) -> list[Run]:
        """Run at n, then at factor times n unless the first run failed."""
        runs: list[Run] = []
        limit = CEILING
        for size in (self.n, self.n * self.factor):
            context.on_event({"test": f"{self.function} at n={size}"})
            run = measure(target, sizing, size, limit)
            runs.append(run)
            if run.error is not None or run.tally.stopped:
                break
            enough = max(self.max_operations, REPORT_RATIO * max(run.tally.total, 1))
            limit = min(CEILING, enough)
        return runs

    def _problem(
        self,
        context: CheckContext,
        target: Target,
        runs: list[Run],
        reference: Callable[..., object] | None,
    ) -> Finding | None:
        """The first reason the check fails: a crash, the counts, a wrong result."""
        where = context.answer.at(target.line)
        crash = next((run for run in runs if run.error is not None), None)
        if crash is not None and crash.error is not None:
            return make_finding(
                "efficiency.growth-crashed",
                context.answer.at(crash.line or target.line),
                function=self.function,
                size=crash.size,
                error=error_text(crash.error),
                kind=self.items,
            )
        over = self._over_limits(runs)
        if over is not None:
            return make_finding(over[0], where, function=self.function, **over[1])
        if reference is None:
            return None
        for run in runs:
            try:
                expected = reference(*run.arguments)
            except Exception as error:  # noqa: BLE001 - the course's fault, said so
                reason = f"the reference raised {error_text(error)} at n={run.size}"
                return make_finding("checks.error", check=self.label, reason=reason)
            if not same(run.result, expected):
                return make_finding(
                    "efficiency.growth-wrong-result",
                    where,
                    function=self.function,
                    size=run.size,
                    difference=difference(run.result, expected),
                )
        return None

    def _over_limits(self, runs: list[Run]) -> tuple[str, dict[str, object]] | None:
        """Which limit the counts break, if any, and the finding's fields."""
        small = runs[0]
        large_size = self.n * self.factor
        cap = figure(self.max_operations or CEILING)
        if small.tally.stopped:
            found = f"more than {figure(CEILING)}"
            fields = {"found": found, "size": small.size, "cap": cap}
            return "efficiency.growth-cap", {**fields, "large": large_size}
        large = runs[1]
        for run in runs:
            if run.tally.total < self.min_per_item * run.size:
                return "efficiency.growth-too-little", {
                    "found": figure(run.tally.total),
                    "size": run.size,
                }
        ratio = large.tally.total / max(small.tally.total, 1)
        if large.tally.stopped or ratio > self.max_ratio:
            bound = large.tally.limit / max(small.tally.total, 1)
            grew = f"more than {factor_text(bound)}" if large.tally.stopped else ""
            return "efficiency.growth-ratio", {
                "counts": self._counts(runs),
                "ratio": grew or factor_text(ratio),
                "factor": factor_text(self.factor),
                "allowed": factor_text(self.max_ratio),
            }
        if self.max_operations and large.tally.total > self.max_operations:
            found = figure(large.tally.total)
            fields = {"found": found, "size": large.size, "cap": cap}
            return "efficiency.growth-cap", {**fields, "large": large_size}
        return None

    @staticmethod
    def _counts(runs: list[Run]) -> str:
        small = runs[0]
        text = f"at n={small.size}: {figure(small.tally.total)} operations"
        text += small.tally.kinds()
        if len(runs) > 1:
            large = runs[1]
            if large.tally.stopped:
                limit = figure(large.tally.limit)
                text += f"; at n={large.size}: more than {limit} (stopped there)"
            else:
                text += f"; at n={large.size}: {figure(large.tally.total)}"
                text += large.tally.kinds()
        return text
