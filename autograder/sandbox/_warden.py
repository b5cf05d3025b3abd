"""The warden: the audit hook of a learner process, and all it relies on.

Learner code and the tests share one process, so the warden must hold up
against code that rebinds whatever it can reach: ``sys._getframe``,
``os.write``, a builtin, ``json.dumps``, this package. So this module is
executed a second time, privately, by :func:`autograder.sandbox._guard.
install_guard` — before any learner code runs — in a namespace of its own
whose builtins are a copy. Every name its functions use is bound at that
moment; no function looks anything up in a shared module at call time. Only
the closure returned by :func:`make_warden` is registered (as an audit hook,
which Python code cannot list or remove); nothing else refers to it or to
the private namespace, and the warden defines no classes (classes can be
found with ``object.__subclasses__()``).

The warden decides who is acting from the **identity of code objects**: the
code of every function that existed before learner code ran (collected by
:func:`module_codes` in the supervisor) and of every module the import system
later loads from the Python installation is *genuine*. A learner file, code
compiled or unmarshalled at run time, and the test module are not. Learner
code is *involved* when a frame on the stack runs code that is not genuine,
or when the event happens in a thread other than the main one.

It holds the sealing key, so that no frame ever does: the child asks it to
seal each result (``course.seal``), with a one-time nonce, from the one frame
that installed it; before sealing, it compares the interpreter with the
snapshot taken before learner code ran. Refusals and changes are written to
the result pipe as ``{"tamper": ...}`` lines at once.
"""

from __future__ import annotations

import _thread
import builtins
import functools
import gc
import os
import re
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

try:
    from _hashlib import hmac_digest as _hmac_digest
except ImportError:  # pragma: no cover - Python built without OpenSSL
    from hmac import digest as _hmac_digest  # type: ignore[assignment]
try:
    from _json import encode_basestring_ascii as _quote
except ImportError:  # pragma: no cover - Python built without _json
    from json.encoder import py_encode_basestring_ascii as _quote

# --- Primitives, bound once (in the private copy: before learner code runs) ----

_getframe = sys._getframe
_thread_id = _thread.get_ident
_main_thread = _thread.get_ident()
_write = os.write
_getcwd = os.getcwd
_urandom = os.urandom
_stat = os.stat
_S_ISDIR = __import__("stat").S_ISDIR
_gc_disable = gc.disable
_gc_enable = gc.enable
_gc_isenabled = gc.isenabled
_ModuleType = types.ModuleType
_FunctionType = types.FunctionType
_MethodType = types.MethodType
_CodeType = types.CodeType
_partial = functools.partial
_builtin_names = frozenset(vars(builtins))
_float_repr = float.__repr__
_int_repr = int.__repr__

# --- What the warden looks at -------------------------------------------------

FRAME_READS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
"""Attributes that hand out a frame."""
CODE_READS = frozenset({"f_code", "gi_code", "cr_code", "ag_code", "__code__"})
"""Attributes that hand out a code object."""
FUNCTION_WRITES = frozenset({"__code__", "__defaults__", "__kwdefaults__"})
ALWAYS_REFUSED = frozenset(
    {
        "sys._current_frames",
        "sys._current_exceptions",
        "sys.addaudithook",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
    }
)
"""Refused whatever is on the stack: the harness never needs them after the
guard is installed, and each hands out frames, the audit stream or every
object (the warden included)."""
CREATION = frozenset(
    {"code.__new__", "function.__new__", "marshal.loads", "marshal.load"}
)
SPAWN = frozenset(
    {
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.system",
        "os.startfile",
        "subprocess.Popen",
        "pty.spawn",
    }
)
NETWORK = frozenset(
    {"socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo"}
)
SIGNALS = frozenset({"os.kill", "os.killpg", "signal.pthread_kill"})
ENVIRONMENT = frozenset({"os.putenv", "os.unsetenv"})
"""Setting ``PYTEST_ADDOPTS`` or ``PYTEST_PLUGINS`` would load learner plugins."""
FILE_CHANGES = {
    # event: positions of (path, dir_fd) pairs among its arguments
    "os.remove": ((0, 1),),
    "os.rmdir": ((0, 1),),
    "os.mkdir": ((0, 2),),
    "os.rename": ((0, 2), (1, 3)),
    "os.chmod": ((0, 2),),
    "os.chown": ((0, 3),),
    "os.utime": ((0, 4),),
    "os.truncate": ((0, -1),),
    "os.link": ((0, 2), (1, 3)),
    "os.symlink": ((1, 2),),
    "os.mkfifo": ((0, 2),),
    "os.mknod": ((0, 3),),
    "shutil.rmtree": ((0, 1),),
}
"""File-system changes: allowed inside the scratch folder only."""
DENIED_IMPORTS = frozenset(
    {
        "ctypes",
        "_ctypes",
        "_signal",
        "_testcapi",
        "_testinternalcapi",
        "_testbuffer",
        "_testmultiphase",
        "_testsinglephase",
        "_testimportmultiple",
        "_xxsubinterpreters",
        "_xxinterpchannels",
        "_ctypes_test",
    }
)
"""Modules that reach raw memory or the interpreter's internals."""
COURSE_EVENTS = frozenset(
    {
        "course.create_builtin",
        "course.signal",
        "course.check",
        "course.nonce",
        "course.seal",
    }
)
RELEVANT = (
    ALWAYS_REFUSED
    | CREATION
    | SPAWN
    | NETWORK
    | SIGNALS
    | ENVIRONMENT
    | COURSE_EVENTS
    | frozenset(FILE_CHANGES)
    | frozenset(
        {
            "sys._getframe",
            "sys.settrace",
            "sys.setprofile",
            "object.__getattr__",
            "object.__setattr__",
            "open",
            "compile",
            "exec",
            "import",
        }
    )
)
PROC_SECRET = re.compile(
    r"^/proc/(self|thread-self|\d+)(/task/\d+)?/"
    r"(mem|fd|fdinfo|map_files|environ|root|cwd|exe)(/|$)"
)
PROC_DIR = re.compile(r"^/proc(/(self|thread-self|\d+)(/task(/\d+)?)?)?$")
WRITE_MODES = re.compile(r"[wax+]")
MAX_REPORTS = 20
"""Refusals reported per process; more add nothing to the verdict."""
MAX_DEPTH = 3

# --- Genuine code ----------------------------------------------------------------


def code_tree(code: types.CodeType, found: dict[int, types.CodeType]) -> None:
    """Add a code object and every code object nested in it.

    Args:
        code: The code.
        found: Code objects by id; updated.
    """
    stack = [code]
    while stack:
        item = stack.pop()
        if id(item) in found:
            continue
        found[id(item)] = item
        stack.extend(c for c in item.co_consts if type(c) is _CodeType)


def _value_codes(  # noqa: C901 - one branch per kind of holder
    value: Any, owner: str, found: dict[int, types.CodeType], depth: int
) -> None:
    kind = type(value)
    if kind is _FunctionType:
        code_tree(value.__code__, found)
    elif kind in (_MethodType, staticmethod, classmethod):
        _value_codes(value.__func__, owner, found, depth)
    elif kind is property:
        for part in (value.fget, value.fset, value.fdel):
            _value_codes(part, owner, found, depth)
    elif kind is _partial or kind is functools.cached_property:
        _value_codes(value.func, owner, found, depth)
    elif kind.__name__ == "_lru_cache_wrapper":
        _value_codes(getattr(value, "__wrapped__", None), owner, found, depth)
    elif depth < MAX_DEPTH and kind in (dict, list, tuple, set, frozenset):
        items = value.values() if kind is dict else value
        for item in list(items):
            _value_codes(item, owner, found, depth + 1)
    elif (
        depth < MAX_DEPTH
        and isinstance(value, type)
        and getattr(value, "__module__", None) == owner
    ):
        for item in list(vars(value).values()):
            _value_codes(item, owner, found, depth + 1)


def module_codes(modules: Mapping[str, object]) -> dict[int, types.CodeType]:
    """Collect the code of every function the given modules hold.

    Functions at module level, in classes defined there (nested classes
    too), in dictionaries, lists and tuples there, and every code object
    nested in theirs (inner functions, lambdas, comprehensions, class bodies).

    Args:
        modules: Modules by name, such as ``sys.modules``.

    Returns:
        Code objects by id.
    """
    found: dict[int, types.CodeType] = {}
    for name, module in list(modules.items()):
        if type(module) is not _ModuleType and not isinstance(module, _ModuleType):
            continue
        for value in list(vars(module).values()):
            _value_codes(value, name, found, 0)
    return found


# --- Integrity snapshot ---------------------------------------------------------

_class_dict = type.__dict__["__dict__"].__get__
Snapshot = tuple[list[tuple[Any, ...]], dict[str, Any]]
"""Entries per namespace, and the modules by name."""


def _callable_keys(namespace: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(
        key
        for key, value in namespace.items()
        if type(value) is not _ModuleType and callable(value)
    )


def _entry(label: str, target: Any, *, whole: bool, is_class: bool) -> tuple[Any, ...]:
    namespace = _class_dict(target) if is_class else target
    return (
        label,
        target,
        is_class,
        whole,
        frozenset() if whole else _callable_keys(namespace),
        list(map(id, namespace)),
        list(map(id, namespace.values())),
        dict(namespace),
    )


def take_snapshot(harness: tuple[str, ...]) -> Snapshot:
    """Record the bindings of every module and class that exist now.

    For the harness (builtins and the packages named in ``harness``) every
    binding counts; elsewhere (the standard library, other packages) only
    functions and classes, whose replacement is patching — data bindings
    there change legitimately (caches filled on first use).

    Args:
        harness: Top-level package names of the harness.

    Returns:
        The snapshot, for :func:`snapshot_changes`.
    """
    entries = [_entry("builtins", vars(builtins), whole=True, is_class=False)]
    modules: dict[str, Any] = {}
    for name, module in list(sys.modules.items()):
        if type(module) is not _ModuleType or type(name) is not str:
            continue
        modules[name] = module
        if name == "builtins":
            continue
        whole = name.split(".")[0] in harness
        namespace = vars(module)
        entries.append(_entry(name, namespace, whole=whole, is_class=False))
        for attribute, value in list(namespace.items()):
            if (
                isinstance(value, type)
                and type(attribute) is str
                and _class_dict(value).get("__module__") == name
            ):
                label = f"{name}.{attribute}"
                entries.append(_entry(label, value, whole=whole, is_class=True))
    return entries, modules


def snapshot_changes(snapshot: Snapshot, exempt: frozenset[str]) -> list[str]:
    """Compare the interpreter with a snapshot, running no code of anyone else.

    Args:
        snapshot: From :func:`take_snapshot`.
        exempt: ``owner.name`` bindings to leave out.

    Returns:
        ``owner.name`` for every binding replaced, added where it matters, or
        removed; ``sys.modules[name]`` for a module replaced there.
    """
    entries, modules = snapshot
    found: list[str] = []
    for name, module in list(sys.modules.items()):
        if type(name) is not str:
            found.append("sys.modules (a name that is not a string)")
            continue
        expected = modules.get(name)
        if expected is not None and module is not expected:
            found.append(f"sys.modules[{name}]")
    for label, target, is_class, whole, keys, key_ids, value_ids, before in entries:
        namespace = _class_dict(target) if is_class else target
        if (
            list(map(id, namespace)) == key_ids
            and list(map(id, namespace.values())) == value_ids
        ):
            continue
        if any(type(key) is not str for key in tuple(namespace)):
            found.append(f"{label} (a name that is not a string)")
            continue
        found.extend(
            _entry_changes(label, namespace, (is_class, whole), keys, before, exempt)
        )
    return found


def _entry_changes(  # noqa: PLR0913, PLR0917 - one entry of a snapshot
    label: str,
    namespace: Mapping[str, Any],
    kind: tuple[bool, bool],
    keys: frozenset[str],
    before: dict[str, Any],
    exempt: frozenset[str],
) -> list[str]:
    is_class, whole = kind
    found = []
    now = dict(namespace)
    for key in sorted(set(before) | set(now)):
        name = f"{label}.{key}"
        if name in exempt or key == "__warningregistry__":
            continue
        old = before.get(key, _MISSING)
        new = now.get(key, _MISSING)
        if old is new:
            continue
        if whole:
            if type(old) is _ModuleType or type(new) is _ModuleType:
                continue
            found.append(name)
        elif key in keys or (
            old is _MISSING
            and (is_class or key in _builtin_names)
            and type(new) is not _ModuleType
            and callable(new)
        ):
            found.append(name)
    return found


_MISSING = object()


# --- Sealed lines ----------------------------------------------------------------


def dump(value: Any) -> str:  # noqa: PLR0911 - one return per JSON type
    """Write plain data as canonical JSON, depending on nothing patchable.

    Args:
        value: Dictionaries with string keys, lists, tuples, strings, numbers,
            booleans and ``None``.

    Returns:
        The JSON text, keys sorted, no spaces.

    Raises:
        TypeError: Something else was given.
    """
    kind = type(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    # Subclasses (enumerations) are read by C code, never through their methods.
    if issubclass(kind, str):
        return _quote(value)
    if issubclass(kind, int):
        return _int_repr(value)
    if issubclass(kind, float):
        text = _float_repr(value)
        return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(text, text)
    if kind is dict:
        pairs = list(value.items())
        if any(type(key) is not str for key, _ in pairs):
            raise TypeError("keys must be strings")
        pairs.sort()
        return "{" + ",".join(_quote(k) + ":" + dump(v) for k, v in pairs) + "}"
    if kind in (list, tuple):
        return "[" + ",".join(dump(item) for item in value) + "]"
    raise TypeError(f"cannot seal a {kind.__name__}")


def seal_line(key: bytes, payload: dict[str, Any]) -> bytes:
    """Seal a payload as :func:`autograder.sandbox._channel.unseal` reads it.

    Args:
        key: The key.
        payload: Plain data.

    Returns:
        The line, with its newline, as bytes.
    """
    body = dump(payload)
    mac = _hmac_digest(key, body.encode("utf-8"), "sha256").hex()
    return (mac + " " + body + "\n").encode("utf-8")


def write_all(fd: int, data: bytes) -> None:
    """Write bytes to a descriptor, whole, ignoring a closed one.

    Args:
        fd: The descriptor.
        data: The bytes.
    """
    try:
        while data:
            data = data[_write(fd, data) :]
    except OSError:
        return


# --- Paths -------------------------------------------------------------------------


def normal_path(path: Any) -> str | None:
    """Make a path absolute and normal, as the kernel will see it.

    Symbolic links are not followed: the warden refuses to create links that
    lead out of the scratch folder, and the kernel (Landlock) checks targets.

    Args:
        path: A path as an audit event carries it.

    Returns:
        The path, or ``None`` for a descriptor.
    """
    kind = type(path)
    if kind is bytes:
        text = path.decode("utf-8", "surrogateescape")
    elif kind is str:
        text = path
    else:
        return None
    if not text.startswith("/"):
        text = _getcwd() + "/" + text
    parts: list[str] = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def under(path: str, roots: Iterable[str]) -> bool:
    """Whether a normal path is one of the roots or inside one.

    Args:
        path: A normal absolute path.
        roots: Normal absolute paths.

    Returns:
        Whether it is.
    """
    return any(
        path == root or path.startswith(root.rstrip("/") + "/") for root in roots
    )


# --- The hook ------------------------------------------------------------------------

_getpid = os.getpid
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT
_spec_type = type(sys.modules["sys"].__spec__)
_spec_dict = _spec_type.__dict__["__dict__"].__get__


def _spec_name(spec: object) -> str | None:
    if type(spec) is not _spec_type:
        return None
    for key, value in list(_spec_dict(spec).items()):
        if type(key) is str and key == "name" and type(value) is str:
            return value
    return None


def make_warden(  # noqa: C901, PLR0915 - one closure holds all the state
    config: dict[str, Any],
) -> Callable[[str, tuple[Any, ...]], None]:
    """Build the audit hook of a learner process.

    Every argument of an event may be an object of the learner's making:
    the hook looks at types with ``type(x) is ...`` and never hashes,
    compares or asks an attribute of anything else, so that no learner
    code runs inside it.

    Args:
        config: ``key``, ``fd``, ``genuine`` (code objects by id),
            ``learner_files``, ``workdir``, ``hidden``, ``test_file`` (whose
            module, run by pytest, is the course's), ``trusted_dirs``,
            ``frame_safe_files``, ``frame_safe_functions``,
            ``consumer_only`` and ``frame_denied`` (``(file, qualname)``
            pairs), ``tracer_dirs``, ``quiet_readers``,
            ``import_exec`` (the import system's code that runs modules),
            ``sealer`` (the frame allowed to seal), ``snapshot``, ``exempt``,
            ``create_builtin``, ``signal``, ``default_handler``
            (``signal.default_int_handler``), ``allow_spawn``.

    Returns:
        The hook, for ``sys.addaudithook``.
    """
    key = bytes(config["key"])
    fd = int(config["fd"])
    genuine: dict[int, types.CodeType] = dict(config["genuine"])
    learner_files = {name for name in config["learner_files"] if type(name) is str}
    workdir = str(config["workdir"])
    writable = (workdir, "/dev/null", "/dev/stdout", "/dev/stderr")
    hidden = tuple(config["hidden"])
    test_file = config["test_file"]
    trusted_dirs = tuple(config["trusted_dirs"])
    frame_safe_files = frozenset(config["frame_safe_files"])
    frame_safe_functions = frozenset(config["frame_safe_functions"])
    consumer_only = frozenset(config["consumer_only"])
    frame_denied = frozenset(config["frame_denied"])
    tracer_dirs = tuple(config["tracer_dirs"])
    quiet_readers = frozenset(config["quiet_readers"])
    import_exec = config["import_exec"]
    sealer = config["sealer"]
    snapshot = config["snapshot"]
    exempt = frozenset(config["exempt"])
    create_builtin = config["create_builtin"]
    original_signal = config["signal"]
    default_handler = config["default_handler"]
    allow_spawn = bool(config["allow_spawn"])
    busy: set[int] = set()
    reported = [0]
    nonces: dict[int, bytes] = {}
    sealed: set[int] = set()

    def note(text: str) -> None:
        if reported[0] < MAX_REPORTS:
            reported[0] += 1
            line = "{" + _quote("tamper") + ":" + _quote(text) + "}\n"
            write_all(fd, line.encode("utf-8"))

    def is_genuine(frame: Any) -> bool:
        return id(frame.f_code) in genuine

    def involved(frame: Any) -> bool:
        if _thread_id() != _main_thread:
            return True
        while frame is not None:
            if id(frame.f_code) not in genuine:
                return True
            frame = frame.f_back
        return False

    def mentions(frame: Any, name: str) -> bool:
        code = frame.f_code
        return name in code.co_names or name in code.co_consts

    def frame_safe(frame: Any) -> bool:
        code = frame.f_code
        place = (code.co_filename, code.co_qualname)
        if place in frame_safe_functions:
            return True
        if code.co_filename not in frame_safe_files or place in frame_denied:
            return False
        if place in consumer_only:
            consumer = frame.f_back
            return (
                consumer is not None
                and is_genuine(consumer)
                and consumer.f_code.co_filename == code.co_filename
            )
        return True

    def learner_function(target: object) -> bool:
        if type(target) is not _FunctionType:
            return False
        code = target.__code__
        name = code.co_filename
        return id(code) not in genuine and type(name) is str and name in learner_files

    def safe_handler(handler: object) -> bool:
        if handler is None or type(handler) is int or handler is default_handler:
            return True
        if type(handler) is _partial:
            handler = handler.func
        if type(handler) is _MethodType:
            handler = handler.__func__
        if type(handler) is not _FunctionType:
            return False
        return id(handler.__code__) in genuine

    def changes(moment: str) -> None:
        for change in snapshot_changes(snapshot, exempt):
            note(f"changed {change} ({moment})")

    def text_of(path: object) -> str | None:
        if type(path) is bytes:
            return path.decode("utf-8", "surrogateescape")
        return path if type(path) is str else None

    def judge_path(path: object, caller: Any, *, writing: bool) -> str | None:
        full = normal_path(path)
        if full is None:
            return None
        if PROC_SECRET.match(full) or PROC_DIR.match(full):
            return f"opening {full}"
        # The Python installation and the course package may lie inside a
        # hidden folder (python3 tasks.py makes .venv in the course folder):
        # reading them is importing, which Landlock and bubblewrap allow.
        if under(full, hidden) and (writing or not under(full, trusted_dirs)):
            quiet = is_genuine(caller) and caller.f_code.co_filename in quiet_readers
            if quiet and not writing:
                return "\x00" + f"reading {full}"
            return f"opening {full}, a course file"
        if writing and not under(full, writable):
            return f"writing {full}"
        return None

    def judge_open(args: tuple[Any, ...], caller: Any) -> str | None:
        path, mode = args[0], args[1]
        flags = args[2] if len(args) > 2 else 0
        writing = type(mode) is str and WRITE_MODES.search(mode) is not None
        if type(flags) is int and flags & _WRITE_FLAGS:
            writing = True
        verdict = judge_path(path, caller, writing=writing)
        text = text_of(path)
        if verdict is not None or mode is not None or text is None:
            return verdict
        # os.open: a relative path may be relative to a folder descriptor,
        # which the event does not carry; and a folder opened outside the
        # scratch folder would give one.
        if not text.startswith("/"):
            return None if is_genuine(caller) else "os.open by a folder descriptor"
        full = normal_path(text)
        if full is not None and not under(full, writable):
            try:
                if _S_ISDIR(_stat(full).st_mode):
                    return f"opening the folder {full}"
            except OSError:
                return None
        return None

    def judge_change(event: str, args: tuple[Any, ...], caller: Any) -> str | None:
        for path_at, dir_at in FILE_CHANGES[event]:
            if path_at >= len(args):
                continue
            dir_fd = args[dir_at] if 0 <= dir_at < len(args) else None
            if type(dir_fd) is int and dir_fd >= 0:
                if not is_genuine(caller):
                    return f"{event} relative to a folder descriptor"
                continue
            full = normal_path(args[path_at])
            if full is not None and (under(full, hidden) or not under(full, writable)):
                return f"{event} on {full}"
        if event == "os.symlink":
            target = text_of(args[0])
            link = normal_path(args[1]) if len(args) > 1 else None
            if target is not None and not target.startswith("/"):
                target = (link or workdir).rsplit("/", 1)[0] + "/" + target
            full = normal_path(target)
            if full is not None and not under(full, writable):
                return f"a link to {full}"
        return None

    def course_builtin(args: tuple[Any, ...], caller: Any) -> str | None:
        spec, box = args
        name = _spec_name(spec)
        if name is None or type(box) is not list:
            return "re-creating a built-in module"
        if name in ("_signal", "_ctypes") and involved(caller):
            return f"re-creating the built-in module {name}"
        box.append(create_builtin(spec))
        return None

    def course_signal(args: tuple[Any, ...], caller: Any) -> str | None:
        number, handler, box = args
        if type(number) is not int or type(box) is not list:
            return "installing a signal handler"
        if involved(caller) and not safe_handler(handler):
            return "installing a signal handler"
        box.append(original_signal(number, handler))
        return None

    def course_check(args: tuple[Any, ...], caller: Any) -> str | None:
        changes(args[0] if args and type(args[0]) is str else "?")
        return None

    def course_nonce(args: tuple[Any, ...], caller: Any) -> str | None:
        if caller is not sealer or involved(caller):
            return "asking for a seal"
        index, box = args
        nonces[index] = _urandom(16)
        box.append(nonces[index])
        return None

    def course_seal(args: tuple[Any, ...], caller: Any) -> str | None:
        if caller is not sealer or involved(caller):
            return "sealing a result"
        index, nonce, body = args
        if index in sealed or nonces.pop(index, None) != nonce:
            return "sealing a result twice"
        sealed.add(index)
        changes(f"before check {index} was sealed")
        write_all(fd, seal_line(key, {"check": index, "result": body}))
        return None

    course = {
        "course.create_builtin": course_builtin,
        "course.signal": course_signal,
        "course.check": course_check,
        "course.nonce": course_nonce,
        "course.seal": course_seal,
    }

    def judge_exec(event: str, args: tuple[Any, ...], caller: Any) -> None:
        if event == "compile":
            name = text_of(args[1]) if len(args) > 1 else None
            if name is not None and (name.startswith("<") or involved(caller)):
                learner_files.add(name)
            return
        code = args[0] if args else None
        if type(code) is not _CodeType:
            return
        name = code.co_filename
        if type(name) is not str:
            return
        # A module of the Python installation, run by the import system; the
        # test module (which learner code may not touch), run by pytest.
        runs_module = caller.f_code is import_exec and under(name, trusted_dirs)
        runs_tests = name == test_file and is_genuine(caller) and not involved(caller)
        if (
            (runs_module or runs_tests)
            and id(code) not in genuine
            and name not in learner_files
        ):
            code_tree(code, genuine)
        elif involved(caller):
            learner_files.add(name)

    def judge_attribute(event: str, args: tuple[Any, ...], caller: Any) -> str | None:
        target, name = args[0], args[1]
        if type(name) is not str:
            return None
        if event == "object.__getattr__":
            if name in FRAME_READS:
                return judge_frame(f"reading .{name}", name, caller)
            own = name == "__code__" and learner_function(target)
            refused = name in CODE_READS and not own and not is_genuine(caller)
            what = f"reading .{name}"
        elif name in FUNCTION_WRITES:
            # types.coroutine replaces __code__, namedtuple sets __defaults__.
            refused = (
                type(target) is _FunctionType
                and not learner_function(target)
                and not is_genuine(caller)
            )
            what = f"replacing a function's {name}"
        else:
            refused = name == "__class__" and issubclass(type(target), type)
            what = "changing the class of a class"
        return what if refused and involved(caller) else None

    def judge_frame(what: str, name: str, caller: Any) -> str | None:
        if not (is_genuine(caller) and mentions(caller, name)):
            return what + place_of(caller)
        if involved(caller) and not frame_safe(caller):
            return what + place_of(caller) + ", for" + place_of(foreign(caller))
        return None

    def foreign(frame: Any) -> Any:
        while frame is not None and id(frame.f_code) in genuine:
            frame = frame.f_back
        return frame

    def place_of(frame: Any) -> str:
        if frame is None:
            return " another thread"
        code = frame.f_code
        name = code.co_filename
        if type(name) is not str or type(code.co_qualname) is not str:
            return ""
        return f" in {name.rsplit('/', 2)[-2:][-1]}:{code.co_qualname}"

    def judge(event: str, args: tuple[Any, ...]) -> str | None:  # noqa: C901, PLR0911, PLR0912 - one branch per event
        caller = _getframe(2)
        if event in COURSE_EVENTS:
            return course[event](args, caller)
        if event in ALWAYS_REFUSED or event.startswith("ctypes."):
            return event
        if event in ("compile", "exec"):
            judge_exec(event, args, caller)
            return None
        if event == "sys._getframe":
            return judge_frame(event, "_getframe", caller)
        if event in ("object.__getattr__", "object.__setattr__"):
            return judge_attribute(event, args, caller) if len(args) > 1 else None
        if event in ("sys.settrace", "sys.setprofile"):
            # The harness sets (doctest restores, coverage.py starts) a tracer
            # with no learner code on the stack; the event does not say which.
            name = event[4:]
            named = mentions(caller, name)
            if (
                is_genuine(caller)
                and (named or under(caller.f_code.co_filename, tracer_dirs))
                and not involved(caller)
            ):
                return None
            return event
        if event in CREATION:
            if not is_genuine(caller) and involved(caller):
                return event
            return None
        if not involved(caller):
            return None
        if event in SPAWN:
            return None if allow_spawn else f"starting a program ({event})"
        if event in NETWORK:
            return f"network access ({event})"
        if event in SIGNALS:
            target = args[0] if args else None
            if event == "signal.pthread_kill" or type(target) is not int:
                return f"sending a signal to another process ({event})"
            if target not in (0, _getpid()):
                return f"sending a signal to another process ({event})"
            return None
        if event in ENVIRONMENT:
            variable = text_of(args[0]) if args else None
            if variable is None or variable.upper().startswith("PYTEST"):
                return f"changing the environment variable {variable}"
            return None
        if event == "import":
            module = args[0] if args else None
            denied = type(module) is str and module in DENIED_IMPORTS
            return f"importing {module}" if denied else None
        if event == "open":
            return judge_open(args, caller) if len(args) > 1 else None
        if event in FILE_CHANGES:
            return judge_change(event, args, caller)
        return None

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if type(event) is not str or type(args) is not tuple:
            return
        if event not in RELEVANT and not event.startswith("ctypes."):
            return
        me = _thread_id()
        if me in busy:
            return
        busy.add(me)
        collecting = _gc_isenabled()
        _gc_disable()
        try:
            verdict = judge(event, args)
        except BaseException:  # noqa: BLE001 - never let the warden's frames out
            verdict = f"an event the grader could not read ({event})"
        finally:
            if collecting:
                _gc_enable()
            busy.discard(me)
        if verdict is None:
            return
        if verdict.startswith("\x00"):
            verdict = verdict[1:]
        else:
            note(f"refused {verdict}")
        raise PermissionError("not allowed while grading: " + verdict)

    del config
    return hook
