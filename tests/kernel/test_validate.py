"""Does nbgrader's Validate button (its Validator API) agree with the checks?

``nbgrader validate`` always exits 0, so the Validator API is asked directly.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from nbgrader.validator import Validator

from ..lessons.submissions import make_submission


@pytest.fixture
def on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """nbgrader runs helpers (alembic) from PATH: put this interpreter's first."""
    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def _failed(notebook: Path) -> set[str]:
    folder = notebook.parent
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        result = Validator().validate(notebook.name)
    finally:
        os.chdir(cwd)
    return {cell["source"].split("\n", 1)[0] for cell in result.get("failed", [])}


@pytest.mark.slow
@pytest.mark.usefixtures("on_path")
def test_the_solution_validates(root: Path, tmp_path: Path) -> None:
    shutil.copytree(root / "solutions" / "01_pep8", tmp_path / "01_pep8")
    assert _failed(tmp_path / "01_pep8" / "01_pep8.ipynb") == set()


@pytest.mark.slow
@pytest.mark.usefixtures("on_path")
def test_a_renamed_copy_is_validated_on_its_own_answers(
    root: Path, tmp_path: Path
) -> None:
    """The folder also holds the released notebook; the copy must not borrow it."""
    folder = tmp_path / "01_pep8"
    answer = (root / "tests/fixtures/01_pep8/style_left.py").read_text()
    notebook = make_submission(
        root, "01_pep8", {"inventory": answer}, folder, grading=False
    )
    copy = notebook.with_name("01_pep8-Copy1.ipynb")
    notebook.rename(copy)
    shutil.copy(root / "exercises" / "01_pep8" / "01_pep8.ipynb", notebook)
    assert _failed(copy) == {"%%check check_layout"}
