"""Checks for the exercises: ``check``, ``hint`` and ``scoreboard``.

In a notebook::

    from backprop_lab.grading import check, hint, scoreboard

    def relu_backward(da, cache):
        ...

    check("relu_backward", relu_backward)   # prints a short verdict, never raises
    hint("relu_backward")                   # the next hint, one more per call
    scoreboard("05_backprop_layers")        # points per exercise of that notebook

What ``check`` does, for every test case of the exercise (fixed inputs, seeded random
inputs and edge cases):

1. calls the reference implementation on a copy of the inputs;
2. calls your function on another copy, under a time limit, and with only numpy (``np``,
   ``numpy``), ``math``, the built-ins, the modules, functions and classes of your
   notebook, its constants written in CAPITALS, and the reference versions of the
   functions the exercise builds on (``depends``) in reach: a value your function
   silently reads from the notebook (``W``, ``x``, ...) is reported, because it would
   break as soon as the data changes;
3. checks that your function left its inputs unchanged, returned the right structure,
   shape and dtype, no NaN or inf, and values within the stated tolerance
   (``numpy.isclose`` with the exercise's ``rtol`` and ``atol``);
4. when a case fails, runs the exercise's catalogue of typical mistakes on the same
   inputs: if your output matches one, the verdict shows that mistake's hint.

Points are all or nothing: every check must pass.  A verdict says "checks passed",
never "correct": a finite set of inputs cannot prove a function right.

``grade`` does the same without printing and returns a ``Result``.  Exercises are
defined in ``backprop_lab.exercises`` (see its docstring for how to add one).

The modules, from the bottom up:

    spec.py      Exercise, Case, Mistake: what an exercise is made of
    runner.py    calling a function on one case (isolation, time limit, mutations)
    compare.py   an outcome against the reference's (shape, dtype, NaN, tolerance)
    grader.py    ``grade``: every case, the verdict, the catalogued mistake it matches
    result.py    ``Result`` and the verdict text
    session.py   ``check``, ``hint``, ``scoreboard``, ``or_reference`` for notebooks
    slips.py     a check of an older version of the function, after a cell that failed
    guard.py     catching a graded function that calls the implementation it should write

Trusted grading (``python -m backprop_lab grade``; see ``trusted.py``):

    trusted.py   the trusted side's entry points (``run_submission``, the nbgrader judge)
    judging.py   cases drawn with a secret seed, and the verdict on what comes back
    supervise.py the watch over one sandboxed notebook (deadlines, output, disk, kill)
    sandbox.py   the child process that runs the notebook (untrusted)
    lockdown.py  the child's resource limits and audit hook
    collect.py   calling the learner's function on cases received as data (untrusted)
    wire.py      values as JSON and npz (never pickle); channel.py: frames over pipes
    outofkernel.py  the same judging for nbgrader, from the notebook's kernel
"""
import importlib

# Names and the module that defines them.  Loaded on first use, so that the exercise
# modules can import ``grading.spec`` while ``grading.grader`` imports the exercises.
_EXPORTS = {
    "grade": "grader",
    "STATUSES": "result", "Result": "result",
    "isolated": "runner",
    "SCOREBOARD": "session", "Scoreboard": "session", "check": "session", "hint": "session",
    "CheckFailed": "session",
    "or_reference": "session", "reset": "session", "scoreboard": "session",
    "CASE_KINDS": "spec", "DEFAULT_ATOL": "spec", "DEFAULT_RTOL": "spec",
    "DEFAULT_TIME_LIMIT": "spec", "Case": "spec", "Exercise": "spec", "Mistake": "spec",
    "edge_case": "spec", "fixed_case": "spec", "random_case": "spec",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
