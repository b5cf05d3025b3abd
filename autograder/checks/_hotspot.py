"""Is the hotspot the learner named the one cProfile finds in the original?

The ``hotspot`` check profiles the exercise's original, slow code with
cProfile, as the learner was asked to, and compares the function with the
most time of its own (pstats' ``tottime``) with the name the learner's
answer gives in a string constant (``HOTSPOT = "customer_totals"``). The
rule is stated, so that the verdict does not depend on reading a table by
eye: the hotspot is the function of the original module that is first by
``tottime`` (``sort = "cumtime"`` ranks by cumulative time instead, leaving
out the entry point, which is always first). Any function within
``close`` of the first (0.8: at least 80 % of its time) counts as well, so
that two nearly equal functions never make the verdict a coin toss.

The name may be written as the function's name (``customer_totals``),
dotted (``report_slow.customer_totals``) or as pstats prints it
(``report_slow.py:42(customer_totals)``); only the function's name counts.

The material comes from the graded cell's body, run as a module (see
:func:`autograder.checks._reference_equivalence.read_material`): the
original code itself, public, and a *workload* function that returns the
arguments of one run, given a round number (0 for the profile)::

    def build_report(customers, orders):
        ...

    def workload(round_number):
        return make_data(seed=round_number)

The answer is read, not run: the constant must be a string literal.
"""

from __future__ import annotations

import ast
import cProfile
import pstats
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import FunctionType
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._reference_equivalence import (
    MaterialError,
    as_arguments,
    course_fault,
    error_text,
    read_material,
)
from autograder.feedback import Finding, make_finding

SORTS = ("tottime", "cumtime")
"""The rules the check knows: own time, or cumulative time."""

_PSTATS_NAME = re.compile(r"\((?P<name>[^()]+)\)\s*$")


@dataclass(frozen=True)
class Original:
    """The original code of the exercise, as the graded cell defines it.

    Attributes:
        function: The original's entry point.
        workload: Returns the arguments of one run, given a round number.
    """

    function: Callable[..., object]
    workload: Callable[[int], object]

    def arguments(self, round_number: int) -> tuple[object, ...]:
        """Build the arguments of one run.

        Args:
            round_number: Which run (0 is the first).

        Returns:
            The positional arguments.

        Raises:
            MaterialError: The workload function failed.
        """
        try:
            return as_arguments(self.workload(round_number))
        except Exception as error:
            reason = f"the workload raised {error_text(error)}"
            raise MaterialError(reason) from error


def read_original(context: CheckContext, original: str, workload: str) -> Original:
    """Find the original function and its workload in the graded cell's body.

    Args:
        context: The check's context (the cell's body is its tests).
        original: Name of the original's entry point in the body.
        workload: Name of the workload function in the body.

    Returns:
        Both functions.

    Raises:
        MaterialError: The body does not run or lacks one of them.
    """
    material = read_material(context.tests, (), context.workdir)
    found = [material.names.get(original), material.names.get(workload)]
    for name, value in zip((original, workload), found, strict=True):
        if not isinstance(value, FunctionType):
            raise MaterialError(f"the cell defines no function {name}")
    function, builder = found
    assert isinstance(function, FunctionType)  # noqa: S101 - checked above
    assert isinstance(builder, FunctionType)  # noqa: S101 - checked above
    return Original(function, builder)


@dataclass(frozen=True)
class Entry:
    """One function of the original in the profile.

    Attributes:
        name: The function's name.
        own: Seconds spent in its own code (``tottime``).
        cumulative: Seconds spent in it and what it called (``cumtime``).
        calls: How many times it was called.
    """

    name: str
    own: float
    cumulative: float
    calls: int


def profile_original(original: Original) -> tuple[list[Entry], float]:
    """Run the original once under cProfile, on the workload of round 0.

    The sandbox's warden lets course code start a profiler (an audit event
    ``sys.setprofile``) only from a function that names ``setprofile``;
    clearing the Python-level profile function first, which cProfile would
    replace anyway, names it.

    Args:
        original: The original code and its workload.

    Returns:
        The functions defined in the original's module, and the run's total
        time in seconds (the entry point's cumulative time).

    Raises:
        MaterialError: The original raised on its own workload.
    """
    arguments = original.arguments(0)
    module_file = original.function.__code__.co_filename
    profiler = cProfile.Profile()
    sys.setprofile(None)
    profiler.enable()
    try:
        original.function(*arguments)
    except Exception as error:
        reason = f"the original raised {error_text(error)} on its workload"
        raise MaterialError(reason) from error
    finally:
        profiler.disable()
    table: dict[tuple[str, int, str], tuple[Any, ...]]
    table = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    entries = [
        Entry(name, row[2], row[3], row[1])
        for (filename, _, name), row in table.items()
        if filename == module_file and not name.startswith("<")
    ]
    entry_name = original.function.__name__
    total = next((e.cumulative for e in entries if e.name == entry_name), 0.0)
    return entries, total


def normal_name(named: str) -> str:
    """Reduce a way of writing a function to its bare name.

    Args:
        named: ``f``, ``module.f``, ``f()`` or pstats' ``file.py:12(f)``.

    Returns:
        ``f``.
    """
    text = named.strip()
    match = _PSTATS_NAME.search(text)
    if match is not None and not text.endswith("()"):
        text = match["name"]
    text = text.removesuffix("()")
    return re.split(r"[.:]", text)[-1].strip()


def _constant(source: str, name: str) -> tuple[str | None, int | None]:
    """Read a top-level string constant: its value and line (last wins)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None, None
    value: str | None = None
    line: int | None = None
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            assigned = getattr(node, "value", None)
            line = node.lineno
            is_text = isinstance(assigned, ast.Constant) and isinstance(
                assigned.value, str
            )
            value = assigned.value if is_text else None  # type: ignore[union-attr]
    return value, line


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f} %" if whole > 0 else "all"


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.0f} ms"


@register_check
class HotspotCheck(Check):
    """Compare the learner's named hotspot with cProfile's verdict.

    All or nothing.

    Options:
        name: The answer's string constant that names the hotspot
            (default ``HOTSPOT``).
        original: The original's entry point in the cell's body (required).
        workload: The body's function that builds the arguments of a run
            (required).
        sort: ``tottime`` (own time, the default) or ``cumtime``.
        close: Functions with at least this share of the first one's time
            count as the hotspot too (default 0.8).
    """

    kind = "hotspot"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.name: str = parsed.text("name", "HOTSPOT")
        self.original: str = parsed.text("original")
        self.workload: str = parsed.text("workload")
        self.sort: str = parsed.text("sort", "tottime")
        self.close = parsed.number("close", 0.8)
        parsed.finish()
        if self.sort not in SORTS:
            raise ValueError(f"{self.kind} option 'sort' must be one of {SORTS}")
        if not 0 < self.close <= 1:
            raise ValueError(f"{self.kind} option 'close' must be in (0, 1]")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"`{self.name}` names the hotspot cProfile finds ({self.sort})"

    def run(self, context: CheckContext) -> CheckResult:
        """Profile the original and compare its hotspot with the named one.

        Args:
            context: The answer and the graded cell's body.

        Returns:
            All or nothing, with what the profile showed.
        """
        answer = context.answer
        named, line = _constant(answer.source, self.name)
        if named is None or not named.strip():
            finding = make_finding(
                "profiling.hotspot-not-text", answer.at(line), name=self.name
            )
            return CheckResult(0.0, (finding,))
        try:
            original = read_original(context, self.original, self.workload)
            context.on_event({"test": f"cProfile on {self.original}"})
            entries, total = profile_original(original)
        except MaterialError as error:
            return course_fault(self.label, str(error))
        entry = self.original
        ranked = sorted(
            (e for e in entries if self.sort == "tottime" or e.name != entry),
            key=lambda e: e.own if self.sort == "tottime" else e.cumulative,
            reverse=True,
        )
        if not ranked:
            return course_fault(self.label, "the profile shows no function")
        finding = self._judge(normal_name(named), ranked, total, entries)
        finding = replace(finding, location=answer.at(line))
        passed = finding.id == "profiling.hotspot-found"
        return CheckResult(1.0 if passed else 0.0, (finding,))

    def _time(self, entry: Entry) -> float:
        return entry.own if self.sort == "tottime" else entry.cumulative

    def _judge(
        self, name: str, ranked: list[Entry], total: float, entries: list[Entry]
    ) -> Finding:
        first = ranked[0]
        by_name = {e.name: e for e in entries}
        known = ", ".join(f"`{e.name}`" for e in sorted(entries, key=lambda e: e.name))
        if name not in by_name:
            return make_finding("profiling.hotspot-unknown", name=name, functions=known)
        chosen = by_name[name]
        fields: dict[str, Any] = {
            "name": name,
            "sort": self.sort,
            "own": _ms(chosen.own),
            "own_share": _share(chosen.own, total),
            "cumulative": _ms(chosen.cumulative),
            "cumulative_share": _share(chosen.cumulative, total),
            "total": _ms(total),
            "calls": f"{chosen.calls} call{'s' * (chosen.calls != 1)}",
        }
        if chosen in ranked and self._time(chosen) >= self.close * self._time(first):
            return make_finding("profiling.hotspot-found", **fields)
        if name == self.original or chosen.cumulative >= self.close * total:
            return make_finding("profiling.hotspot-cumulative", **fields)
        rank = ranked.index(chosen) + 1 if chosen in ranked else len(ranked) + 1
        return make_finding("profiling.hotspot-wrong", rank=rank, **fields)
