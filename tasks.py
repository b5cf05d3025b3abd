#!/usr/bin/env python3
"""Set up the course in a virtual environment, then launch it or test it.

Needs only Python 3.11 or newer::

    python3 tasks.py start   # set up, then open JupyterLab at lesson 00
    python3 tasks.py test    # set up, then run every check CI runs

Set-up creates ``.venv/`` beside this file, installs the pinned packages
(``requirements/constraints.txt``) and the course's own package, and applies
the learner configuration that ``binder/postBuild`` applies on Binder. It is
skipped when nothing it depends on has changed since the last run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".course-setup"
INPUTS = ("pyproject.toml", "requirements/constraints.txt", "binder/postBuild")
MINIMUM = (3, 11)

logger = logging.getLogger("tasks")


def _env() -> dict[str, str]:
    """Return the environment with the virtual environment first on PATH."""
    return {
        **os.environ,
        "VIRTUAL_ENV": str(VENV),
        "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")]),
    }


def _run(*command: str | Path) -> None:
    """Run a command inside the virtual environment; stop on failure."""
    logger.info("$ %s", " ".join(str(part) for part in command))
    subprocess.run([str(part) for part in command], cwd=ROOT, env=_env(), check=True)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def setup() -> None:
    """Create the virtual environment and install the course, unless current."""
    if sys.version_info < MINIMUM:
        sys.exit(f"The course needs Python {'.'.join(map(str, MINIMUM))} or newer.")
    if STAMP.is_file() and STAMP.read_text() == _fingerprint():
        logger.info("environment up to date: %s", VENV)
        return
    if not PYTHON.exists():
        logger.info("creating %s", VENV)
        venv.create(VENV, with_pip=True)
    pip = (PYTHON, "-m", "pip", "--disable-pip-version-check", "--quiet")
    _run(*pip, "install", "--upgrade", "pip")
    _run(*pip, "install", "-c", "requirements/constraints.txt", "-e", ".[test]")
    _run("bash", "binder/postBuild")
    STAMP.write_text(_fingerprint())


def start() -> None:
    """Set up, then open JupyterLab at the welcome lesson."""
    setup()
    os.chdir(ROOT)
    jupyter = str(BIN / "jupyter")
    command = [jupyter, "lab", "lessons/00_welcome.ipynb", *sys.argv[2:]]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines run as root
    os.execve(jupyter, command, _env())  # noqa: S606


def test() -> None:
    """Set up, then run what CI runs: format, lint, types, build check, tests."""
    setup()
    _run(PYTHON, "-m", "ruff", "format", "--check", ".")
    _run(PYTHON, "-m", "ruff", "check", ".")
    _run(PYTHON, "-m", "mypy", "--strict", "autograder")
    _run(PYTHON, "-m", "autograder", "build", "--check")
    # The pre-commit hook's check: notebooks committed without outputs.
    notebooks = sorted(ROOT.glob("exercises/*/*.ipynb")) + sorted(
        ROOT.glob("solutions/*/*.ipynb")
    )
    _run(PYTHON, "-m", "nbstripout", "--keep-id", "--verify", *notebooks)
    _run(PYTHON, "-m", "pytest", *sys.argv[2:])
    _run(PYTHON, "-m", "pytest", "-p", "nbval", "--nbval-lax", "lessons/")


def main() -> None:
    """Dispatch ``start`` or ``test``."""
    logging.basicConfig(level=logging.INFO, format="tasks: %(message)s")
    tasks = {"start": start, "test": test, "setup": setup}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks:
        sys.exit(f"usage: python3 tasks.py {{{','.join(tasks)}}} [pytest args]")
    try:
        tasks[sys.argv[1]]()
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)


if __name__ == "__main__":
    main()
