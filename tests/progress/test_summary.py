"""Do scores add up per exercise, and does the next step point the right way?"""

from __future__ import annotations

from pathlib import Path

from autograder.progress import (
    CellProgress,
    Status,
    next_step,
    render_text,
    summarize,
)

WHEN = "2025-01-01T00:00:00.000000+00:00"


def cell(
    exercise: str, name: str, best: float, latest: float | None = None
) -> CellProgress:
    return CellProgress(
        exercise, name, best, best if latest is None else latest, 3, 1, WHEN, WHEN
    )


def course(tmp_path: Path, lessons: list[str], exercises: list[str]) -> Path:
    for slug in lessons:
        (tmp_path / "lessons").mkdir(exist_ok=True)
        (tmp_path / "lessons" / f"{slug}.ipynb").write_text("{}")
    for slug in exercises:
        (tmp_path / "exercises" / slug).mkdir(parents=True)
        (tmp_path / "exercises" / slug / f"{slug}.ipynb").write_text("{}")
    (tmp_path / "lessons").mkdir(exist_ok=True)
    return tmp_path


def test_an_exercise_scores_the_best_of_each_cell_summed() -> None:
    progress = summarize([cell("01_pep8", "a", 3, latest=1), cell("01_pep8", "b", 2.5)])
    pep8 = progress.exercise("01_pep8")
    assert pep8.score == 5.5
    assert pep8.status is Status.IN_PROGRESS
    assert progress.score == 5.5
    assert progress.max_score == 200


def test_full_marks_pass_any_check_starts_and_nothing_is_not_started() -> None:
    progress = summarize(
        [
            cell("01_pep8", "a", 3),
            cell("01_pep8", "b", 3),
            cell("01_pep8", "c", 4),
            cell("02_docstrings", "a", 0),
        ]
    )
    assert progress.exercise("01_pep8").status is Status.PASSED
    assert progress.exercise("02_docstrings").status is Status.IN_PROGRESS
    assert progress.exercise("03_type_hints").status is Status.NOT_STARTED
    assert progress.passed == 1


def test_exercises_this_course_lacks_are_set_apart_not_counted() -> None:
    progress = summarize([cell("07_old_patterns", "a", 3), cell("00_welcome", "a", 1)])
    assert progress.unknown == ("00_welcome", "07_old_patterns")
    assert progress.score == 0
    assert len(progress.exercises) == 20


def test_next_is_the_first_unpassed_lesson_then_its_exercise(tmp_path: Path) -> None:
    root = course(tmp_path, ["01_pep8", "02_docstrings"], ["01_pep8", "02_docstrings"])
    fresh = summarize([])
    assert next_step(fresh, root).target == root / "lessons" / "01_pep8.ipynb"
    at_lesson = next_step(fresh, root, here="01_pep8")
    assert at_lesson.target == root / "exercises/01_pep8/01_pep8.ipynb"
    started = summarize([cell("01_pep8", "a", 2)])
    step = next_step(started, root)
    assert step.target == root / "exercises/01_pep8/01_pep8.ipynb"
    assert step.text == "Exercise 01 — PEP 8 (2/10 so far)"
    assert step.href(root / "lessons") == "../exercises/01_pep8/01_pep8.ipynb"
    passed = summarize([cell("01_pep8", "a", 10)])
    assert next_step(passed, root).target == root / "lessons" / "02_docstrings.ipynb"


def test_a_lesson_not_written_yet_is_coming_soon_without_a_link(tmp_path: Path) -> None:
    root = course(tmp_path, ["01_pep8"], ["01_pep8"])
    progress = summarize([cell("01_pep8", "a", 10)])
    step = next_step(progress, root)
    assert step.text == "Lesson 02 — Docstrings (coming soon)"
    assert step.target is None
    assert step.href(root) is None


def test_all_passed_says_so() -> None:
    progress = summarize(
        cell(item.lesson.slug, "a", 10) for item in summarize([]).exercises
    )
    assert progress.passed == 20
    assert next_step(progress, None).text.startswith("Nothing")


def test_the_text_table_lists_twenty_exercises_and_marks_missing_ones(
    tmp_path: Path,
) -> None:
    root = course(tmp_path, ["01_pep8"], ["01_pep8"])
    text = render_text(summarize([cell("01_pep8", "a", 3)]), root)
    lines = text.splitlines()
    assert lines[0] == "Progress: 0 of 20 exercises passed, 3/200 points"
    assert sum(line.startswith("  ") for line in lines) == 20
    assert "01 PEP 8" in text
    assert "3/10" in text
    assert "(coming soon)" in next(line for line in lines if "20 Scalability" in line)
    assert "(coming soon)" not in next(line for line in lines if "01 PEP 8" in line)
    assert (
        lines[-1]
        == "Next: Exercise 01 — PEP 8 (3/10 so far) - exercises/01_pep8/01_pep8.ipynb"
    )
