"""Course tooling: student notebooks from solutions, executing them, headless grading.

    notebooks.py   student versions and nbgrader metadata (``make-notebooks``)
    execute.py     running a notebook in a fresh kernel (``execute``)
    headless.py    grading submitted notebooks headless (``grade``)

The command line is ``backprop_lab.cli``; these modules hold what it runs.
"""
from .execute import execute_notebook
from .headless import expected_exercises, grade_notebook
from .notebooks import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    CODE_STUB,
    COLAB_INSTALL_SOURCE,
    END_HIDDEN,
    END_SOLUTION,
    MARKDOWN_STUB,
    annotate,
    checked_exercises,
    colab_install_cell,
    make_notebooks,
    make_student_notebook,
    read_notebook,
    stale_notebooks,
    student_text,
    write_notebook,
)

__all__ = [
    "BEGIN_HIDDEN", "BEGIN_SOLUTION", "CODE_STUB", "COLAB_INSTALL_SOURCE", "END_HIDDEN",
    "END_SOLUTION", "MARKDOWN_STUB", "annotate", "checked_exercises", "colab_install_cell",
    "execute_notebook", "expected_exercises", "grade_notebook", "make_notebooks",
    "make_student_notebook", "read_notebook", "stale_notebooks", "student_text",
    "write_notebook",
]
