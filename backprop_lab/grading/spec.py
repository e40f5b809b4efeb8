"""What an exercise is made of: ``Exercise``, its ``Case``s and its catalogue of ``Mistake``s.

Exercises themselves are content and live in ``backprop_lab.exercises`` (one module per
notebook); this module only defines their shape.
"""
from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..i18n import _

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9
DEFAULT_TIME_LIMIT = 2.0  # seconds allowed for one call of the learner's function

CASE_KINDS = ("fixed", "random", "edge")


@dataclass
class Case:
    """One test case: the arguments the function is called with.

    name: what the verdict calls it, e.g. ``"random 5x3 input"``.
    args, kwargs: the call is ``fn(*args, **kwargs)``; each call gets fresh copies.
    kind: ``"fixed"`` (hand-written numbers), ``"random"`` (seeded random inputs) or
    ``"edge"`` (zeros, large magnitudes, a batch of one, ...).
    """

    name: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    kind: str = "fixed"

    def __post_init__(self):
        if self.kind not in CASE_KINDS:
            raise ValueError(_("Case(kind={kind!r}): kind must be one of {kinds}.").format(
                kind=self.kind, kinds=CASE_KINDS))
        self.args = tuple(self.args)


def fixed_case(name: str, *args, **kwargs) -> Case:
    """A case with hand-written inputs: ``fixed_case("2x3 example", x, W)``."""
    return Case(name, args, kwargs, "fixed")


def random_case(name: str, *args, **kwargs) -> Case:
    """A case with seeded random inputs (draw them from the ``rng`` given to ``cases``)."""
    return Case(name, args, kwargs, "random")


def edge_case(name: str, *args, **kwargs) -> Case:
    """An edge case: zeros, large magnitudes, a batch of one, non-square shapes, ..."""
    return Case(name, args, kwargs, "edge")


@dataclass
class Mistake:
    """A typical wrong implementation and the hint shown when a learner's output matches it.

    name: a short label, e.g. ``"forgot the mask"``.
    fn: the wrong implementation (same signature as the reference).
    hint: one or two sentences naming the mistake and the fix.
    """

    name: str
    fn: Callable
    hint: str


@dataclass
class Exercise:
    """One graded function (or class).  See ``backprop_lab.exercises`` for a template.

    id: the name the learner passes to ``check``; usually the function's name.  Letters,
        digits, ``_`` and ``-`` only (it is also the nbgrader ``grade_id``).
    title: a few words for tables, e.g. ``"ReLU, backward"``.
    notebook: the notebook's file name without ``.ipynb``, e.g. ``"05_backprop_layers"``.
    reference: a correct implementation.  For functions of ``backprop_lab.functional``,
        that very function, so the learner writes exactly what the package uses.
    cases: ``cases(rng) -> list of Case``; ``rng`` is a seeded ``numpy.random.Generator``.
    points: what passing every check is worth; 0 for an optional check (a "going
        further" exercise: graded and shown, not counted in the total).
    mistakes: ``Mistake``s, or ``(name, fn, hint)`` tuples; at least three.
    hints: progressive hints for ``hint(id)``, vaguest first.
    depends: names of functions the learner's solution may call, e.g.
        ``("relu_forward",)``; the reference version of each is put in reach while
        grading, so an earlier bug does not fail this exercise too.  A name is looked up
        among the exercises' references, then in ``backprop_lab.functional``; a
        ``{name: object}`` dict is accepted for anything else.
    outputs: names of the returned values, for messages, e.g. ``("dx", "dW", "db")``.
    rtol, atol: tolerances of ``numpy.isclose(got, expected, rtol, atol)``.
    check_dtype: whether returned arrays must have the reference's dtype.
    time_limit: seconds allowed for one call.
    compare: optional ``compare(expected, got) -> message or None`` replacing the
        built-in comparison (None means "the same").
    floating_point: ``"ignore"`` (default) runs the learner's code with numpy's
        floating-point warnings off; ``"raise"`` turns overflow, invalid operations and
        division by zero into ``FloatingPointError``s, so that an unstable formula (say
        ``np.exp(-z)`` for z = -1000) fails even when its result happens to be right.
    difficulty: 1 to 5, on the scale of ``backprop_lab.exercises.DIFFICULTY``.
    call: how the check uses what the learner wrote on a case, ``call(obj, *args,
        **kwargs)``, returning what is compared; default ``obj(*args, **kwargs)``.  For an
        exercise on a class (the learner's ``Value``), a function that builds something
        with the class and returns plain data: the reference and the mistakes are used
        the same way.
    """

    id: str
    title: str
    notebook: str
    reference: Callable
    cases: Callable
    points: float = 1
    mistakes: list = field(default_factory=list)
    hints: list = field(default_factory=list)
    depends: Any = ()
    outputs: tuple = ()
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    check_dtype: bool = True
    time_limit: float = DEFAULT_TIME_LIMIT
    compare: Optional[Callable] = None
    floating_point: str = "ignore"
    difficulty: Optional[int] = None
    call: Optional[Callable] = None

    def __post_init__(self):
        where = f"Exercise(id={self.id!r})"
        if not isinstance(self.id, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", self.id):
            raise ValueError(_("{where}: id must use only letters, digits, '_' and '-'.")
                             .format(where=where))
        if not callable(self.reference):
            raise TypeError(_("{where}: reference must be a function.").format(where=where))
        if not callable(self.cases):
            raise TypeError(_("{where}: cases must be a function cases(rng) -> list of Case.")
                            .format(where=where))
        if isinstance(self.points, bool) or not isinstance(self.points, numbers.Real) \
                or self.points < 0:
            raise ValueError(_("{where}: points must be a number >= 0 (0: an optional "
                               "check, shown but not counted).").format(where=where))
        mistakes = []
        for m in self.mistakes:
            if not isinstance(m, Mistake):
                if not (isinstance(m, (tuple, list)) and len(m) == 3):
                    raise TypeError(_("{where}: each mistake must be Mistake(name, fn, hint) "
                                      "or a (name, fn, hint) tuple, got {got!r}.").format(
                        where=where, got=m))
                m = Mistake(*m)
            if not callable(m.fn):
                raise TypeError(_("{where}: mistake {name!r} needs a function.").format(
                    where=where, name=m.name))
            mistakes.append(m)
        self.mistakes = mistakes
        self.hints = [str(h) for h in self.hints]
        if self.floating_point not in ("ignore", "raise"):
            raise ValueError(_("{where}: floating_point must be 'ignore' or 'raise'.")
                             .format(where=where))
        if isinstance(self.depends, str):
            self.depends = (self.depends,)
        self.outputs = tuple(self.outputs)
        if self.difficulty is not None and (isinstance(self.difficulty, bool) or
                                            self.difficulty not in (1, 2, 3, 4, 5)):
            raise ValueError(_("{where}: difficulty must be 1, 2, 3, 4 or 5.").format(
                where=where))
        if self.call is not None and not callable(self.call):
            raise TypeError(_("{where}: call must be a function call(obj, *args, **kwargs).")
                            .format(where=where))
