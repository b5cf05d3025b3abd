"""Type probes: client code that mypy must accept, or reject, against the answer.

Annotations are only as good as what they let a caller do. A module annotated
``Any`` everywhere, or ``object`` everywhere, can be ``mypy --strict`` clean and
still tell a caller nothing. A type probe is a short piece of client code that
uses the answer's API: a correct use must type-check, a misuse must be rejected.
Together they test what the annotations *mean*, not only that they exist.

The probes are the graded cell's own code, in this format::

    from typing import assert_type

    import loans


    def accepts_a_book_without_a_year() -> None:
        \"\"\"Book(isbn, title, author): the year is optional.\"\"\"
        book = loans.Book("1", "Dune", "Frank Herbert")
        assert_type(book.year, int | None)


    def rejects_a_year_given_as_text() -> None:
        \"\"\"A year is an int, not a string.\"\"\"
        loans.Book("1", "Dune", "Frank Herbert", "1965")  # rejected

- every top-level function whose name starts with ``accepts_`` is a probe that
  mypy must accept: no error on any of its lines;
- every top-level function whose name starts with ``rejects_`` is a probe that
  mypy must reject on exactly the lines marked with a ``# rejected`` comment:
  an error on each marked line, none on the others (so a probe can show a
  correct use next to the misuse it contrasts with);
- the first line of a probe's docstring says what it tests: it is all the
  feedback shows of a hidden probe;
- anything else at the top level (imports, a helper such as a predicate) is
  shared by the probes; an error there fails every probe, and is quoted only
  when it is in the public part of the cell.

The whole cell is checked as one file in a single mypy run, in-process, with a
persistent cache per set of flags. At grading, the cell's hidden region adds
probes the learner never sees; in a self-check only the public probes run.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    TestCode,
    register_check,
)
from autograder.checks._mypy import BASE_FLAGS
from autograder.feedback import Finding, make_finding

ACCEPTS = "accepts_"
"""Name prefix of a probe that mypy must accept."""

REJECTS = "rejects_"
"""Name prefix of a probe that mypy must reject."""

_ANY = 'is of type "Any"'
"""How ``assert_type`` says that a value it was given is ``Any``."""

_MARK = re.compile(r"#\s*rejected\b")
_ERROR = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?:\d+:)? error: "
    r"(?P<text>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$"
)


@dataclass(frozen=True)
class Probe:
    """One probe: a top-level function of the graded cell.

    Attributes:
        name: The function's name.
        summary: First line of its docstring: what it tests.
        first_line: Its first line in the cell's test source.
        last_line: Its last line in the cell's test source.
        rejected: Lines marked ``# rejected`` (empty for an accepting probe).
        hidden: Whether the learner must not see it.
    """

    name: str
    summary: str
    first_line: int
    last_line: int
    rejected: frozenset[int]
    hidden: bool

    @property
    def must_reject(self) -> bool:
        """Whether mypy must reject it."""
        return self.name.startswith(REJECTS)

    def holds(self, line: int) -> bool:
        """Tell whether a line of the test source belongs to the probe.

        Args:
            line: 1-based line of the test source.

        Returns:
            True when the line is part of the function.
        """
        return self.first_line <= line <= self.last_line


def _marked_lines(source: str) -> set[int]:
    """Find the lines whose comment says ``# rejected``."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {
        token.start[0]
        for token in tokens
        if token.type == tokenize.COMMENT and _MARK.match(token.string)
    }


def find_probes(tests: TestCode) -> tuple[Probe, ...]:
    """Read the probes of a graded cell.

    Args:
        tests: The cell's test code.

    Returns:
        The probes, in the order they appear.

    Raises:
        ValueError: The code does not parse, holds no probe, marks a
            line outside a rejecting probe, or has a rejecting probe with no
            marked line.
    """
    try:
        tree = ast.parse(tests.source)
        marked = _marked_lines(tests.source)
    except (SyntaxError, tokenize.TokenError) as error:
        raise ValueError(f"the probes do not parse: {error}") from error
    probes = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith(
            (ACCEPTS, REJECTS)
        ):
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        last = node.end_lineno or node.lineno
        doc = (ast.get_docstring(node) or "").strip()
        probe = Probe(
            name=node.name,
            summary=doc.splitlines()[0] if doc else node.name.replace("_", " "),
            first_line=first,
            last_line=last,
            rejected=frozenset(line for line in marked if first <= line <= last),
            hidden=tests.is_hidden(first),
        )
        if probe.must_reject and not probe.rejected:
            raise ValueError(f"{probe.name} marks no line `# rejected`")
        if probe.rejected and not probe.must_reject:
            raise ValueError(f"{probe.name} accepts but marks a line rejected")
        probes.append(probe)
    stray = sorted(marked - {line for p in probes for line in p.rejected})
    if stray:
        raise ValueError(f"`# rejected` outside a probe on line(s) {stray}")
    if not probes:
        raise ValueError(
            f"no probe: no top-level function named {ACCEPTS}… or {REJECTS}…"
        )
    return tuple(probes)


@dataclass(frozen=True)
class MypyError:
    """One error mypy reported.

    Attributes:
        line: Its line in the file mypy checked.
        text: mypy's message.
        code: mypy's error code, if it gave one.
    """

    line: int
    text: str
    code: str


def parse_errors(stdout: str, filename: str) -> tuple[MypyError, ...]:
    """Keep the errors mypy reported in one file.

    Args:
        stdout: mypy's output, one message per line.
        filename: The file name whose errors to keep.

    Returns:
        The errors, in mypy's order.
    """
    errors = []
    for raw in stdout.splitlines():
        match = _ERROR.match(raw)
        if match and match["path"].endswith(filename):
            errors.append(
                MypyError(int(match["line"]), match["text"], match["code"] or "")
            )
    return tuple(errors)


def _judge(probe: Probe, errors: list[MypyError], tests: TestCode) -> Finding | None:
    """Say why a probe did not behave as expected, or ``None`` when it did."""
    wrongly_rejected = [error for error in errors if error.line not in probe.rejected]
    wrongly_accepted = sorted(probe.rejected - {error.line for error in errors})
    if not wrongly_rejected and not wrongly_accepted:
        return None
    if probe.hidden:
        finding_id = (
            "types.hidden-probe-rejected"
            if wrongly_rejected
            else "types.hidden-probe-accepted"
        )
        return make_finding(finding_id, name=probe.name, doc=probe.summary)
    if wrongly_rejected:
        error = wrongly_rejected[0]
        return make_finding(
            "types.probe-any" if _ANY in error.text else "types.probe-rejected",
            tests.at(error.line),
            name=probe.name,
            doc=probe.summary,
            text=error.text,
        )
    line = wrongly_accepted[0]
    code = tests.source.splitlines()[line - 1].split("#", 1)[0].strip()
    return make_finding(
        "types.probe-accepted",
        tests.at(line),
        name=probe.name,
        doc=probe.summary,
        code=code,
    )


@register_check
class TypeProbeCheck(Check):
    """Type-check the graded cell's probes against the answer with mypy.

    The score is the share of probes that behave as expected: accepted when
    they use the API correctly, rejected (on the marked lines only) when they
    misuse it. The probe format is described in this module's docstring.

    Options:
        strict: Pass ``--strict`` (default true).
        flags: More mypy flags for the run.
    """

    kind = "typeprobe"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        strict = parsed.flag("strict", default=True)
        self.flags = (
            *(("--strict",) if strict else ()),
            *parsed.text_list("flags", []),
        )
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "type probes (mypy)"

    def arguments(self, context: CheckContext, probe_file: str) -> list[str]:
        """Build mypy's argument list.

        Args:
            context: The answer and settings.
            probe_file: The file holding the probes, in the scratch folder.

        Returns:
            The arguments, cache folder included.
        """
        key = " ".join(("typeprobe", *self.flags))
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        cache = context.settings.mypy_cache_dir / f"typeprobe-{digest}"
        # Only the declared flags count: never a config file found nearby.
        config = context.workdir / "typeprobe.ini"
        config.write_text("[mypy]\n", encoding="utf-8")
        return [
            f"--config-file={config}",
            *self.flags,
            *BASE_FLAGS,
            # The answer's own errors are the mypy check's business; here it
            # is read for its types only.
            "--follow-imports=silent",
            f"--cache-dir={cache}",
            probe_file,
        ]

    def run(self, context: CheckContext) -> CheckResult:
        """Run mypy over the probes and judge each one.

        Args:
            context: The answer, the cell's probes and the settings.

        Returns:
            The share of probes that behaved as expected, a finding for each
            one that did not.
        """
        from mypy import api

        tests = context.tests
        if tests is None:
            return self._error("the graded cell is missing")
        try:
            probes = find_probes(tests)
        except ValueError as error:
            return self._error(str(error))
        path = context.workdir / f"typeprobe_{tests.cell}.py"
        path.write_text(tests.source, encoding="utf-8")
        stdout, stderr, status = api.run(self.arguments(context, str(path)))
        if status == 2:  # mypy could not check at all
            return self._blocked(context, stdout, stderr)
        errors = parse_errors(stdout, path.name)
        setup = [e for e in errors if not any(p.holds(e.line) for p in probes)]
        if setup:
            return self._setup_failed(tests, setup, len(probes))
        findings = []
        for probe in probes:
            finding = _judge(probe, [e for e in errors if probe.holds(e.line)], tests)
            if finding is not None:
                findings.append(finding)
        passed = len(probes) - len(findings)
        if not findings:
            findings.append(make_finding("types.probes-passed", count=len(probes)))
        return CheckResult(passed / len(probes), tuple(findings))

    def _error(self, reason: str) -> CheckResult:
        finding = make_finding("checks.error", check=self.label, reason=reason)
        return CheckResult(0.0, (finding,))

    def _blocked(self, context: CheckContext, stdout: str, stderr: str) -> CheckResult:
        """Report that mypy stopped, at the answer's line if the answer stopped it."""
        answer_errors = parse_errors(stdout, context.answer.path.name)
        if not answer_errors:
            return self._error((stderr or stdout).strip() or "mypy stopped")
        error = answer_errors[0]
        finding = make_finding(
            "types.probes-blocked", context.answer.at(error.line), text=error.text
        )
        return CheckResult(0.0, (finding,))

    @staticmethod
    def _setup_failed(
        tests: TestCode, errors: list[MypyError], count: int
    ) -> CheckResult:
        """An error outside every probe: none of them can be trusted."""
        error = errors[0]
        if tests.is_hidden(error.line):
            finding = make_finding("types.probes-setup", count=count, text="(hidden)")
        else:
            finding = make_finding(
                "types.probes-setup", tests.at(error.line), count=count, text=error.text
            )
        return CheckResult(0.0, (finding,))
