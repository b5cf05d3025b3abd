"""Does the SQL injection check catch lookups that let input rewrite the query?

The check runs as the engine runs it, in a forked, limited child, against a
real SQLite database; the reading of the source is also tested on its own.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._sql_injection import built_statements
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "people", "your module", ("lookup",))
SETUP = """
CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);
CREATE TABLE secrets (owner INTEGER, secret TEXT);
INSERT INTO users VALUES (1, 'alice', 'a@x.org'), (2, 'bob', 'b@x.org'),
    (3, 'O''Brien', 'o@x.org');
INSERT INTO secrets VALUES (1, 'swordfish');
"""
OPTIONS = {
    "function": "lookup",
    "setup": SETUP,
    "reference": "SELECT id, username, email FROM users WHERE username = ?",
}

SAFE = """\
def lookup(connection, username):
    sql = "SELECT id, username, email FROM users WHERE username = ?"
    return connection.execute(sql, (username,)).fetchall()
"""

PASTED = """\
def lookup(connection, username):
    query = f"SELECT id, username, email FROM users WHERE username = '{username}'"
    return connection.execute(query).fetchall()
"""

ESCAPED = """\
def lookup(connection, username):
    safe = username.replace("'", "''")
    query = "SELECT id, username, email FROM users WHERE username = '%s'" % safe
    return connection.execute(query).fetchall()
"""

SCRIPTED = """\
def lookup(connection, username):
    connection.executescript(
        "CREATE TEMP TABLE found AS SELECT id, username, email FROM users "
        "WHERE username = '" + username + "';"
    )
    rows = connection.execute("SELECT * FROM found").fetchall()
    connection.execute("DROP TABLE found")
    return rows
"""

TESTS = """\
%%check sql
LOOKUPS = ["alice", "O'Brien", "nobody"]
PAYLOADS = [
    "' OR username LIKE '%",  # a condition that is always true
]
"""

HIDDEN = """\
### BEGIN HIDDEN TESTS
PAYLOADS += [
    "' oR 1=1 --",  # mixed case, for filters that look for OR
]
### END HIDDEN TESTS
"""


def run(
    source: str, settings: Settings, tests: str = TESTS, **options: object
) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("sql-injection", 2.0, "answer", {**OPTIONS, **options})},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("sql", tests),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def only(result: CheckResult, finding_id: str) -> Finding:
    [finding] = [f for f in result.findings if f.id == finding_id]
    return finding


def test_a_bound_parameter_earns_everything(settings: Settings) -> None:
    result = run(SAFE, settings)
    assert result.fraction == 1.0
    assert ids(result) == ["security.sql-clean"]
    assert "3 ordinary lookups" in result.findings[0].message


def test_a_pasted_name_fails_on_a_quote_before_any_payload(settings: Settings) -> None:
    result = run(PASTED, settings)
    assert result.fraction == 0.0
    finding = only(result, "security.sql-honest-crashed")
    assert '`lookup(connection, "O\'Brien")` raised OperationalError' in (
        finding.message
    )
    assert "[(3, \"O'Brien\", 'o@x.org')]" in finding.message
    assert finding.location is not None
    assert (finding.location.cell, finding.location.line) == ("answer", 1)


def test_a_pasted_name_leaks_rows_once_the_gate_is_open(settings: Settings) -> None:
    tests = 'LOOKUPS = ["alice"]\n'
    result = run(PASTED, settings, tests=tests, inspection=0)
    leak = next(f for f in result.findings if f.id == "security.sql-leak")
    assert "INJECTION: for the payload `\"' OR '1'='1\"`" in leak.message
    assert "returned 3 row(s) that an honest lookup does not" in leak.message
    assert result.fraction < 0.5


def test_escaping_by_hand_resists_payloads_but_loses_the_inspection_share(
    settings: Settings,
) -> None:
    result = run(ESCAPED, settings)
    assert result.fraction == pytest.approx(0.75)
    finding = only(result, "security.sql-input-in-statement")
    assert "WHERE username = 'zq''marker-7070'" in finding.message
    assert "built with `%` formatting" in finding.message
    assert finding.location is not None
    assert finding.location.line == 3


def test_the_inspection_share_is_an_option(settings: Settings) -> None:
    assert run(ESCAPED, settings, inspection=0).fraction == 1.0


def test_a_dropped_or_emptied_table_is_damage(settings: Settings) -> None:
    source = SAFE.replace(
        "    return", "    connection.execute('DELETE FROM secrets')\n    return"
    )
    result = run(source, settings)
    assert result.fraction == 0.0
    finding = result.findings[0]
    assert finding.id == "security.sql-damaged"
    assert "`secrets` lost 1 of its 1 rows" in finding.message


def test_executescript_runs_stacked_statements(settings: Settings) -> None:
    result = run(SCRIPTED, settings, tests='LOOKUPS = ["alice"]\n')
    damaged = [f for f in result.findings if f.id == "security.sql-damaged"]
    assert any("the table `users` is gone" in f.message for f in damaged)
    kinds = only(result, "security.sql-kinds-beaten")
    assert "a second statement after a semicolon" in kinds.message
    pasted = only(result, "security.sql-input-in-statement")
    assert "`executescript`" in pasted.message


def test_like_with_a_parameter_lets_wildcards_through(settings: Settings) -> None:
    source = SAFE.replace("username = ?", "username LIKE ?")
    result = run(source, settings)
    kinds = only(result, "security.sql-kinds-beaten")
    assert "got through: LIKE wildcards" in kinds.message
    assert result.fraction == pytest.approx(0.75 * 4 / 5 + 0.25)


def test_a_hidden_payload_is_named_by_its_kind_only(settings: Settings) -> None:
    source = SAFE.replace(
        "    sql =",
        "    if ' oR ' in username:\n        return [(0, 'x', 'y')]\n    sql =",
    )
    result = run(source, settings, tests=TESTS + HIDDEN)
    leak = only(result, "security.sql-leak")
    assert "a hidden payload (mixed case, for filters that look for OR)" in (
        leak.message
    )
    assert "oR 1=1" not in leak.message
    assert "lookup(connection, …)" in leak.message
    assert "(0, 'x', 'y')" not in leak.message


def test_the_values_to_try_are_required(settings: Settings) -> None:
    result = run(SAFE, settings, tests="%%check sql\n# nothing\n")
    assert ids(result) == ["checks.error"]
    assert "LOOKUPS" in result.findings[0].message


def test_a_missing_function_is_said_plainly(settings: Settings) -> None:
    result = run("def other():\n    return 1\n", settings)
    assert ids(result) == ["security.not-defined"]
    assert "`lookup`" in result.findings[0].message


def test_a_reference_without_one_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="one `\\?`"):
        build_check("sql-injection", {**OPTIONS, "reference": "SELECT 1"})


@pytest.mark.parametrize(
    ("source", "line", "how"),
    [
        (PASTED, 2, "an f-string"),
        (ESCAPED, 3, "`%` formatting"),
        (
            "def f(c, u):\n    q = 'SELECT * FROM t WHERE u = '\n    q += u\n"
            "    return c.execute(q)\n",
            3,
            "`+` concatenation",
        ),
        (
            "def f(c, u):\n    return c.execute('SELECT {} FROM t'.format(u))\n",
            2,
            "`str.format`",
        ),
    ],
)
def test_reading_finds_where_a_statement_is_built(
    source: str, line: int, how: str
) -> None:
    assert built_statements(source) == [(line, how)]


def test_reading_leaves_constant_statements_alone() -> None:
    source = (
        "BASE = 'SELECT id FROM users '\n"
        "WHERE = BASE + 'WHERE username = ?'\n\n\n"
        "def f(c, u):\n"
        "    sql = f'{BASE}' 'WHERE id = ?'\n"
        "    c.execute(WHERE, (u,))\n"
        "    return c.execute(sql, (u,))\n"
    )
    assert built_statements(source) == []
