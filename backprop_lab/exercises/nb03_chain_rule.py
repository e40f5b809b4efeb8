"""Exercises of notebook 03_chain_rule: a derivative by finite differences, the sigmoid's
local derivative, the gradients of one sigmoid neuron, the chain rule through two layers,
and (optional) a four-point difference.

These functions are not part of ``backprop_lab.functional`` (the package computes
gradients layer by layer, with the functions of notebook 05), so their reference
implementations live here.  Every gradient formula below is for the seed article's loss,
the half sum of squared errors ``L = 1/2 * sum (y - y_hat)^2``.
"""
import math

import numpy as np

from .. import functional as F
from ..grading.spec import Exercise, edge_case, fixed_case, random_case

NOTEBOOK = "03_chain_rule"


def _sigmoid(z):
    return F.sigmoid_forward(z)[0]


# --------------------------------------------------------------------------------------
# numerical_derivative
# --------------------------------------------------------------------------------------
def numerical_derivative(f, x, h=1e-5):
    """Central-difference estimate of the derivative of ``f`` at ``x``.

        f'(x)  ~  ( f(x + h) - f(x - h) ) / (2 h)

    f: a function of one number returning one number.  x: a float.  h: the step.
    The truncation error shrinks like h**2; the round-off error grows like eps / h,
    so h = 1e-5 is a good default in float64.  Returns a float.
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def _cube(t):
    return t ** 3


def _square(t):
    return t * t


def _sin(t):
    return float(np.sin(t))


def _exp(t):
    return float(np.exp(t))


def _scalar_sigmoid(t):
    return float(_sigmoid(np.float64(t)))


def _sin_1000(t):
    """A fast-changing function: its central difference feels the step h (error about
    (1000 h)**2 / 6), so it tells h = 1e-5 from any other step."""
    return float(np.sin(1000.0 * t))


def _sin_100(t):
    """Fast enough for the four-point difference to feel its step (error about
    (100 h)**4 / 30)."""
    return float(np.sin(100.0 * t))


def _numerical_derivative_cases(rng):
    return [
        fixed_case("f(x) = x**3 at x = 2", _cube, 2.0),
        fixed_case("f(x) = sin(x) at x = 1", _sin, 1.0),
        fixed_case("f(x) = x**3 at x = 1 with h = 0.01", _cube, 1.0, h=1e-2),
        random_case("f(x) = exp(x) at a random x", _exp, float(rng.uniform(-2, 2))),
        random_case("f(x) = sigmoid(x) at a random x", _scalar_sigmoid,
                    float(rng.uniform(-3, 3))),
        random_case("f(x) = sin(x) at a random x with h = 0.001", _sin,
                    float(rng.uniform(-3, 3)), h=1e-3),
        edge_case("f(x) = x**2 at x = 0 (the slope is 0)", _square, 0.0),
        edge_case("f(x) = x**2 at x = -1000 (a large x)", _square, -1000.0),
        edge_case("f(x) = sin(1000 x) at x = 0.001, called with its default h "
                  "(a fast-changing f shows the step)", _sin_1000, 0.001),
        edge_case("the same, with h = 1e-5 written out", _sin_1000, 0.001, h=1e-5),
    ]


def _nd_forward(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def _nd_denominator_h(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h


def _nd_tiny_h(f, x, h=1e-5):
    h = 1e-12
    return (f(x + h) - f(x - h)) / (2 * h)


def _nd_sign(f, x, h=1e-5):
    return (f(x - h) - f(x + h)) / (2 * h)


def _nd_precedence(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / 2 * h


def _nd_fixed_step(f, x, h=1e-5):
    step = 1e-5
    return (f(x + step) - f(x - step)) / (2 * step)


def _nd_backward(f, x, h=1e-5):
    return (f(x) - f(x - h)) / h


def _nd_no_f(f, x, h=1e-5):
    return ((x + h) - (x - h)) / (2 * h)


def _nd_floor_division(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) // (2 * h)


def _nd_other_default(f, x, h=1e-4):
    return (f(x + h) - f(x - h)) / (2 * h)


def _nd_h_squared(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h * h)


# --------------------------------------------------------------------------------------
# sigmoid_derivative
# --------------------------------------------------------------------------------------
def sigmoid_derivative(z):
    """The local derivative of the sigmoid, element by element.

        sigma(z) = 1 / (1 + exp(-z)),     sigma'(z) = sigma(z) * (1 - sigma(z))

    z: an array of any shape.  Returns an array of the same shape, values in (0, 1/4].
    """
    s = _sigmoid(z)
    return s * (1 - s)


def _sigmoid_derivative_cases(rng):
    return [
        fixed_case("z = [-2, -1, 0, 1, 2]", np.array([-2.0, -1.0, 0.0, 1.0, 2.0])),
        random_case("random 3x4 array", rng.standard_normal((3, 4))),
        random_case("random vector of 6 in [-6, 6]", rng.uniform(-6, 6, size=6)),
        edge_case("zeros (the peak, 1/4)", np.zeros((2, 2))),
        edge_case("large magnitudes (saturated, slope 0)", np.array([-1000.0, -40.0, 40.0,
                                                                     1000.0])),
        edge_case("a single entry", np.array([0.5])),
    ]


def _sd_plus(z):
    s = _sigmoid(z)
    return s * (1 + s)


def _sd_one_minus(z):
    return 1 - _sigmoid(z)


def _sd_of_z(z):
    return z * (1 - z)


def _sd_sigmoid_itself(z):
    return _sigmoid(z)


def _sd_exp_form(z):
    return np.exp(-z) / (1 + np.exp(-z)) ** 2


def _sd_precedence(z):
    s = _sigmoid(z)
    return s * 1 - s


def _sd_math_exp(z):
    s = 1 / (1 + math.exp(-z))
    return s * (1 - s)


# --------------------------------------------------------------------------------------
# neuron_gradients
# --------------------------------------------------------------------------------------
def neuron_gradients(x, y, w, b):
    """Gradients of the seed's loss for one sigmoid neuron on a batch.

        z_n = x_n . w + b,   y_hat_n = sigma(z_n),   L = 1/2 * sum_n (y_n - y_hat_n)^2

        delta_n = dL/dz_n = (y_hat_n - y_n) * y_hat_n * (1 - y_hat_n)
        dL/dw   = sum_n delta_n * x_n          dL/db = sum_n delta_n

    x: (N, D) inputs, one row per example.  y: (N,) targets.  w: (D,) weights.
    b: a float, the bias.  Returns (dw, db): dw an array (D,), db a float.
    """
    z = x @ w + b
    y_hat = _sigmoid(z)
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    dw = x.T @ delta
    db = float(np.sum(delta))
    return dw, db


def _neuron_cases(rng):
    x_fixed = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -2.0]])
    return [
        fixed_case("3 examples, 2 inputs", x_fixed, np.array([1.0, 0.0, 1.0]),
                   np.array([0.5, -0.25]), 0.1),
        random_case("8 examples, 3 inputs", rng.standard_normal((8, 3)),
                    rng.integers(0, 2, size=8).astype(float), rng.standard_normal(3),
                    float(rng.standard_normal())),
        random_case("5 examples, 4 inputs, targets in [0, 1]", rng.standard_normal((5, 4)),
                    rng.uniform(0, 1, size=5), rng.standard_normal(4), -0.3),
        edge_case("batch of one", rng.standard_normal((1, 3)), np.array([1.0]),
                  rng.standard_normal(3), 0.2),
        edge_case("one example, one input: dw keeps its shape (1,)",
                  np.array([[1.5]]), np.array([0.0]), np.array([0.8]), -0.4),
        edge_case("zero weights (every y_hat = 0.5)", rng.standard_normal((4, 2)),
                  np.array([0.0, 1.0, 1.0, 0.0]), np.zeros(2), 0.0),
        edge_case("large weights (saturated sigmoid)", rng.standard_normal((4, 3)),
                  np.array([1.0, 0.0, 0.0, 1.0]), 30.0 * rng.standard_normal(3), 1.0),
    ]


def _ng_no_sigmoid_derivative(x, y, w, b):
    y_hat = _sigmoid(x @ w + b)
    delta = y_hat - y
    return x.T @ delta, float(np.sum(delta))


def _ng_sign(x, y, w, b):
    y_hat = _sigmoid(x @ w + b)
    delta = (y - y_hat) * y_hat * (1 - y_hat)
    return x.T @ delta, float(np.sum(delta))


def _ng_mean(x, y, w, b):
    y_hat = _sigmoid(x @ w + b)
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    return x.T @ delta / len(y), float(np.mean(delta))


def _ng_no_sum(x, y, w, b):
    y_hat = _sigmoid(x @ w + b)
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    return x * delta[:, None], delta


def _ng_derivative_of_z(x, y, w, b):
    z = x @ w + b
    y_hat = _sigmoid(z)
    delta = (y_hat - y) * z * (1 - z)
    return x.T @ delta, float(np.sum(delta))


def _ng_x_at_delta(x, y, w, b):
    y_hat = _sigmoid(x @ w + b)
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    return x @ delta, float(np.sum(delta))


def _ng_broadcast_without_axis(x, y, w, b):
    y_hat = _sigmoid(x @ w + b)
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    return np.sum(x * delta, axis=0), float(np.sum(delta))


def _ng_swapped(x, y, w, b):
    dw, db = neuron_gradients(x, y, w, b)
    return db, dw


# --------------------------------------------------------------------------------------
# two_layer_gradients
# --------------------------------------------------------------------------------------
def two_layer_gradients(x, y, W1, b1, W2, b2):
    """Gradients of the seed's loss for a two-layer sigmoid network, for one example.

        a1 = sigma(x @ W1 + b1)         hidden layer a^(1), (H,)
        y_hat = sigma(a1 @ W2 + b2)     output layer a^(2), (M,)
        L = 1/2 * sum_i (y_i - y_hat_i)^2

    Backward, with delta = dL/dz of each layer:

        delta2 = (y_hat - y) * y_hat * (1 - y_hat)        (M,)
        delta1 = (W2 @ delta2) * a1 * (1 - a1)            (H,)   sum over every output
        dW2 = outer(a1, delta2)  (H, M)     db2 = delta2
        dW1 = outer(x, delta1)   (D, H)     db1 = delta1

    x: (D,) one input.  y: (M,) its targets.  W1: (D, H), b1: (H,), W2: (H, M), b2: (M,)
    (Keras layout: W[j, k] connects input j to unit k).
    Returns (dW1, db1, dW2, db2), each with the shape of its parameter.
    """
    a1 = _sigmoid(x @ W1 + b1)
    y_hat = _sigmoid(a1 @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (W2 @ delta2) * a1 * (1 - a1)
    return np.outer(x, delta1), delta1, np.outer(a1, delta2), delta2


def _two_layer_args(rng, d, hidden, m, scale=1.0):
    return (rng.standard_normal(d), rng.uniform(0, 1, size=m),
            scale * rng.standard_normal((d, hidden)), rng.standard_normal(hidden),
            scale * rng.standard_normal((hidden, m)), rng.standard_normal(m))


def _two_layer_cases(rng):
    x = np.array([1.0, -2.0])
    y = np.array([1.0, 0.0])
    W1 = np.array([[0.5, -0.3, 0.8], [0.2, 0.4, -0.6]])
    b1 = np.array([0.1, 0.0, -0.1])
    W2 = np.array([[0.7, -0.5], [-0.2, 0.3], [0.6, 0.9]])
    b2 = np.array([0.0, 0.2])
    return [
        fixed_case("2 inputs, 3 hidden, 2 outputs", x, y, W1, b1, W2, b2),
        random_case("4 inputs, 5 hidden, 3 outputs", *_two_layer_args(rng, 4, 5, 3)),
        random_case("3 inputs, 2 hidden, 4 outputs", *_two_layer_args(rng, 3, 2, 4)),
        edge_case("square layers (3 inputs, 3 hidden, 3 outputs)",
                  *_two_layer_args(rng, 3, 3, 3)),
        edge_case("one output", *_two_layer_args(rng, 2, 4, 1)),
        edge_case("one input, one hidden unit, one output: every dW is (1, 1)",
                  *_two_layer_args(rng, 1, 1, 1)),
        edge_case("zero weights", rng.standard_normal(2), np.array([1.0, 0.0]),
                  np.zeros((2, 3)), np.zeros(3), np.zeros((3, 2)), np.zeros(2)),
        edge_case("large weights (saturated units)", *_two_layer_args(rng, 3, 4, 2, scale=20.0)),
    ]


def _tl_last_path_only(x, y, W1, b1, W2, b2):
    a1 = _sigmoid(x @ W1 + b1)
    y_hat = _sigmoid(a1 @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = np.zeros_like(a1)
    for k in range(len(a1)):
        for i in range(len(delta2)):
            delta1[k] = W2[k, i] * delta2[i] * a1[k] * (1 - a1[k])  # = instead of +=
    return np.outer(x, delta1), delta1, np.outer(a1, delta2), delta2


def _tl_no_hidden_derivative(x, y, W1, b1, W2, b2):
    a1 = _sigmoid(x @ W1 + b1)
    y_hat = _sigmoid(a1 @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = W2 @ delta2
    return np.outer(x, delta1), delta1, np.outer(a1, delta2), delta2


def _tl_no_output_derivative(x, y, W1, b1, W2, b2):
    a1 = _sigmoid(x @ W1 + b1)
    y_hat = _sigmoid(a1 @ W2 + b2)
    delta2 = y_hat - y
    delta1 = (W2 @ delta2) * a1 * (1 - a1)
    return np.outer(x, delta1), delta1, np.outer(a1, delta2), delta2


def _tl_transposed_W2(x, y, W1, b1, W2, b2):
    a1 = _sigmoid(x @ W1 + b1)
    y_hat = _sigmoid(a1 @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    return np.outer(x, delta1), delta1, np.outer(a1, delta2), delta2


def _tl_sign(x, y, W1, b1, W2, b2):
    a1 = _sigmoid(x @ W1 + b1)
    y_hat = _sigmoid(a1 @ W2 + b2)
    delta2 = (y - y_hat) * y_hat * (1 - y_hat)
    delta1 = (W2 @ delta2) * a1 * (1 - a1)
    return np.outer(x, delta1), delta1, np.outer(a1, delta2), delta2


def _tl_reverse_order(x, y, W1, b1, W2, b2):
    dW1, db1, dW2, db2 = two_layer_gradients(x, y, W1, b1, W2, b2)
    return dW2, db2, dW1, db1


def _tl_elementwise(x, y, W1, b1, W2, b2):
    a1 = _sigmoid(x @ W1 + b1)
    y_hat = _sigmoid(a1 @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (W2 @ delta2) * a1 * (1 - a1)
    return x * delta1, delta1, a1 * delta2, delta2


def _tl_outer_swapped(x, y, W1, b1, W2, b2):
    a1 = _sigmoid(x @ W1 + b1)
    y_hat = _sigmoid(a1 @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (W2 @ delta2) * a1 * (1 - a1)
    return np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2


# --------------------------------------------------------------------------------------
# four_point_derivative (optional, "going further")
# --------------------------------------------------------------------------------------
def four_point_derivative(f, x, h=1e-3):
    """The four-point central difference, whose error shrinks like h**4:

        f'(x)  ~  ( f(x - 2h) - 8 f(x - h) + 8 f(x + h) - f(x + 2h) ) / (12 h)

    f: a function of one number returning one number.  x: a float.  h: the step; its
    best value in float64 is near eps ** (1/5), about 1e-3.  Returns a float.
    """
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)


def _fifth(t):
    return t ** 5


def _four_point_cases(rng):
    return [
        fixed_case("f(x) = x**3 at x = 2", _cube, 2.0),
        fixed_case("f(x) = x**5 at x = 1 with h = 0.1", _fifth, 1.0, h=0.1),
        fixed_case("f(x) = sin(x) at x = 1", _sin, 1.0),
        random_case("f(x) = exp(x) at a random x with h = 0.01", _exp,
                    float(rng.uniform(-2, 2)), h=1e-2),
        random_case("f(x) = sigmoid(x) at a random x", _scalar_sigmoid,
                    float(rng.uniform(-3, 3))),
        edge_case("f(x) = x**2 at x = 0 (the slope is 0)", _square, 0.0),
        edge_case("f(x) = x**5 at x = -2 with h = 0.2", _fifth, -2.0, h=0.2),
        edge_case("f(x) = sin(100 x) at x = 0.01, called with its default h "
                  "(a fast-changing f shows the step)", _sin_100, 0.01),
        edge_case("the same, with h = 1e-3 written out", _sin_100, 0.01, h=1e-3),
    ]


def _fp_denominator_6h(f, x, h=1e-3):
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (6 * h)


def _fp_outer_signs(f, x, h=1e-3):
    return (-f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) + f(x + 2 * h)) / (12 * h)


def _fp_precedence(f, x, h=1e-3):
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / 12 * h


def _fp_central_default(f, x, h=1e-5):
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)


def _fp_own_step(f, x, h=1e-3):
    step = 1e-3
    return (f(x - 2 * step) - 8 * f(x - step) + 8 * f(x + step) - f(x + 2 * step)) / (12 * step)


# --------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------
EXERCISES = [
    Exercise(
        id="numerical_derivative",
        title="Central difference",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=numerical_derivative,
        cases=_numerical_derivative_cases,
        mistakes=[
            ("forward difference", _nd_forward,
             "you used the forward difference (f(x + h) - f(x)) / h, whose error shrinks "
             "only like h. Step both ways: (f(x + h) - f(x - h)) / (2 * h)."),
            ("denominator h", _nd_denominator_h,
             "your answer is twice too large: from x - h to x + h the step is 2 * h, so "
             "divide by (2 * h), not by h."),
            ("h too small", _nd_tiny_h,
             "your function ignores the h it is given and uses a tiny step: with h near "
             "1e-12, f(x + h) - f(x - h) keeps only a few correct digits (round-off). Use "
             "the argument h (default 1e-5)."),
            ("sign error", _nd_sign,
             "your slope has the wrong sign: subtract f(x - h) from f(x + h), not the "
             "other way round."),
            ("/ 2 * h", _nd_precedence,
             "`/ 2 * h` divides by 2 and then MULTIPLIES by h (Python reads from left to "
             "right). Put the denominator in parentheses: / (2 * h)."),
            ("own step instead of h", _nd_fixed_step,
             "your function ignores the step h it is given (the checks pass h = 0.01 and "
             "h = 0.001 too). Use the argument h."),
            ("backward difference", _nd_backward,
             "you used the backward difference (f(x) - f(x - h)) / h, whose error shrinks "
             "only like h. Step both ways: (f(x + h) - f(x - h)) / (2 * h)."),
            ("f not called", _nd_no_f,
             "you subtracted the points x + h and x - h themselves; evaluate the function "
             "there: f(x + h) - f(x - h)."),
            ("floor division //", _nd_floor_division,
             "// is floor division: it rounds the quotient down to a whole number (the "
             "slope 0.54 of sin at 1 becomes 0). Divide with /: "
             "(f(x + h) - f(x - h)) / (2 * h)."),
            ("default h = 1e-4", _nd_other_default,
             "your default step is 1e-4; the statement's is h=1e-5. On a fast-changing "
             "function the step shows in the result: write def numerical_derivative(f, x, "
             "h=1e-5)."),
            ("divided by h squared", _nd_h_squared,
             "the run from x - h to x + h is 2 * h, not 2 * h * h: divide by (2 * h)."),
        ],
        hints=[
            "Evaluate f a little to the right and a little to the left of x, and divide the "
            "rise by the run.",
            "The two points are x + h and x - h; the distance between them is 2 * h.",
            "One line: return (f(x + h) - f(x - h)) / (2 * h).",
        ],
    ),
    Exercise(
        id="sigmoid_derivative",
        title="Sigmoid, local derivative",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=sigmoid_derivative,
        cases=_sigmoid_derivative_cases,
        mistakes=[
            ("s(1 + s)", _sd_plus,
             "you wrote s * (1 + s); the derivative is s * (1 - s), with s = sigmoid(z)."),
            ("1 - s", _sd_one_minus,
             "1 - s is only one of the two factors: multiply it by s = sigmoid(z)."),
            ("z instead of sigmoid(z)", _sd_of_z,
             "you applied the formula to z itself. First compute s = sigmoid(z), then "
             "return s * (1 - s)."),
            ("the sigmoid itself", _sd_sigmoid_itself,
             "you returned sigmoid(z), the function, not its slope sigmoid(z) * (1 - sigmoid(z))."),
            ("e^-z form overflows", _sd_exp_form,
             "e^-z / (1 + e^-z)^2 is right on paper, but np.exp(1000) is inf and inf / inf "
             "is NaN at z = -1000. Write it with the stable sigmoid: s = sigmoid(z); "
             "s * (1 - s)."),
            ("s * 1 - s", _sd_precedence,
             "s * 1 - s is (s * 1) - s = 0: multiplication comes before subtraction. "
             "Write s * (1 - s)."),
            ("math.exp", _sd_math_exp,
             "math.exp takes one number only; z is an array. Use the helper sigmoid(z) "
             "(or np.exp, which works entry by entry)."),
        ],
        hints=[
            "Differentiate 1 / (1 + e^-z) with the chain rule, then write the result in "
            "terms of s = sigmoid(z).",
            "sigma'(z) = e^-z / (1 + e^-z)^2 = s * (1 - s).",
            "s = sigmoid(z) (the helper above, which never overflows); return s * (1 - s).",
        ],
    ),
    Exercise(
        id="neuron_gradients",
        title="One neuron, dL/dw and dL/db",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=neuron_gradients,
        cases=_neuron_cases,
        outputs=("dw", "db"),
        depends=("sigmoid_derivative",),
        mistakes=[
            ("no sigmoid derivative", _ng_no_sigmoid_derivative,
             "you skipped the neuron's local derivative: dL/dz = (y_hat - y) * "
             "y_hat * (1 - y_hat), not just (y_hat - y)."),
            ("sign error", _ng_sign,
             "your gradients have the wrong sign: dL/dy_hat = y_hat - y (differentiate "
             "1/2 (y - y_hat)^2 with respect to y_hat)."),
            ("divided by N", _ng_mean,
             "you averaged over the batch. The seed's loss is a sum, 1/2 * sum_n "
             "(y_n - y_hat_n)^2, so the gradient is a sum over the examples too: do not "
             "divide by N."),
            ("no sum over the examples", _ng_no_sum,
             "you returned one gradient per example. w and b are shared by all "
             "examples, so add the contributions: dw = x.T @ delta (shape (D,)), "
             "db = sum of delta."),
            ("derivative at z", _ng_derivative_of_z,
             "the sigmoid's slope is y_hat * (1 - y_hat), computed from the output "
             "y_hat = sigmoid(z), not z * (1 - z)."),
            ("x @ delta", _ng_x_at_delta,
             "x has shape (N, D) and delta (N,): x @ delta needs D = N. Transpose x so "
             "that the sum runs over the examples: dw = x.T @ delta, shape (D,)."),
            ("x * delta without a new axis", _ng_broadcast_without_axis,
             "x (N, D) * delta (N,) lines delta up with the COLUMNS of x. Give delta a "
             "column shape first: np.sum(x * delta[:, None], axis=0), or x.T @ delta."),
            ("returned (db, dw)", _ng_swapped,
             "the order is (dw, db): return dw, db."),
        ],
        hints=[
            "Follow the graph backwards: dL/dy_hat, then dy_hat/dz, then dz/dw = x and "
            "dz/db = 1.",
            "delta = (y_hat - y) * y_hat * (1 - y_hat) is dL/dz for every example (shape "
            "(N,)). Each example adds delta_n * x_n to dL/dw.",
            "dw = x.T @ delta and db = float(np.sum(delta)).",
        ],
    ),
    Exercise(
        id="two_layer_gradients",
        title="Two layers, the delta recursion",
        notebook=NOTEBOOK,
        points=3,
        difficulty=3,
        reference=two_layer_gradients,
        cases=_two_layer_cases,
        outputs=("dW1", "db1", "dW2", "db2"),
        depends=("sigmoid_derivative",),
        mistakes=[
            ("one path only", _tl_last_path_only,
             "a hidden unit feeds every output, so its gradient is a sum over all paths: "
             "dL/da1_k = sum_i W2[k, i] * delta2[i]. In a loop, add with += instead of "
             "overwriting with =."),
            ("no hidden derivative", _tl_no_hidden_derivative,
             "delta1 misses the hidden layer's local derivative: multiply W2 @ delta2 by "
             "a1 * (1 - a1)."),
            ("no output derivative", _tl_no_output_derivative,
             "delta2 misses the output sigmoid's local derivative: "
             "delta2 = (y_hat - y) * y_hat * (1 - y_hat)."),
            ("transposed W2", _tl_transposed_W2,
             "the error flows back along the weights that carried the signal forward: "
             "with W2 of shape (H, M), dL/da1 = W2 @ delta2, not W2.T @ delta2."),
            ("sign error", _tl_sign,
             "every gradient has the wrong sign: dL/dy_hat = y_hat - y, not y - y_hat."),
            ("outer product swapped", _tl_outer_swapped,
             "a gradient has the shape of its parameter: dW1 = np.outer(x, delta1) is "
             "(D, H) like W1, and dW2 = np.outer(a1, delta2) is (H, M)."),
            ("returned in the wrong order", _tl_reverse_order,
             "return the gradients in the order of the parameters: (dW1, db1, dW2, db2), "
             "first layer first."),
            ("element-wise instead of outer", _tl_elementwise,
             "x * delta1 multiplies entry by entry (and needs D = H). dW1[j, k] = "
             "x[j] * delta1[k] for every pair (j, k): that is the outer product "
             "np.outer(x, delta1); likewise dW2 = np.outer(a1, delta2)."),
        ],
        hints=[
            "Run the forward pass and keep a1 and y_hat. Then go backwards one layer at a "
            "time with delta = dL/dz.",
            "delta2 = (y_hat - y) * y_hat * (1 - y_hat). The hidden layer receives "
            "W2 @ delta2 (a sum over the outputs), times its own slope a1 * (1 - a1).",
            "dW2 = np.outer(a1, delta2), db2 = delta2, dW1 = np.outer(x, delta1), "
            "db1 = delta1; return (dW1, db1, dW2, db2).",
        ],
    ),
    Exercise(
        id="four_point_derivative",
        title="Four-point difference (optional)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=1,
        reference=four_point_derivative,
        cases=_four_point_cases,
        mistakes=[
            ("denominator 6h", _fp_denominator_6h,
             "your answer is twice too large: the four-point formula divides by 12 * h."),
            ("outer signs swapped", _fp_outer_signs,
             "the outer terms have the opposite signs of their inner neighbours: "
             "+ f(x - 2h) and - f(x + 2h)."),
            ("/ 12 * h", _fp_precedence,
             "`/ 12 * h` divides by 12 and then MULTIPLIES by h: write / (12 * h)."),
            ("own step instead of h", _fp_own_step,
             "your function ignores the step h it is given (the checks pass other steps "
             "too). Use the argument h."),
            ("default h = 1e-5", _fp_central_default,
             "your default step is 1e-5, the central difference's; the four-point "
             "formula's default is h=1e-3 (near eps ** (1/5), where its error is "
             "smallest): def four_point_derivative(f, x, h=1e-3)."),
        ],
        hints=[
            "Write the formula of the going-further question term by term.",
            "Four evaluations: f at x - 2h, x - h, x + h and x + 2h, with weights 1, -8, 8, "
            "-1, all divided by 12 h.",
        ],
    ),
]
