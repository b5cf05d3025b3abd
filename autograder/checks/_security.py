"""What the security checks share: their material, the learner's module, verdicts.

The security checks (``sql-injection``, ``path-traversal``, ``no-eval``,
``password-hash``) call the learner's functions with hostile input and look
at what happened. Their inputs are data, read from the graded cell's body:
top-level assignments of literal lists, public above the hidden-tests marker
and extended below it::

    PAYLOADS = [
        "admin' --",  # a comment that cuts the query short
    ]
    ### BEGIN HIDDEN TESTS
    PAYLOADS += [
        "' oR 1=1 --",  # mixed case, for filters that look for OR
    ]
    ### END HIDDEN TESTS

Each item is a Python literal. The comment at the end of an item's last line
names the *kind* of attack it belongs to: checks score by kinds (a kind is
defended when every item of it is), and the feedback names a hidden item
only by its kind, never by its text. An item without a comment belongs to
the kind its check gives the list. When the hidden part is absent (a
learner's self-check), only the public items run.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from autograder.checks._base import Answer, CheckResult, TestCode
from autograder.checks._pytest import _import_answer
from autograder.feedback import Finding, make_finding

MAX_SHOWN = 60
"""Characters of a value or an outcome shown in a message before it is cut."""

MAX_LISTED = 6
"""Failures listed one by one before the rest are only counted."""


def short(value: object, limit: int = MAX_SHOWN) -> str:
    """Show a value as ``repr`` does, cut to a readable length.

    Args:
        value: The value.
        limit: Characters kept.

    Returns:
        The text, ending in ``…`` when it was cut.
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """Cut a text to a readable length, as it is (no quotes added).

    Args:
        text: The text.
        limit: Characters kept.

    Returns:
        The text, ending in ``…`` when it was cut.
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Case:
    """One input a security check tries.

    Attributes:
        value: The literal, as written in the material.
        kind: The kind of attack (or of ordinary input) it belongs to.
        hidden: Whether the learner must not see it.
    """

    value: Any
    kind: str
    hidden: bool = False

    def shown(self, noun: str) -> str:
        """Name the case in feedback without revealing a hidden one.

        Args:
            noun: What the case is (``payload``, ``path``...).

        Returns:
            ``the payload `'...'` `` or ``a hidden payload (its kind)``.
        """
        if self.hidden:
            return f"a hidden {noun} ({self.kind})"
        return f"the {noun} `{short(self.value)}`"


def _comments(source: str) -> dict[int, str]:
    """Map each line that ends in a comment to the comment's text."""
    found: dict[int, str] = {}
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("#").strip()
    return found


def read_cases(tests: TestCode | None, kinds: dict[str, str]) -> dict[str, list[Case]]:
    """Read the literal lists a check takes from the graded cell's body.

    Args:
        tests: The graded cell's code, or ``None``.
        kinds: The names of the lists to read, each with the kind its
            uncommented items get.

    Returns:
        The cases of each list, in order (an absent list is empty).

    Raises:
        ValueError: A list is not a literal (a fault of the course).
    """
    found: dict[str, list[Case]] = {name: [] for name in kinds}
    if tests is None or not tests.source.strip():
        return found
    try:
        tree = ast.parse(tests.source)
        comments = _comments(tests.source)
    except (SyntaxError, tokenize.TokenError) as error:
        raise ValueError(f"the graded cell does not parse: {error}") from error
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, listed = node.targets[0], node.value
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
            target, listed = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name) or target.id not in kinds:
            continue
        if not isinstance(listed, ast.List | ast.Tuple):
            raise ValueError(  # noqa: TRY004 - a malformed declaration, not a bad call
                f"{target.id} must be a list of literals"
            )
        for element in listed.elts:
            try:
                value = ast.literal_eval(element)
            except ValueError as error:
                raise ValueError(f"{target.id}: an item is no literal") from error
            line = element.end_lineno or element.lineno
            kind = comments.get(line) or kinds[target.id]
            found[target.id].append(Case(value, kind, tests.is_hidden(element.lineno)))
    return found


def by_kind(cases: Iterable[Case]) -> dict[str, list[Case]]:
    """Group cases by kind, keeping the order in which kinds first appear.

    Args:
        cases: The cases.

    Returns:
        The cases of each kind.
    """
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.kind, []).append(case)
    return groups


def raised(error: BaseException, names: Iterable[str]) -> bool:
    """Tell whether an error is one of the named classes, or a subclass of one.

    Args:
        error: The error raised.
        names: Class names, such as ``ValueError``.

    Returns:
        True when a class in the error's MRO has one of the names.
    """
    wanted = set(names)
    return any(cls.__name__ in wanted for cls in type(error).__mro__)


def describe_error(
    error: BaseException, tidy: Callable[[str], str] | None = None
) -> str:
    """Say which error was raised, briefly.

    Args:
        error: The error.
        tidy: Rewrites the error's message before it is cut (to hide a
            temporary folder, say).

    Returns:
        ``raised ValueError: message``.
    """
    text = str(error)
    text = clip(tidy(text) if tidy else text)
    return f"raised {type(error).__name__}" + (f": {text}" if text else "")


def definition_line(source: str, name: str) -> int | None:
    """Find the line where a top-level function or class is defined.

    Args:
        source: The answer's text.
        name: The function's name.

    Returns:
        The line of its ``def``, or ``None``.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == name
        ):
            return node.lineno
    return None


def load_functions(
    answer: Answer, names: Iterable[str]
) -> tuple[dict[str, Callable[..., Any]], CheckResult | None]:
    """Import the answer afresh and fetch the functions a check calls.

    Args:
        answer: The learner's answer.
        names: The functions to fetch.

    Returns:
        The functions by name, or the result that ends the check (the
        module crashed on import, or a function is missing).
    """
    crashed = _import_answer(answer)
    if crashed is not None:
        return {}, CheckResult(0.0, (crashed,))
    module: ModuleType = sys.modules[answer.spec.module]
    functions: dict[str, Callable[..., Any]] = {}
    missing: list[Finding] = []
    for name in names:
        function = getattr(module, name, None)
        if callable(function):
            functions[name] = function
        else:
            missing.append(
                make_finding("security.not-defined", answer.at(None), name=name)
            )
    if missing:
        return {}, CheckResult(0.0, tuple(missing))
    return functions, None


def forget(answer: Answer) -> None:
    """Drop the answer's module, so that the next check imports it afresh.

    Args:
        answer: The learner's answer.
    """
    sys.modules.pop(answer.spec.module, None)


def malformed(label: str, error: Exception) -> CheckResult:
    """Report material that cannot be read: a fault of the course.

    Args:
        label: The check's label.
        error: What is wrong.

    Returns:
        A zero result with a ``checks.error`` finding.
    """
    reason = f"its material in the graded cell is malformed: {error}"
    return CheckResult(0.0, (make_finding("checks.error", check=label, reason=reason),))


def cut(findings: list[Finding], total: int) -> list[Finding]:
    """Keep the first failures and say how many more there were.

    Args:
        findings: Failure findings, most telling first.
        total: How many failures there were in all.

    Returns:
        At most :data:`MAX_LISTED` findings, plus one that counts the rest.
    """
    kept = findings[:MAX_LISTED]
    if total > len(kept):
        kept.append(make_finding("security.more-cut", count=total - len(kept)))
    return kept
