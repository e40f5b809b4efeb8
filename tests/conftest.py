"""Shared test set-up: every test starts with an empty grading session, and is marked
with its folder."""
from pathlib import Path

import pytest

from backprop_lab import grading


@pytest.fixture(autouse=True)
def fresh_grading_session(monkeypatch):
    """No nbgrader mode, no grade log, no recorded results or hints shown."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("BACKPROP_LAB_GRADE_LOG", raising=False)
    grading.reset()
    yield
    grading.reset()


TESTS = Path(__file__).resolve().parent
SOLUTIONS = TESTS.parent / "solutions"
FOLDER_MARKERS = ("unit", "course", "notebooks", "browser")


def pytest_collection_modifyitems(items):
    """Mark every test with its folder (``pytest -m unit``, ``pytest -m "not browser"``);
    the solution notebooks nbval runs count as ``notebooks``.

    For pytest-xdist (``--dist loadgroup``): the cells of one notebook stay together in
    one worker, in order; the browser and Binder tests share one worker (one environment,
    one server, one browser); everything else is spread over the workers one by one.
    """
    for item in items:
        path = Path(str(item.fspath)).resolve()
        if SOLUTIONS in path.parents:
            item.add_marker(pytest.mark.notebooks)
            item.add_marker(pytest.mark.xdist_group(f"notebook-{path.name}"))
        elif TESTS in path.parents and path.relative_to(TESTS).parts[0] in FOLDER_MARKERS:
            folder = path.relative_to(TESTS).parts[0]
            item.add_marker(getattr(pytest.mark, folder))
            if folder == "browser":
                item.add_marker(pytest.mark.xdist_group("browser"))
