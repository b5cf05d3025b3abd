"""Exercise declarations: which cells are graded, by which checks, for what."""

from autograder.spec._load import SPEC_FILE, find_spec, load_spec
from autograder.spec._model import AnswerSpec, CellSpec, CheckSpec, ExerciseSpec

__all__ = [
    "SPEC_FILE",
    "AnswerSpec",
    "CellSpec",
    "CheckSpec",
    "ExerciseSpec",
    "find_spec",
    "load_spec",
]
