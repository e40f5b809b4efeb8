"""Shared test set-up: every test starts with an empty grading session."""
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
