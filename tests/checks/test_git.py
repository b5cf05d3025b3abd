"""Do the git checks make real histories from a plan and judge what git stored?

The plan reader, the hunk arithmetic and the message rules are tested on
their own; the three check kinds (``git-history``, ``git-messages``,
``git-ignore``) run in-process with the real git on small scenarios.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._git import (
    Git,
    Lab,
    Scenario,
    apply_hunks,
    blob_id,
    replay,
)
from autograder.checks._git_messages import Rules, message_problems, mood_of
from autograder.checks._git_plan import read_plan

from .helpers import run_check

BASE = "".join(f"line {n}\n" for n in range(1, 21))
CHANGED = BASE.replace("line 2\n", "LINE 2\n").replace("line 19\n", "LINE 19\n")
SCENARIO: dict[str, Any] = {
    "base": {"app.py": BASE},
    "change": {
        "app.py": CHANGED,
        "new.py": "print('new')\n",
        ".env": "KEY=hush-1234\n",
        "run.log": "log\n",
    },
    "concerns": {
        "app.py#1": "style",
        "app.py#2": "fix",
        "new.py": "feature",
        ".gitignore": "ignore",
    },
    "types": {
        "style": ["style"],
        "fix": ["fix"],
        "feature": ["feat"],
        "ignore": ["chore"],
    },
    "forbidden": [".env", "*.log"],
    "secrets": ["hush-1234"],
}

GOOD = """\
GITIGNORE = ".env\\n*.log\\n"
COMMITS = [
    {"changes": [".gitignore"], "message": "chore: ignore secrets and logs"},
    {"changes": ["app.py#1"], "message": "style: shout line two"},
    {"changes": ["app.py#2"], "message": "fix: shout line nineteen\\n\\nWhy."},
    {"changes": ["new.py"], "message": "feat: print new\\n\\nBecause."},
]
"""


def _run(kind: str, options: dict[str, Any], source: str, **kw: Any) -> CheckResult:
    return run_check(kind, options, source, **kw)


def _ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


# --- Reading the plan ---------------------------------------------------------------


def test_a_plan_of_literals_names_and_joins_is_read_without_running_it() -> None:
    plan = read_plan(
        "BODY = '\\n'.join(['a', 'b'])\n"
        "GITIGNORE = '.env\\n' + '*.log\\n'\n"
        "COMMITS = [\n"
        "    {'changes': ['x.py'], 'message': 'fix: x\\n\\n' + BODY},\n"
        "    Commit(changes='y.py', message='feat: y'),\n"
        "    Commit(['z.py#2'], 'style: z'),\n"
        "]\n"
    )
    assert plan.problems == ()
    assert plan.gitignore == ".env\n*.log\n"
    assert [c.changes for c in plan.commits] == [("x.py",), ("y.py",), ("z.py#2",)]
    assert plan.commits[0].message == "fix: x\n\na\nb"
    assert [c.line for c in plan.commits] == [4, 5, 6]


def test_code_in_a_plan_is_named_at_its_line_not_run() -> None:
    plan = read_plan(
        "import os\nGITIGNORE = os.system('touch /tmp/x')\n"
        "COMMITS = [{'changes': p, 'message': 'x'} for p in 'ab']\n"
    )
    assert plan.gitignore is None
    assert plan.commits == ()
    lines = [line for line, _ in plan.problems]
    assert lines == [2, 3]
    assert "the call `os.system('touch /tmp/x')`" in plan.problems[0][1]


def test_a_commit_without_a_message_is_a_problem_of_that_commit() -> None:
    plan = read_plan("GITIGNORE = ''\nCOMMITS = [{'changes': ['a']}, 3]\n")
    assert [what for _, what in plan.problems] == [
        "commit 1 of `COMMITS`: its `message` is not a text",
        "commit 2 of `COMMITS`: its `changes` is not a list of paths",
    ]


# --- Hunks and the runner -----------------------------------------------------------


def test_hunks_apply_in_any_subset(tmp_path: Path) -> None:
    lab = Lab.build(tmp_path, Scenario.from_options(SCENARIO), None)
    first, second = lab.hunks["app.py"]
    assert apply_hunks(BASE, []) == BASE
    assert apply_hunks(BASE, [first, second]) == CHANGED
    assert "LINE 19" in apply_hunks(BASE, [second])
    assert "LINE 2\n" not in apply_hunks(BASE, [second])
    assert lab.hunks_of("app.py", blob_id(apply_hunks(BASE, [second]))) == {2}
    assert lab.hunks_of("app.py", blob_id("something else\n")) is None
    assert blob_id(BASE) == lab.git.must("rev-parse", "HEAD:app.py").strip()


def test_the_users_git_configuration_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Someone Else\n[commit]\n\tgpgsign = true\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    git = Git(tmp_path / "repo", tmp_path / "private")
    git.init()
    assert git.commit("chore: start", allow_empty=True).code == 0
    assert git.must("log", "--format=%an %ad", "--date=iso") == (
        "Ada Learner 2024-05-06 09:00:00 +0000\n"
    )


def test_git_refuses_an_ignored_path_and_a_hunk_that_is_not_there(
    tmp_path: Path,
) -> None:
    lab = Lab.build(tmp_path, Scenario.from_options(SCENARIO), ".env\n")
    plan = read_plan(
        "COMMITS = [{'changes': ['.env', 'app.py#3'], 'message': 'chore: x'}]\n"
    )
    done = replay(lab, plan.commits)
    assert [note.what for note in done.notes] == [
        "`git add .env`: The following paths are ignored by one of your "
        ".gitignore files:",
        "`app.py` has hunks 1 to 2, not 3",
        "it stages nothing new, so git makes no commit",
    ]
    assert done.made == ()


# --- git-history --------------------------------------------------------------------


def test_an_atomic_plan_earns_everything(settings: Settings, tmp_path: Path) -> None:
    result = _run("git-history", SCENARIO, GOOD, workdir=tmp_path, settings=settings)
    assert result.fraction == 1.0
    assert result.findings == ()


def test_one_big_commit_keeps_only_the_clean_tree_and_safety(
    settings: Settings, tmp_path: Path
) -> None:
    source = (
        "GITIGNORE = '.env\\n*.log\\n'\n"
        "COMMITS = [{'changes': ['.'], 'message': 'feat: all of it'}]\n"
    )
    result = _run("git-history", SCENARIO, source, workdir=tmp_path, settings=settings)
    assert result.fraction == pytest.approx(0.4)
    assert _ids(result) == ["git.mixed-commit"]
    assert "the style (`app.py`); the fix (`app.py`)" in result.findings[0].message


def test_a_committed_secret_costs_the_safety_share(
    settings: Settings, tmp_path: Path
) -> None:
    source = GOOD.replace('".env\\n*.log\\n"', '"*.log\\n"').replace(
        '[".gitignore"]', '[".gitignore", ".env"]'
    )
    result = _run("git-history", SCENARIO, source, workdir=tmp_path, settings=settings)
    assert result.fraction == pytest.approx(0.7)
    assert _ids(result) == ["git.forbidden-committed", "git.secret-committed"]
    assert result.findings[0].location is not None
    assert result.findings[0].location.line == 3


def test_a_wrong_type_and_a_dirty_tree_are_reported(
    settings: Settings, tmp_path: Path
) -> None:
    source = GOOD.replace("style: shout", "feat: shout").replace(
        '    {"changes": ["new.py"], "message": "feat: print new\\n\\nBecause."},\n', ""
    )
    result = _run("git-history", SCENARIO, source, workdir=tmp_path, settings=settings)
    assert _ids(result) == ["git.wrong-type", "git.dirty-tree"]
    assert "expected `style`" in result.findings[0].message
    assert "`new.py`" in result.findings[1].message
    # 3 single-concern commits of 4 concerns; 2 typed right; tree dirty; safe
    assert result.fraction == pytest.approx(0.45 * 3 / 4 + 0.15 * 2 / 4 + 0.3)


def test_a_scenario_without_types_for_a_concern_is_refused() -> None:
    with pytest.raises(ValueError, match="no types for"):
        build_check("git-history", {**SCENARIO, "types": {"fix": ["fix"]}})
    with pytest.raises(ValueError, match="has no option"):
        build_check("git-history", {**SCENARIO, "colour": True})


# --- git-messages -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "form"),
    [
        ("add", None),
        ("Added", "past"),
        ("fixes", "-s"),
        ("Updates", "-s"),
        ("adding", "-ing"),
        ("embed", None),
        ("bring", None),
        ("process", None),
        ("coupons", None),
    ],
)
def test_the_mood_heuristic_reads_the_first_word(word: str, form: str | None) -> None:
    assert mood_of(word) == form


def test_each_rule_names_what_breaks_it() -> None:
    rules = Rules()
    problems, applicable = message_problems(
        "Fix: Fixed a thing that was broken in a rather long way.\n" + "x " * 40, rules
    )
    assert {p.rule for p in problems} == {
        "format",
        "length",
        "mood",
        "period",
        "blank",
        "wrap",
    }
    assert applicable == 6
    good, applicable = message_problems("fix(cart): take it off\n\nBecause.", rules)
    assert good == []
    assert applicable == 7


def test_messages_are_judged_as_git_stores_them(
    settings: Settings, tmp_path: Path
) -> None:
    source = (
        "GITIGNORE = ''\n"
        "COMMITS = [\n"
        "    {'changes': [], 'message': '\\n\\nchore: tidy   \\n\\n\\n'},\n"
        "    {'changes': [], 'message': '   '},\n"
        "]\n"
    )
    result = _run("git-messages", {}, source, workdir=tmp_path, settings=settings)
    assert _ids(result) == ["git.message-empty"]
    assert result.fraction == 0.5
    assert result.findings[0].location is not None
    assert result.findings[0].location.line == 4


# --- git-ignore ---------------------------------------------------------------------

IGNORE_TESTS = """\
%%check ignore
IGNORED = [
    ".env",  # secrets
    "a/b/run.log",  # logs
]
KEPT = [
    ".env.example",  # templates
]
### BEGIN HIDDEN TESTS
KEPT += [
    "catalog.py",  # code
]
### END HIDDEN TESTS
"""


@pytest.mark.parametrize(
    ("rules", "fraction", "wrong"),
    [
        (".env\\n*.log\\n", 1.0, []),
        (".env*\\n!.env.example\\n*.log\\n", 1.0, []),
        (".env*\\n*log*\\n", 0.5, ["`'.env.example'`", "a hidden path (code)"]),
        ("*.log\\n", 0.75, ["`'.env'`"]),
    ],
)
def test_git_check_ignore_decides_each_path(
    rules: str, fraction: float, wrong: list[str], settings: Settings, tmp_path: Path
) -> None:
    tests = split_tests("ignore", IGNORE_TESTS)
    source = f'GITIGNORE = "{rules}"\nCOMMITS = []\n'
    result = _run(
        "git-ignore", {}, source, workdir=tmp_path, settings=settings, tests=tests
    )
    assert result.fraction == fraction
    assert len(result.findings) == len(wrong)
    for finding, shown in zip(result.findings, wrong, strict=True):
        assert shown in finding.message
        assert "catalog" not in finding.message


def test_without_its_lists_the_ignore_check_says_the_course_is_at_fault(
    settings: Settings, tmp_path: Path
) -> None:
    tests = split_tests("ignore", "%%check ignore\n# nothing here\n")
    result = _run(
        "git-ignore", {}, "GITIGNORE = ''\n", workdir=tmp_path, settings=settings,
        tests=tests,
    )  # fmt: skip
    assert _ids(result) == ["checks.error"]
