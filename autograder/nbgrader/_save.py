"""Store autograded scores without asking for a manual grade nobody needs.

nbgrader counts any *written* answer cell that is also a grade cell as
needing a manual grade (its score is ``None`` until a person gives one).
nbgrader refuses a Markdown answer cell unless it is a grade cell, so the
course declares its Markdown answers (a README, a changelog) as grade cells
worth 0 points: the checks of other cells grade them. Without this step,
every such submission would sit in Formgrader's "needs manual grade" list,
with nothing to grade.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import SaveAutoGrades as StockSaveAutoGrades


def _zero_point_answer(cell: NotebookNode) -> bool:
    """Tell whether a cell is an answer that the course grades elsewhere."""
    meta = cell.metadata.get("nbgrader", {})
    return bool(
        utils.is_solution(cell)
        and utils.is_grade(cell)
        and float(meta.get("points", 0) or 0) == 0
    )


class SaveAutoGrades(StockSaveAutoGrades):  # type: ignore[misc]
    """nbgrader's ``SaveAutoGrades``, scoring 0-point answer cells as 0 of 0.

    A cell that already has a manual score keeps nbgrader's rule (it is
    flagged for review). Configured in ``Autograde.autograde_preprocessors``
    in place of the stock class.
    """

    def _add_score(self, cell: NotebookNode, resources: dict[str, object]) -> None:
        """Store the score of one grade cell.

        Args:
            cell: The grade cell.
            resources: nbgrader's resources.
        """
        if not _zero_point_answer(cell):
            super()._add_score(cell, resources)
            return
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"],
            self.notebook_id,
            self.assignment_id,
            self.student_id,
        )
        grade.auto_score = 0.0
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
