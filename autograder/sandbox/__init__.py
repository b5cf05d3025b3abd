"""Grading in a sandbox: learner code never runs unconfined on the grader's machine.

:class:`SandboxSession` starts a supervisor inside bubblewrap (or, where that
does not work, a limited subprocess), sends it the jobs of one submission and
accepts only replies sealed with a key made for that session. The supervisor
runs static checks and learner-code checks in separate limited children; a
learner child gives up file-system, network and signal rights with Landlock
(:mod:`~autograder.sandbox._landlock`) and carries a guard, an audit hook
(:mod:`~autograder.sandbox._guard`, :mod:`~autograder.sandbox._warden`) that
refuses introspection, notices tampering with the harness, and alone holds
the key that seals the child's results.
"""

from autograder.sandbox._backend import Backend, detect_backend, readable_paths
from autograder.sandbox._channel import new_key, seal, unseal
from autograder.sandbox._landlock import abi_version
from autograder.sandbox._session import SandboxSession

__all__ = [
    "Backend",
    "SandboxSession",
    "abi_version",
    "detect_backend",
    "new_key",
    "readable_paths",
    "seal",
    "unseal",
]
