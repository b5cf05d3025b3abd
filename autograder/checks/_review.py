"""Code review as data: comments matched against planted defects.

A review exercise shows a diff with defects planted in it; the learner's
answer defines its review as a list of comments (``COMMENTS`` by default),
each with four fields:

``line``
    The line of the reviewed file (new version) the comment is about, an
    ``int``.
``category``
    What kind of problem it is: one of the exercise's ``categories``.
``body``
    What is wrong, and why it matters.
``suggestion``
    What to do about it: an actionable change, not the body again.

A comment may be any object with those attributes (a ``NamedTuple``, a
dataclass), a mapping with those keys, or a plain 4-tuple in that order.
Both checks import the answer to read the list, so it may be built by code.

``review-comments`` matches the comments against the planted-defect key: a
top-level ``DEFECTS`` list of literal tuples in the graded cell's body, in
its hidden region, each ``(category, line)`` or ``(category, first, last)``
for a defect spanning lines::

    ### BEGIN HIDDEN TESTS
    DEFECTS = [
        ("security", 38, 39),
        ("naming", 55),
    ]
    ### END HIDDEN TESTS

A comment *matches* a defect when their categories are equal and the
comment's line is at most ``tolerance`` lines from the defect's lines. With
``found`` the defects that some comment matches, ``total`` the defects,
``matched`` the comments that match some defect and ``count`` all comments:

- recall = found / total, precision = matched / count;
- the score is ``min(1, found / (total - allowed_misses))`` times
  ``min(1, precision / (precision_target / 100))``.

The feedback counts the defects not found and names the learner's comments
that match nothing, never a defect's line or category. Without ``DEFECTS``
(a learner's self-check) only the form of the comments is judged, and the
feedback says that they are matched at grading.

``review-suggestions`` judges each comment's suggestion: it must not be
empty, must hold at least ``min_words`` words, and must not repeat the body
(their word sequences at least ``similarity`` per cent alike, by
:class:`difflib.SequenceMatcher`). The score is the number of actionable
comments over the number of comments, but never over fewer than
``minimum``: a review of two fine comments does not earn full marks.
"""

from __future__ import annotations

import ast
import difflib
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    TestCode,
    register_check,
)
from autograder.checks._pytest import _import_answer
from autograder.feedback import Finding, Location, make_finding

FIELDS = ("line", "category", "body", "suggestion")
"""The fields of a comment, in the order a plain tuple gives them."""

MAX_LISTED = 6
"""Comments listed one by one before the rest are only counted."""

MAX_SHOWN = 40
"""Characters of a learner's text shown in a message before it is cut."""

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Comment:
    """One review comment, read from the learner's list.

    Attributes:
        index: Its position in the list (0-based).
        line: The line of the reviewed file it is about, or ``None`` when
            it is not an ``int``.
        category: Its category, as given (``""`` when it is not text).
        body: What is wrong.
        suggestion: What to do about it.
        where: Where it is written in the learner's cell.
        problem: What is wrong with its form, if anything.
    """

    index: int
    line: int | None
    category: str
    body: str
    suggestion: str
    where: Location
    problem: str = ""

    @property
    def named(self) -> str:
        """Name the comment in feedback by what the learner wrote."""
        line = "?" if self.line is None else str(self.line)
        category = self.category or "?"
        return f"comment {self.index + 1} (line {line}, `{category}`)"


@dataclass(frozen=True)
class Defect:
    """A planted defect: a category and the lines it spans.

    Attributes:
        category: Its category.
        first: Its first line.
        last: Its last line.
    """

    category: str
    first: int
    last: int

    def matches(self, comment: Comment, tolerance: int) -> bool:
        """Tell whether a comment points at this defect.

        Args:
            comment: The comment.
            tolerance: Lines a comment may be off by.

        Returns:
            True for the right category within ``tolerance`` lines.
        """
        return (
            comment.line is not None
            and comment.category == self.category
            and self.first - tolerance <= comment.line <= self.last + tolerance
        )


class CommentsError(Exception):
    """The answer's comment list cannot be read (a finding, not a crash)."""

    def __init__(self, finding: Finding) -> None:
        """Carry the finding that says why."""
        super().__init__(finding.message)
        self.finding = finding


def _clip(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _element_lines(source: str, name: str) -> tuple[int | None, list[int]]:
    """Find where the list is defined and where each literal item starts.

    Args:
        source: The answer's text.
        name: The list's name.

    Returns:
        The line of the last top-level assignment to ``name`` (or ``None``),
        and the line of each item when that assignment is a list literal.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None, []
    found: tuple[int | None, list[int]] = (None, [])
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if not any(_named(target, name) for target in targets):
            continue
        value = node.value
        items = value.elts if isinstance(value, ast.List | ast.Tuple) else []
        found = (node.lineno, [item.lineno for item in items])
    return found


def _named(target: ast.expr, name: str) -> bool:
    return isinstance(target, ast.Name) and target.id == name


def _field(item: object, index: int, field: str) -> object:
    """Read one field of a comment, whatever shape the comment has."""
    if isinstance(item, Mapping):
        if field not in item:
            raise KeyError(field)
        return item[field]
    if hasattr(item, field):
        return getattr(item, field)
    if isinstance(item, tuple | list) and len(item) == len(FIELDS):
        return item[index]
    raise KeyError(field)


def _comment(item: object, index: int, where: Location) -> Comment:
    """Read one comment, noting what is wrong with its form."""
    values: dict[str, object] = {}
    missing = []
    for position, field in enumerate(FIELDS):
        try:
            values[field] = _field(item, position, field)
        except KeyError:
            missing.append(field)
    if missing:
        return Comment(
            index,
            None,
            "",
            "",
            "",
            where,
            f"it has no {', '.join(f'`{name}`' for name in missing)}",
        )
    line, category = values["line"], values["category"]
    body, suggestion = values["body"], values["suggestion"]
    problems = []
    if not isinstance(line, int) or isinstance(line, bool):
        problems.append(f"its `line` is {type(line).__name__}, not int")
        line = None
    for field, value in (("category", category), ("body", body)):
        if not isinstance(value, str):
            problems.append(f"its `{field}` is {type(value).__name__}, not str")
    if not isinstance(suggestion, str):
        problems.append(f"its `suggestion` is {type(suggestion).__name__}, not str")
    # Plain copies: a subclass of int or str could compare equal to anything.
    return Comment(
        index,
        None if line is None else int.__int__(line),
        _plain(category),
        _plain(body),
        _plain(suggestion),
        where,
        "; ".join(problems),
    )


def _plain(value: object) -> str:
    return str.__str__(value) if isinstance(value, str) else ""


def read_comments(answer: Answer, name: str) -> list[Comment]:
    """Import the answer and read its list of comments.

    Args:
        answer: The learner's answer.
        name: The list's name.

    Returns:
        The comments, in order.

    Raises:
        CommentsError: The module crashed on import, or does not define
            the list, or it is not a list.
    """
    crashed = _import_answer(answer)
    if crashed is not None:
        raise CommentsError(crashed)
    try:
        module = sys.modules[answer.spec.module]
        value = getattr(module, name, None)
    finally:
        sys.modules.pop(answer.spec.module, None)
    defined_at, item_lines = _element_lines(answer.source, name)
    if value is None:
        raise CommentsError(
            make_finding("review.not-defined", answer.at(None), name=name)
        )
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise CommentsError(
            make_finding(
                "review.not-a-list",
                answer.at(defined_at),
                name=name,
                kind=type(value).__name__,
            )
        )
    comments = []
    for index, item in enumerate(value):
        line = item_lines[index] if index < len(item_lines) else defined_at
        comments.append(_comment(item, index, answer.at(line)))
    return comments


def read_defects(tests: TestCode | None, name: str = "DEFECTS") -> list[Defect]:
    """Read the planted-defect key from the graded cell's body.

    Args:
        tests: The graded cell's code, or ``None``.
        name: The key's name.

    Returns:
        The defects (none when the key is absent, as in a self-check).

    Raises:
        ValueError: The key is not a list of literal tuples (a fault of
            the course).
    """
    if tests is None or not tests.source.strip():
        return []
    try:
        tree = ast.parse(tests.source)
    except SyntaxError as error:
        raise ValueError(f"the graded cell does not parse: {error}") from error
    defects: list[Defect] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, listed = node.targets[0], node.value
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
            target, listed = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name) or target.id != name:
            continue
        try:
            items = ast.literal_eval(listed)
        except ValueError as error:
            raise ValueError(f"{name} must be a list of literal tuples") from error
        for item in items:
            defects.append(_defect(name, item))
    return defects


def _defect(name: str, item: object) -> Defect:
    if not (
        isinstance(item, tuple)
        and len(item) in (2, 3)
        and isinstance(item[0], str)
        and all(isinstance(number, int) for number in item[1:])
    ):
        raise ValueError(f"{name}: {item!r} is not (category, line[, last])")
    first: int = item[1]
    last: int = item[-1]
    if last < first:
        raise ValueError(f"{name}: {item!r} ends before it starts")
    return Defect(item[0], first, last)


def _malformed(label: str, error: Exception) -> CheckResult:
    reason = f"its material in the graded cell is malformed: {error}"
    return CheckResult(0.0, (make_finding("checks.error", check=label, reason=reason),))


def _cut(findings: list[Finding]) -> list[Finding]:
    kept = findings[:MAX_LISTED]
    if len(findings) > len(kept):
        kept.append(make_finding("review.more-cut", count=len(findings) - len(kept)))
    return kept


@register_check
class ReviewCommentsCheck(Check):
    """Match the learner's review comments against the planted defects.

    Recall and precision, as this module's docstring states them; the key
    lives in the hidden region of the graded cell.

    Options:
        categories: The category vocabulary (required).
        lines: Lines of the reviewed file (required): a comment's line must
            lie between 1 and this.
        name: The answer's list of comments (default ``COMMENTS``).
        tolerance: Lines a comment may be off by (default 1).
        allowed_misses: Defects a review may miss and still earn full
            marks (default 1).
        precision: Per cent of comments that must match a defect for full
            marks (default 75).
    """

    kind = "review-comments"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.categories = parsed.text_list("categories")
        self.lines = parsed.integer("lines", 0, minimum=1)
        self.name: str = parsed.text("name", "COMMENTS")
        self.tolerance = parsed.integer("tolerance", 1)
        self.allowed_misses = parsed.integer("allowed_misses", 1)
        self.precision = parsed.integer("precision", 75, minimum=1)
        parsed.finish()
        if not self.categories:
            raise ValueError("review-comments option 'categories' lists nothing")
        if self.precision > 100:
            raise ValueError("review-comments option 'precision' must be ≤ 100")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "review comments against the planted defects"

    def run(self, context: CheckContext) -> CheckResult:
        """Read the comments and match them against the key.

        Args:
            context: The answer and the graded cell, which holds the key.

        Returns:
            The share earned, which comments matched nothing, and how many
            defects were not found.
        """
        # The learner's code runs first, before the key is read.
        try:
            comments = read_comments(context.answer, self.name)
        except CommentsError as error:
            return CheckResult(0.0, (error.finding,))
        try:
            defects = read_defects(context.tests)
        except ValueError as error:
            return _malformed(self.label, error)
        unknown = sorted({d.category for d in defects} - set(self.categories))
        if unknown:
            return _malformed(
                self.label, ValueError(f"categories {unknown} are not declared")
            )
        if not comments:
            return CheckResult(
                0.0,
                (make_finding("review.no-comments", context.answer.at(None)),),
            )
        problems = [self._problem(comment) for comment in comments]
        findings = [
            make_finding(
                "review.comment-malformed",
                comment.where,
                comment=comment.named,
                problem=problem,
            )
            for comment, problem in zip(comments, problems, strict=True)
            if problem
        ]
        valid = [
            c for c, problem in zip(comments, problems, strict=True) if not problem
        ]
        if not defects:
            findings.append(
                make_finding(
                    "review.matched-at-grading",
                    count=len(comments),
                    valid=len(valid),
                    tolerance=self.tolerance,
                )
            )
            return CheckResult(len(valid) / len(comments), tuple(_cut(findings)))
        return self._score(comments, valid, defects, findings)

    def _problem(self, comment: Comment) -> str:
        problems = [comment.problem] if comment.problem else []
        if comment.line is not None and not 1 <= comment.line <= self.lines:
            problems.append(
                f"its line {comment.line} is not a line of the file (1 to {self.lines})"
            )
        if comment.category and comment.category not in self.categories:
            allowed = ", ".join(f"`{c}`" for c in self.categories)
            problems.append(
                f"its category `{_clip(comment.category)}` is not one of {allowed}"
            )
        if not comment.problem and not comment.body.strip():
            problems.append("its `body` is empty")
        return "; ".join(problems)

    def _score(
        self,
        comments: list[Comment],
        valid: list[Comment],
        defects: list[Defect],
        findings: list[Finding],
    ) -> CheckResult:
        found = [d for d in defects if any(d.matches(c, self.tolerance) for c in valid)]
        matched = [
            c for c in valid if any(d.matches(c, self.tolerance) for d in defects)
        ]
        unmatched = [c for c in valid if c not in matched]
        findings += [
            make_finding(
                "review.comment-unmatched",
                comment.where,
                comment=comment.named,
                tolerance=self.tolerance,
            )
            for comment in unmatched
        ]
        findings = _cut(findings)
        need = max(1, len(defects) - self.allowed_misses)
        precision = len(matched) / len(comments)
        fraction = min(1.0, len(found) / need) * min(
            1.0, precision * 100 / self.precision
        )
        summary: dict[str, object] = {
            "found": len(found),
            "total": len(defects),
            "missing": len(defects) - len(found),
            "matched": len(matched),
            "count": len(comments),
            "percent": round(precision * 100),
            "need": need,
            "target": self.precision,
        }
        if fraction >= 1.0:
            findings.append(make_finding("review.all-found", None, **summary))
        else:
            findings.insert(0, make_finding("review.summary", None, **summary))
        return CheckResult(fraction, tuple(findings))


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


@register_check
class ReviewSuggestionsCheck(Check):
    """Ask every review comment for an actionable suggestion.

    See this module's docstring for what counts as actionable and how the
    score is computed.

    Options:
        name: The answer's list of comments (default ``COMMENTS``).
        min_words: Words a suggestion needs at least (default 3).
        similarity: Per cent of likeness to the body from which a
            suggestion counts as a copy (default 80).
        minimum: Comments a review needs for full marks (default 5).
    """

    kind = "review-suggestions"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.name: str = parsed.text("name", "COMMENTS")
        self.min_words = parsed.integer("min_words", 3, minimum=1)
        self.similarity = parsed.integer("similarity", 80, minimum=1)
        self.minimum = parsed.integer("minimum", 5, minimum=1)
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "each comment carries a suggestion"

    def run(self, context: CheckContext) -> CheckResult:
        """Judge the suggestion of every comment.

        Args:
            context: The answer.

        Returns:
            The share of actionable comments, and what is wrong with the
            others.
        """
        try:
            comments = read_comments(context.answer, self.name)
        except CommentsError as error:
            return CheckResult(0.0, (error.finding,))
        if not comments:
            return CheckResult(
                0.0,
                (make_finding("review.no-comments", context.answer.at(None)),),
            )
        findings = [
            finding
            for finding in (self._judge(comment) for comment in comments)
            if finding is not None
        ]
        actionable = len(comments) - len(findings)
        findings = _cut(findings)
        if len(comments) < self.minimum:
            findings.append(
                make_finding(
                    "review.too-few",
                    context.answer.at(None),
                    count=len(comments),
                    minimum=self.minimum,
                )
            )
        elif actionable == len(comments):
            findings.append(
                make_finding("review.suggestions-clean", count=len(comments))
            )
        return CheckResult(
            actionable / max(len(comments), self.minimum), tuple(findings)
        )

    def _judge(self, comment: Comment) -> Finding | None:
        named = comment.named
        if comment.problem:
            return make_finding(
                "review.comment-malformed",
                comment.where,
                comment=named,
                problem=comment.problem,
            )
        words = _words(comment.suggestion)
        if not words:
            return make_finding(
                "review.suggestion-missing", comment.where, comment=named
            )
        likeness = difflib.SequenceMatcher(None, words, _words(comment.body)).ratio()
        if likeness * 100 >= self.similarity:
            return make_finding(
                "review.suggestion-copy",
                comment.where,
                comment=named,
                percent=round(likeness * 100),
            )
        if len(words) < self.min_words:
            return make_finding(
                "review.suggestion-vague",
                comment.where,
                comment=named,
                suggestion=_clip(comment.suggestion.strip()),
                words=self.min_words,
            )
        return None
