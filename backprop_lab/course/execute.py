"""Running a notebook in a fresh kernel: the solutions, executed in place by maintainers
(``python -m backprop_lab execute solutions/NAME.ipynb``), and the shared kernel set-up
that headless grading uses too.

nbclient is imported inside the functions that need them.
"""
import logging
import os
from pathlib import Path

from .notebooks import annotate, read_notebook, write_notebook


def _kernel_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("NBGRADER_EXECUTION", "BACKPROP_LAB_GRADE_LOG")}
    env["PYTHONHASHSEED"] = "0"
    env.update(extra)
    return env


def _quiet_logger():
    """nbclient logs time-outs and errors; our reports already say what happened."""
    log = logging.getLogger("backprop_lab.course.nbclient")
    if not log.handlers:
        log.addHandler(logging.NullHandler())
        log.propagate = False
    return log


def _client(nb, path, timeout, allow_errors, **hooks):
    from nbclient import NotebookClient

    return NotebookClient(
        nb, log=_quiet_logger(), timeout=timeout, kernel_name="python3",
        allow_errors=allow_errors, record_timing=False, interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeoutError", "traceback": [],
                          "evalue": f"the cell did not finish within {timeout} s"},
        resources={"metadata": {"path": str(Path(path).parent.resolve())}}, **hooks)


def _start(client, env):
    """Start the kernel; its stderr (start-up chatter) is discarded."""
    import subprocess

    return client.setup_kernel(env=env, stderr=subprocess.DEVNULL)


def execute_notebook(path, timeout=600):
    """Run a solution notebook top to bottom and store its outputs and nbgrader metadata
    in place.  A cell that raises (unless tagged ``raises-exception``) aborts the run and
    leaves the file untouched.  Returns the executed notebook."""
    nb = annotate(read_notebook(path))
    client = _client(nb, path, timeout, allow_errors=False)
    with _start(client, _kernel_env()):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    write_notebook(nb, path)
    return nb
