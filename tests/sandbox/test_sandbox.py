"""Is learner code confined while grading, and can it forge a verdict?

The bubblewrap sandbox must hide the course, the network and other
processes; Landlock must keep learner children out of ``/proc``, the course,
TCP and other processes in both sandboxes; the rlimit fallback must still
limit and guard; and replies not sealed with the session's key must be
refused.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder import Settings, load_settings
from autograder.checks import TestCode as CellTests
from autograder.runner import Job
from autograder.sandbox import SandboxSession, detect_backend, new_key, seal, unseal
from autograder.sandbox._landlock import abi_version
from autograder.spec import AnswerSpec, CheckSpec

from ..nbgrader.sandbox_required import require_bwrap

PROBE = """
import os, socket
def probe():
    return "ok"
"""


def _job(answer: str, tests: str) -> Job:
    spec = AnswerSpec(
        grade_id="answer", module="probe", label="your module", defines=("probe",)
    )
    return Job(
        checks={
            0: CheckSpec.from_dict(
                {"kind": "pytest", "answer": "answer", "points": 1, "options": {}}
            )
        },
        answers={"answer": (spec, answer)},
        tests=CellTests("cell", tests, 1, None),
    )


def _settings(tmp_path: Path, sandbox: str) -> Settings:
    return load_settings(
        {
            "COURSE_CACHE_DIR": str(tmp_path / "cache"),
            "COURSE_SANDBOX": sandbox,
            "COURSE_CHECK_TIMEOUT": "5",
        }
    )


def _passed(session: SandboxSession, answer: str, tests: str) -> float:
    return session.run(_job(answer, tests))[0].fraction


def test_a_sealed_line_is_accepted_and_a_forged_one_refused() -> None:
    key = new_key()
    line = seal(key, {"results": {"0": {"fraction": 1.0}}})
    assert unseal(key, line)["results"]["0"]["fraction"] == 1.0
    forged = line.replace("1.0", "0.5")
    with pytest.raises(ValueError, match="seal"):
        unseal(key, forged)
    with pytest.raises(ValueError, match="seal"):
        unseal(new_key(), line)


@pytest.mark.slow
def test_bwrap_hides_the_course_network_and_processes(
    root: Path, tmp_path: Path
) -> None:
    require_bwrap()
    secret = tmp_path / "course" / "gradebook.db"
    secret.parent.mkdir()
    secret.write_text("grades")
    with SandboxSession(
        _settings(tmp_path, "bwrap"), hidden=(secret.parent, root)
    ) as session:
        assert session.backend.name == "bwrap"
        tests = f"""
import os, pathlib, socket
import probe

def test_course_is_invisible():
    assert not pathlib.Path({str(secret)!r}).exists()
    assert not pathlib.Path({str(root / "solutions")!r}).exists()

def test_no_network_interface_but_loopback():
    assert [name for _, name in socket.if_nameindex()] == ["lo"]

def test_own_pid_namespace():
    assert os.getpid() < 100
    try:
        os.kill({os.getpid()}, 0)
    except (ProcessLookupError, PermissionError):
        return
    raise AssertionError("the grader's process is visible")

def test_key_is_not_in_the_environment():
    assert not any("KEY" in name for name in os.environ)

def test_system_is_read_only():
    try:
        open("/usr/grading-probe", "w")
    except OSError:
        return
    raise AssertionError("wrote to /usr")
"""
        assert _passed(session, PROBE, tests) == 1.0


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", ["bwrap", "rlimits"])
def test_limits_are_findings(tmp_path: Path, sandbox: str) -> None:
    if sandbox == "bwrap":
        require_bwrap()
    settings = _settings(tmp_path, sandbox)
    with SandboxSession(settings, hidden=(tmp_path / "course",)) as session:
        assert session.backend.name == sandbox
        loop = (
            "import probe\n\ndef test_parse_orders():\n    while True:\n        pass\n"
        )
        result = session.run(_job(PROBE, loop))[0]
        assert result.fraction == 0
        assert result.findings[0].id == "limits.timeout"
        assert "`test_parse_orders`" in result.findings[0].message
        spam = (
            "import probe\n\ndef test_spam():\n"
            "    while True:\n        print('x' * 4096)\n"
        )
        assert session.run(_job(PROBE, spam))[0].findings[0].id == "limits.output"
        assert (
            _passed(
                session,
                PROBE,
                "import probe\n\ndef test_ok():\n    assert probe.probe() == 'ok'\n",
            )
            == 1.0
        )


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", ["bwrap", "rlimits"])
def test_the_kernel_confines_learner_children(
    root: Path, tmp_path: Path, sandbox: str
) -> None:
    if sandbox == "bwrap":
        require_bwrap()
    if abi_version() < 6:  # signals are scoped from ABI 6
        pytest.skip(f"Landlock ABI {abi_version()} is too old here")
    course = tmp_path / "course"
    course.mkdir()
    (course / "gradebook.db").write_text("grades")
    tests = f"""
import os, socket, subprocess
import probe

def refused(action):
    try:
        action()
    except OSError:
        return True
    return False

def test_no_proc():
    assert refused(lambda: open("/proc/self/mem", "rb"))
    assert refused(lambda: os.listdir("/proc"))

def test_no_course():
    assert refused(lambda: open({str(course / "gradebook.db")!r}))
    assert refused(lambda: os.listdir({str(root)!r}))

def test_writes_only_in_the_scratch_folder():
    assert refused(lambda: open("/tmp/outside", "w"))
    open("inside", "w").close()

def test_no_tcp_and_no_signal_outside():
    assert refused(lambda: socket.create_connection(("127.0.0.1", 9), timeout=1))
    assert refused(lambda: os.kill(os.getppid(), 0))

def test_programs_it_starts_are_held_too():
    course_file = {str(course / "gradebook.db")!r}
    for command in (["cat", course_file], ["cat", "/proc/1/environ"]):
        assert subprocess.run(command, capture_output=True).returncode != 0
"""
    settings = _settings(tmp_path, sandbox)
    with SandboxSession(settings, hidden=(course, root)) as session:
        assert session.landlock == abi_version()
        assert _passed(session, PROBE, tests) == 1.0


@pytest.mark.slow
def test_the_rlimit_fallback_guards_the_course(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "solutions.txt").write_text("answers")
    with SandboxSession(_settings(tmp_path, "rlimits"), hidden=(course,)) as session:
        reader = (
            f"def probe():\n    return open({str(course / 'solutions.txt')!r}).read()\n"
        )
        result = session.run(
            _job(reader, "import probe\n\ndef test_read():\n    probe.probe()\n")
        )[0]
        assert result.fraction == 0
        assert result.findings[0].id == "sandbox.tampered"
        assert os.path.exists(course / "solutions.txt")


def test_auto_picks_a_backend_and_says_why() -> None:
    backend = detect_backend("auto")
    assert backend.name in {"bwrap", "rlimits"}
    assert backend.reason
    assert detect_backend("rlimits").name == "rlimits"


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", ["bwrap", "rlimits"])
@pytest.mark.parametrize("lazy", ["autograder.progress._outline", "packaging.ranges"])
def test_a_module_imported_late_loads_even_from_inside_the_course_folder(
    root: Path, tmp_path: Path, sandbox: str, lazy: str
) -> None:
    # `python3 tasks.py` makes .venv inside the course folder, and the course
    # package lives there too: a module that learner code (or a library it
    # calls, as packaging's SpecifierSet.is_disjoint does) imports after the
    # guard is in place must load, while the rest
    # of the folder stays refused (see the tests above). On a machine whose
    # virtual environment lies elsewhere only the first case is inside.
    if sandbox == "bwrap":
        require_bwrap()
    answer = f"""
import importlib

def probe():
    return importlib.import_module({lazy!r}).__name__
"""
    tests = f"""
import sys
import probe

def test_a_module_imports_late():
    assert {lazy!r} not in sys.modules
    assert probe.probe() == {lazy!r}
"""
    with SandboxSession(_settings(tmp_path, sandbox), hidden=(root,)) as session:
        result = session.run(_job(answer, tests))[0]
        assert result.fraction == 1.0, [f.message for f in result.findings]
