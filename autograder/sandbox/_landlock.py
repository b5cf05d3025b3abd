"""Landlock: let the kernel, not Python, keep a learner process in its place.

Linux 5.13+ lets an unprivileged process give up access rights for good
(Landlock, ``man 7 landlock``). A learner child, before any learner code runs,
keeps only: reading and executing the Python installation, the course
package and the system folders; reading and writing its scratch folder and
``/dev/null``. Everything else — ``/proc`` (so ``/proc/self/mem``), the course
folder, the exchange, other students, any TCP connection (ABI 4+), signals to
processes outside the child and abstract Unix sockets (ABI 6+) — is refused by
the kernel, whatever the Python code does, in both sandboxes and in every
process the child starts.

Where Landlock is missing (older kernels, or disabled), :func:`restrict` says
so and the audit-hook guard is the only in-process protection.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13
TRUNCATE = 1 << 14
IOCTL_DEV = 1 << 15
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
_READ = EXECUTE | READ_FILE | READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """Ask the kernel which Landlock ABI it offers.

    Returns:
        The version, or 0 where Landlock is unavailable.
    """
    try:
        version = _libc().syscall(
            _SYS_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION
        )
    except (OSError, AttributeError):
        return 0
    return max(0, int(version))


def _contains(outer: Path, inner: Path) -> bool:
    return inner == outer or outer in inner.parents


def _visible(roots: Iterable[Path], hidden: Iterable[Path]) -> list[Path]:
    """Split roots so that no hidden path lies beneath any of them.

    A root asked for explicitly stays whole even inside a hidden folder (the
    course package inside the course folder); a root that *contains* a hidden
    path is replaced by its entries, recursively, without that path.
    """
    hidden = [Path(path) for path in hidden if os.path.lexists(path)]
    chosen: list[Path] = []
    pending = [Path(root) for root in roots]
    while pending:
        root = pending.pop()
        if not root.exists() or root in hidden:
            continue
        if not any(h != root and _contains(root, h) for h in hidden):
            chosen.append(root)
            continue
        try:
            pending.extend(root.iterdir())
        except OSError:
            continue
    return chosen


def restrict(
    readable: Iterable[Path],
    writable: Iterable[Path],
    hidden: Iterable[Path],
) -> int:
    """Give up every file-system right but these, and TCP, for good.

    Args:
        readable: Folders and files to read (and execute) beneath.
        writable: Folders and files to read and change beneath.
        hidden: Paths that must stay out of reach even when beneath a
            readable folder (the readable folder is then split).

    Returns:
        The Landlock ABI applied, or 0 when Landlock is unavailable.

    Raises:
        OSError: Landlock is available but could not be applied.
    """
    abi = abi_version()
    if abi < 1:
        return 0
    hidden = list(hidden)
    fs = _FS_BY_ABI[max(v for v in _FS_BY_ABI if v <= abi)]
    attr = _RulesetAttr(
        fs,
        NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0,
    )
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    libc = _libc()
    ruleset = libc.syscall(
        _SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0
    )
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for paths, rights in ((readable, _READ), (writable, fs)):
            for path in _visible(paths, hidden):
                _add(libc, ruleset, path, rights & fs)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi


def _add(libc: ctypes.CDLL, ruleset: int, path: Path, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not path.is_dir():
            rights &= _FILE_ONLY
        rule = _PathBeneath(rights, fd)
        done = libc.syscall(
            _SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0
        )
        if done != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
