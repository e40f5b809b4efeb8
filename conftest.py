"""pytest set-up for the whole repository.

Every test is marked with its folder (``tests/unit``, ``tests/course``, ``tests/notebooks``,
``tests/browser``), and the solution notebooks count as ``notebooks``: ``pytest -m unit``,
``pytest -m "not browser"``.

The solution notebooks in ``solutions/`` are tests too: nbval runs each one and compares
every output with the one stored in the file (strict mode), in pytest's own Python, with
``tests/nbval_sanitize.cfg`` masking step timings.  When nbval is not installed (for
example ``pytest tests/unit`` in a minimal environment) the notebooks are simply not
collected.

numpy's BLAS runs on one thread in every process the tests start (pytest-xdist workers,
notebook kernels, JupyterLab's kernels, grading sandboxes), unless OPENBLAS_NUM_THREADS is
already set: the course's matrices are small, two workers already keep both cores busy,
and a second BLAS thread per process only waits for a core (one run each way on a 2-core
machine: 426 -> 392 CPU-seconds, 296 -> 278 s; whole runs differ by 10 s or so anyway).
Results do not change: every stored output of the solution notebooks is the same either way.
"""
import os
from pathlib import Path

import pytest

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # inherited by every process started

ROOT = Path(__file__).resolve().parent


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("nbval"):
        return
    option = config.option
    if not option.nbval_lax:
        option.nbval = True
    option.nbval_current_env = True
    if not option.nbval_sanitize_with:
        option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")


TESTS = ROOT / "tests"
SOLUTIONS = ROOT / "solutions"
FOLDER_MARKERS = ("unit", "course", "notebooks", "browser")


def pytest_collection_modifyitems(items):
    """Mark every test with its folder (``pytest -m unit``, ``pytest -m "not browser"``);
    the solution notebooks nbval runs count as ``notebooks``."""
    for item in items:
        path = Path(str(item.fspath)).resolve()
        if SOLUTIONS in path.parents:
            item.add_marker(pytest.mark.notebooks)
        elif TESTS in path.parents and path.relative_to(TESTS).parts[0] in FOLDER_MARKERS:
            item.add_marker(getattr(pytest.mark, path.relative_to(TESTS).parts[0]))


def work_unit(nodeid):
    """What pytest-xdist hands to one worker as a whole: every cell of a solution
    notebook (nbval runs them in order in one kernel), and all of ``tests/browser`` (one
    Binder environment, one JupyterLab, one browser); any other test on its own."""
    path = nodeid.split("::", 1)[0]
    if path.startswith("solutions/"):
        return path
    if path.startswith("tests/browser/"):
        return "tests/browser"
    return nodeid


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: absent with -p no:xdist
def pytest_xdist_make_scheduler(config, log):
    """``pytest -n N`` distributes ``work_unit``s (xdist's ``--dist loadgroup`` would
    need markers that pytest 9 no longer lets it read)."""
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

    return WorkUnitScheduling(config, log)
