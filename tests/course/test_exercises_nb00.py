"""Exercise of notebook 00_start_here: unusual but correct styles of the warm-up pass.

(tests/course/test_grading.py checks the reference, the catalogued mistakes and more styles.)
"""
import math

import numpy as np
import pytest

from exercise_helpers import assert_passes


def sum_squares_vdot(x):
    return np.vdot(x, x)  # vdot flattens its arguments, whatever their shape


def sum_squares_fsum(x):
    return math.fsum(v * v for v in x.flat)


def sum_squares_square(x):
    return np.square(x).sum()  # a numpy float, not a Python float: fine


@pytest.mark.parametrize("fn", [sum_squares_vdot, sum_squares_fsum, sum_squares_square])
def test_sum_squares_unusual_styles(fn):
    assert_passes("sum_squares", fn)
