"""The Python examples of a README, run against the package they document.

A README's Usage section is a promise: type this, and you will see that.
This check writes the package (its source is declared in ``exercise.toml``)
into the scratch folder, finds the Python code blocks of the Usage section
with markdown-it-py, and runs them in order, in one namespace, as a reader
typing them into one interpreter session would. (``python -m doctest
README.md`` reads the file as plain text instead, so a closing fence right
after an output line becomes part of the expected output.)

- a block in interpreter form (lines starting ``>>>``, in a ``pycon`` or
  ``python`` fence) runs under the standard library's :mod:`doctest`, and
  each output it shows must be what really comes out;
- any other Python block runs as a script and must not raise.

The examples run as a new user's would: environment variables named after
the package (``PRICETAG_*`` for ``pricetag``) are unset first.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import io
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._doctest import (
    _keeping_last_result,
    _names_in,
    _one_line,
    _shows_result,
    _Tally,
)
from autograder.checks._markdown import Block, NameSet, parse_markdown
from autograder.feedback import make_finding

PYTHON_FENCES = frozenset({"python", "py", "python3", "py3", "pycon", "doctest"})
"""Fence languages whose blocks are Python (``pycon``: an interpreter session)."""


def is_session(code: str) -> bool:
    """Tell whether a code block is an interpreter session (``>>>`` prompts).

    Args:
        code: The block's text.

    Returns:
        True when a line starts with the ``>>>`` prompt.
    """
    return any(line.lstrip().startswith(">>>") for line in code.splitlines())


def python_blocks(blocks: tuple[Block, ...]) -> list[Block]:
    """Pick the Python blocks: fences labelled Python, or unlabelled sessions.

    Args:
        blocks: A section's blocks.

    Returns:
        The Python code blocks, in order.
    """
    return [
        block
        for block in blocks
        if block.is_code
        and (block.info in PYTHON_FENCES or (not block.info and is_session(block.text)))
    ]


def _uses(source: str) -> set[str]:
    """Names an example's code uses, modules it imports included."""
    names = _names_in(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


class _Runner(doctest.DocTestRunner):
    """Run one interpreter-session block, tallying instead of printing.

    Once an example has used the package, later ones count too: the blocks
    share one namespace, as a reader's interpreter session does.
    """

    def __init__(self, answer: Answer, tally: _Tally, usage: _Usage):
        super().__init__(verbose=False, optionflags=0)
        self.answer = answer
        self.tally = tally
        self.usage = usage

    def _ran(self, example: doctest.Example, *, passed: bool) -> None:
        self.tally.ran += 1
        self.usage.see(example.source)
        if passed:
            self.tally.passed += 1
            if self.usage.used and _shows_result(example):
                self.tally.counted += 1

    def _at(self, test: doctest.DocTest, example: doctest.Example) -> Any:
        return self.answer.at((test.lineno or 0) + example.lineno + 1)

    def report_start(
        self, out: Callable[[str], object], test: doctest.DocTest, example: Any
    ) -> None:
        """Say nothing when an example starts."""

    def report_success(
        self,
        out: Callable[[str], object],
        test: doctest.DocTest,
        example: doctest.Example,
        got: str,
    ) -> None:
        """Count an example that showed what it promised."""
        self._ran(example, passed=True)

    def report_failure(
        self,
        out: Callable[[str], object],
        test: doctest.DocTest,
        example: doctest.Example,
        got: str,
    ) -> None:
        """Record an example whose output differs from the README's."""
        self._ran(example, passed=False)
        self.tally.findings.append(
            make_finding(
                "docs.usage-output-differs",
                self._at(test, example),
                source=_one_line(example.source),
                want=_one_line(example.want),
                got=_one_line(got),
            )
        )

    def report_unexpected_exception(
        self,
        out: Callable[[str], object],
        test: doctest.DocTest,
        example: doctest.Example,
        exc_info: Any,
    ) -> None:
        """Record an example that raised where the README shows a result."""
        self._ran(example, passed=False)
        kind, value, _ = exc_info
        error = "".join(traceback.format_exception_only(kind, value)).strip()
        self.tally.findings.append(
            make_finding(
                "docs.usage-example-raised",
                self._at(test, example),
                source=_one_line(example.source),
                error=_one_line(error),
            )
        )


class _Usage:
    """Whether the examples so far have used the package."""

    def __init__(self, must_use: frozenset[str]) -> None:
        self.must_use = must_use
        self.used = not must_use

    def see(self, source: str) -> None:
        self.used = self.used or bool(self.must_use & _uses(source))


@register_check
class ReadmeUsageCheck(Check):
    """Run the Usage section's Python blocks against the package.

    Each ``>>>`` example and each plain block counts once; the score is the
    share that pass, provided at least ``min_examples`` passing ``>>>``
    examples show an output (and, with ``must_use``, use the package).

    Options:
        package: The package's module name (``pricetag``).
        source: The package's source, written to ``<package>.py``.
        sections: Accepted titles of the Usage section.
        min_examples: Passing examples that show an output needed before
            any point is earned (default 2).
        must_use: Names of the package; an example counts towards
            ``min_examples`` only once it, or an earlier example or block,
            has used one of them (imports count; default: the package's
            name).
    """

    kind = "readme-usage"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.package: str = parsed.text("package")
        self.source: str = parsed.text("source")
        sections: str = parsed.text("sections", "Usage|Examples|Quick start|Quickstart")
        self.sections = NameSet.parse(sections)
        self.min_examples = parsed.integer("min_examples", 2, minimum=1)
        self.must_use = frozenset(parsed.text_list("must_use", [self.package]))
        parsed.finish()
        if not self.package.isidentifier():
            raise ValueError(f"readme-usage package {self.package!r} is not a name")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "Usage examples run (doctest)"

    def run(self, context: CheckContext) -> CheckResult:
        """Run every Python block of the Usage section, in order.

        Args:
            context: The answer, the scratch folder and a progress callback.

        Returns:
            The share of examples that pass, or zero if there are too few.
        """
        answer = context.answer
        section = parse_markdown(answer.source).find(self.sections, min_level=2)
        if section is None:
            missing = make_finding("docs.usage-missing", names=str(self.sections))
            return CheckResult(0.0, (missing,))
        blocks = python_blocks(section.blocks)
        if not blocks:
            none = make_finding("docs.usage-no-python", answer.at(section.heading.line))
            return CheckResult(0.0, (none,))
        self._install(context)
        tally = _Tally()
        usage = _Usage(self.must_use)
        namespace: dict[str, Any] = {"__name__": "__readme__"}
        with _keeping_last_result():
            for block in blocks:
                context.on_event({"test": f"the Usage block at line {block.line}"})
                if is_session(block.text):
                    self._run_session(answer, block, namespace, (tally, usage))
                else:
                    usage.see(block.text)
                    self._run_script(answer, block, namespace, tally)
        return self._result(tally)

    def _install(self, context: CheckContext) -> None:
        (context.workdir / f"{self.package}.py").write_text(
            self.source, encoding="utf-8"
        )
        if str(context.workdir) not in sys.path:
            sys.path.insert(0, str(context.workdir))
        sys.modules.pop(self.package, None)
        prefix = self.package.upper() + "_"
        for name in [name for name in os.environ if name.startswith(prefix)]:
            del os.environ[name]

    def _run_session(
        self,
        answer: Answer,
        block: Block,
        namespace: dict[str, Any],
        progress: tuple[_Tally, _Usage],
    ) -> None:
        tally, usage = progress
        parser = doctest.DocTestParser()
        name = f"README line {block.code_line}"
        try:
            test = parser.get_doctest(
                block.text, namespace, name, str(answer.path), block.code_line - 1
            )
        except ValueError as error:
            tally.ran += 1
            tally.findings.append(
                make_finding(
                    "docs.usage-not-a-session",
                    answer.at(block.code_line),
                    error=str(error),
                )
            )
            return
        runner = _Runner(answer, tally, usage)
        runner.run(test, out=lambda _text: None, clear_globs=False)
        namespace.update(test.globs)  # a DocTest runs in a copy: keep what it defined

    def _run_script(
        self, answer: Answer, block: Block, namespace: dict[str, Any], tally: _Tally
    ) -> None:
        filename = f"<README line {block.code_line}>"
        tally.ran += 1
        try:
            code = compile(block.text, filename, "exec")
            with contextlib.redirect_stdout(io.StringIO()):
                exec(code, namespace)  # noqa: S102 - the README's own example
        except Exception as error:  # noqa: BLE001 - a failing example is a finding
            line = _line_in(error, filename)
            tally.findings.append(
                make_finding(
                    "docs.usage-block-raised",
                    answer.at(block.code_line + line - 1),
                    error=_one_line(
                        "".join(traceback.format_exception_only(error)).strip()
                    ),
                )
            )
            return
        tally.passed += 1

    def _result(self, tally: _Tally) -> CheckResult:
        findings = list(tally.findings)
        if tally.counted < self.min_examples:
            names = " or ".join(f"`{name}`" for name in sorted(self.must_use))
            findings.insert(
                0,
                make_finding(
                    "docs.usage-too-few",
                    found=tally.counted,
                    minimum=self.min_examples,
                    names=names,
                ),
            )
            return CheckResult(0.0, tuple(findings))
        if tally.passed == tally.ran:
            findings.append(make_finding("docs.usage-passed", count=tally.ran))
        return CheckResult(tally.passed / tally.ran, tuple(findings))


def _line_in(error: BaseException, filename: str) -> int:
    """The line of a block where its error happened (1 if unknown)."""
    if isinstance(error, SyntaxError) and error.filename == filename:
        return error.lineno or 1
    lines = [
        entry.lineno
        for entry in traceback.extract_tb(error.__traceback__)
        if entry.filename == filename and entry.lineno is not None
    ]
    return lines[-1] if lines else 1
