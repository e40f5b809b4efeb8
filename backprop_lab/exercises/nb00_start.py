"""Exercises of notebook 00_start_here: one warm-up to try ``check`` and ``hint``."""
import numpy as np

from ..grading.spec import Exercise, edge_case, fixed_case, random_case

NOTEBOOK = "00_start_here"


def sum_squares(x):
    """The sum of the squares of every entry of x: ``sum_i x_i**2``, as a float.

    x: an array of any shape.  The seed article's loss, 1/2 * sum_i (y_i - y_hat_i)^2,
    is half of this sum applied to the errors y - y_hat.
    """
    return float(np.sum(x * x))


def _cases(rng):
    return [
        fixed_case("x = [1, 2, 3]", np.array([1.0, 2.0, 3.0])),
        fixed_case("x = [[1, -2], [3, -4]]", np.array([[1.0, -2.0], [3.0, -4.0]])),
        random_case("random vector of 7", rng.standard_normal(7)),
        random_case("random 4x3 array", rng.standard_normal((4, 3))),
        edge_case("all zeros", np.zeros(5)),
        edge_case("a single entry", np.array([-3.0])),
        edge_case("large magnitudes", 1e6 * rng.standard_normal(4)),
    ]


def _square_of_sum(x):
    return float(np.sum(x) ** 2)


def _times_two(x):
    return float(np.sum(x * 2))


def _mean(x):
    return float(np.mean(x ** 2))


def _not_squared(x):
    return float(np.sum(x))


def _axis0(x):
    return np.sum(x ** 2, axis=0)


def _no_sum(x):
    return x ** 2


def _norm(x):
    return float(np.sqrt(np.sum(x ** 2)))


def _matmul_with_itself(x):
    return x @ x


EXERCISES = [
    Exercise(
        id="sum_squares",
        title="Sum of squares (warm-up)",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=sum_squares,
        cases=_cases,
        mistakes=[
            ("square of the sum", _square_of_sum,
             "you squared the sum. Square each entry first, then add: "
             "sum of x_i**2, not (sum of x_i)**2."),
            ("times two", _times_two,
             "x * 2 doubles each entry; x ** 2 (or x * x) squares it."),
            ("mean instead of sum", _mean,
             "you divided by the number of entries (np.mean). This exercise wants the plain sum."),
            ("not squared", _not_squared,
             "you added the entries without squaring them first."),
            ("sum over axis 0 only", _axis0,
             "np.sum(..., axis=0) adds down the columns only; leave out axis to add every entry."),
            ("forgot the sum", _no_sum,
             "you returned the array of squares. Add them up: np.sum(x ** 2), one number."),
            ("square root (the norm)", _norm,
             "you took the square root of the sum (that is the length np.linalg.norm(x)). "
             "The exercise wants the sum of squares itself, without the root."),
            ("x @ x", _matmul_with_itself,
             "x @ x is the sum of squares only for a 1-D x; for a 2-D array it is a matrix "
             "product (or an error). Square entry by entry and add: np.sum(x * x)."),
        ],
        hints=[
            "Two steps: square every entry, then add them all up.",
            "x ** 2 squares each entry and keeps the shape; np.sum(a) adds every entry of "
            "an array, whatever its shape.",
            "One line: return float(np.sum(x ** 2)).",
        ],
    ),
]
