"""Does the guard leave correct code alone, and refuse the ways around it?

Each case is an answer module run by a two-test pytest job in a real sandbox
session. Correct code that leans on the standard library's use of frames
(``typing``, ``namedtuple``, ``enum``, ``logging``, ``traceback``…), on
temporary files, threads or ``asyncio`` must pass both tests. Each attack —
every one a way around an earlier version of the guard — must score 0 with
the finding ``sandbox.tampered``. One session per sandbox serves all cases.
"""

from __future__ import annotations

import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder import load_settings
from autograder.checks import TestCode as CellTests
from autograder.runner import Job
from autograder.sandbox import SandboxSession
from autograder.spec import AnswerSpec, CheckSpec

from ..nbgrader.sandbox_required import require_bwrap

TESTS = """
import probe

def test_first():
    assert probe.probe() == "ok"

def test_second():
    assert probe.probe() == "ok"
"""

CORRECT = {
    "typing": """
import typing
from typing import NamedTuple, Protocol, TypedDict, TypeVar, runtime_checkable
T = TypeVar("T")
Row = TypedDict("Row", {"name": str, "qty": int})
Pair = NamedTuple("Pair", [("a", int), ("b", int)])
@runtime_checkable
class Named(Protocol):
    name: str
class Box(typing.Generic[T]):
    def __init__(self, item: T) -> None:
        self.name = "box"
        self.item = item
def probe():
    return "ok" if isinstance(Box(1), Named) and Pair(1, 2).b == 2 else "no"
""",
    "collections_enum_dataclasses": """
import collections, dataclasses, enum
Point = collections.namedtuple("Point", "x y")
Colour = enum.Enum("Colour", "RED GREEN")
@dataclasses.dataclass(frozen=True)
class Item:
    name: str
    qty: int = 0
def probe():
    return "ok" if Point(1, 2).y == 2 and Colour.RED.value == 1 and Item("a") else "no"
""",
    "logging_and_tracebacks": """
import io, logging, traceback, warnings
stream = io.StringIO()
log = logging.getLogger("orders")
handler = logging.StreamHandler(stream)
handler.setFormatter(logging.Formatter("%(funcName)s:%(lineno)d %(message)s"))
log.addHandler(handler)
log.setLevel(logging.INFO)
def probe():
    log.info("start")
    try:
        {}["missing"]
    except KeyError:
        log.exception("lookup failed")
        text = traceback.format_exc()
    traceback.print_stack(file=io.StringIO())
    log.info("with stack", stack_info=True)
    warnings.warn("old", DeprecationWarning, stacklevel=2)
    ok = "probe:" in stream.getvalue() and "KeyError" in text
    return "ok" if ok else stream.getvalue()
""",
    "files_threads_asyncio": """
import asyncio, concurrent.futures, mimetypes, pathlib, tempfile, threading
def work(n):
    return n * 2
async def twice(n):
    await asyncio.sleep(0)
    return n * 2
def probe():
    with tempfile.TemporaryDirectory() as folder:
        (pathlib.Path(folder) / "a" / "b").mkdir(parents=True)
        (pathlib.Path(folder) / "a" / "b" / "c.txt").write_text("x")
    with tempfile.NamedTemporaryFile("w") as handle:
        handle.write("x")
    pathlib.Path("report.txt").write_text("here", encoding="utf-8")
    (pathlib.Path.home() / "home.txt").write_text("x")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        doubled = list(pool.map(work, [1, 2]))
    thread = threading.Thread(target=work, args=(1,))
    thread.start()
    thread.join()
    ok = doubled == [2, 4] and asyncio.run(twice(2)) == 4
    ok = ok and mimetypes.guess_type("a.csv")[0] == "text/csv"
    return "ok" if ok else "no"
""",
    "introspection_and_customisation": """
import functools, inspect, logging, textwrap, time
logging.Formatter.converter = time.gmtime
@functools.lru_cache
def cached(n):
    return n
@functools.singledispatch
def show(value):
    return "value"
@show.register
def _(value: int):
    return "int"
def probe():
    params = list(inspect.signature(cached.__wrapped__).parameters)
    params += list(inspect.signature(textwrap.dedent).parameters)
    ok = params[0] == "n" and show(1) == "int" and cached.__wrapped__.__code__
    return "ok" if ok else "no"
""",
}

ATTACKS = {
    "rebinding_getframe": """
import sys
real = sys._getframe
sys._getframe = lambda *args: None
frame = real(0)
def probe():
    return "ok"
""",
    "frames_from_a_thread": """
import concurrent.futures, sys
frames = concurrent.futures.ThreadPoolExecutor(1).submit(sys._current_frames).result()
def probe():
    return "ok"
""",
    "getframe_in_a_thread": """
import concurrent.futures, sys
frame = concurrent.futures.ThreadPoolExecutor(1).submit(sys._getframe, 0).result()
def probe():
    return "ok"
""",
    "inspect_stack": """
import inspect
frames = inspect.stack()
def probe():
    return "ok"
""",
    "logging_currentframe": """
import logging
frame = logging.currentframe()
def probe():
    return "ok"
""",
    "walk_stack_with_locals": """
import traceback
stack = traceback.walk_stack(None)
summary = traceback.StackSummary.extract(stack, capture_locals=True)
def probe():
    return "ok"
""",
    "walk_tb_through_heapq": """
import heapq, traceback
try:
    raise ValueError
except ValueError as error:
    frames = heapq.nsmallest(1, traceback.walk_tb(error.__traceback__), key=id)
def probe():
    return "ok"
""",
    "patching_json": """
import json
real = json.dumps
def fake(payload, *args, **kwargs):
    if isinstance(payload, dict) and "result" in payload:
        payload["result"]["fraction"] = 1.0
    return real(payload, *args, **kwargs)
json.dumps = fake
def probe():
    return "no"
""",
    "patching_a_builtin": """
import builtins
builtins.isinstance = lambda *args: True
def probe():
    return "no"
""",
    "forging_a_seal": """
import sys
sys.audit("course.seal", 0, b"0" * 16, {"fraction": 1.0, "findings": []})
def probe():
    return "no"
""",
    "frames_at_collection_time": """
import functools, gc, sys, weakref
caught = []
class Bait:
    pass
def arm():
    bait = Bait()
    bait.loop = bait
    weakref.finalize(bait, functools.partial(caught.extend, map(sys._getframe, [0])))
for _ in range(50):
    arm()
gc.set_threshold(1)
def probe():
    gc.collect()
    return "ok" if caught else "no"
""",
    "objects_from_gc": """
import gc
objects = gc.get_objects()
def probe():
    return "ok"
""",
    "code_with_a_stdlib_name": f"""
import marshal
code = compile(
    "import sys\\nF = sys._getframe()",
    {sysconfig.get_paths()["stdlib"] + "/typing.py"!r},
    "exec",
)
exec(marshal.loads(marshal.dumps(code)), {{}})
def probe():
    return "ok"
""",
    "memory_through_a_folder_descriptor": """
import os
for top, dirs, files, fd in os.fwalk("/"):
    dirs[:] = [d for d in dirs if (top, d) in (("/", "proc"), ("/proc", "self"))]
    if top == "/proc/self":
        os.close(os.open("mem", os.O_RDONLY, dir_fd=fd))
def probe():
    return "ok"
""",
    "memory_through_a_link": """
import os
os.symlink("/proc/self/mem", "memory")
open("memory", "rb").close()
def probe():
    return "ok"
""",
    "replacing_the_tests": """
import glob, os, pathlib
pathlib.Path("mine.py").write_text("def test_anything():\\n    pass\\n")
for name in glob.glob("test_*.py"):
    os.replace("mine.py", name)
def probe():
    return "no"
""",
    "a_conftest_plugin": """
import pathlib
plugin = "def pytest_collection_modifyitems(items):\\n    items.clear()\\n"
pathlib.Path("conftest.py").write_text(plugin)
def probe():
    return "no"
""",
    "pytest_options_from_the_environment": """
import os
os.environ["PYTEST_ADDOPTS"] = "-p mine"
def probe():
    return "no"
""",
    "a_harness_default": """
import autograder.checks._pytest as harness
harness._short.__defaults__ = ()
def probe():
    return "ok"
""",
}


def _job(answer: str) -> Job:
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
        tests=CellTests("cell", TESTS, 1, None),
    )


@pytest.fixture(scope="module", params=["bwrap", "rlimits"])
def session(
    request: pytest.FixtureRequest, root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SandboxSession]:
    """One sandbox session per backend, for every case."""
    if request.param == "bwrap":
        require_bwrap()
    folder = tmp_path_factory.mktemp(f"guard-{request.param}")
    settings = load_settings(
        {
            "COURSE_CACHE_DIR": str(folder / "cache"),
            "COURSE_SANDBOX": request.param,
            "COURSE_CHECK_TIMEOUT": "20",
        }
    )
    with SandboxSession(settings, hidden=(root, folder)) as sandbox:
        yield sandbox


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CORRECT))
def test_correct_code_passes(session: SandboxSession, case: str) -> None:
    result = session.run(_job(CORRECT[case]))[0]
    assert result.fraction == 1.0, [f.message for f in result.findings]


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(ATTACKS))
def test_an_attack_is_refused(session: SandboxSession, case: str) -> None:
    result = session.run(_job(ATTACKS[case]))[0]
    assert result.fraction == 0.0
    assert [f.id for f in result.findings] == ["sandbox.tampered"], [
        f.message for f in result.findings
    ]


@pytest.mark.slow
def test_starting_a_program_depends_on_the_sandbox(session: SandboxSession) -> None:
    """Allowed in bubblewrap (the kernel holds the program as it holds the
    learner process); refused in the fallback, where it would escape the guard."""
    answer = """
import subprocess
def probe():
    done = subprocess.run(["echo", "ok"], capture_output=True, text=True)
    return done.stdout.strip()
"""
    result = session.run(_job(answer))[0]
    if session.backend.name == "bwrap":
        assert result.fraction == 1.0, [f.message for f in result.findings]
    else:
        assert [f.id for f in result.findings] == ["sandbox.tampered"]
