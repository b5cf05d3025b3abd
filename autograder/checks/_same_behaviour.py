"""Does the learner's version behave exactly as the original did?

The ``same-behaviour`` check compares a function of the learner's answer with
the exercise's *original* function — the slow or tangled code the learner was
asked to speed up or restructure — on the same inputs: the results must be
equal (``==`` and the same type), and where the original raises, the
learner's version must raise an exception of the same type (messages may
differ). Unlike ``reference-equivalence``, the function compared against is
public: it is the code the learner started from, so the self-check can run
the whole comparison.

The material comes from the graded cell's body, run as a module. Options name
its top-level objects:

- ``original``: the original function;
- ``inputs`` (optional): a hypothesis strategy of argument tuples; the check
  runs it deterministically (see
  :func:`autograder.checks._reference_equivalence.search`) and shrinks a
  disagreement to a small input;
- ``cases`` (optional): lists of argument tuples. Lists in the public part run
  in the self-check too; lists in the hidden region
  (``### BEGIN HIDDEN TESTS``) only at grading, and a self-check says so.

For example::

    from hypothesis import strategies as st

    def shipping_cost(weight, zone):
        ...  # the original

    INPUTS = st.tuples(st.floats(-1, 50), st.sampled_from("ABCX"))
    CASES = [(0.5, "A"), (-1.0, "A")]

Each function gets its own deep copy of every input; a learner's function
that changes its input is judged by what it returns and raises, as the
original is. A text of several lines that differs is shown at the first line
that differs, since whole reports do not fit in a message.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import FunctionType
from typing import Any

from hypothesis.errors import HypothesisException
from hypothesis.strategies import SearchStrategy

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._reference_equivalence import (
    HIDDEN_ORIGIN,
    PUBLIC_ORIGIN,
    SHRUNK_ORIGIN,
    Call,
    Disagreement,
    Material,
    MaterialError,
    Target,
    as_arguments,
    call_learner,
    course_fault,
    error_text,
    find_target,
    read_material,
    same,
    search,
    shown,
    shown_call,
)
from autograder.feedback import Finding, make_finding


@dataclass(frozen=True)
class Outcome:
    """What a call of the original did: returned a value or raised.

    Attributes:
        value: What it returned (``None`` when it raised).
        error: What it raised, if it did.
    """

    value: object = None
    error: BaseException | None = None


def run_original(
    function: Callable[..., object], arguments: tuple[object, ...]
) -> Outcome:
    """Call the original on a private copy of the arguments.

    Args:
        function: The original.
        arguments: The input; not touched.

    Returns:
        What it returned or raised.
    """
    try:
        return Outcome(function(*copy.deepcopy(arguments)))
    except Exception as error:  # noqa: BLE001 - raising is part of its behaviour
        return Outcome(error=error)


def agrees(call: Call, expected: Outcome) -> bool:
    """Tell whether a learner's call behaved as the original did.

    Args:
        call: The learner's call.
        expected: The original's outcome on the same input.

    Returns:
        True for an equal result, or for an exception of the same type.
    """
    if expected.error is not None or call.error is not None:
        return type(call.error) is type(expected.error)
    return same(call.result, expected.value)


def contrast(got: object, expected: object) -> str:
    """Say briefly how a result differs from the original's.

    Texts of several lines are compared line by line and shown at the first
    line that differs; other values are shown whole (cut when long).

    Args:
        got: The learner's result.
        expected: The original's result.

    Returns:
        Text such as ``a text that differs at line 4: '…' where the original
        has '…'``.
    """
    if isinstance(got, str) and isinstance(expected, str) and "\n" in expected:
        mine, theirs = got.splitlines(), expected.splitlines()
        for number, (left, right) in enumerate(zip(mine, theirs, strict=False), 1):
            if left != right:
                return (
                    f"a text that differs at line {number}: {shown(left)}"
                    f" where the original has {shown(right)}"
                )
        if len(mine) != len(theirs):
            return f"a text of {len(mine)} lines where the original has {len(theirs)}"
        return "a text with other line endings than the original's"
    return f"{shown(got)} where the original returned {shown(expected)}"


def behaviour_finding(answer: Answer, target: Target, found: Disagreement) -> Finding:
    """Describe an input on which the learner's function behaves otherwise.

    Args:
        answer: The answer, for the location.
        target: The learner's function.
        found: The call, the original's outcome (as ``expected``) and origin.

    Returns:
        The finding, at the line that raised or at the function's ``def``.
    """
    call = found.call
    expected = found.expected
    assert isinstance(expected, Outcome)  # noqa: S101 - built by this module
    fields = {"call": shown_call(target.name, call.arguments), "origin": found.origin}
    location = answer.at(call.line or target.line)
    if call.error is not None and expected.error is not None:
        return make_finding(
            "behaviour.other-error",
            location,
            error=error_text(call.error),
            expected=error_text(expected.error),
            expected_type=type(expected.error).__name__,
            **fields,
        )
    if call.error is not None:
        return make_finding(
            "behaviour.raised",
            location,
            error=error_text(call.error),
            expected=shown(expected.value),
            **fields,
        )
    if expected.error is not None:
        return make_finding(
            "behaviour.did-not-raise",
            location,
            got=shown(call.result),
            expected=error_text(expected.error),
            expected_type=type(expected.error).__name__,
            **fields,
        )
    return make_finding(
        "behaviour.differs",
        location,
        difference=contrast(call.result, expected.value),
        **fields,
    )


def behaviour_probe(
    target: Target, original: Callable[..., object], origin: str
) -> Callable[[tuple[object, ...]], Disagreement | None]:
    """Build a probe that compares the learner's function with the original.

    Args:
        target: The learner's function.
        original: The original function.
        origin: How the feedback names where inputs come from.

    Returns:
        The probe: a disagreement on one input, or ``None``.
    """

    def probe(arguments: tuple[object, ...]) -> Disagreement | None:
        expected = run_original(original, arguments)
        call = call_learner(target, arguments)
        return None if agrees(call, expected) else Disagreement(call, expected, origin)

    return probe


@dataclass(frozen=True)
class _Plan:
    """What one run of the check uses, read from the cell."""

    original: Callable[..., object]
    strategy: SearchStrategy[Any] | None
    public: list[tuple[object, ...]]
    hidden: list[tuple[object, ...]]
    later: bool


def _cases(value: object, name: str) -> list[tuple[object, ...]]:
    if not isinstance(value, list | tuple):
        raise MaterialError(f"{name} must be a list of argument tuples")
    return [as_arguments(item) for item in value]


def _plan(
    material: Material, original: str, inputs: str, cases: tuple[str, ...]
) -> _Plan:
    function = material.names.get(original)
    if not isinstance(function, FunctionType):
        raise MaterialError(f"the cell defines no function {original}")
    strategy = None
    later = False
    if inputs:
        value = material.names.get(inputs)
        if value is None and not material.grading:
            later = True
        elif not isinstance(value, SearchStrategy):
            raise MaterialError(f"{inputs} must be a hypothesis strategy")
        else:
            strategy = value
    public: list[tuple[object, ...]] = []
    hidden: list[tuple[object, ...]] = []
    for name in cases:
        if name in material.hidden:
            hidden += _cases(material.names[name], name)
        elif name in material.names:
            public += _cases(material.names[name], name)
        else:
            material.hidden_value(name)  # absent: a fault only at grading
            later = True
    return _Plan(function, strategy, public, hidden, later)


@register_check
class SameBehaviourCheck(Check):
    """Compare a function of the answer with the exercise's original.

    Listed cases run first, then (if the cell has a strategy) hypothesis
    looks for an input on which the two differ, then the hidden cases. All
    or nothing: 1 when every call agrees.

    Options:
        function: The learner's function (required).
        original: Name of the cell's original function (required).
        inputs: Name of the cell's strategy of argument tuples (default:
            none, only the cases run).
        cases: Names of the cell's lists of argument tuples (default: none).
        max_examples: Inputs hypothesis generates at most (default 100).
        link: Lesson section the findings point to, ``slug#Heading``
            (default: the catalogue's).
    """

    kind = "same-behaviour"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.function: str = parsed.text("function")
        self.original: str = parsed.text("original")
        self.inputs: str = parsed.text("inputs", "")
        self.cases = parsed.text_list("cases", [])
        self.max_examples = parsed.integer("max_examples", 100, minimum=1)
        self.link = parsed.link()
        parsed.finish()
        names = (self.function, self.original, *self.cases)
        for name in (*names, *([self.inputs] if self.inputs else [])):
            if not name.isidentifier():
                raise ValueError(f"{self.kind}: {name!r} is not a name")
        if not (self.inputs or self.cases):
            raise ValueError(f"{self.kind} needs 'inputs' or 'cases'")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"`{self.function}` behaves as the original"

    def run(self, context: CheckContext) -> CheckResult:
        """Run the cases and the generated inputs through both functions.

        Args:
            context: The answer and the graded cell's body.

        Returns:
            All or nothing, with the first (or smallest) disagreement.
        """
        try:
            material = read_material(context.tests, (), context.workdir)
            plan = _plan(material, self.original, self.inputs, self.cases)
        except MaterialError as error:
            return course_fault(self.label, str(error))
        answer = context.answer
        target = find_target(answer, self.function, self.label)
        if isinstance(target, Finding):
            return CheckResult(0.0, (target,))
        try:
            found = self._compare(context, target, plan)
        except HypothesisException as error:
            finding = make_finding(
                "behaviour.unstable",
                answer.at(target.line),
                function=self.function,
                error=error_text(error),
            )
            return CheckResult(0.0, (self._linked(finding),))
        if found is not None:
            finding = behaviour_finding(answer, target, found)
            return CheckResult(0.0, (self._linked(finding),))
        count = len(plan.public) + len(plan.hidden)
        generated = self.max_examples if plan.strategy is not None else 0
        finding = make_finding(
            "behaviour.at-grading" if plan.later else "behaviour.passed",
            function=self.function,
            cases=f"{count} listed case{'s' * (count != 1)}",
            generated=generated,
        )
        return CheckResult(1.0, (self._linked(finding),))

    def _linked(self, finding: Finding) -> Finding:
        return replace(finding, link=self.link) if self.link else finding

    def _compare(
        self, context: CheckContext, target: Target, plan: _Plan
    ) -> Disagreement | None:
        context.on_event({"test": f"{self.function} on the listed cases"})
        public = behaviour_probe(target, plan.original, PUBLIC_ORIGIN)
        for arguments in plan.public:
            found = public(arguments)
            if found is not None:
                return found
        if plan.strategy is not None:
            context.on_event({"test": f"{self.function} on generated inputs"})
            probe = behaviour_probe(target, plan.original, SHRUNK_ORIGIN)
            storage = context.workdir / ".hypothesis"
            found = search(plan.strategy, self.max_examples, probe, storage)
            if found is not None:
                return found
        hidden = behaviour_probe(target, plan.original, HIDDEN_ORIGIN)
        for arguments in plan.hidden:
            found = hidden(arguments)
            if found is not None:
                return found
        return None
