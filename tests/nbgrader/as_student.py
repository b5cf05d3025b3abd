"""Run a real nbgrader command as a named student.

Usage: ``python as_student.py ada submit 01_pep8 --course=practice``.

nbgrader takes a student's name from the operating system's user (on
JupyterHub, from ``JUPYTERHUB_USER``). A test on one machine account stands
in for several students by answering that one question with the given name;
everything else is nbgrader's own code.
"""

from __future__ import annotations

import sys

import nbgrader.utils
from nbgrader.apps.nbgraderapp import main


def _as(name: str) -> None:
    nbgrader.utils.get_username = lambda: name
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, "get_username", None) is not None:
            module.get_username = lambda: name  # type: ignore[attr-defined]


if __name__ == "__main__":
    student = sys.argv.pop(1)
    import nbgrader.exchange.default.fetch_feedback
    import nbgrader.exchange.default.list
    import nbgrader.exchange.default.submit

    _as(student)
    sys.exit(main())
