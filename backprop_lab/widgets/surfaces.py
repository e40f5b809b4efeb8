"""The loss surfaces of the descent widgets, and gradient descent on them.

Each surface is a loss of one or two parameters with its exact gradient; ``SURFACES``
names them with a plotting range and a default start.
"""
import numpy as np

from .. import functional as F


def _parabola(w):
    return w ** 2


def _parabola_grad(w):
    return 2 * w


def _double_well(w):
    return (w ** 2 - 1) ** 2 + 0.3 * w


def _double_well_grad(w):
    return 4 * w * (w ** 2 - 1) + 0.3


def _bowl(w):
    w = np.asarray(w)
    return w[..., 0] ** 2 + w[..., 1] ** 2


def _bowl_grad(w):
    return 2 * np.asarray(w, dtype=np.float64)


def _ravine(w):
    w = np.asarray(w)
    return 0.5 * (w[..., 0] ** 2 + 25 * w[..., 1] ** 2)


def _ravine_grad(w):
    w = np.asarray(w, dtype=np.float64)
    return np.array([w[0], 25 * w[1]])


def _rosenbrock(w):
    w = np.asarray(w)
    return (1 - w[..., 0]) ** 2 + 100 * (w[..., 1] - w[..., 0] ** 2) ** 2


def _rosenbrock_grad(w):
    w0, w1 = np.asarray(w, dtype=np.float64)
    return np.array([-2 * (1 - w0) - 400 * w0 * (w1 - w0 ** 2), 200 * (w1 - w0 ** 2)])


#: Built-in surfaces: loss, gradient, plotting range, default start.
SURFACES = {
    "parabola": dict(f=_parabola, grad=_parabola_grad, xlim=(-3, 3), ylim=None,
                     start=(2.5,), formula="L(w) = w^2"),
    "double_well": dict(f=_double_well, grad=_double_well_grad, xlim=(-1.8, 1.8), ylim=None,
                        start=(1.6,), formula="L(w) = (w^2 - 1)^2 + 0.3 w"),
    "bowl": dict(f=_bowl, grad=_bowl_grad, xlim=(-3, 3), ylim=(-3, 3), start=(2.5, 2.0),
                 formula="L(w) = w0^2 + w1^2"),
    "ravine": dict(f=_ravine, grad=_ravine_grad, xlim=(-3, 3), ylim=(-1.5, 1.5),
                   start=(-2.5, 1.0), formula="L(w) = (w0^2 + 25 w1^2) / 2"),
    "rosenbrock": dict(f=_rosenbrock, grad=_rosenbrock_grad, xlim=(-2, 2), ylim=(-1, 3),
                       start=(-1.5, 2.0), formula="L(w) = (1 - w0)^2 + 100 (w1 - w0^2)^2"),
}

#: A parameter farther than this from the origin counts as diverged.
ESCAPED = 1e6


def gradient_descent_path(grad, start, learning_rate, steps, momentum=0.0):
    """The points visited by gradient descent with (heavy-ball) momentum, each step
    ``functional.sgd_momentum_update``:

        v <- momentum * v - learning_rate * grad(w);   w <- w + v
    (momentum 0 gives plain w <- w - learning_rate * grad(w)).
    start: (P,) the first point.  Returns (T, P) points, T <= steps + 1: it stops early
    when a point is not finite or farther than ESCAPED from the origin (that last point
    is not included).
    """
    w = np.array(start, dtype=np.float64).reshape(-1)
    velocity = np.zeros_like(w)
    path = [w.copy()]
    with np.errstate(all="ignore"):
        for _ in range(int(steps)):
            g = np.asarray(grad(w if w.size > 1 else w[0]), dtype=np.float64).reshape(-1)
            w, velocity = F.sgd_momentum_update(w, g, velocity, learning_rate, momentum)
            if not np.all(np.isfinite(w)) or np.max(np.abs(w)) > ESCAPED:
                break
            path.append(w.copy())
    return np.array(path)
