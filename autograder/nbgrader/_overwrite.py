"""nbgrader's ``OverwriteCells``, safe with cells that lost their grade id.

With ``OverwriteCells.add_missing_cells = True`` (which puts a deleted graded
cell back from the gradebook), nbgrader 0.9 reads ``metadata.nbgrader.
grade_id`` of every cell flagged as graded, solution or task. Two of its own
steps leave cells without one: ``DeduplicateIds`` empties the metadata of
every cell but the *last* with a repeated grade id, and ``OverwriteCells``
deletes a grade id the gradebook does not know (a renamed cell) while keeping
its flags. nbgrader then fails the whole submission with ``KeyError:
'grade_id'``. This subclass first turns such cells into plain cells, which is
what nbgrader meant them to become.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.preprocessors import OverwriteCells as _StockOverwriteCells


def _forget_unnamed(nb: NotebookNode) -> None:
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        if "nbgrader" in meta and "grade_id" not in meta["nbgrader"]:
            del meta["nbgrader"]


class OverwriteCells(_StockOverwriteCells):  # type: ignore[misc]
    """Like nbgrader's, but cells without a grade id no longer break it.

    Configured as ``OverwriteCells`` (``c.OverwriteCells.add_missing_cells``
    applies to it).
    """

    def add_missing_grade_cells(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Put deleted graded cells back, after plain-celling nameless ones.

        Args:
            nb: The notebook.
            resources: nbgrader's resources.

        Returns:
            The notebook and resources.
        """
        _forget_unnamed(nb)
        return super().add_missing_grade_cells(nb, resources)  # type: ignore[no-any-return]

    def add_missing_task_cells(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Put deleted task cells back, after plain-celling nameless ones.

        Args:
            nb: The notebook.
            resources: nbgrader's resources.

        Returns:
            The notebook and resources.
        """
        _forget_unnamed(nb)
        return super().add_missing_task_cells(nb, resources)  # type: ignore[no-any-return]
