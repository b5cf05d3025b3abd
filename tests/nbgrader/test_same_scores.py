"""Does a correct student lose nothing in the sandbox?

Every submission kept for every exercise (``tests/fixtures/NN_slug/`` with its
``expected.toml``) is graded twice: by the plain engine (``grade_notebook``
with a warm worker, as the lesson tests grade it) and by the path
``nbgrader autograde`` and ``course grade`` take (``read_submission`` and
``grade_submission`` in a sandbox session: guard, Landlock, sealed results).
Each graded cell must get the same points in bubblewrap and in the rlimit
fallback; in bubblewrap (the shipped default) the sandbox must also add no
finding of its own (``sandbox.*``, ``limits.*``) that the plain engine did not
give. (Findings are not compared one for one: some checks pick among their
findings by thread timing, in the plain engine too. The fallback refuses to
start programs, which bubblewrap allows under Landlock: a check's payload
that runs ``os.system`` through a learner's ``eval`` is then reported as
refused rather than as run, for the same zero.) The answers are
built by each lesson test module's own helper (``_answer_text``, or
``_answers`` for exercises with several answer cells), so a new exercise is
covered as soon as it has one.
"""

from __future__ import annotations

import importlib
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from autograder import Settings, grade_notebook, load_settings
from autograder.nbgrader import course_tests, grade_submission, read_submission
from autograder.runner import WorkerClient
from autograder.sandbox import SandboxSession

from ..lessons.submissions import make_submission, source_spec
from .sandbox_required import require_bwrap

TESTS = Path(__file__).resolve().parent.parent
EXERCISES = sorted(
    path.parent.name
    for path in (TESTS / "fixtures").glob("[0-9][0-9]_*/expected.toml")
    if (TESTS / "lessons" / f"test_{path.parent.name}.py").is_file()
)
SANDBOX_IDS = ("sandbox.", "limits.")
"""Findings the sandbox itself may give: refusals, tampering, limits hit."""
Scores = dict[str, tuple[float, list[str]]]
"""Per graded cell: points, and the ids of its findings."""


def _lesson_tests(exercise: str) -> ModuleType:
    package = __package__.rsplit(".", 1)[0] if __package__ else "tests"
    return importlib.import_module(f"{package}.lessons.test_{exercise}")


def _answers(root: Path, exercise: str, name: str) -> dict[str, str]:
    module = _lesson_tests(exercise)
    if hasattr(module, "_answers"):
        return dict(module._answers(root, name))
    (grade_id,) = source_spec(root, exercise).answers
    return {grade_id: module._answer_text(root, name)}


def _names(exercise: str) -> list[str]:
    text = (TESTS / "fixtures" / exercise / "expected.toml").read_text("utf-8")
    return sorted(tomllib.loads(text))


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Generous limits: this compares verdicts, not speed, on a busy machine."""
    folder = tmp_path_factory.mktemp("same-scores")
    return load_settings(
        {
            "COURSE_CACHE_DIR": str(folder / "cache"),
            "COURSE_DATA_DIR": str(folder / "data"),
            "COURSE_CHECK_TIMEOUT": "60",
            "COURSE_CPU_LIMIT": "60",
        }
    )


@pytest.fixture(scope="module")
def plain(settings: Settings) -> Iterator[WorkerClient]:
    """The plain engine's warm worker."""
    client = WorkerClient(settings)
    yield client
    client.close()


_plain_scores: dict[tuple[str, str], Scores] = {}


def _plain(
    root: Path, exercise: str, name: str, folder: Path, worker: WorkerClient
) -> Scores:
    """Grade as the lesson tests do (computed once for both sandboxes)."""
    if (exercise, name) not in _plain_scores:
        notebook = make_submission(
            root, exercise, _answers(root, exercise, name), folder / "plain"
        )
        spec = source_spec(root, exercise)
        report = grade_notebook(notebook, spec=spec, runner=worker.run)
        _plain_scores[exercise, name] = {
            cell.cell: (cell.score, [f.id for f in cell.findings])
            for cell in report.cells
        }
    return _plain_scores[exercise, name]


def _sandboxed(
    root: Path, exercise: str, name: str, folder: Path, session: SandboxSession
) -> Scores:
    """Grade as nbgrader autograde does: the submission as handed in."""
    notebook = make_submission(
        root,
        exercise,
        _answers(root, exercise, name),
        folder / "sandboxed",
        grading=False,
    )
    spec = source_spec(root, exercise)
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    submission = read_submission(spec, cells)
    tests = course_tests(spec, spec.notebook_path)
    reports = grade_submission(spec, submission, tests, session)
    return {
        cell: (report.score, [f.id for f in report.findings])
        for cell, report in reports.items()
    }


@pytest.fixture(scope="module", params=["bwrap", "rlimits"])
def session(
    request: pytest.FixtureRequest,
    root: Path,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SandboxSession]:
    """One sandbox session per backend, for every exercise."""
    if request.param == "bwrap":
        require_bwrap()
    chosen = Settings(**{**vars(settings), "sandbox": request.param})
    course = tmp_path_factory.mktemp(f"same-scores-{request.param}")
    with SandboxSession(chosen, hidden=(root, course)) as sandbox:
        assert sandbox.backend.name == request.param
        yield sandbox


def test_every_exercise_with_fixtures_is_compared() -> None:
    assert EXERCISES[:5] == [
        "01_pep8",
        "02_docstrings",
        "03_type_hints",
        "04_modular_design",
        "05_tdd",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_sandbox_gives_the_plain_engines_scores(
    exercise: str,
    root: Path,
    session: SandboxSession,
    plain: WorkerClient,
    tmp_path: Path,
) -> None:
    different = {}
    for name in _names(exercise):
        folder = tmp_path / name
        expected = _plain(root, exercise, name, folder, plain)
        found = _sandboxed(root, exercise, name, folder, session)
        for cell in sorted(set(expected) | set(found)):
            plain_score, plain_ids = expected.get(cell, (None, []))
            score, ids = found.get(cell, (None, []))
            added = sorted(
                set(ids) - set(plain_ids) if session.backend.name == "bwrap" else []
            )
            if score != plain_score or any(i.startswith(SANDBOX_IDS) for i in added):
                different[f"{name}/{cell}"] = {
                    "plain": expected.get(cell),
                    "sandboxed": found.get(cell),
                }
    assert not different, json.dumps(different, indent=1)
