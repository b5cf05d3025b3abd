"""The learner's plan for a scratch repository: ignore rules and commits.

The version-control exercise's answer is data: ``GITIGNORE``, the text of a
``.gitignore``, and ``COMMITS``, a list of commits, each with ``changes``
(paths to stage, or ``path#N`` for hunk N of a file that mixes concerns) and
``message``. The graders read it from the answer's *text* with
:func:`read_plan`, never by running the cell, so that grading is the same in
every sandbox (no learner code runs at all); the learner's notebook takes it
from the kernel's values with :func:`plan_from_values`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ENTRY = re.compile(r"^(?P<path>.+)#(?P<hunk>\d+)$")
"""A change that names one hunk of a file: ``path#N``."""


@dataclass(frozen=True)
class PlannedCommit:
    """One commit the learner plans.

    Attributes:
        changes: What it stages: paths, or ``path#N`` for hunk N of a file.
        message: Its full message.
        line: The line of the answer that starts it, if known.
    """

    changes: tuple[str, ...]
    message: str
    line: int | None = None


@dataclass(frozen=True)
class Plan:
    """The learner's answer: ignore rules and commits.

    Attributes:
        gitignore: The ``.gitignore`` text (``None`` when not given as text).
        commits: The commits, in order.
        problems: What could not be read, as ``(line, what)``.
        gitignore_line: Where ``GITIGNORE`` is set, if known.
    """

    gitignore: str | None
    commits: tuple[PlannedCommit, ...]
    problems: tuple[tuple[int | None, str], ...] = ()
    gitignore_line: int | None = None


class _Unreadable(Exception):  # noqa: N818 - internal signal, never raised out
    """A value the reader cannot work out without running code."""

    def __init__(self, node: ast.AST, what: str) -> None:
        self.line = getattr(node, "lineno", None)
        self.what = what
        super().__init__(what)


@dataclass
class _Reader:
    """Work out values from the answer's text, without running it."""

    known: dict[str, Any] = field(default_factory=dict)

    def value(self, node: ast.expr) -> Any:
        """Evaluate literals, names set above, ``+``, ``str.join`` and records."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return [self.value(item) for item in node.elts]
        if isinstance(node, ast.Dict):
            if any(key is None for key in node.keys):
                raise _Unreadable(node, "`**` inside a dict")
            return {
                self.value(key): self.value(value)  # type: ignore[arg-type]
                for key, value in zip(node.keys, node.values, strict=True)
            }
        if isinstance(node, ast.Name):
            if node.id not in self.known:
                raise _Unreadable(
                    node, f"the name `{node.id}`, not set above as a value"
                )
            return self.known[node.id]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left), self.value(node.right)
            if type(left) is type(right) and isinstance(left, str | list):
                return left + right
            raise _Unreadable(node, "`+` between values that are not both texts")
        if isinstance(node, ast.Call):
            return self._call(node)
        raise _Unreadable(node, f"the expression `{_cut(ast.unparse(node))}`")

    def _call(self, node: ast.Call) -> Any:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "join"
            and len(node.args) == 1
            and not node.keywords
        ):
            separator, items = self.value(func.value), self.value(node.args[0])
            if isinstance(separator, str) and all(isinstance(i, str) for i in items):
                return separator.join(items)
        if (
            isinstance(func, ast.Name)
            and not node.args
            and all(keyword.arg is not None for keyword in node.keywords)
        ):
            # dict(changes=..., message=...) or a record class of the learner's
            return {keyword.arg: self.value(keyword.value) for keyword in node.keywords}
        if isinstance(func, ast.Name) and len(node.args) == 2 and not node.keywords:
            # Commit(changes, message): a record with positional fields
            changes, message = (self.value(arg) for arg in node.args)
            return {"changes": changes, "message": message}
        raise _Unreadable(node, f"the call `{_cut(ast.unparse(node))}`")


def _cut(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _commit(raw: Any, line: int | None) -> tuple[PlannedCommit | None, str | None]:
    """Turn one item of ``COMMITS`` into a commit, or say what is wrong."""
    if isinstance(raw, Mapping):
        changes, message = raw.get("changes"), raw.get("message")
    else:
        changes = getattr(raw, "changes", None)
        message = getattr(raw, "message", None)
    if isinstance(changes, str):
        changes = [changes]
    if not isinstance(changes, list | tuple) or not all(
        isinstance(item, str) for item in changes
    ):
        return None, "its `changes` is not a list of paths"
    if not isinstance(message, str):
        return None, "its `message` is not a text"
    return PlannedCommit(tuple(changes), message, line), None


@dataclass
class _Assigned:
    """The answer's top-level assignments, worked out in order."""

    reader: _Reader = field(default_factory=_Reader)
    lines: dict[str, int] = field(default_factory=dict)
    nodes: dict[str, ast.expr] = field(default_factory=dict)
    failed: dict[str, _Unreadable] = field(default_factory=dict)

    def follow(self, tree: ast.Module) -> None:
        for statement in tree.body:
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    self._assign(target.id, value, statement.lineno)

    def _assign(self, name: str, value: ast.expr, line: int) -> None:
        self.lines[name], self.nodes[name] = line, value
        try:
            self.reader.known[name] = self.reader.value(value)
            self.failed.pop(name, None)
        except _Unreadable as error:
            self.reader.known.pop(name, None)
            self.failed[name] = error

    def commits(
        self, name: str, problems: list[tuple[int | None, str]]
    ) -> list[PlannedCommit]:
        raw_commits = self.reader.known.get(name)
        if name not in self.reader.known:
            return []
        if not isinstance(raw_commits, list):
            problems.append((self.lines.get(name), f"`{name}` is not a list"))
            return []
        node = self.nodes[name]
        elements = node.elts if isinstance(node, ast.List | ast.Tuple) else []
        planned: list[PlannedCommit] = []
        for index, raw in enumerate(raw_commits):
            line = elements[index].lineno if index < len(elements) else self.lines[name]
            commit, wrong = _commit(raw, line)
            if commit is None:
                problems.append((line, f"commit {index + 1} of `{name}`: {wrong}"))
            else:
                planned.append(commit)
        return planned


def read_plan(
    source: str, gitignore: str = "GITIGNORE", commits: str = "COMMITS"
) -> Plan:
    """Read the plan from the answer's text, without running it.

    Top-level assignments are followed in order, so a value may use names
    set above it. Values may be literals, ``+`` between texts or lists,
    ``"sep".join([...])``, ``dict(key=...)``, and calls of a record class
    with keyword arguments (``Commit(changes=[...], message="...")``) or two
    positional ones (changes, then message).

    Args:
        source: The answer's text.
        gitignore: Name of the ignore rules' text.
        commits: Name of the list of commits.

    Returns:
        The plan; what could not be read is in its ``problems``.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return Plan(None, (), ((error.lineno, "it does not parse"),))
    assigned = _Assigned()
    assigned.follow(tree)
    problems: list[tuple[int | None, str]] = [
        (assigned.failed[name].line, f"`{name}` uses {assigned.failed[name].what}")
        for name in (gitignore, commits)
        if name in assigned.failed
    ]
    text = assigned.reader.known.get(gitignore)
    if gitignore in assigned.reader.known and not isinstance(text, str):
        problems.append((assigned.lines.get(gitignore), f"`{gitignore}` is not a text"))
        text = None
    planned = assigned.commits(commits, problems)
    return Plan(text, tuple(planned), tuple(problems), assigned.lines.get(gitignore))


def plan_from_values(gitignore: object, commits: Iterable[object]) -> Plan:
    """Build a plan from values in the learner's kernel.

    Args:
        gitignore: The ``.gitignore`` text.
        commits: The commits: dicts or records with ``changes`` and ``message``.

    Returns:
        The plan; what is malformed is in its ``problems``.
    """
    problems: list[tuple[int | None, str]] = []
    planned: list[PlannedCommit] = []
    for index, raw in enumerate(commits):
        commit, wrong = _commit(raw, None)
        if commit is None:
            problems.append((None, f"commit {index + 1}: {wrong}"))
        else:
            planned.append(commit)
    text = gitignore if isinstance(gitignore, str) else None
    if text is None:
        problems.append((None, "GITIGNORE is not a text"))
    return Plan(text, tuple(planned), tuple(problems))
