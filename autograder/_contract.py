"""Look at an answer cell before any tool does: does it parse, is it started?

A stub that was never touched must not collect style points for being short,
and a syntax error must be reported once, at its line, instead of by every
tool in its own words.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING

from autograder._parse import parse_python
from autograder.feedback import Finding, Location, make_finding
from autograder.spec import AnswerSpec

if TYPE_CHECKING:
    from markdown_it.token import Token


@dataclass(frozen=True)
class Readiness:
    """How far an answer can be checked.

    Attributes:
        findings: What stands in the way, if anything.
        static_ok: Static checks (ruff, mypy) may run: it parses and
            defines every name of the contract.
        dynamic_ok: Checks that run it (pytest) may run: it parses and
            defines at least one name of the contract.
    """

    findings: tuple[Finding, ...]
    static_ok: bool
    dynamic_ok: bool


def _is_stub_body(body: list[ast.stmt]) -> bool:
    """Tell whether a function body is a placeholder to be filled in later.

    A placeholder holds only a docstring, ``pass``, ``...`` or a raise of
    ``NotImplementedError``.
    """
    statements = [
        node
        for node in body
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        and not isinstance(node, ast.Pass)
    ]
    return all(
        isinstance(node, ast.Raise)
        and node.exc is not None
        and "NotImplementedError" in ast.unparse(node.exc)
        for node in statements
    )


def _stub_functions(tree: ast.Module) -> set[str]:
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and _is_stub_body(node.body)
    }


def _defined_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(
            node.target, ast.Name
        ):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _is_stub(tree: ast.Module) -> bool:
    """Tell whether a module does nothing but ``raise NotImplementedError``."""
    body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    return not body or all(
        isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Name | ast.Call)
        and "NotImplementedError" in ast.unparse(node.exc)
        for node in body
    )


def _lines_inside_strings(source: str) -> set[int]:
    """Find the lines that continue a multi-line string (their text is data).

    A ``.gitignore`` pattern such as ``!.env.example`` at the start of a line
    of a triple-quoted string is no shell escape.
    """
    inside: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return inside
    return inside


def _at(spec: AnswerSpec, line: int | None) -> Location:
    return Location(spec.grade_id, spec.label, line)


MARKDOWN_STUB = "YOUR ANSWER HERE"
"""The text nbgrader puts where a Markdown answer's solution was."""


def _is_writing(token: Token, in_heading: bool) -> bool:
    """Tell whether a Markdown token is the writer's text, not the skeleton's."""
    if token.type in {"fence", "code_block"}:
        return bool(token.content.strip())
    return (
        token.type == "inline"
        and not in_heading
        and token.content.strip() not in {"", MARKDOWN_STUB}
    )


def _markdown_started(source: str) -> bool:
    """Tell whether a Markdown answer holds more than its skeleton.

    A skeleton is headings, HTML comments, rules and nbgrader's stub text;
    anything else (a paragraph, a list, a table, a code block) is the
    learner's writing.
    """
    from markdown_it import MarkdownIt  # imported only for Markdown answers

    in_heading = False
    for token in MarkdownIt("commonmark").enable("table").parse(source):
        if token.type in {"heading_open", "heading_close"}:
            in_heading = token.type == "heading_open"
        elif _is_writing(token, in_heading):
            return True
    return False


def _assess_markdown(spec: AnswerSpec, source: str) -> Readiness:
    """Decide whether a Markdown answer can be checked: has it been written?"""
    if not _markdown_started(source):
        finding = make_finding("answer.markdown-not-started", _at(spec, None))
        return Readiness((finding,), static_ok=False, dynamic_ok=False)
    return Readiness((), static_ok=True, dynamic_ok=True)


def assess(spec: AnswerSpec, source: str | None) -> Readiness:
    """Decide which checks can look at an answer.

    Args:
        spec: The answer's declaration.
        source: The cell's text, or ``None`` when the notebook lacks the cell.

    Returns:
        What stands in the way, and which kinds of check may run.
    """
    if source is None:
        finding = make_finding("answer.cell-missing", cell=spec.grade_id)
        return Readiness((finding,), static_ok=False, dynamic_ok=False)
    if spec.is_markdown:
        return _assess_markdown(spec, source)
    in_strings = _lines_inside_strings(source)
    for number, line in enumerate(source.splitlines(), start=1):
        if line.lstrip().startswith(("%", "!")) and number not in in_strings:
            finding = make_finding("answer.magic", _at(spec, number), line=line.strip())
            return Readiness((finding,), static_ok=False, dynamic_ok=False)
    try:
        tree = parse_python(source)
    except SyntaxError as error:
        location = _at(spec, error.lineno)
        finding = make_finding("answer.syntax-error", location, error=error.msg)
        return Readiness((finding,), static_ok=False, dynamic_ok=False)
    stubs = _stub_functions(tree)
    defined = _defined_names(tree) - stubs
    missing = [name for name in spec.defines if name not in defined]
    started = (len(missing) < len(spec.defines)) if spec.defines else not _is_stub(tree)
    if not started:
        names = ", ".join(f"`{name}`" for name in spec.defines) or "anything"
        finding = make_finding("answer.not-started", _at(spec, None), names=names)
        return Readiness((finding,), static_ok=False, dynamic_ok=False)
    findings = tuple(
        make_finding(
            "answer.stub-function" if name in stubs else "answer.missing-name",
            _at(spec, None),
            name=name,
        )
        for name in missing
    )
    return Readiness(findings, static_ok=not missing, dynamic_ok=True)
