"""The bridge to nbgrader: grade submissions out of kernel, in a sandbox.

``nbgrader_config.py`` puts :class:`GradeOutOfKernel` in place of nbgrader's
``Execute`` in ``Autograde.autograde_preprocessors``; ``course grade`` uses
:func:`grade_submission` to grade many submissions in parallel first.
"""

from autograder.nbgrader._overwrite import OverwriteCells
from autograder.nbgrader._preprocessor import (
    GradeOutOfKernel,
    course_hidden_paths,
    gradebook_tests,
)
from autograder.nbgrader._save import SaveAutoGrades
from autograder.nbgrader._scrub import hidden_fragments, scrub
from autograder.nbgrader._submission import (
    Submission,
    course_tests,
    grade_submission,
    read_submission,
    verdict_key,
)

__all__ = [
    "GradeOutOfKernel",
    "OverwriteCells",
    "SaveAutoGrades",
    "Submission",
    "course_hidden_paths",
    "course_tests",
    "grade_submission",
    "gradebook_tests",
    "hidden_fragments",
    "read_submission",
    "scrub",
    "verdict_key",
]
