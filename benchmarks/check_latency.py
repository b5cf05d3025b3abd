"""Measure how long a check takes: cold CLI, warm ``%%check``, ``nbgrader validate``.

On one exercise notebook, in one run, this script measures:

1. **Cold check**: ``python -m autograder check NOTEBOOK`` (the ``course check``
   command) in a fresh process with an empty ``COURSE_CACHE_DIR``.
2. **Warm self-check**: what a learner's ``%%check`` costs once the grading
   worker is running, in this process: each graded cell on its own, the whole
   notebook, and a synthetic exercise whose one cell runs ruff, mypy and
   pytest (the "style + types + tests" target).
3. **Stock ``nbgrader validate``** on a copy of the notebook's folder.

It prints figures and never asserts timings: a slow machine is not a failure.
Run it from anywhere::

    python benchmarks/check_latency.py --runs 5
"""

from __future__ import annotations

import argparse
import functools
import itertools
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from autograder import (
    CellReport,
    default_runner,
    grade_cell,
    grade_notebook,
    load_exercise,
)
from autograder._engine import CellInput
from autograder.notebook import read_cells
from autograder.runner import WorkerClient
from autograder.spec import ExerciseSpec

T = TypeVar("T")

logger = logging.getLogger("check_latency")

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The repository, found from this file so the script runs from any folder."""

DEFAULT_NOTEBOOK = REPO_ROOT / "solutions" / "01_pep8" / "01_pep8.ipynb"
"""The lesson 01 solution notebook: every check should pass on it."""

CACHE_ENV = "COURSE_CACHE_DIR"
"""Environment variable that moves the engine's cache (mypy cache, worker log)."""

SYNTHETIC_TOML = """\
# Written by benchmarks/check_latency.py: one answer, cells of ruff/mypy/pytest.
id = "bench_synthetic"
title = "Synthetic exercise for the latency benchmark"
notebook = "synthetic.ipynb"

[answers.shapes]
module = "shapes"
label = "your module"
defines = ["area", "perimeter"]

[cells.check_all]
title = "Style, types and tests"

[[cells.check_all.checks]]
kind = "ruff"
answer = "shapes"
points = 1
select = ["E", "W"]
line_length = 79

[[cells.check_all.checks]]
kind = "mypy"
answer = "shapes"
points = 1

[[cells.check_all.checks]]
kind = "pytest"
answer = "shapes"
points = 1

[cells.check_style]
title = "Style only"

[[cells.check_style.checks]]
kind = "ruff"
answer = "shapes"
points = 1
select = ["E", "W"]
line_length = 79

[cells.check_types]
title = "Types only"

[[cells.check_types.checks]]
kind = "mypy"
answer = "shapes"
points = 1

[cells.check_tests]
title = "Tests only"

[[cells.check_tests.checks]]
kind = "pytest"
answer = "shapes"
points = 1
"""
"""Declaration of the synthetic exercise; ``check_all`` is the target cell."""

SYNTHETIC_ANSWER = '''\
"""Areas and perimeters of rectangles."""


def area(width: float, height: float) -> float:
    """Return the area of a rectangle."""
    return width * height


def perimeter(width: float, height: float) -> float:
    """Return the perimeter of a rectangle."""
    return 2 * (width + height)
'''
"""A clean, fully typed answer: every synthetic check should pass."""

SYNTHETIC_EDIT = '''\


def scaled_{n}(value: float) -> float:
    """Return the value scaled by {n} (a fresh edit each run)."""
    return value * {n}
'''
"""Appended to the answer with a new number each run: an edited answer."""

SYNTHETIC_TESTS = """\
%%check {cell}
from shapes import area, perimeter


def test_area() -> None:
    assert area(2.0, 3.0) == 6.0


def test_perimeter() -> None:
    assert perimeter(2.0, 3.0) == 10.0
"""
"""The synthetic test cell, as a learner's notebook holds it."""

SYNTHETIC_TARGET = "check_all"
"""The synthetic cell that runs style, types and tests together."""


@dataclass(frozen=True)
class Measurement:
    """Wall times of one thing measured, in seconds.

    Attributes:
        label: What was measured, as printed in the table.
        times: One wall time per run.
        note: Outcome of the runs (score, exit code), to show the work was real.
    """

    label: str
    times: tuple[float, ...]
    note: str = ""

    @property
    def median(self) -> float:
        """Median wall time in seconds."""
        return statistics.median(self.times)


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Run an action once and time it.

    Args:
        action: What to run.

    Returns:
        The wall time in seconds and the action's result.
    """
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


@contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    """Set an environment variable for the duration of a block.

    The grading worker is a child process and reads its settings from the
    environment it inherits, so the variable must be set in ``os.environ``.

    Args:
        name: The variable.
        value: Its value inside the block.

    Yields:
        Nothing; the previous value is restored on exit.
    """
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def describe_scores(reports: Sequence[CellReport]) -> str:
    """Summarise the scores of cell reports, naming any cell not passed.

    Args:
        reports: The reports of one run.

    Returns:
        Text such as ``10/10`` or ``7/10, not passed: check_behaviour``.
    """
    score = sum(report.score for report in reports)
    total = sum(report.max_score for report in reports)
    failed = [report.cell for report in reports if not report.passed]
    text = f"{score:g}/{total:g}"
    return f"{text}, not passed: {', '.join(failed)}" if failed else text


def measure_cold(notebook: Path, runs: int, scratch: Path) -> Measurement:
    """Time ``python -m autograder check`` in fresh processes with empty caches.

    Args:
        notebook: The notebook to check.
        runs: How many runs.
        scratch: A folder for the per-run cache folders.

    Returns:
        The wall times; the note gives the exit codes.
    """
    command = [sys.executable, "-m", "autograder", "check", str(notebook)]
    times: list[float] = []
    codes: set[int] = set()
    for run in range(runs):
        cache = Path(tempfile.mkdtemp(prefix=f"cold-{run}-", dir=scratch))
        env = {**os.environ, CACHE_ENV: str(cache)}
        elapsed, completed = timed(
            functools.partial(
                subprocess.run,
                command,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        )
        logger.info(
            "cold check %d: %.3f s, exit %d", run + 1, elapsed, completed.returncode
        )
        if completed.returncode not in (0, 1):
            logger.warning("course check failed: %s", completed.stderr.strip())
        times.append(elapsed)
        codes.add(completed.returncode)
    return Measurement(
        "cold check (course check CLI)",
        tuple(times),
        f"exit {', '.join(map(str, sorted(codes)))}",
    )


def cell_input(
    spec: ExerciseSpec, sources: Mapping[str, str], cell_id: str
) -> CellInput:
    """Build what ``%%check`` hands the engine for one graded cell.

    Args:
        spec: The exercise's declaration.
        sources: Cell text by grade id.
        cell_id: The graded test cell.

    Returns:
        The answers and the test cell's text.
    """
    answers = {key: sources.get(key) for key in spec.answers}
    return CellInput(answers, sources[cell_id])


def measure_cells(
    spec: ExerciseSpec,
    sources: Callable[[], Mapping[str, str]],
    cell_ids: Sequence[str],
    runs: int,
    client: WorkerClient,
) -> list[Measurement]:
    """Time ``grade_cell`` on each cell against the warm worker.

    Args:
        spec: The exercise's declaration.
        sources: Gives the cell texts by grade id for the next run; called
            once per run, outside the timing, so a run can see an edited answer.
        cell_ids: The graded cells to time.
        runs: How many runs per cell.
        client: The warm worker.

    Returns:
        One measurement per cell, labelled with the cell's grade id.
    """
    measurements = []
    for cell_id in cell_ids:
        times: list[float] = []
        reports: list[CellReport] = []
        for _ in range(runs):
            given = cell_input(spec, sources(), cell_id)
            elapsed, report = timed(
                functools.partial(grade_cell, spec, cell_id, given, client.run)
            )
            times.append(elapsed)
            reports.append(report)
        logger.info("warm %s: median %.3f s", cell_id, statistics.median(times))
        measurements.append(
            Measurement(cell_id, tuple(times), describe_scores(reports[-1:]))
        )
    return measurements


def warm_up(
    spec: ExerciseSpec, sources: Mapping[str, str], client: WorkerClient
) -> Measurement:
    """Grade every cell once, starting the worker; time the very first cell.

    Args:
        spec: The exercise's declaration.
        sources: Cell text by grade id.
        client: The worker, possibly not started yet.

    Returns:
        The first cell's time, which includes starting the worker.
    """
    first, *rest = spec.cells
    elapsed, report = timed(
        lambda: grade_cell(spec, first, cell_input(spec, sources, first), client.run)
    )
    logger.info("worker start + %s: %.3f s", first, elapsed)
    for cell_id in rest:
        grade_cell(spec, cell_id, cell_input(spec, sources, cell_id), client.run)
    return Measurement(
        f"worker start + first cell ({first}), once",
        (elapsed,),
        describe_scores([report]),
    )


def measure_notebook(notebook: Path, runs: int, client: WorkerClient) -> Measurement:
    """Time ``grade_notebook`` (read, load the declaration, grade all cells) warm.

    Args:
        notebook: The notebook.
        runs: How many runs.
        client: The warm worker.

    Returns:
        The wall times.
    """
    times: list[float] = []
    note = ""
    for _ in range(runs):
        elapsed, report = timed(lambda: grade_notebook(notebook, runner=client.run))
        times.append(elapsed)
        note = describe_scores(report.cells)
    logger.info("warm notebook: median %.3f s", statistics.median(times))
    return Measurement("warm notebook (all cells)", tuple(times), note)


def measure_lesson(
    notebook: Path, runs: int, client: WorkerClient
) -> list[Measurement]:
    """Time the warm self-check on the lesson notebook, per cell and as a whole.

    Args:
        notebook: The notebook.
        runs: How many runs of each.
        client: The worker.

    Returns:
        The worker's first start, each cell, then the whole notebook.
    """
    spec = load_exercise(notebook)
    sources = read_cells(notebook).sources
    start = warm_up(spec, sources, client)
    cells = measure_cells(spec, lambda: sources, list(spec.cells), runs, client)
    whole = measure_notebook(notebook, runs, client)
    return [start, *[_relabel(m, f"warm cell {m.label}") for m in cells], whole]


def _relabel(measurement: Measurement, label: str) -> Measurement:
    return Measurement(label, measurement.times, measurement.note)


def synthetic_sources(spec: ExerciseSpec) -> Callable[[], Mapping[str, str]]:
    """Give the synthetic cell texts, with a freshly edited answer each call.

    A learner edits the answer between checks, and mypy's cache recognises
    an unchanged file by its content, so every call appends a different small
    function: mypy re-checks the answer module each run, while the standard
    library stays cached.

    Args:
        spec: The synthetic exercise's declaration.

    Returns:
        A function that returns cell texts by grade id.
    """
    tests = {cell_id: SYNTHETIC_TESTS.format(cell=cell_id) for cell_id in spec.cells}
    edits = itertools.count()

    def sources() -> Mapping[str, str]:
        answer = SYNTHETIC_ANSWER + SYNTHETIC_EDIT.format(n=next(edits))
        return {"shapes": answer, **tests}

    return sources


def measure_synthetic(
    folder: Path, runs: int, client: WorkerClient
) -> list[Measurement]:
    """Time the synthetic ruff + mypy + pytest cell, and each tool alone, warm.

    The first run of the combined cell meets an empty mypy cache and is
    reported on its own; after a warm-up pass, the medians are all warm.

    Args:
        folder: An empty folder to write the synthetic exercise into.
        runs: How many runs per cell.
        client: The warm worker.

    Returns:
        The cold-mypy first run, the target cell, then ruff, mypy, pytest alone.
    """
    toml = folder / "exercise.toml"
    toml.write_text(SYNTHETIC_TOML, encoding="utf-8")
    spec = load_exercise(toml)
    sources = synthetic_sources(spec)
    given = cell_input(spec, sources(), SYNTHETIC_TARGET)
    elapsed, report = timed(
        functools.partial(grade_cell, spec, SYNTHETIC_TARGET, given, client.run)
    )
    logger.info("synthetic, empty mypy cache: %.3f s", elapsed)
    first = Measurement(
        "style+types+tests, empty mypy cache, once",
        (elapsed,),
        describe_scores([report]),
    )
    for cell_id in spec.cells:  # warm-up pass
        grade_cell(spec, cell_id, cell_input(spec, sources(), cell_id), client.run)
    labels = {
        "check_all": "synthetic style+types+tests",
        "check_style": "  synthetic ruff alone",
        "check_types": "  synthetic mypy alone",
        "check_tests": "  synthetic pytest alone",
    }
    timed_cells = measure_cells(spec, sources, list(labels), runs, client)
    return [first, *[_relabel(m, labels[m.label]) for m in timed_cells]]


def measure_validate(notebook: Path, runs: int, scratch: Path) -> Measurement:
    """Time stock ``nbgrader validate`` on a fresh copy of the notebook's folder.

    nbgrader runs ``alembic`` as a command, so the interpreter's own ``bin``
    folder goes first on ``PATH``. Each run also gets an empty
    ``COURSE_CACHE_DIR``, so the kernel's ``%%check`` cells start cold, as a
    grader's would.

    Args:
        notebook: The notebook.
        runs: How many runs.
        scratch: A folder for the copies.

    Returns:
        The wall times; the note says whether nbgrader reported success.
    """
    bin_dir = str(Path(sys.executable).parent)
    times: list[float] = []
    verdicts: set[str] = set()
    for run in range(runs):
        base = Path(tempfile.mkdtemp(prefix=f"validate-{run}-", dir=scratch))
        folder = base / notebook.parent.name
        shutil.copytree(notebook.parent, folder)
        env = {
            **os.environ,
            "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
            CACHE_ENV: str(base / "cache"),
        }
        command = [sys.executable, "-m", "nbgrader", "validate", notebook.name]
        elapsed, completed = timed(
            functools.partial(
                subprocess.run,
                command,
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        )
        passed = "Success!" in completed.stdout
        verdicts.add(
            "success" if passed else f"exit {completed.returncode}, no success"
        )
        if not passed:
            logger.warning(
                "nbgrader validate did not pass:\n%s%s",
                completed.stdout,
                completed.stderr,
            )
        logger.info("nbgrader validate %d: %.3f s", run + 1, elapsed)
        times.append(elapsed)
    return Measurement(
        "nbgrader validate (stock)", tuple(times), ", ".join(sorted(verdicts))
    )


def format_seconds(seconds: float) -> str:
    """Format a duration in the unit that reads best.

    Args:
        seconds: The duration.

    Returns:
        Milliseconds below a second, seconds above.
    """
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def render_table(rows: Sequence[Measurement]) -> str:
    """Lay the measurements out as a fixed-width table.

    Args:
        rows: The measurements, in order.

    Returns:
        The table, one line per measurement.
    """
    width = max(len(row.label) for row in rows)
    columns = ("median", "min", "max")
    header = f"{'measurement':<{width}}  " + "  ".join(f"{c:>9}" for c in columns)
    header += "  runs  outcome"
    lines = [header, "-" * len(header)]
    for row in rows:
        figures = (row.median, min(row.times), max(row.times))
        cells = "  ".join(f"{format_seconds(value):>9}" for value in figures)
        lines.append(f"{row.label:<{width}}  {cells}  {len(row.times):>4}  {row.note}")
    return "\n".join(lines)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` if omitted.

    Returns:
        The parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description="Time the cold and warm check against stock nbgrader validate."
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="runs per measurement (default: 5)"
    )
    parser.add_argument(
        "--notebook",
        type=Path,
        default=DEFAULT_NOTEBOOK,
        help="exercise notebook, with exercise.toml beside it "
        "(default: solutions/01_pep8/01_pep8.ipynb)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log each run to stderr"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.notebook = args.notebook.resolve()
    if not args.notebook.is_file():
        parser.error(f"no such notebook: {args.notebook}")
    return args


def print_header(notebook: Path, runs: int) -> None:
    """Print what was measured, where.

    Args:
        notebook: The notebook.
        runs: Runs per measurement.
    """
    try:
        shown = notebook.relative_to(REPO_ROOT)
    except ValueError:
        shown = notebook
    print(f"notebook : {shown}")
    print(f"runs     : {runs} per measurement (median, min, max of wall time)")
    print(
        f"machine  : {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print()


def load_average() -> float:
    """Read the one-minute load average, to show whether the machine was busy.

    Returns:
        The load average, or ``nan`` where the system does not report it.
    """
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def print_ratios(rows: Mapping[str, Measurement]) -> None:
    """Print how many times slower stock validation is than the engine.

    Args:
        rows: The measurements by label.
    """
    validate = rows["nbgrader validate (stock)"].median
    warm = rows["warm notebook (all cells)"].median
    cold = rows["cold check (course check CLI)"].median
    print()
    print(f"nbgrader validate / warm notebook : {validate / warm:6.1f}x")
    print(f"nbgrader validate / cold check    : {validate / cold:6.1f}x")


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement and print the table.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` if omitted.

    Returns:
        The exit code (always 0: timings are reported, never judged).
    """
    args = parse_arguments(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    print_header(args.notebook, args.runs)
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="check-latency-") as temp:
        scratch = Path(temp)
        cold = measure_cold(args.notebook, args.runs, scratch)
        warm_cache = scratch / "warm-cache"
        synthetic_folder = scratch / "synthetic"
        synthetic_folder.mkdir()
        with environment(CACHE_ENV, str(warm_cache)):
            client = default_runner()
            try:
                lesson = measure_lesson(args.notebook, args.runs, client)
                synthetic = measure_synthetic(synthetic_folder, args.runs, client)
            finally:
                client.close()
        validate = measure_validate(args.notebook, args.runs, scratch)
    rows = [cold, *lesson, *synthetic, validate]
    print(render_table(rows))
    print_ratios({row.label: row for row in rows})
    print(f"load average (1 min): {load_before:.2f} before, {load_average():.2f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
