"""Small data sets for the course: seeded toy problems and one real data set.

Every generator returns ``(X, y)``:

    X: (n_samples, n_features) float array (the default float type, see ``config``)
    y: (n_samples,) int64 class labels 0, 1, ..., K-1

and takes a ``seed``: the same seed gives the same arrays, bit for bit, on every run.
``seed=None`` draws fresh randomness (avoid it in notebooks that must re-run the same).
``noise`` is the standard deviation of Gaussian noise added to the points.

Toy problems (all 2-D except ``seed_random`` and ``blobs``):

    seed_random   the seed article's data: standard normal X and random 0/1 labels
    xor           four quadrants; the label is 1 where x0 and x1 have different signs
    moons         two interleaving half circles
    circles       a small circle inside a large one
    spirals       K arms winding out from the origin
    blobs         Gaussian clusters around random centres

The real data set is ``load_digits``: 1797 handwritten digits as 8x8 images, shipped in
the package (``data/digits.npz``, see ``data/digits.md`` for provenance and licence), so
it works offline.
"""
import os

import numpy as np

from . import config
from ._engine import checks as _checks
from .i18n import _

_DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


# --------------------------------------------------------------------------------------
# Argument checks (shared by every generator)
# --------------------------------------------------------------------------------------
def _check_count(name, value, func, minimum=1, why=""):
    """value as an int, or a ValueError; ``why`` explains the minimum, e.g. ' (...)'."""
    return _checks.count(value, f"{func}({name}=...)", minimum, why)


def _check_noise(value, func, name="noise"):
    """A standard deviation: a finite number >= 0."""
    return _checks.number(value, f"{func}({name}=...)", low=0.0)


def _make_rng(seed, func):
    seed = _checks.seed(seed, f"{func}(seed=...)", allow_none=True)
    return np.random.default_rng(seed)


def _split_evenly(n_samples, n_parts):
    """Sizes of n_parts groups that add up to n_samples (the first ones get one more)."""
    base, extra = divmod(n_samples, n_parts)
    return [base + (1 if k < extra else 0) for k in range(n_parts)]


def _finish(X, y, rng, noise):
    """Add noise, shuffle the rows together, and set the dtypes."""
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(X.shape[0])
    return X[order].astype(config.dtype()), y[order].astype(np.int64)


# --------------------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------------------
def seed_random(n_samples=1000, n_features=20, seed=0):
    """The seed article's data: X ~ N(0, 1) and labels drawn at random from {0, 1}.

    The labels do not depend on X, so no model can do better than 50% on new data: a
    network can only memorise the training set.  That is the point of the example.

    Returns X: (n_samples, n_features) and y: (n_samples,) int64 in {0, 1}.
    """
    n_samples = _check_count("n_samples", n_samples, "seed_random")
    n_features = _check_count("n_features", n_features, "seed_random")
    rng = _make_rng(seed, "seed_random")
    X = rng.standard_normal((n_samples, n_features))
    y = rng.integers(0, 2, size=n_samples)
    return X.astype(config.dtype()), y.astype(np.int64)


def xor(n_samples=200, noise=0.1, seed=0):
    """The XOR problem: points in the square [-1, 1]^2, label = sign(x0) != sign(x1).

    Each quadrant gets a quarter of the points, uniform inside it, so the two classes
    are balanced.  No straight line separates them; one hidden layer is enough.
    The label is computed from the clean point, then noise is added to the point.

    Returns X: (n_samples, 2) and y: (n_samples,) int64 in {0, 1}.
    """
    n_samples = _check_count("n_samples", n_samples, "xor", minimum=4)
    noise = _check_noise(noise, "xor")
    rng = _make_rng(seed, "xor")
    quadrants = {0: [(1, 1), (-1, -1)], 1: [(1, -1), (-1, 1)]}  # signs of (x0, x1)
    points, labels = [], []
    for label, n_class in enumerate(_split_evenly(n_samples, 2)):
        for (sx, sy), n_q in zip(quadrants[label], _split_evenly(n_class, 2)):
            # 1 - uniform[0, 1) lies in (0, 1]: never exactly on an axis.
            magnitude = 1.0 - rng.uniform(0.0, 1.0, size=(n_q, 2))
            points.append(magnitude * [sx, sy])
            labels.append(np.full(n_q, label))
    return _finish(np.concatenate(points), np.concatenate(labels), rng, noise)


def moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half circles of radius 1.

    Class 0: (cos t, sin t) for t in [0, pi]          (the upper arc)
    Class 1: (1 - cos t, 0.5 - sin t) for t in [0, pi] (the lower arc, shifted right)

    Returns X: (n_samples, 2) and y: (n_samples,) int64 in {0, 1}.
    """
    n_samples = _check_count("n_samples", n_samples, "moons", minimum=2)
    noise = _check_noise(noise, "moons")
    rng = _make_rng(seed, "moons")
    n0, n1 = _split_evenly(n_samples, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    X = np.concatenate([upper, lower])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _finish(X, y, rng, noise)


def circles(n_samples=200, noise=0.05, factor=0.5, seed=0):
    """A circle of radius ``factor`` (class 1) inside a circle of radius 1 (class 0).

    factor: the inner radius, 0 < factor < 1.
    Returns X: (n_samples, 2) and y: (n_samples,) int64 in {0, 1}.
    """
    n_samples = _check_count("n_samples", n_samples, "circles", minimum=2)
    noise = _check_noise(noise, "circles")
    factor = _checks.fraction(factor, "circles(factor=...)", low_open=True)
    rng = _make_rng(seed, "circles")
    n_out, n_in = _split_evenly(n_samples, 2)
    # endpoint=False: angle 2*pi is angle 0, and a repeated point would waste a sample.
    t_out = np.linspace(0.0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2 * np.pi, n_in, endpoint=False)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1)
    X = np.concatenate([outer, inner])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, rng, noise)


def spirals(n_samples=300, n_classes=3, noise=0.2, turns=0.75, seed=0):
    """``n_classes`` spiral arms that wind out from the origin, one arm per class.

    A point of arm k at radius r in (0, 1] sits at angle
        theta = 2 pi k / K  +  2 pi turns r  +  noise * N(0, 1)
    and position r (cos theta, sin theta).  Here the noise jitters the angle (so points
    stay on their ring), which is why its default is larger than the other generators'.

    turns: how many full turns each arm makes from the centre to radius 1.
    Returns X: (n_samples, 2) and y: (n_samples,) int64 in {0, ..., n_classes - 1}.
    """
    n_classes = _check_count("n_classes", n_classes, "spirals", minimum=2)
    n_samples = _check_count("n_samples", n_samples, "spirals", minimum=n_classes,
                             why=_(" (one point per arm at least; n_classes={n_classes})")
                             .format(n_classes=n_classes))
    noise = _check_noise(noise, "spirals")
    turns = _check_noise(turns, "spirals", name="turns")
    rng = _make_rng(seed, "spirals")
    points, labels = [], []
    for k, n_k in enumerate(_split_evenly(n_samples, n_classes)):
        # Radii 1/n_k, 2/n_k, ..., 1: r = 0 would put a point of every class at the origin.
        r = np.arange(1, n_k + 1) / n_k
        theta = 2 * np.pi * k / n_classes + 2 * np.pi * turns * r
        theta = theta + noise * rng.standard_normal(n_k)
        points.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
        labels.append(np.full(n_k, k))
    return _finish(np.concatenate(points), np.concatenate(labels), rng, 0.0)


def blobs(n_samples=300, n_classes=3, n_features=2, noise=1.0, center_range=5.0, seed=0):
    """Gaussian clusters: class k is N(centre_k, noise^2 I).

    The centres are drawn uniformly from the cube [-center_range, center_range]^n_features.
    noise: the standard deviation of each cluster.
    Returns X: (n_samples, n_features) and y: (n_samples,) int64 in {0, ..., n_classes - 1}.
    """
    n_classes = _check_count("n_classes", n_classes, "blobs")
    n_samples = _check_count("n_samples", n_samples, "blobs", minimum=n_classes,
                             why=_(" (one point per class at least; n_classes={n_classes})")
                             .format(n_classes=n_classes))
    n_features = _check_count("n_features", n_features, "blobs")
    noise = _check_noise(noise, "blobs")
    center_range = _check_noise(center_range, "blobs", name="center_range")
    rng = _make_rng(seed, "blobs")
    centers = rng.uniform(-center_range, center_range, size=(n_classes, n_features))
    sizes = _split_evenly(n_samples, n_classes)
    X = np.repeat(centers, sizes, axis=0)
    y = np.repeat(np.arange(n_classes), sizes)
    return _finish(X, y, rng, noise)


# --------------------------------------------------------------------------------------
# A real data set: UCI optical recognition of handwritten digits
# --------------------------------------------------------------------------------------
DIGITS_PATH = os.path.join(_DATA_DIR, "digits.npz")

_SPLITS = ("train_test", "train", "test", "all")


def _read_digits():
    """The shipped arrays: images (1797, 8, 8) uint8 in 0..16 and labels (1797,) uint8."""
    if not os.path.exists(DIGITS_PATH):
        raise FileNotFoundError(
            _("load_digits: the data file {path} is missing. Reinstall the package "
              "(pip install -e .) so that its data files are included.").format(path=DIGITS_PATH)
        )
    with np.load(DIGITS_PATH, allow_pickle=False) as archive:
        return archive["images"], archive["labels"]


def _stratified_split(labels, test_fraction, rng):
    """Indices (train, test): within each class, a share ``test_fraction`` goes to test."""
    train, test = [], []
    for k in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == k))
        n_test = int(round(test_fraction * members.size))
        test.append(members[:n_test])
        train.append(members[n_test:])
    # Shuffle across classes too, so that a batch is not all one digit.
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def load_digits(split="train_test", test_fraction=0.2, seed=0, normalize=True, flatten=True):
    """The UCI handwritten digits: 1797 grey 8x8 images of the digits 0-9.

    Like ``keras.datasets.mnist.load_data()``, the default returns
    ``((x_train, y_train), (x_test, y_test))``.

    split: ``'train_test'`` (the pair above), ``'train'`` or ``'test'`` (one ``(x, y)``),
        or ``'all'`` (every image, ``(x, y)``, in the file's order; no shuffling).
    test_fraction: the share of each digit class held out for testing (0 < f < 1). The
        split is stratified, so every digit has the same share in both parts. With the
        defaults: 1438 training and 359 test images.
    seed: which split (and order) you get; the same seed gives the same split.
    normalize: True gives floats in [0, 1] (pixel / 16) of the default float type;
        False gives the raw uint8 pixel counts 0..16.
    flatten: True gives x of shape (n, 64), one row per image, ready for a Dense layer;
        False gives (n, 8, 8).
    y: (n,) int64 labels 0..9.
    """
    if split not in _SPLITS:
        raise ValueError(_("load_digits(split={split!r}): split must be one of {splits}.")
                         .format(split=split, splits=_SPLITS))
    test_fraction = _checks.fraction(test_fraction, "load_digits(test_fraction=...)",
                                     low_open=True)
    rng = _make_rng(seed, "load_digits")
    images, labels = _read_digits()

    x = images.reshape(len(images), -1) if flatten else images
    if normalize:
        x = x.astype(config.dtype()) / 16.0
    y = labels.astype(np.int64)

    if split == "all":
        return x, y
    train, test = _stratified_split(y, float(test_fraction), rng)
    if split == "train":
        return x[train], y[train]
    if split == "test":
        return x[test], y[test]
    return (x[train], y[train]), (x[test], y[test])
