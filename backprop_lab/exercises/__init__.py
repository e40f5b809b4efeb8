"""The exercise registry: every graded function of every notebook, by id.

    from backprop_lab.exercises import EXERCISES, by_notebook
    EXERCISES["relu_backward"]        # an Exercise
    by_notebook("05_backprop_layers")  # its exercises, in the order they were defined

Each notebook has one module here, named ``nbNN_<topic>.py`` (``nb05_backprop.py``...),
holding a list ``EXERCISES``.  Every such module is loaded; one that fails to import is
reported in ``LOAD_ERRORS`` (and by the tests) instead of breaking the other notebooks.

How to add an exercise
----------------------
1. Write the reference.  If the function belongs to the package, it already lives in
   ``backprop_lab.functional``: use that very function.
2. Write 3+ typical mistakes as small functions, each a realistic wrong version, and give
   the exercise a ``difficulty`` on the scale of ``DIFFICULTY`` below.
3. Write ``cases(rng)``: fixed inputs, seeded random ones (draw them from ``rng``), and edge
   cases (zeros, large magnitudes, a batch of one, non-square shapes).  Make sure every
   mistake fails at least one case, and in its own way (the tests check this): a mistake's
   hint is shown only when a learner's outcomes agree with that mistake on every case and
   with no other mistake, so two mistakes that agree on every case are never named.
   Cases that tell typical wrong answers from the right one: an output of shape (1, 1)
   or (N, 1) (a squeeze), probabilities just inside a clip (1e-8: clipped, not shifted by
   an epsilon), ties exactly at a threshold or a kink, an exact half where rounding
   matters.  For each defaulted argument of the statement, a case that leaves it out and
   its twin with the default written out: a wrong default then fails the first and passes
   the second, and the verdict says so (``grader.default_slip``).
4. Add the Exercise to the module's ``EXERCISES`` list::

    import numpy as np

    from .. import functional as F
    from ..grading.spec import Exercise, edge_case, fixed_case, random_case

    NOTEBOOK = "05_backprop_layers"


    def _relu_backward_cases(rng):
        # relu_backward(da, cache) with cache = z, the forward input
        return [
            fixed_case("2x3 example", np.array([[1.0, -2.0, 3.0], [-1.0, 0.5, -0.5]]),
                       np.array([[0.5, 1.0, -1.0], [2.0, -3.0, 0.1]])),
            random_case("random 5x3 input", rng.standard_normal((5, 3)),
                        rng.standard_normal((5, 3))),
            edge_case("z exactly 0 in places", np.array([[1.0, -2.0, 3.0, -4.0]]),
                      np.array([[0.0, 1.0, -1.0, 0.0]])),
            edge_case("all zeros", np.zeros((2, 3)), np.zeros((2, 3))),
            edge_case("large magnitudes", 1e6 * rng.standard_normal((3, 2)),
                      1e6 * rng.standard_normal((3, 2))),
        ]


    def _relu_backward_no_mask(da, cache):
        return da


    def _relu_backward_mask_ge(da, cache):
        return da * (cache >= 0)


    def _relu_backward_mask_of_da(da, cache):
        return da * (da > 0)


    EXERCISES = [
        Exercise(
            id="relu_backward",              # = the function's name; used by check(...)
            title="ReLU, backward",
            notebook=NOTEBOOK,
            points=2,
            difficulty=1,                    # the scale: DIFFICULTY
            reference=F.relu_backward,
            cases=_relu_backward_cases,
            mistakes=[
                ("no mask", _relu_backward_no_mask,
                 "your ReLU passes gradient where z < 0 — multiply da by the mask (z > 0)."),
                ("mask z >= 0", _relu_backward_mask_ge,
                 "at z = 0 the gradient should be 0: use (z > 0), not (z >= 0)."),
                ("mask of da", _relu_backward_mask_of_da,
                 "the mask comes from the forward input z (the cache), not from da."),
            ],
            hints=[
                "ReLU is the identity where z > 0 and constant 0 elsewhere. What is its slope?",
                "The local derivative is the mask (z > 0); the chain rule multiplies it by da.",
                "One line: return da * (z > 0), with z = cache.",
            ],
            depends=(),                      # e.g. ("dense_forward",) if the solution calls it
            outputs=(),                      # e.g. ("dx", "dW", "db") for tuple returns
        ),
    ]

Options of ``Exercise`` (all keywords; see ``backprop_lab.grading.Exercise``):
``rtol``/``atol`` (default 1e-6/1e-9), ``check_dtype`` (default True), ``time_limit``
(seconds per call, default 2), ``compare(expected, got) -> message or None`` for outputs
the built-in comparison cannot handle.  Tuple outputs such as ``(out, cache)`` or
``(dx, dW, db)`` are compared element by element (nested tuples too).

In the solution notebook::

    def relu_backward(da, cache):
        ### BEGIN SOLUTION
        z = cache
        return da * (z > 0)
        ### END SOLUTION

and, in the next cell on its own, ``check("relu_backward", relu_backward)``.  Rules for
notebooks (``python -m backprop_lab make-notebooks`` and the tests rely on them):

* the first code cell is ``backprop_lab.course.COLAB_INSTALL_SOURCE``;
* one ``check(...)`` per cell and nothing else graded in it; each check cell becomes an
  nbgrader grade cell worth the exercise's points.  To *show* a verdict without grading
  it (a demo of a wrong version), use ``print(grade("relu_backward", wrong_version))``;
* the student version must run top to bottom without errors: cells after an exercise
  that use the learner's function take ``or_reference("relu_backward", relu_backward)``
  (the learner's function once it passes, else the reference), assigned to a new name;
* the notebook ends with ``scoreboard("05_backprop_layers")``.
"""
import importlib
import pkgutil
import warnings

#: The difficulty scale of ``Exercise.difficulty``, the same for every exercise.  Each
#: exercise's heading in its notebook shows it: "(2 points · difficulty 3/5)".
DIFFICULTY = {
    1: "transcribe: the formula is given right above; write it in numpy",
    2: "adapt: the formula is given, a detail is yours to get right (shapes, a batch, "
       "numerical stability, an edge case)",
    3: "assemble: combine earlier pieces into one algorithm (a whole forward or backward "
       "pass, a training loop)",
    4: "derive: the formula is not in the notebook; find it with pen and paper, then check "
       "it with gradcheck",
    5: "derive and build: a multi-step backward pass with nothing given but the forward",
}



def difficulty_text(level):
    """What a level of ``DIFFICULTY`` means, in the current language (the scale's texts are
    registry texts: their translations are in the exercises' catalogue)."""
    from ..i18n import _

    return _(DIFFICULTY[level])


EXERCISES = {}  # id -> Exercise, in load order
LOAD_ERRORS = {}  # module name -> what went wrong


def register(exercise):
    """Add one Exercise to the registry (module lists are registered automatically).
    Returns the exercise.  An id already taken by another exercise is an error."""
    old = EXERCISES.get(exercise.id)
    if old is not None and old is not exercise:
        raise ValueError(f"two exercises have the id {exercise.id!r} (notebooks "
                         f"{old.notebook!r} and {exercise.notebook!r}); ids must be unique.")
    EXERCISES[exercise.id] = exercise
    return exercise


def by_notebook(name):
    """The exercises of one notebook (file name without .ipynb), in definition order."""
    return [ex for ex in EXERCISES.values() if ex.notebook == name]


def notebooks():
    """Names of the notebooks that have exercises, sorted."""
    return sorted({ex.notebook for ex in EXERCISES.values()})


def _load():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("nb"):
            continue
        full = f"{__name__}.{info.name}"
        try:
            module = importlib.import_module(full)
            for exercise in getattr(module, "EXERCISES", []):
                register(exercise)
        except Exception as e:  # noqa: BLE001 - one broken module must not break the rest
            LOAD_ERRORS[info.name] = f"{type(e).__name__}: {e}"
            warnings.warn(f"backprop_lab.exercises.{info.name} could not be loaded "
                          f"({LOAD_ERRORS[info.name]}); its exercises cannot be checked.",
                          stacklevel=2)


_load()
