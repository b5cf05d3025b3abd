"""Error paths, part one: read the cases from the graded cell."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from autograder.checks._base import (
    TestCode,
)

RAISES = "raises_"
"""Name prefix of a case whose call must raise."""

RETURNS = "returns_"
"""Name prefix of a case whose call must return."""

HIERARCHY = "HIERARCHY"
"""Name of the optional table of classes and the classes they derive from."""

_MARK = re.compile(r"#\s*raises\b(?P<rest>.*)$")
_EXPECTATION = re.compile(
    r"^\s*(?P<raises>[A-Za-z_][\w.]*)"
    r"(?:\s+from\s+(?P<cause>[A-Za-z_][\w.]*))?"
    r"(?:\s+mentioning\s+(?P<mentions>.+?))?\s*$"
)
_MAX_CALL = 70


# --- Reading the cases ------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """What a ``raises_`` case's call must raise.

    Attributes:
        raises: Name of the class the error must be an instance of.
        cause: Name of the class its ``__cause__`` must be an instance of,
            ``"None"`` for ``from None``, or ``None`` when not declared.
        mentions: Texts its message must contain.
    """

    raises: str
    cause: str | None = None
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """One case: a top-level function of the graded cell.

    Attributes:
        name: The function's name.
        summary: First line of its docstring: what it tests.
        call_line: The line of the call it tests, in the cell's test source.
        call_end: The last line of the statement that makes the call.
        call: The call's text, shortened.
        expect: What it must raise, or ``None`` when it must return.
        hidden: Whether the learner must not see it.
        takes_tmp_path: Whether it wants a scratch folder.
    """

    name: str
    summary: str
    call_line: int
    call_end: int
    call: str
    expect: Expectation | None
    hidden: bool
    takes_tmp_path: bool


@dataclass(frozen=True)
class Entry:
    """One entry of the hierarchy: a class, and the class it must derive from.

    Attributes:
        name: The class the answer must define.
        base: The class it must derive from.
    """

    name: str
    base: str


@dataclass(frozen=True)
class Cases:
    """Everything a graded cell declares.

    Attributes:
        cases: The cases, in the order they appear.
        hierarchy: The hierarchy's entries.
    """

    cases: tuple[Case, ...]
    hierarchy: tuple[Entry, ...]


def parse_expectation(text: str) -> Expectation:
    """Read what follows ``# raises`` in a marker comment.

    Args:
        text: For example ``SourceError from OSError mentioning "x.csv"``.

    Returns:
        The expectation.

    Raises:
        ValueError: The text does not follow the format.
    """
    match = _EXPECTATION.match(text)
    if match is None:
        raise ValueError(f"cannot read `# raises{text}`")
    mentions: tuple[str, ...] = ()
    if match["mentions"]:
        try:
            value = ast.literal_eval(f"({match['mentions']},)")
        except (SyntaxError, ValueError) as error:
            raise ValueError(f"`mentioning` needs quoted texts: {text}") from error
        if not all(isinstance(item, str) for item in value):
            raise ValueError(f"`mentioning` needs quoted texts: {text}")
        mentions = tuple(value)
    return Expectation(match["raises"], match["cause"], mentions)


def _markers(source: str) -> dict[int, tuple[str, bool]]:
    """Find ``# raises`` comments: their line, text, and whether they stand alone."""
    lines = source.splitlines()
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            match = _MARK.match(token.string)
            if match:
                row = token.start[0]
                alone = lines[row - 1].lstrip().startswith("#")
                found[row] = (match["rest"], alone)
    return found


def _target(row: int, alone: bool, code_lines: set[int]) -> int:
    """The line a marker applies to: its own, or the next line with code."""
    if not alone:
        return row
    return min((line for line in code_lines if line > row), default=row)


def _statement_at(node: ast.FunctionDef, line: int) -> ast.stmt | None:
    """Find the innermost statement of a function that starts on a line."""
    found = None
    for child in ast.walk(node):
        if isinstance(child, ast.stmt) and child.lineno == line and child is not node:
            found = child
    return found


def _call_text(lines: list[bytes], statement: ast.stmt | None) -> str:
    """Show the expression a statement evaluates, on one line, shortened."""
    if statement is None:
        return "the call"
    target: ast.expr | ast.stmt = statement
    if isinstance(statement, ast.Return | ast.Expr | ast.Assign) and statement.value:
        target = statement.value
    # As ast.get_source_segment does (offsets count UTF-8 bytes), without
    # splitting the whole source again for every case.
    first, last = target.lineno - 1, (target.end_lineno or target.lineno) - 1
    end = target.end_col_offset
    if first == last:
        pieces = [lines[first][target.col_offset : end]]
    else:
        pieces = [
            lines[first][target.col_offset :],
            *lines[first + 1 : last],
            lines[last][:end],
        ]
    text = " ".join(b" ".join(pieces).decode("utf-8", "replace").split())
    return text if len(text) <= _MAX_CALL else text[: _MAX_CALL - 1] + "…"


def read_hierarchy(tree: ast.Module) -> tuple[Entry, ...]:
    """Read the cell's optional ``HIERARCHY`` table of classes.

    Args:
        tree: The parsed graded cell.

    Returns:
        One entry per class, in the table's order; none without a table.

    Raises:
        ValueError: The table is not a literal dict of names to names.
    """
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == HIERARCHY
        ):
            try:
                table = ast.literal_eval(node.value)
            except ValueError as error:
                raise ValueError(f"{HIERARCHY} must be a literal: {error}") from error
            if not isinstance(table, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in table.items()
            ):
                raise ValueError(f"{HIERARCHY} must map class names to class names")
            return tuple(Entry(k, v) for k, v in table.items())
    return ()


def _case(
    node: ast.FunctionDef,
    tests: TestCode,
    marks: dict[int, Expectation],
    lines: list[bytes],
) -> Case:
    arguments = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    if arguments not in ([], ["tmp_path"]) or node.args.kwonlyargs:
        raise ValueError(f"{node.name} may take no argument but `tmp_path`")
    last = node.end_lineno or node.lineno
    mine = {line: e for line, e in marks.items() if node.lineno <= line <= last}
    if node.name.startswith(RAISES) and len(mine) != 1:
        raise ValueError(f"{node.name} needs exactly one `# raises` comment")
    if node.name.startswith(RETURNS) and mine:
        raise ValueError(f"{node.name} must return, yet marks `# raises`")
    call_line, expect = next(iter(mine.items()), (node.body[-1].lineno, None))
    doc = (ast.get_docstring(node) or "").strip()
    statement = _statement_at(node, call_line)
    return Case(
        name=node.name,
        summary=doc.splitlines()[0] if doc else node.name.replace("_", " "),
        call_line=call_line,
        call_end=(statement.end_lineno or call_line) if statement else call_line,
        call=_call_text(lines, statement),
        expect=expect,
        hidden=tests.is_hidden(node.lineno),
        takes_tmp_path=bool(arguments),
    )


def find_cases(tests: TestCode) -> Cases:
    """Read the cases and the hierarchy of a graded cell.

    Args:
        tests: The cell's test code.

    Returns:
        What the cell declares.

    Raises:
        ValueError: The code does not parse, a marker is malformed or outside
            a ``raises_`` case, a case has the wrong arguments or markers, or
            the cell declares nothing to check.
    """
    try:
        tree = ast.parse(tests.source)
        markers = _markers(tests.source)
    except (SyntaxError, tokenize.TokenError) as error:
        raise ValueError(f"the cases do not parse: {error}") from error
    code_lines = {node.lineno for node in ast.walk(tree) if isinstance(node, ast.stmt)}
    lines = [line.rstrip("\r").encode() for line in tests.source.split("\n")]
    marks = {
        _target(row, alone, code_lines): parse_expectation(rest)
        for row, (rest, alone) in markers.items()
    }
    cases = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith(
            (RAISES, RETURNS)
        ):
            cases.append(_case(node, tests, marks, lines))
    stray = sorted(set(marks) - {c.call_line for c in cases if c.expect})
    if stray:
        raise ValueError(f"`# raises` outside a {RAISES}… case on line(s) {stray}")
    found = Cases(tuple(cases), read_hierarchy(tree))
    if not found.cases and not found.hierarchy:
        raise ValueError(f"no case ({RAISES}…, {RETURNS}…) and no {HIERARCHY}")
    return found
