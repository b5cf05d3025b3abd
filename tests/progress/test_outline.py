"""Is the course outline the twenty practices, in order, matching the files?"""

from __future__ import annotations

from pathlib import Path

from autograder.progress import (
    EXERCISES,
    OUTLINE,
    course_version,
    find_course_root,
    find_lesson,
)


def test_the_outline_has_the_welcome_and_twenty_exercises_in_order() -> None:
    assert [lesson.number for lesson in OUTLINE] == list(range(21))
    assert len(EXERCISES) == 20
    assert not OUTLINE[0].has_exercise
    assert OUTLINE[0].slug == "00_welcome"
    assert OUTLINE[-1].slug == "20_scalability"
    for lesson in OUTLINE:
        assert lesson.slug.startswith(f"{lesson.number:02d}_")
        assert lesson.title


def test_every_numbered_notebook_in_the_course_is_in_the_outline(root: Path) -> None:
    slugs = {lesson.slug for lesson in OUTLINE}
    lessons = {path.stem for path in root.glob("lessons/[0-9][0-9]_*.ipynb")}
    exercises = {path.name for path in root.glob("solutions/[0-9][0-9]_*")}
    assert lessons <= slugs
    assert exercises <= slugs


def test_paths_follow_the_course_layout(root: Path) -> None:
    pep8 = find_lesson("01_pep8")
    assert pep8 is not None
    assert pep8.lesson_path(root) == root / "lessons" / "01_pep8.ipynb"
    assert pep8.exercise_path(root) == root / "exercises/01_pep8/01_pep8.ipynb"
    assert pep8.lesson_path(root).is_file()
    assert find_lesson("07_old_name") is None


def test_the_course_root_is_found_from_a_lesson_or_an_exercise(
    root: Path, tmp_path: Path
) -> None:
    assert find_course_root(root / "lessons") == root
    assert find_course_root(root / "exercises" / "01_pep8") == root
    assert find_course_root(tmp_path) is None


def test_the_course_version_is_the_installed_package_version() -> None:
    assert course_version()[0].isdigit()
