"""Does the singleton race catch an unguarded first call every time, and only that?

The check runs the way the engine runs it: in a forked, limited child. An
unlocked lazy accessor must fail on every one of many runs (the slowed
construction makes the race certain, not lucky), and correct accessors must
pass on every one of many runs.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from autograder import Settings, split_tests
from autograder.checks import Answer, CheckContext, CheckResult, build_check
from autograder.checks._singleton_race import SlowConstruction, definition_line
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "config", "your module", ("Settings", "get_settings"))
OPTIONS: dict[str, Any] = {"accessor": "get_settings", "cls": "Settings"}
TESTS = "%%check settings\n# the race needs no test code\n"

SETTINGS_CLASS = """\
import functools
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    currency: str = "EUR"

"""

UNLOCKED = (
    SETTINGS_CLASS
    + """
_settings = None


def get_settings():
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings
"""
)

CACHED = (
    SETTINGS_CLASS
    + """
@functools.cache
def get_settings():
    return Settings()
"""
)

MODULE_LEVEL = (
    SETTINGS_CLASS
    + """
_SETTINGS = Settings()


def get_settings():
    return _SETTINGS
"""
)

DOUBLE_CHECKED = (
    SETTINGS_CLASS
    + """
_settings = None
_lock = threading.Lock()


def get_settings():
    global _settings
    if _settings is None:
        with _lock:
            if _settings is None:
                _settings = Settings()
    return _settings
"""
)

NEW_BASED = """\
class Settings:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self):
        self.currency = "EUR"


def get_settings():
    return Settings()
"""

DEADLOCK = (
    SETTINGS_CLASS
    + """
_settings = None
_lock = threading.Lock()


def get_settings():
    global _settings
    with _lock:
        if _settings is None:
            _settings = Settings()
        return get_settings()
"""
)

CRASH = (
    SETTINGS_CLASS
    + """
def get_settings():
    return Settings(currency=1 / 0)
"""
)

WRONG_TYPE = (
    SETTINGS_CLASS
    + """
_SETTINGS = {"currency": "EUR"}


def get_settings():
    return _SETTINGS
"""
)

FRESH_EACH_CALL = """\
def get_settings():
    return object()
"""


def run(
    source: str, settings: Settings, *, times: int = 1, **options: Any
) -> list[CheckResult]:
    """Run the check ``times`` times in one forked child (each on a fresh import)."""
    declared = {**OPTIONS, **options}
    job = Job(
        checks={
            index: CheckSpec("singleton-race", 2.0, "answer", declared)
            for index in range(times)
        },
        answers={"answer": (ANSWER, source)},
        tests=split_tests("settings", TESTS),
    )
    results = run_isolated(job, settings)
    return [results[index] for index in range(times)]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def test_an_unlocked_lazy_accessor_fails_on_every_one_of_many_runs(
    settings: Settings,
) -> None:
    results = run(UNLOCKED, settings, times=25, rounds=1)
    assert [result.fraction for result in results] == [0.0] * 25
    assert all(ids(result) == ["patterns.singleton-race"] for result in results)


def test_functools_cache_alone_fails_on_every_one_of_many_runs(
    settings: Settings,
) -> None:
    results = run(CACHED, settings, times=10, rounds=1)
    assert all(ids(result) == ["patterns.singleton-race"] for result in results)


@pytest.mark.parametrize("source", [MODULE_LEVEL, DOUBLE_CHECKED])
def test_correct_accessors_pass_on_every_one_of_many_runs(
    source: str, settings: Settings
) -> None:
    results = run(source, settings, times=10)
    assert [result.fraction for result in results] == [1.0] * 10
    assert all(ids(result) == ["patterns.singleton-shared"] for result in results)


def test_the_race_finding_counts_objects_and_constructions_at_the_accessor(
    settings: Settings,
) -> None:
    [result] = run(UNLOCKED, settings, threads=8)
    [finding] = result.findings
    assert "8 threads called `get_settings()`" in finding.message
    assert "got 8 different objects, built 8 times" in finding.message
    assert finding.location is not None
    assert finding.location.line == definition_line(UNLOCKED, "get_settings")
    assert "threading.Lock" in finding.hint
    assert finding.link == "07_design_patterns#Races-on-the-first-call"


def test_a_new_based_singleton_that_reruns_init_is_caught(settings: Settings) -> None:
    [result] = run(NEW_BASED, settings)
    assert result.fraction == 0.0
    [finding] = result.findings
    assert finding.id == "patterns.singleton-rebuilt"
    assert "`Settings.__init__` ran 21 times" in finding.message
    assert "runs set up an object that was already set up" in finding.message
    assert finding.location is not None
    assert finding.location.line == 1  # class Settings


def test_a_new_based_singleton_is_judged_rebuilt_even_when_its_new_races(
    settings: Settings,
) -> None:
    # Its unlocked __new__ may also hand out two objects in some rounds; the
    # rerun __init__ happens on every call, so it is the finding every time.
    results = run(NEW_BASED, settings, times=10, rounds=1)
    assert all(ids(result) == ["patterns.singleton-rebuilt"] for result in results)


def test_a_deadlocked_accessor_is_reported_as_stuck_not_waited_for(
    settings: Settings,
) -> None:
    [result] = run(DEADLOCK, settings, threads=4, delay_ms=10)
    assert ids(result) == ["patterns.singleton-stuck"]
    assert "4 of 4 threads" in result.findings[0].message


def test_a_crash_in_the_accessor_points_at_its_line(settings: Settings) -> None:
    [result] = run(CRASH, settings, threads=3)
    [finding] = result.findings
    assert finding.id == "patterns.singleton-crashed"
    assert "ZeroDivisionError" in finding.message
    assert "4 of 4 calls" in finding.message
    assert finding.location is not None
    assert "1 / 0" in CRASH.splitlines()[(finding.location.line or 0) - 1]


def test_an_object_of_another_class_is_reported(settings: Settings) -> None:
    [result] = run(WRONG_TYPE, settings)
    assert ids(result) == ["patterns.singleton-wrong-type"]
    assert "returned a `dict`, not a `Settings`" in result.findings[0].message


def test_without_a_class_the_objects_are_still_compared(settings: Settings) -> None:
    spec = AnswerSpec("answer", "config", "your module", ("get_settings",))
    job = Job(
        checks={
            0: CheckSpec("singleton-race", 2.0, "answer", {"accessor": "get_settings"})
        },
        answers={"answer": (spec, FRESH_EACH_CALL)},
        tests=split_tests("settings", TESTS),
    )
    [finding] = run_isolated(job, settings)[0].findings
    assert finding.id == "patterns.singleton-race"
    assert "built" not in finding.message


def _context(
    tmp_path: Path, source: str, spec: AnswerSpec, settings: Settings
) -> CheckContext:
    path = tmp_path / f"{spec.module}.py"
    path.write_text(source, encoding="utf-8")
    answer = Answer(spec, source, path)
    return CheckContext(
        workdir=tmp_path,
        answer=answer,
        answers={spec.grade_id: answer},
        tests=None,
        settings=settings,
        on_event=lambda event: None,
    )


def test_the_class_and_the_switch_interval_are_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "config", raising=False)
    switch = sys.getswitchinterval()
    check = build_check("singleton-race", {**OPTIONS, "threads": 3, "delay_ms": 1})
    result = check.run(_context(tmp_path, DOUBLE_CHECKED, ANSWER, settings))
    assert result.fraction == 1.0
    cls = sys.modules["config"].Settings
    assert cls.__init__.__qualname__ == "Settings.__init__"
    assert sys.getswitchinterval() == switch


def test_a_watched_class_without_its_own_init_gets_none_back() -> None:
    class Plain:
        pass

    watch = SlowConstruction(Plain, 0.0)
    watch.install()
    Plain()
    watch.uninstall()
    assert watch.runs == 1
    assert "__init__" not in Plain.__dict__


def test_a_missing_contract_name_is_left_to_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "config", raising=False)
    check = build_check("singleton-race", OPTIONS)
    source = SETTINGS_CLASS
    assert check.run(_context(tmp_path, source, ANSWER, settings)).findings == ()
    spec = AnswerSpec("answer", "config", "your module", ("Settings",))
    [finding] = check.run(_context(tmp_path, source, spec, settings)).findings
    assert finding.id == "patterns.not-defined"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"accessor": 3},
        {"accessor": "get_settings", "threads": 1},
        {"accessor": "get_settings", "racers": 20},
    ],
)
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="singleton-race"):
        build_check("singleton-race", options)


def test_no_thread_of_the_race_outlives_a_correct_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "config", raising=False)
    before = threading.active_count()
    check = build_check("singleton-race", {**OPTIONS, "threads": 5, "delay_ms": 1})
    check.run(_context(tmp_path, MODULE_LEVEL, ANSWER, settings))
    assert threading.active_count() == before


def test_threads_the_system_refuses_are_the_graders_fault_not_the_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "config", raising=False)
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        if len(started) == 3:
            raise RuntimeError("can't start new thread")
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    check = build_check("singleton-race", {**OPTIONS, "threads": 5, "delay_ms": 1})
    result = check.run(_context(tmp_path, MODULE_LEVEL, ANSWER, settings))
    assert result.fraction == 0.0
    [finding] = result.findings
    assert finding.id == "checks.error"
    assert "only 3 of 5 threads started" in finding.message
    assert not any(thread.is_alive() for thread in started)
