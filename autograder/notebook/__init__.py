"""Reading notebooks: graded cells from a file, and live cell text in a kernel."""

from autograder.notebook._reader import HIDDEN_BEGIN, NotebookCells, read_cells

__all__ = ["HIDDEN_BEGIN", "NotebookCells", "read_cells"]
