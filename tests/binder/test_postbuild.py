"""Does binder/postBuild set up a fresh environment cleanly, for learners?

The test builds a throw-away virtual environment whose ``sys.prefix`` is its
own but which borrows the installed packages of the test's interpreter (a
``.pth`` line), copies the course, and runs ``binder/postBuild`` there as
repo2docker would. Everything postBuild writes must land in that environment
(never in the test's own), and its mypy cache must be warm for every flag set
the exercises declare.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import sqlite3
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder import load_settings
from autograder.checks import Answer, CheckContext
from autograder.cli._warm import mypy_checks
from autograder.spec import AnswerSpec

ROOT = Path(__file__).resolve().parents[2]
INSTRUCTOR_PLUGINS = {
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",
}
VALIDATE_PLUGIN = "@jupyter/nbgrader:validate-assignment"
NOT_COPIED = (
    ".git",
    ".venv",
    "artifacts",
    "tests",
    "benchmarks",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".ipynb_checkpoints",
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Built:
    """A fresh environment after postBuild.

    Attributes:
        prefix: The environment's ``sys.prefix``.
        course: The copy of the course postBuild ran in.
        cache: The ``COURSE_CACHE_DIR`` it ran with.
        result: The finished postBuild process.
        parent_config: The test interpreter's page config, before and after.
    """

    prefix: Path
    course: Path
    cache: Path
    result: subprocess.CompletedProcess[str]
    parent_config: tuple[tuple[str, int] | None, tuple[str, int] | None]


def _page_config(prefix: Path) -> Path:
    return prefix / "etc" / "jupyter" / "labconfig" / "page_config.json"


def _state(path: Path) -> tuple[str, int] | None:
    """A file's text and modification time, to tell whether anything wrote it."""
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8"), path.stat().st_mtime_ns


def _fresh_environment(prefix: Path) -> Path:
    """Create a virtual environment that borrows this interpreter's packages."""
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(prefix)
    purelib = Path(
        sysconfig.get_path("purelib", vars={"base": prefix, "platbase": prefix})
    )
    borrowed = [path for path in site.getsitepackages() if Path(path).is_dir()]
    (purelib / "borrowed_packages.pth").write_text("\n".join(borrowed) + "\n")
    return prefix / ("Scripts" if os.name == "nt" else "bin")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("binder")
    course = base / "course"
    shutil.copytree(
        ROOT, course, symlinks=True, ignore=shutil.ignore_patterns(*NOT_COPIED)
    )
    prefix = base / "env"
    bin_dir = _fresh_environment(prefix)
    cache = base / "cache"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "COURSE_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        PATH=os.pathsep.join([str(bin_dir), env.get("PATH", "")]),
        VIRTUAL_ENV=str(prefix),
        COURSE_CACHE_DIR=str(cache),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONNOUSERSITE="1",
    )
    parent_config = _page_config(Path(sys.prefix))
    before = _state(parent_config)
    result = subprocess.run(
        ["bash", str(course / "binder" / "postBuild")],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return Built(prefix, course, cache, result, (before, _state(parent_config)))


def test_postbuild_runs_cleanly(built: Built) -> None:
    """Does postBuild exit 0, with no traceback and no warning?"""
    output = built.result.stdout + built.result.stderr
    assert built.result.returncode == 0, output
    assert "Traceback" not in output
    assert "WARNING" not in output


def test_it_writes_into_the_new_environment_only(built: Built) -> None:
    """Does the learner configuration land in the new environment's prefix?"""
    assert _page_config(built.prefix).is_file()
    before, after = built.parent_config
    assert before == after, "postBuild wrote the test interpreter's own config"


def test_instructor_plugins_are_disabled_and_locked(built: Built) -> None:
    """Are exactly the instructor plugins off and locked, and Validate kept?"""
    config = json.loads(_page_config(built.prefix).read_text(encoding="utf-8"))
    disabled = {name for name, on in config["disabledExtensions"].items() if on}
    locked = {name for name, on in config["lockedExtensions"].items() if on}
    assert disabled == INSTRUCTOR_PLUGINS
    assert locked == INSTRUCTOR_PLUGINS
    assert VALIDATE_PLUGIN not in disabled


def test_settings_overrides_turn_off_the_news(built: Built) -> None:
    """Do JupyterLab's overrides turn off the news pop-up and update checks?"""
    overrides = built.prefix / "share" / "jupyter" / "lab" / "settings"
    data = json.loads((overrides / "overrides.json").read_text(encoding="utf-8"))
    notification = data["@jupyterlab/apputils-extension:notification"]
    assert notification == {"checkForUpdates": False, "fetchNews": "false"}


def test_the_course_package_is_installed_from_the_course(built: Built) -> None:
    """Does the new environment import the course's own package, editable?"""
    python = built.prefix / ("Scripts" if os.name == "nt" else "bin") / "python"
    found = subprocess.run(
        [str(python), "-c", "import autograder; print(autograder.__file__)"],
        cwd=built.prefix,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(found).resolve().is_relative_to(built.course.resolve())


def _cached_modules(cache_dir: Path) -> set[str]:
    """Module names in a mypy cache folder (JSON files or SQLite shards)."""
    names = {path.name.split(".meta.")[0] for path in cache_dir.rglob("*.meta.*")}
    for database in cache_dir.rglob("*.db"):
        with sqlite3.connect(database) as connection:
            tables = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).fetchall()
            for (table,) in tables:
                rows = connection.execute(f'SELECT path FROM "{table}"').fetchall()  # noqa: S608
                names.update(str(path).split(".meta.")[0] for (path,) in rows)
    return names


def test_the_mypy_cache_is_warm_for_every_declared_flag_set(
    built: Built, tmp_path: Path
) -> None:
    """Does the cache folder of each declared mypy flag set hold the stubs?"""
    checks = mypy_checks(built.course)
    assert checks, "the course declares no mypy check"
    assert len(checks) == len(mypy_checks(ROOT))
    assert f"warm for {len(checks)} flag set(s)" in built.result.stdout
    settings = load_settings({"COURSE_CACHE_DIR": str(built.cache)})
    module = tmp_path / "probe.py"
    module.write_text("x: int = 1\n")
    answer = Answer(AnswerSpec("probe", "probe", "probe"), "", module)
    context = CheckContext(tmp_path, answer, {}, None, settings, lambda _: None)
    for check in checks:
        arguments = check.arguments(context)
        cache_dir = Path(
            next(arg for arg in arguments if arg.startswith("--cache-dir=")).partition(
                "="
            )[2]
        )
        cached = _cached_modules(cache_dir)
        assert {"builtins", "typing", "dataclasses"} <= cached, (check.label, cached)
