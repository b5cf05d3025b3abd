"""Batch grading: `course grade -j N` against serial stock `nbgrader autograde`.

A class of N students (30 by default) hands in every exercise that exists in
`solutions/` when the script runs. Each student's answer is one of the
exercise's known submissions, in turn: the reference solution, the untouched
exercise, and (for one-answer exercises) every fixture in
`tests/fixtures/<exercise>/*.py`. The same submissions are graded three
times, each in its own copy of the course, and timed (wall clock):

1. stock `nbgrader autograde EX`, serial, with nbgrader's own autograde
   preprocessors (the student's notebook executed in a kernel, `%%check`
   grading in that kernel): what the course shipped before out-of-kernel
   grading;
2. stock `nbgrader autograde EX`, serial, with the shipped
   `nbgrader_config.py` (out of kernel, sandboxed, one student at a time);
3. `course grade EX -j JOBS` (parallel sandboxes, stock nbgrader storing).

The script checks that all three gradebooks hold identical scores for every
student and cell, and prints the times and ratios. It never asserts a time.
All three run with the same generous limits (``--timeout`` seconds of wall
clock and CPU per graded cell), so that a busy machine cannot turn a slow
check into a different score.

    python benchmarks/batch_grading.py [--students 30] [--jobs 2]
        [--exercises 01_pep8 02_docstrings ...] [--timeout 60]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import load_exercise  # noqa: E402
from autograder.build import assignments  # noqa: E402
from tests.lessons.submissions import make_submission  # noqa: E402

STOCK_PREPROCESSORS = """
# Benchmark baseline: nbgrader's own autograde steps (execute in a kernel).
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Execute.timeout = 600  # nbgrader's 30 s would turn a slow moment into a 0
"""


LIMITS: dict[str, str] = {}
"""Limit settings for every grading run (set from ``--timeout``)."""


def _env() -> dict[str, str]:
    return {
        **os.environ,
        **LIMITS,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }


def _run(course: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        list(args), cwd=course, env=_env(), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode})")
    return seconds


def variants(exercise: str) -> list[tuple[str, dict[str, str]]]:
    """Known submissions of an exercise: a name, and answer text by grade id."""
    spec = load_exercise(ROOT / "solutions" / exercise)
    source = json.loads((spec.notebook_path).read_text(encoding="utf-8"))
    reference = {
        cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"])
        for cell in source["cells"]
        if cell["metadata"].get("nbgrader", {}).get("grade_id") in spec.answers
    }
    found: list[tuple[str, dict[str, str]]] = [
        ("reference", reference),
        ("untouched", {}),
    ]
    fixtures = ROOT / "tests" / "fixtures" / exercise
    if len(spec.answers) == 1 and fixtures.is_dir():
        (answer,) = spec.answers
        found += [
            (path.stem, {answer: path.read_text("utf-8")})
            for path in sorted(fixtures.glob("*.py"))
        ]
    return found


def variant_of(exercise: str, student: str) -> str:
    """Name the known submission a benchmark student handed in."""
    known = variants(exercise)
    return known[int(student.removeprefix("student")) % len(known)][0]


def build_course(
    folder: Path, exercises: list[str], students: int, config: str
) -> Path:
    """A course with every exercise generated and every student's submissions."""
    course = folder / "course"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(config)
    for exercise in exercises:
        shutil.copytree(ROOT / "solutions" / exercise, course / "solutions" / exercise)
        _run(
            course,
            sys.executable,
            "-m",
            "nbgrader",
            "generate_assignment",
            exercise,
            "--create",
        )
        known = variants(exercise)
        for number in range(students):
            answers = dict(known[number % len(known)][1])
            make_submission(
                ROOT,
                exercise,
                {key: text for key, text in answers.items()},
                course / "submitted" / f"student{number:02d}" / exercise,
                grading=False,
            )
    return course


def scores(course: Path, exercises: list[str]) -> dict[tuple[str, str, str], float]:
    """Every auto score in a gradebook: (exercise, student, cell) -> points."""
    from nbgrader.api import Gradebook

    found: dict[tuple[str, str, str], float] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for exercise in exercises:
            for submission in gradebook.assignment_submissions(exercise):
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        found[exercise, submission.student.id, grade.name] = float(
                            grade.auto_score or 0.0
                        )
    return found


def main() -> None:
    """Build three identical courses, grade them three ways, compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30, help="class size")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--exercises", nargs="+", help="default: every exercise in solutions/"
    )
    parser.add_argument(
        "--timeout", type=int, default=60, help="seconds per graded cell"
    )
    args = parser.parse_args()
    exercises = args.exercises or assignments(ROOT)
    LIMITS.update(
        {
            "COURSE_CHECK_TIMEOUT": str(args.timeout),
            "COURSE_CPU_LIMIT": str(args.timeout),
        }
    )
    print(
        f"exercises: {', '.join(exercises)}; "
        f"students: {args.students}; jobs: {args.jobs}; "
        f"limit per cell: {args.timeout} s; cores: {os.cpu_count()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        base = Path(tmp)
        courses = {
            "kernel": build_course(
                base / "kernel", exercises, args.students, STOCK_PREPROCESSORS
            ),
            "serial": build_course(base / "serial", exercises, args.students, ""),
            "course grade": build_course(
                base / "parallel", exercises, args.students, ""
            ),
        }
        times = {name: 0.0 for name in courses}
        for exercise in exercises:
            spent = {}
            for name in ("kernel", "serial"):
                spent[name] = _run(
                    courses[name],
                    sys.executable,
                    "-m",
                    "nbgrader",
                    "autograde",
                    exercise,
                )
            spent["course grade"] = _run(
                courses["course grade"],
                sys.executable,
                "-m",
                "autograder",
                "grade",
                exercise,
                "-j",
                str(args.jobs),
            )
            print(
                f"  {exercise:<20}"
                + "".join(
                    f"  {name} {seconds:6.1f} s" for name, seconds in spent.items()
                ),
                flush=True,
            )
            for name, seconds in spent.items():
                times[name] += seconds
        found = {name: scores(course, exercises) for name, course in courses.items()}
    reference = found["kernel"]
    submissions = args.students * len(exercises)
    print(f"submissions graded per method: {submissions}")
    for name, seconds in times.items():
        same = found[name] == reference
        print(
            f"  {name:<40} {seconds:7.1f} s  ({seconds / submissions:.2f} s each)"
            f"  scores identical to kernel: {same}"
        )
    fast = times["course grade"]
    print(f"ratio stock kernel / course grade: {times['kernel'] / fast:.2f}x")
    print(f"ratio serial out-of-kernel / course grade: {times['serial'] / fast:.2f}x")
    if any(found[name] != reference for name in found):
        differ = sorted(
            k for k in reference if any(found[n].get(k) != reference[k] for n in found)
        )
        print(f"DIFFERENT SCORES ({len(differ)} graded cells):")
        for key in differ:
            exercise, student, cell = key
            shown = "  ".join(f"{name} {found[name].get(key)}" for name in found)
            print(
                f"  {exercise} {student} ({variant_of(exercise, student)}) {cell}: "
                + shown
            )
        raise SystemExit(1)


if __name__ == "__main__":
    main()
