"""Assertions shared by the per-notebook exercise tests."""
from backprop_lab.exercises import EXERCISES
from backprop_lab.grading import grade


def assert_passes(exercise_id, fn):
    """``fn`` (a correct solution in some style) earns every point of the exercise."""
    result = grade(exercise_id, fn)
    assert result.status == "passed", result.verdict()
    assert result.points == EXERCISES[exercise_id].points
