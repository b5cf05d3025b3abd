r"""A checker of the learner's, run on sample texts: does it report what is there?

The ``line-problems`` check calls one function of the answer, a checker such
as a requirements-file linter, as ``function(text)`` on sample texts and
compares the problems it returns with the expected ones. A problem is any
object with an ``int`` attribute ``line`` (1-based line of the text) and a
``str`` attribute ``kind`` from the declared ``kinds``; other attributes
(a message, say) are the learner's own. Order does not matter; a problem
reported twice counts twice.

The samples are data, read from the graded cell's body as a literal list of
pairs, public above the hidden-tests marker and extended with ``+=`` below
it. A comment after an item's closing line names what the sample is about;
the feedback names a hidden sample only by that::

    FILES = [
        (
            "requests\nPyYAML>=6.0.1,<7\n",
            [(1, "unpinned")],
        ),  # a line with no upper bound
    ]

The score is the share of samples answered exactly: the same ``(line,
kind)`` pairs as expected, no more, no fewer. Each sample should test one
idea, so that a missing idea costs its samples and nothing else. A sample on
which the function raises, or returns something that is not a list of
problems, is answered wrongly; the feedback says what happened, at the line
of the answer where it happened.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._security import (
    MAX_LISTED,
    Case,
    describe_error,
    forget,
    load_functions,
    malformed,
    read_cases,
)
from autograder.checks._singleton_race import answer_line, definition_line
from autograder.feedback import Finding, make_finding

Pair = tuple[int, str]
"""A problem as the check compares it: (line, kind)."""


@dataclass(frozen=True)
class Sample:
    """A text to check and the problems it holds.

    Attributes:
        number: 1-based position among the samples.
        text: The text.
        expected: The problems, as (line, kind) pairs.
        about: What the sample is about.
        hidden: Whether the learner must not see it.
    """

    number: int
    text: str
    expected: tuple[Pair, ...]
    about: str
    hidden: bool

    def shown(self) -> str:
        """Name the sample in feedback without revealing a hidden one."""
        if self.hidden:
            return f"a hidden sample ({self.about})"
        return f"sample {self.number} of FILES ({self.about})"


def _sample(number: int, case: Case, kinds: tuple[str, ...]) -> Sample:
    value = case.value
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)):
        raise ValueError("each of FILES must be a pair (text, expected problems)")
    expected = []
    for pair in value[1]:
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[0], int)
            and pair[1] in kinds
        ):
            raise ValueError(f"FILES {number}: {pair!r} is no (line, known kind)")
        expected.append((pair[0], pair[1]))
    return Sample(number, value[0], tuple(expected), case.kind, case.hidden)


def _pairs(result: object, kinds: tuple[str, ...]) -> list[Pair] | str:
    """Read the learner's problems, or say what is wrong with them."""
    if not isinstance(result, list | tuple):
        return f"returned {type(result).__name__}, not a list of problems"
    pairs: list[Pair] = []
    for item in result:
        line = getattr(item, "line", None)
        kind = getattr(item, "kind", None)
        if not isinstance(line, int) or isinstance(line, bool):
            return f"returned a problem whose `line` is {line!r}, not an int"
        if kind not in kinds:
            return f"returned a problem whose `kind` is {kind!r}, not one of {kinds}"
        pairs.append((line, str(kind)))
    return pairs


def _described(pairs: Counter[Pair]) -> str:
    return ", ".join(
        f"{kind} on line {line}" + (f" (x{count})" if count > 1 else "")
        for (line, kind), count in sorted(pairs.items())
    )


@register_check
class LineProblemsCheck(Check):
    """Call a checker on sample texts; compare the (line, kind) pairs it reports.

    The score is the share of samples answered exactly (see the module's
    docstring).

    Options:
        function: The checker, called as ``function(text)`` (required).
        kinds: The kinds of problem the contract defines (required).
    """

    kind = "line-problems"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.function = parsed.text("function")
        self.kinds = parsed.text_list("kinds")
        parsed.finish()
        if not self.kinds:
            raise ValueError("line-problems option 'kinds' must name a kind")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"`{self.function}` on sample texts"

    def run(self, context: CheckContext) -> CheckResult:
        """Call the checker on every sample and compare what it reports.

        Args:
            context: The answer and the graded cell, which holds the samples.

        Returns:
            The share of samples answered exactly, and what was missed or
            reported wrongly in the others.
        """
        try:
            cases = read_cases(context.tests, {"FILES": "a sample"})["FILES"]
            samples = [
                _sample(number, case, self.kinds)
                for number, case in enumerate(cases, 1)
            ]
        except ValueError as error:
            return malformed(self.label, error)
        if not samples:
            return malformed(self.label, ValueError("FILES lists no sample"))
        answer = context.answer
        functions, stop = load_functions(answer, [self.function])
        if stop is not None:
            return stop
        try:
            failures = [
                finding
                for sample in samples
                if (
                    finding := self._one(
                        functions[self.function], sample, answer, context
                    )
                )
                is not None
            ]
        finally:
            forget(answer)
        right = len(samples) - len(failures)
        findings = failures[:MAX_LISTED]
        if len(failures) > MAX_LISTED:
            findings.append(
                make_finding("security.more-cut", count=len(failures) - MAX_LISTED)
            )
        if not failures:
            findings.append(
                make_finding(
                    "dependencies.checker-right",
                    function=self.function,
                    samples=len(samples),
                )
            )
        elif right:
            findings.append(
                make_finding(
                    "dependencies.checker-score", right=right, total=len(samples)
                )
            )
        return CheckResult(right / len(samples), tuple(findings))

    def _one(
        self,
        function: Callable[..., Any],
        sample: Sample,
        answer: Answer,
        context: CheckContext,
    ) -> Finding | None:
        context.on_event({"test": f"{self.function}: sample {sample.number}"})
        where = answer.at(definition_line(answer.source, self.function))
        try:
            result = function(sample.text)
        except Exception as error:  # noqa: BLE001 - learner code may raise anything
            line = answer_line(error.__traceback__, answer)
            return make_finding(
                "dependencies.checker-crashed",
                answer.at(line) if line else where,
                function=self.function,
                sample=sample.shown(),
                error=describe_error(error),
            )
        pairs = _pairs(result, self.kinds)
        if isinstance(pairs, str):
            return make_finding(
                "dependencies.checker-bad-result",
                where,
                function=self.function,
                sample=sample.shown(),
                outcome=pairs,
            )
        got, expected = Counter(pairs), Counter(sample.expected)
        if got == expected:
            return None
        missed, extra = expected - got, got - expected
        return make_finding(
            "dependencies.checker-wrong",
            where,
            function=self.function,
            sample=sample.shown(),
            missed=_described(missed) or "nothing",
            extra=_described(extra) or "nothing",
        )
