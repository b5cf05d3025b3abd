"""Does ``course warm`` fill the mypy cache exactly where the checks read it?"""

from __future__ import annotations

import textwrap
import time
import tomllib
from pathlib import Path

import pytest

from autograder import Settings, load_settings
from autograder.checks import Answer, CheckContext, MypyCheck
from autograder.cli import main
from autograder.cli._warm import WARM_MODULE, mypy_checks, warm_mypy
from autograder.spec import AnswerSpec

ROOT = Path(__file__).resolve().parents[2]


def declare(folder: Path, exercise_id: str, checks: str) -> None:
    """Write a minimal exercise declaration with the given check tables."""
    folder.mkdir(parents=True)
    (folder / "exercise.toml").write_text(
        textwrap.dedent(
            f"""\
            id = "{exercise_id}"
            title = "t"
            notebook = "{exercise_id}.ipynb"

            [answers.code]
            module = "code_answer"
            defines = ["f"]

            [cells.check]
            title = "c"
            """
        )
        + textwrap.dedent(checks),
        encoding="utf-8",
    )


MYPY_STRICT = """
[[cells.check.checks]]
kind = "mypy"
answer = "code"
points = 1
"""
MYPY_NO_ANY = """
[[cells.check.checks]]
kind = "mypy"
answer = "code"
points = 1
flags = ["--disallow-any-explicit"]
"""
RUFF = """
[[cells.check.checks]]
kind = "ruff"
answer = "code"
points = 1
select = ["E"]
"""


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """Three exercises: strict mypy twice, a stricter flag set once, ruff only."""
    declare(tmp_path / "solutions" / "01_a", "01_a", MYPY_STRICT + RUFF)
    declare(tmp_path / "exercises" / "01_a", "01_a", MYPY_STRICT + RUFF)
    declare(tmp_path / "solutions" / "02_b", "02_b", MYPY_NO_ANY + MYPY_STRICT)
    declare(tmp_path / "solutions" / "03_c", "03_c", RUFF)
    return tmp_path


def cache_folder(check: MypyCheck, settings: Settings, workdir: Path) -> Path:
    """The cache folder the check itself passes to mypy."""
    module = workdir / "probe.py"
    module.write_text("x: int = 1\n")
    answer = Answer(AnswerSpec("probe", "probe", "probe"), "", module)
    context = CheckContext(workdir, answer, {}, None, settings, lambda _: None)
    flag = next(a for a in check.arguments(context) if a.startswith("--cache-dir="))
    return Path(flag.partition("=")[2])


def timed_check(check: MypyCheck, settings: Settings, workdir: Path) -> float:
    """Seconds one real check of a small module takes."""
    module = workdir / "loans.py"
    module.write_text(
        "import dataclasses\n\n\ndef double(x: int) -> int:\n    return 2 * x\n"
    )
    answer = Answer(AnswerSpec("loans", "loans", "your module"), "", module)
    context = CheckContext(workdir, answer, {}, None, settings, lambda _: None)
    started = time.perf_counter()
    result = check.run(context)
    assert result.fraction == 1.0, result.findings
    return time.perf_counter() - started


def test_each_distinct_flag_set_is_found_once(course: Path) -> None:
    """Are the declared mypy flag sets listed once each, and nothing else?"""
    checks = mypy_checks(course)
    assert [check.flags for check in checks] == [
        ("--strict",),
        ("--strict", "--disallow-any-explicit"),
    ]


def test_the_courses_own_flag_sets_are_all_found() -> None:
    """Is every mypy check the course declares covered by a warmed flag set?"""
    warmed = {check.flags for check in mypy_checks(ROOT)}
    declared = set()
    for path in sorted(ROOT.glob("solutions/*/exercise.toml")):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        for cell in spec["cells"].values():
            for check in cell["checks"]:
                if check["kind"] == "mypy":
                    options = {
                        key: value
                        for key, value in check.items()
                        if key not in {"kind", "points", "answer"}
                    }
                    declared.add(MypyCheck(options).flags)
    assert declared
    assert declared == warmed


def test_the_warm_up_module_is_clean_under_every_course_flag_set(
    tmp_path: Path,
) -> None:
    """Does the warm-up module type-check clean under each flag set it warms?"""
    settings = load_settings({"COURSE_CACHE_DIR": str(tmp_path / "cache")})
    module = tmp_path / "course_warm_up.py"
    module.write_text(WARM_MODULE)
    answer = Answer(AnswerSpec("w", "course_warm_up", "warm"), WARM_MODULE, module)
    context = CheckContext(tmp_path, answer, {}, None, settings, lambda _: None)
    checks = [*mypy_checks(ROOT), MypyCheck({"flags": ["--disallow-any-expr"]})]
    for check in checks:
        result = check.run(context)
        assert result.fraction == 1.0, (check.label, result.findings)


def test_a_mypy_that_cannot_run_is_reported(tmp_path: Path) -> None:
    """Does warming say so when mypy cannot run with the declared flags?"""
    settings = load_settings({"COURSE_CACHE_DIR": str(tmp_path / "cache")})
    assert not warm_mypy(MypyCheck({"flags": ["--no-such-flag"]}), settings)
    assert warm_mypy(MypyCheck({}), settings)


def test_a_warm_cache_makes_the_first_check_fast(tmp_path: Path) -> None:
    """After warming, is a learner's first check faster than a cold one?"""
    check = MypyCheck({})
    cold = load_settings({"COURSE_CACHE_DIR": str(tmp_path / "cold")})
    warm = load_settings({"COURSE_CACHE_DIR": str(tmp_path / "warm")})
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert warm_mypy(check, warm)
    assert cache_folder(check, warm, tmp_path / "a").is_dir()
    cold_seconds = timed_check(check, cold, tmp_path / "a")
    warm_seconds = timed_check(check, warm, tmp_path / "b")
    # Cold runs take well over a second (typeshed); warm ones a few hundredths.
    assert warm_seconds < cold_seconds / 3, (warm_seconds, cold_seconds)


def test_the_command_warms_every_flag_set(
    course: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Does ``course warm`` fill one cache folder per flag set and say so?"""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    assert main(["warm", "--root", str(course)]) == 0
    assert "mypy cache warm for 2 flag set(s)" in capsys.readouterr().out
    settings = load_settings({"COURSE_CACHE_DIR": str(cache)})
    (tmp_path / "w").mkdir()
    folders = {
        cache_folder(check, settings, tmp_path / "w") for check in mypy_checks(course)
    }
    assert len(folders) == 2
    assert all(folder.is_dir() for folder in folders)
    assert set((cache / "mypy").iterdir()) == folders
