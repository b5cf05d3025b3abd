"""SQL injection: hostile input against a real SQLite database.

The ``sql-injection`` check builds a real SQLite database in the scratch
folder from the exercise's ``setup`` script and calls the learner's lookup as
``function(connection, value)`` with a fresh copy of it for every value. An
honest lookup, the declared ``reference`` statement run with the value as a
bound parameter, says what the answer should be. Three things are judged:

Ordinary values (the cell's ``LOOKUPS``)
    must give exactly the rows the honest lookup gives (order aside) and
    change nothing. A name with a quote in it (``O'Brien``) is an ordinary
    value. This is a gate: a lookup that fails an ordinary value earns
    nothing here, since a function that finds nobody resists every attack.

Payloads (built in, and the cell's ``PAYLOADS``)
    must give what the honest lookup gives for the same text — no extra
    row — raise nothing, and leave every table with all its rows. The
    built-in payloads cover conditions that are always true, comments that
    cut a query short, stacked statements (``'; DROP TABLE users; --`` for
    every table of the database), ``UNION SELECT`` with as many columns as
    the reference returns, and ``LIKE`` wildcards. ``{table}``, ``{columns}``
    and ``{nulls}`` in a payload are filled in from the database. Payloads are
    scored by kind (see :mod:`autograder.checks._security`).

The statement itself (``inspection`` per cent of the points)
    The connection handed to the lookup records every statement's text.
    Called with marker values, a lookup that pastes its input into the SQL
    text — by f-string, ``%``, ``+`` or ``str.format``, escaped by hand or
    not — sends the marker to SQLite inside the statement; one that binds
    parameters never does. The learner's source is read to point at the
    line that builds the statement.
"""

from __future__ import annotations

import ast
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._security import (
    Case,
    by_kind,
    clip,
    cut,
    definition_line,
    describe_error,
    forget,
    load_functions,
    malformed,
    read_cases,
    short,
)
from autograder.feedback import Finding, Location, make_finding

ALWAYS_TRUE = "a condition that is always true"
COMMENT = "a comment that cuts the query short"
STACKED = "a second statement after a semicolon"
UNION = "UNION SELECT from another table"
WILDCARD = "LIKE wildcards"

BUILTIN_PAYLOADS: tuple[tuple[str, str], ...] = (
    ("' OR '1'='1", ALWAYS_TRUE),
    ("' OR 1=1 --", ALWAYS_TRUE),
    ('" OR ""="', ALWAYS_TRUE),
    ("' OR 1=1 /*", COMMENT),
    ("'; DROP TABLE {table}; --", STACKED),
    ("'; DELETE FROM {table}; --", STACKED),
    ("' UNION SELECT {columns} FROM sqlite_master --", UNION),
    ("' UNION SELECT {nulls} --", UNION),
    ("%", WILDCARD),
    ("_%", WILDCARD),
)
"""Payloads every lookup meets, with their kinds; placeholders are filled in."""

MARKERS = ("zq'marker-7070", "zq-marker-5150")
"""Values no statement contains unless the input is pasted into it."""

EXECUTES = frozenset({"execute", "executemany", "executescript"})
BUILDERS = {"format": "`str.format`", "format_map": "`str.format_map`"}
MAX_DEPTH = 8
MAX_ROW = 80


class _RecordingCursor(sqlite3.Cursor):
    """A cursor that tells its connection the text of every statement."""

    def execute(self, sql: Any, parameters: Any = (), /) -> Any:
        self.connection.note(sql)  # type: ignore[attr-defined]
        return super().execute(sql, parameters)

    def executemany(self, sql: Any, parameters: Any, /) -> Any:
        self.connection.note(sql)  # type: ignore[attr-defined]
        return super().executemany(sql, parameters)

    def executescript(self, script: Any, /) -> Any:
        self.connection.note(script)  # type: ignore[attr-defined]
        return super().executescript(script)


class _RecordingConnection(sqlite3.Connection):
    """A real connection that records the text of every statement it is given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statements: list[str] = []
        self.recording = True

    def note(self, sql: object) -> None:
        """Record a statement's text, while recording."""
        if self.recording:
            self.statements.append(str(sql))

    def cursor(self, factory: Any = None) -> Any:
        """Hand out recording cursors."""
        return super().cursor(factory or _RecordingCursor)

    def execute(self, sql: Any, parameters: Any = (), /) -> Any:
        """Record, then execute."""
        self.note(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql: Any, parameters: Any, /) -> Any:
        """Record, then execute."""
        self.note(sql)
        return super().executemany(sql, parameters)

    def executescript(self, script: Any, /) -> Any:
        """Record, then execute."""
        self.note(script)
        return super().executescript(script)


@dataclass
class Outcome:
    """What one call of the lookup did.

    Attributes:
        rows: The rows it returned, as tuples (``None`` if it returned none).
        error: What it raised, if it raised.
        returned: Its return value, shown, when that was no list of rows.
        damage: How the database changed, if it did.
        statements: The text of every statement it executed.
    """

    rows: list[tuple[Any, ...]] | None = None
    error: BaseException | None = None
    returned: str = ""
    damage: str | None = None
    statements: list[str] = field(default_factory=list)


def _rows(result: object) -> list[tuple[Any, ...]] | None:
    """Read a lookup's return value as rows, or give ``None``."""
    if isinstance(result, str | bytes) or result is None:
        return None
    try:
        return [tuple(row) for row in result]  # type: ignore[attr-defined]
    except TypeError:
        return None


class _Lab:
    """A pristine database, copied afresh for every call.

    Args:
        folder: Where the database files go.
        setup: The SQL script that creates and fills the database.
        reference: The honest lookup: one statement with one ``?``.

    Raises:
        ValueError: The script or the reference does not run.
    """

    def __init__(self, folder: Path, setup: str, reference: str) -> None:
        """Create the pristine database and read what it holds."""
        self.pristine = folder / "pristine.sqlite3"
        self.working = folder / "lookup.sqlite3"
        self.reference = reference
        try:
            with closing(sqlite3.connect(self.pristine)) as db:
                db.execute("PRAGMA synchronous = OFF")  # a scratch file: no fsync
                db.executescript(setup)
                db.commit()
                self.dump = list(db.iterdump())
                self.tables = self._tables(db)
                width = len(db.execute(reference, ("",)).description)
        except sqlite3.Error as error:
            raise ValueError(f"the database set-up fails: {error}") from error
        self.columns = ", ".join(["name", *["NULL"] * (width - 1)])
        self.nulls = ", ".join(["NULL"] * width)
        self.counts = _counts(self.dump)

    @staticmethod
    def _tables(db: sqlite3.Connection) -> list[str]:
        return [
            str(name)
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]

    def expected(self, value: object) -> list[tuple[Any, ...]]:
        """Run the honest lookup on the pristine database.

        Args:
            value: The value, bound as the statement's parameter.

        Returns:
            The rows an honest lookup gives.
        """
        uri = f"{self.pristine.as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as db:
            return [tuple(row) for row in db.execute(self.reference, (value,))]

    def call(self, function: Callable[..., Any], value: object) -> Outcome:
        """Call the lookup on a fresh copy of the database.

        Args:
            function: The learner's lookup.
            value: The value to look up.

        Returns:
            What the call did.
        """
        shutil.copyfile(self.pristine, self.working)
        connection = sqlite3.connect(self.working, factory=_RecordingConnection)
        outcome = Outcome()
        try:
            try:
                result = function(connection, value)
                outcome.rows = _rows(result)
                if outcome.rows is None:
                    outcome.returned = short(result)
            except Exception as error:  # noqa: BLE001 - learner code may raise anything
                outcome.error = error
            outcome.statements = list(connection.statements)
            connection.recording = False
            outcome.damage = self._damage(connection)
        finally:
            connection.close()
        return outcome

    def _damage(self, connection: sqlite3.Connection) -> str | None:
        """Say how the database differs from the pristine one, if it does."""
        try:
            connection.row_factory = None
            tables, dump = self._tables(connection), list(connection.iterdump())
        except sqlite3.Error:  # the lookup closed the connection
            with closing(sqlite3.connect(self.working)) as fresh:
                tables, dump = self._tables(fresh), list(fresh.iterdump())
        if dump == self.dump:
            return None
        gone = [table for table in self.tables if table not in tables]
        if gone:
            names = ", ".join(f"`{table}`" for table in gone)
            return (
                f"the table {names} is gone" if len(gone) == 1 else f"{names} are gone"
            )
        counts = _counts(dump)
        for table in self.tables:
            before, after = self.counts[table], counts[table]
            if after < before:
                return f"`{table}` lost {before - after} of its {before} rows"
            if after > before:
                return f"`{table}` gained {after - before} rows"
        return "its contents changed"


def _counts(dump: list[str]) -> Counter[str]:
    """Count the rows of each table in an ``iterdump`` listing."""
    counts: Counter[str] = Counter()
    for line in dump:
        if line.startswith('INSERT INTO "'):
            name = line[len('INSERT INTO "') :].split('" VALUES(', 1)[0]
            counts[name.replace('""', '"')] += 1
    return counts


# --- Reading the source: where is a statement built from values? -------------------


class _Source:
    """The answer's assignments, to follow a statement's name to its value."""

    def __init__(self, tree: ast.Module) -> None:
        self.module: dict[str, list[ast.expr]] = {}
        for node in tree.body:
            _collect(node, self.module)

    def values(self, name: str, function: ast.AST | None) -> list[ast.expr]:
        local: dict[str, list[ast.expr]] = {}
        if function is not None:
            for node in ast.walk(function):
                _collect(node, local)
        return local.get(name) or self.module.get(name, [])


def _collect(node: ast.AST, into: dict[str, list[ast.expr]]) -> None:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                into.setdefault(target.id, []).append(node.value)
    elif (
        isinstance(node, ast.AnnAssign | ast.AugAssign)
        and isinstance(node.target, ast.Name)
        and node.value is not None
    ):
        value = node.value
        if isinstance(node, ast.AugAssign):  # query += x: built by +
            value = ast.BinOp(node.target, ast.Add(), node.value, lineno=node.lineno)
        into.setdefault(node.target.id, []).append(value)


def _constant(
    expr: ast.expr, source: _Source, scope: ast.AST | None, depth: int
) -> bool:
    """Tell whether an expression is text fixed in the code."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str)
    if isinstance(expr, ast.JoinedStr):
        return all(
            _constant(part.value, source, scope, depth + 1)
            if isinstance(part, ast.FormattedValue)
            else True
            for part in expr.values
        )
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _constant(expr.left, source, scope, depth + 1) and _constant(
            expr.right, source, scope, depth + 1
        )
    if isinstance(expr, ast.Name):
        values = source.values(expr.id, scope)
        return bool(values) and all(
            _constant(value, source, scope, depth + 1) for value in values
        )
    return False


def _how_built(
    expr: ast.expr, source: _Source, scope: ast.AST | None, depth: int = 0
) -> tuple[str, int] | None:
    """Say how a statement's text is built from values, and where, if it is."""
    if depth > MAX_DEPTH or _constant(expr, source, scope, depth):
        return None
    if isinstance(expr, ast.Name):
        found = (
            _how_built(value, source, scope, depth + 1)
            for value in source.values(expr.id, scope)
        )
        return next((how for how in found if how is not None), None)
    how: str | None = None
    if isinstance(expr, ast.JoinedStr):
        how = "an f-string"
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod | ast.Add):
        how = "`%` formatting" if isinstance(expr.op, ast.Mod) else "`+` concatenation"
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        how = BUILDERS.get(expr.func.attr)
    if how is None:
        return None
    pasted = [node.lineno for node in ast.walk(expr) if isinstance(node, ast.Name)]
    return how, min(pasted, default=expr.lineno)


def built_statements(source_text: str) -> list[tuple[int, str]]:
    """Find the statements the answer builds from values before executing them.

    Args:
        source_text: The answer's text.

    Returns:
        ``(line, how)`` for each ``execute``-family call whose statement is
        built by formatting, concatenation or ``str.format``, and for every
        ``executescript`` call.
    """
    try:
        tree = ast.parse(source_text)
    except SyntaxError:
        return []
    source = _Source(tree)
    scopes: list[tuple[ast.AST | None, ast.AST]] = [(None, tree)]
    scopes += [
        (node, node)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    found: dict[int, str] = {}
    for scope, root in scopes:
        for node in ast.walk(root):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in EXECUTES
                and node.args
            ):
                continue
            if node.func.attr == "executescript":
                found.setdefault(
                    node.lineno, "`executescript`, which runs any number of statements"
                )
                continue
            how = _how_built(node.args[0], source, scope)
            if how is not None:
                found.setdefault(how[1] or node.lineno, how[0])
    return sorted(found.items())


# --- The check ------------------------------------------------------------------------


@register_check
class SqlInjectionCheck(Check):
    """Call the learner's lookup with ordinary names and injection payloads.

    The score: nothing unless every ordinary lookup works; then the share
    of payload kinds fully resisted earns ``100 - inspection`` per cent, and
    a statement text that never contains the input earns ``inspection``
    per cent. The material format is described in
    :mod:`autograder.checks._security`; what is judged, in this module's
    docstring.

    Options:
        function: The lookup, called as ``function(connection, value)``
            (required).
        setup: SQL script that creates and fills the database (required).
        reference: The honest lookup: one statement with one ``?``
            (required).
        inspection: Per cent of the points for keeping the input out of
            the statement's text (default 25).
        builtin_payloads: Run the built-in payloads besides the cell's
            (default true).
    """

    kind = "sql-injection"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.function: str = parsed.text("function")
        self.setup: str = parsed.text("setup")
        self.reference: str = parsed.text("reference")
        self.inspection = parsed.integer("inspection", 25)
        self.builtin = parsed.flag("builtin_payloads", default=True)
        parsed.finish()
        if self.inspection > 100:
            raise ValueError("sql-injection option 'inspection' must be ≤ 100")
        if self.reference.count("?") != 1:
            raise ValueError("sql-injection option 'reference' needs one `?`")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "SQL injection payloads against a real SQLite database"

    def run(self, context: CheckContext) -> CheckResult:
        """Build the database and call the lookup with every value.

        Args:
            context: The answer and the graded cell, which holds the values.

        Returns:
            The share earned, and what went wrong for which value.
        """
        try:
            material = read_cases(
                context.tests,
                {"LOOKUPS": "ordinary names", "PAYLOADS": "the cell's payloads"},
            )
            folder = Path(tempfile.mkdtemp(prefix="sql-", dir=context.workdir))
            lab = _Lab(folder, self.setup, self.reference)
        except ValueError as error:
            return malformed(self.label, error)
        if not material["LOOKUPS"]:
            return malformed(self.label, ValueError("LOOKUPS lists no ordinary value"))
        functions, stop = load_functions(context.answer, [self.function])
        if stop is not None:
            return stop
        try:
            return self._judge(context, lab, functions[self.function], material)
        finally:
            forget(context.answer)

    def _judge(
        self,
        context: CheckContext,
        lab: _Lab,
        function: Callable[..., Any],
        material: dict[str, list[Case]],
    ) -> CheckResult:
        session = _Session(self, lab, function, context)
        failures = session.lookups(material["LOOKUPS"])
        if failures:
            return CheckResult(0.0, tuple(cut(failures, len(failures))))
        payloads = [*self._builtin(lab), *material["PAYLOADS"]]
        kinds = by_kind(payloads)
        beaten, findings = session.payloads(kinds)
        pasted = session.inspect()
        share = (len(kinds) - len(beaten)) / len(kinds) if kinds else 1.0
        weight = self.inspection / 100
        fraction = (1 - weight) * share + weight * (pasted is None)
        if pasted is not None:
            findings.append(pasted)
        if beaten:
            findings.append(
                make_finding(
                    "security.sql-kinds-beaten",
                    defended=len(kinds) - len(beaten),
                    total=len(kinds),
                    beaten="; ".join(beaten),
                )
            )
        if not findings:
            findings.append(
                make_finding(
                    "security.sql-clean",
                    function=self.function,
                    lookups=len(material["LOOKUPS"]),
                    payloads=len(payloads),
                )
            )
        return CheckResult(fraction, tuple(findings))

    def _builtin(self, lab: _Lab) -> list[Case]:
        if not self.builtin:
            return []
        cases = []
        for template, kind in BUILTIN_PAYLOADS:
            text = template.replace("{columns}", lab.columns)
            text = text.replace("{nulls}", lab.nulls)
            tables = lab.tables if "{table}" in text else [""]
            cases += [Case(text.replace("{table}", table), kind) for table in tables]
        return cases


class _Session:
    """One run of the check: the learner's lookup against the database."""

    def __init__(
        self,
        check: SqlInjectionCheck,
        lab: _Lab,
        function: Callable[..., Any],
        context: CheckContext,
    ) -> None:
        self.name = check.function
        self.lab = lab
        self.function = function
        self.context = context
        self.answer = context.answer
        line = definition_line(self.answer.source, self.name)
        self.where: Location = self.answer.at(line)

    def lookups(self, cases: list[Case]) -> list[Finding]:
        """Try the ordinary values.

        Args:
            cases: The values.

        Returns:
            A finding per value the lookup got wrong.
        """
        failures = []
        for number, case in enumerate(cases, 1):
            self.context.on_event({"test": f"{self.name}: ordinary lookup {number}"})
            finding = self.verdict(case, "name", honest=True)
            if finding is not None:
                failures.append(finding)
        return failures

    def payloads(self, kinds: dict[str, list[Case]]) -> tuple[list[str], list[Finding]]:
        """Try the payloads, kind by kind.

        Args:
            kinds: The payloads of each kind.

        Returns:
            The kinds some payload got through, and the findings (cut).
        """
        beaten: list[str] = []
        findings: list[Finding] = []
        number = 0
        for kind, cases in kinds.items():
            for case in cases:
                number += 1
                self.context.on_event({"test": f"{self.name}: payload {number}"})
                finding = self.verdict(case, "payload")
                if finding is None:
                    continue
                findings.append(finding)
                if kind not in beaten:
                    beaten.append(kind)
        return beaten, cut(findings, len(findings))

    def verdict(self, case: Case, noun: str, *, honest: bool = False) -> Finding | None:
        """Judge one call.

        Args:
            case: The value.
            noun: What the value is, for the feedback.
            honest: Whether it is an ordinary value.

        Returns:
            What went wrong, or ``None`` when the lookup behaved.
        """
        expected = self.lab.expected(case.value)
        outcome = self.lab.call(self.function, case.value)
        shown = case.shown(noun)
        value = "…" if case.hidden else short(case.value)
        call = f"{self.name}(connection, {value})"
        if outcome.damage is not None:
            return make_finding(
                "security.sql-damaged",
                self.where,
                case=shown,
                call=call,
                damage=outcome.damage,
            )
        if outcome.error is not None:
            return make_finding(
                "security.sql-honest-crashed" if honest else "security.sql-crashed",
                self.where,
                case=shown,
                call=call,
                error=describe_error(outcome.error),
                expected=_rows_text(expected, case.hidden),
            )
        if outcome.rows is None:
            return make_finding(
                "security.sql-not-rows",
                self.where,
                call=call,
                returned=outcome.returned,
            )
        got, wanted = Counter(map(repr, outcome.rows)), Counter(map(repr, expected))
        if got == wanted:
            return None
        extra = list((got - wanted).elements())
        if extra and not honest:
            example = "" if case.hidden else f", such as {extra[0][:MAX_ROW]}"
            return make_finding(
                "security.sql-leak",
                self.where,
                case=shown,
                call=call,
                count=len(extra),
                example=example,
                expected=len(expected),
            )
        return make_finding(
            "security.sql-wrong-rows",
            self.where,
            case=shown,
            call=call,
            got=_rows_text(outcome.rows, case.hidden),
            expected=_rows_text(expected, case.hidden),
        )

    def inspect(self) -> Finding | None:
        """Call with marker values: does the input reach the statement's text?

        Returns:
            The finding that shows the input inside a statement, if it is.
        """
        for marker in MARKERS:
            outcome = self.lab.call(self.function, marker)
            forms = {marker, marker.replace("'", "''"), marker.replace("'", "\\'")}
            for statement in outcome.statements:
                if any(form in statement for form in forms):
                    return self._pasted(marker, statement)
        return None

    def _pasted(self, marker: str, statement: str) -> Finding:
        built = built_statements(self.answer.source)
        how = ""
        location = self.where
        if built:
            line, text = built[0]
            how = f" It is built with {text}, at this line."
            location = self.answer.at(line)
        return make_finding(
            "security.sql-input-in-statement",
            location,
            function=self.name,
            marker=short(marker),
            statement=clip(" ".join(statement.split()), 120),
            how=how,
        )


def _rows_text(rows: list[tuple[Any, ...]], hidden: bool) -> str:
    """Show rows, or only their number for a hidden case."""
    count = f"{len(rows)} row" + ("" if len(rows) == 1 else "s")
    if hidden or not rows:
        return count if rows else "no row"
    return f"{count}: {short(rows, 120)}"
