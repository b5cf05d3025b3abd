"""The guard of a learner process: what it refuses, and how it is installed.

Learner code and the test harness share one process (the tests call the
learner's functions), so CPython alone cannot stop that code from reaching
into the harness. The guard is an audit hook (:pep:`578`), the *warden*
(:mod:`autograder.sandbox._warden`), installed before the learner's module is
imported and impossible to remove from Python. Whenever learner code is on
the stack (or in another thread) it refuses:

* handing out frames — ``sys._getframe``, ``tb_frame``, ``gi_frame``… —
  except to the standard-library code that takes the caller's frame only for
  its own use: ``typing`` (``TypeVar``, functional ``TypedDict``/``NamedTuple``,
  ``Protocol`` checks), ``collections.namedtuple``, ``enum``'s functional API,
  ``logging`` (finding the caller of a log call), ``traceback`` (formatting an
  exception), ``warnings``, ``gettext``, ``asyncio``'s debug helpers,
  ``typing_extensions``, and Hypothesis's count of stack frames.
  ``inspect``, ``traceback.walk_stack`` and the like, which give frames back
  to their caller, stay refused;
* code objects of functions that are not the learner's, replacing a
  function's code or defaults, making code or functions from raw parts,
  unmarshalling code, changing the class of a class;
* whatever the process does, for good: ``sys._current_frames``, new audit
  hooks, ``gc.get_objects``/``get_referrers``/``get_referents``, ``ctypes``,
  tracing and profiling (except coverage.py started by the harness);
* starting programs, signals to other processes, sockets, importing modules
  that reach raw memory, opening the test file or anything in the course,
  ``/proc/<pid>`` and its secrets, writing or changing files outside the
  scratch folder;
* installing a signal handler whose code is not the standard library's (a
  handler receives a frame).

Every refusal is reported on the result pipe at once, and the supervisor then
scores the cell's learner-code checks 0. A refusal made on the learner's
behalf by ``linecache`` (showing source lines of the hidden test file in a
stack trace) is not reported: the lines simply stay unknown.

The warden also compares the interpreter with a snapshot taken before learner
code ran (every binding of the harness; every function and class elsewhere)
before it seals each result, and holds the sealing key, so that no frame does.
Below the guard, Landlock (:mod:`autograder.sandbox._landlock`) has the kernel
refuse the file system outside the allowed folders, ``/proc``, TCP and
signals to other processes.
"""

from __future__ import annotations

import _imp
import importlib.util
import logging
import sys
import sysconfig
import types
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import autograder
from autograder.sandbox import _warden

logger = logging.getLogger(__name__)

HARNESS = ("_pytest", "pytest", "pluggy", "autograder", "iniconfig")
"""Packages whose every binding learner code must leave alone (with builtins)."""

EXEMPT = frozenset(
    {
        "sys.excepthook",
        "sys.displayhook",
        "sys.breakpointhook",
        "sys.unraisablehook",
        "threading.excepthook",
        "warnings.showwarning",
        "warnings.formatwarning",
        "logging._loggerClass",
        "logging._logRecordFactory",
        "logging.Formatter.converter",
        "_pytest.assertion.util._reprcompare",
        "_pytest.assertion.util._assertion_pass",
        "_pytest.assertion.util._config",
    }
)
"""Customisation points that correct code may set, and pytest's own per-test state."""

FRAME_SAFE_MODULES = (
    "typing.py",
    "collections/__init__.py",
    "enum.py",
    "warnings.py",
    "logging/__init__.py",
    "traceback.py",
    "gettext.py",
    "asyncio/format_helpers.py",
    "asyncio/events.py",
    "asyncio/futures.py",
    "asyncio/streams.py",
    "asyncio/coroutines.py",
    "unittest/result.py",
)
"""Standard-library files that take frames only for their own use."""


@cache
def _stdlib() -> str:
    return sysconfig.get_paths()["stdlib"]


def _stdlib_file(relative: str) -> str:
    return f"{_stdlib()}/{relative}"


def _package_dir(name: str) -> str | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return str(next(iter(spec.submodule_search_locations)))
    return spec.origin


def trusted_dirs() -> tuple[str, ...]:
    """Folders whose modules, once imported, count as genuine code.

    Returns:
        The standard library, site-packages and the course package.
    """
    paths = sysconfig.get_paths()
    found = [paths[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")]
    found.append(str(Path(autograder.__file__).parent))
    return tuple(dict.fromkeys(found))


_genuine: dict[int, types.CodeType] = {}
_walked: set[str] = set()


def genuine_codes() -> dict[int, types.CodeType]:
    """The code of every function of every module imported so far.

    Called in the supervisor before each learner child is forked; modules
    already walked are not walked again.

    Returns:
        Code objects by id.
    """
    fresh = {
        name: module
        for name, module in list(sys.modules.items())
        if name not in _walked and module is not None
    }
    _genuine.update(_warden.module_codes(fresh))
    _walked.update(fresh)
    return _genuine


@cache
def _warden_code() -> types.CodeType:
    source = Path(_warden.__file__).read_text(encoding="utf-8")
    return compile(source, "<course-warden>", "exec")


def prepare() -> None:
    """Read and compile the warden once (in the supervisor, before forking)."""
    _warden_code()
    genuine_codes()


def _private_warden() -> dict[str, Any]:
    """Run the warden's source in a namespace of its own, with private builtins."""
    import builtins

    namespace: dict[str, Any] = {
        "__builtins__": dict(vars(builtins)),
        "__name__": "course-warden",
    }
    exec(_warden_code(), namespace)  # noqa: S102 - our own module's source
    return namespace


def _guarded_create_builtin(spec: Any) -> Any:
    box: list[Any] = []
    sys.audit("course.create_builtin", spec, box)
    return box[0]


def _guarded_signal(number: int, handler: Any) -> Any:
    box: list[Any] = []
    sys.audit("course.signal", number, handler, box)
    return box[0]


def install_guard(  # noqa: PLR0913
    learner_files: Iterable[Path],
    workdir: Path,
    hidden: Iterable[Path] = (),
    *,
    fd: int,
    key: bytearray,
    sealer: types.FrameType,
    test_file: Path | None = None,
    volatile: frozenset[str] = frozenset(),
    allow_spawn: bool = False,
) -> None:
    """Install the guard in this process, for good.

    Call it after the harness is imported and before learner code runs.

    Args:
        learner_files: The learner's module files.
        workdir: The scratch folder, the only place learner code may write.
        hidden: Files and folders learner code must not open at all.
        fd: The result pipe: refusals and sealed results go there.
        key: The sealing key; zeroed here once the warden holds a copy.
        sealer: The frame that will ask for seals (the child's main function).
        test_file: The graded cell's test module: its code is the course's.
        volatile: ``owner.name`` bindings pytest changes by itself.
        allow_spawn: Let learner code start programs.
    """
    private = _private_warden()
    signal_module = sys.modules["_signal"]
    original_signal = signal_module.signal
    original_create = _imp.create_builtin
    _imp.create_builtin = _guarded_create_builtin
    signal_module.signal = _guarded_signal  # type: ignore[attr-defined]
    normal = _warden.normal_path
    traceback_file = _stdlib_file("traceback.py")
    logging_file = _stdlib_file("logging/__init__.py")
    frame_safe = {_stdlib_file(name) for name in FRAME_SAFE_MODULES}
    extensions = _package_dir("typing_extensions")
    if extensions is not None:
        frame_safe.add(extensions)
    coverage = _package_dir("coverage")
    hypothesis = _package_dir("hypothesis")
    counters = set()
    if hypothesis is not None:
        # Counts the frames above it (to keep recursion limits sane); runs
        # inside a proxy hypothesis compiles for each property.
        junkdrawer = f"{hypothesis}/internal/conjecture/junkdrawer.py"
        counters.add((junkdrawer, "stack_depth_of_caller"))
    genuine = dict(genuine_codes())
    frame: types.FrameType | None = sys._getframe()
    while frame is not None:  # the harness's own stack, down to runpy's __main__
        genuine[id(frame.f_code)] = frame.f_code
        frame = frame.f_back
    config = {
        "key": key,
        "fd": fd,
        "genuine": genuine,
        "learner_files": [str(path) for path in learner_files],
        "workdir": normal(str(workdir)),
        "hidden": [normal(str(path)) for path in hidden],
        "test_file": str(test_file) if test_file else None,
        "trusted_dirs": trusted_dirs(),
        "frame_safe_files": frame_safe,
        "consumer_only": {
            (traceback_file, "walk_tb"),
            (traceback_file, "_walk_tb_with_full_positions"),
            (logging_file, "<lambda>"),
        },
        "frame_safe_functions": counters,
        "frame_denied": {(traceback_file, "walk_stack")},
        "tracer_dirs": [coverage] if coverage else [],
        "quiet_readers": {_stdlib_file("linecache.py"), _stdlib_file("tokenize.py")},
        "import_exec": sys.modules[
            "_frozen_importlib"
        ]._call_with_frames_removed.__code__,
        "sealer": sealer,
        "snapshot": private["take_snapshot"](HARNESS),
        "exempt": EXEMPT | volatile,
        "create_builtin": original_create,
        "signal": original_signal,
        "default_handler": signal_module.default_int_handler,
        "allow_spawn": allow_spawn,
    }
    hook = private["make_warden"](config)
    sys.addaudithook(hook)
    key[:] = bytes(len(key))
    del private, config, hook, original_signal, original_create, genuine


def learn_volatile(run_session: Callable[[object], object]) -> frozenset[str]:
    """Find the bindings a pytest session changes by itself.

    pytest patches some classes and ``sys`` hooks while it is configured and
    undoes it afterwards, so those bindings differ inside a session from
    outside it, with no learner code involved.

    Args:
        run_session: Runs one pytest session on a trivial test, with the
            plugin object it is given.

    Returns:
        ``owner.name`` labels to leave out of comparisons.
    """
    found: set[str] = set()
    outside: list[_warden.Snapshot] = []

    def note() -> None:
        found.update(_warden.snapshot_changes(outside[0], EXEMPT))

    class Probe:
        """Notes, at points of a session, what differs from outside it."""

        def pytest_collection_finish(self) -> None:
            note()

        def pytest_runtest_logreport(self) -> None:
            note()

        def pytest_sessionfinish(self) -> None:
            note()

    for _ in range(2):
        outside[:] = [_warden.take_snapshot(HARNESS)]
        run_session(Probe())
        note()
    return frozenset(found)
