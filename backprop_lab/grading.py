"""Checks for the exercises: ``check``, ``hint`` and ``scoreboard``.

In a notebook::

    from backprop_lab.grading import check, hint, scoreboard

    def relu_backward(da, cache):
        ...

    check("relu_backward", relu_backward)   # prints a short verdict, never raises
    hint("relu_backward")                   # the next hint, one more per call
    scoreboard("04_backprop_layers")        # points per exercise of that notebook

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

Environment variables
    BACKPROP_LAB_GRADE_LOG  a file name: every ``check`` appends its result there as one
                            JSON line (``python -m backprop_lab grade`` uses this).
    NBGRADER_EXECUTION      set by nbgrader while autograding: then ``check`` raises
                            ``AssertionError`` with the verdict when checks fail, so
                            nbgrader gives that cell no points.
"""
import builtins
import contextlib
import copy
import difflib
import inspect
import io
import json
import math
import numbers
import os
import re
import signal
import threading
import time
import types
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9
DEFAULT_TIME_LIMIT = 2.0  # seconds allowed for one call of the learner's function
MAX_FAILURE_LINES = 2  # failing cases listed in a verdict; the rest are counted

STATUSES = ("passed", "failed", "not attempted", "error")
CASE_KINDS = ("fixed", "random", "edge")


# --------------------------------------------------------------------------------------
# What an exercise is made of
# --------------------------------------------------------------------------------------
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
            raise ValueError(f"Case(kind={self.kind!r}): kind must be one of {CASE_KINDS}.")
        self.args = tuple(self.args)


def fixed_case(name, *args, **kwargs):
    """A case with hand-written inputs: ``fixed_case("2x3 example", x, W)``."""
    return Case(name, args, kwargs, "fixed")


def random_case(name, *args, **kwargs):
    """A case with seeded random inputs (draw them from the ``rng`` given to ``cases``)."""
    return Case(name, args, kwargs, "random")


def edge_case(name, *args, **kwargs):
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
    """One graded function.  See ``backprop_lab.exercises`` for a template.

    id: the name the learner passes to ``check``; usually the function's name.  Letters,
        digits, ``_`` and ``-`` only (it is also the nbgrader ``grade_id``).
    title: a few words for tables, e.g. ``"ReLU, backward"``.
    notebook: the notebook's file name without ``.ipynb``, e.g. ``"04_backprop_layers"``.
    reference: a correct implementation.  For functions of ``backprop_lab.functional``,
        that very function, so the learner writes exactly what the package uses.
    cases: ``cases(rng) -> list of Case``; ``rng`` is a seeded ``numpy.random.Generator``.
    points: what passing every check is worth.
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

    def __post_init__(self):
        where = f"Exercise(id={self.id!r})"
        if not isinstance(self.id, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", self.id):
            raise ValueError(f"{where}: id must use only letters, digits, '_' and '-'.")
        if not callable(self.reference):
            raise TypeError(f"{where}: reference must be a function.")
        if not callable(self.cases):
            raise TypeError(f"{where}: cases must be a function cases(rng) -> list of Case.")
        if not isinstance(self.points, numbers.Real) or self.points <= 0:
            raise ValueError(f"{where}: points must be a positive number.")
        mistakes = []
        for m in self.mistakes:
            if not isinstance(m, Mistake):
                if not (isinstance(m, (tuple, list)) and len(m) == 3):
                    raise TypeError(f"{where}: each mistake must be Mistake(name, fn, hint) "
                                    f"or a (name, fn, hint) tuple, got {m!r}.")
                m = Mistake(*m)
            if not callable(m.fn):
                raise TypeError(f"{where}: mistake {m.name!r} needs a function.")
            mistakes.append(m)
        self.mistakes = mistakes
        self.hints = [str(h) for h in self.hints]
        if self.floating_point not in ("ignore", "raise"):
            raise ValueError(f"{where}: floating_point must be 'ignore' or 'raise'.")
        if isinstance(self.depends, str):
            self.depends = (self.depends,)
        self.outputs = tuple(self.outputs)


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------
def _fmt_points(p):
    return f"{p:g}"


@dataclass
class Result:
    """What one check found.

    status: 'passed', 'failed', 'not attempted' or 'error' (the check itself could not run).
    messages: one line per failing case shown (the verdict prints at most a few).
    mistake: name of the catalogued mistake the output matched, or None.
    """

    exercise: str
    notebook: str
    status: str
    points: float
    max_points: float
    checks_passed: int = 0
    checks_total: int = 0
    messages: list = field(default_factory=list)
    more_failures: int = 0
    not_run: int = 0
    mistake: Optional[str] = None
    hint: Optional[str] = None
    case_kinds: tuple = ()

    @property
    def passed(self):
        return self.status == "passed"

    def to_dict(self):
        """A JSON-ready dict (this is what the grade log stores)."""
        return {
            "exercise": self.exercise, "notebook": self.notebook, "status": self.status,
            "points": self.points, "max_points": self.max_points,
            "checks_passed": self.checks_passed, "checks_total": self.checks_total,
            "messages": list(self.messages), "mistake": self.mistake, "hint": self.hint,
        }

    def verdict(self):
        """The text ``check`` prints: a headline, failing cases, and a hint."""
        score = f"{_fmt_points(self.points)}/{_fmt_points(self.max_points)}"
        head = f"{self.exercise} — {score} points"
        if self.status == "passed":
            kinds = [k for k in CASE_KINDS if k in self.case_kinds]
            which = ""
            if kinds:
                names = kinds[-1]
                if len(kinds) > 1:
                    names = ", ".join(kinds[:-1]) + " and " + names
                which = f" ({names} cases)"
            return f"{head}: all {self.checks_total} checks passed{which}."
        if self.status == "not attempted":
            return (f"{head}: not attempted yet (the function still raises "
                    "NotImplementedError).\n  Write your code in place of "
                    "`raise NotImplementedError()` and run the cell again.")
        if self.status == "error":
            return f"{self.exercise} — not checked: " + "\n  ".join(self.messages)
        if self.checks_total == 0:  # the checks could not start, e.g. fn is not a function
            return f"{head}: " + "\n  ".join(self.messages)
        lines = [f"{head}: {self.checks_passed} of {self.checks_total} checks passed."]
        lines += [f"  ✗ {m}" for m in self.messages]
        if self.more_failures:
            s = "s" if self.more_failures > 1 else ""
            lines.append(f"  … and {self.more_failures} more failing check{s}.")
        if self.not_run:
            s = "s were" if self.not_run > 1 else " was"
            lines.append(f"  … {self.not_run} more check{s} not run after the time-out.")
        if self.hint:
            lines.append(f"  Hint: {self.hint}")
        else:
            lines.append(f'  Stuck? hint("{self.exercise}") gives a hint.')
        return "\n".join(lines)

    def __str__(self):
        return self.verdict()


def _error_result(exercise_id, message, ex=None):
    return Result(exercise=str(exercise_id), notebook=ex.notebook if ex else "",
                  status="error", points=0, max_points=ex.points if ex else 0,
                  messages=[message])


# --------------------------------------------------------------------------------------
# Looking up exercises
# --------------------------------------------------------------------------------------
def _registry():
    from . import exercises

    return exercises


def _lookup(exercise_id):
    """Return (Exercise, None) or (None, message saying what is wrong)."""
    if isinstance(exercise_id, Exercise):
        return exercise_id, None
    reg = _registry()
    if exercise_id in reg.EXERCISES:
        return reg.EXERCISES[exercise_id], None
    msg = f"there is no exercise called {exercise_id!r}."
    close = difflib.get_close_matches(str(exercise_id), list(reg.EXERCISES), n=1)
    if close:
        msg += f' Did you mean "{close[0]}"?'
    if reg.LOAD_ERRORS:
        broken = ", ".join(sorted(reg.LOAD_ERRORS))
        msg += f" (Some exercise modules failed to load: {broken}.)"
    return None, msg


def _resolve_depends(ex):
    """The objects to put in reach of the learner's function: {name: reference}."""
    if isinstance(ex.depends, dict):
        return dict(ex.depends)
    from . import functional

    reg = _registry()
    found = {}
    for name in ex.depends:
        if name in reg.EXERCISES:
            found[name] = reg.EXERCISES[name].reference
        elif hasattr(functional, name):
            found[name] = getattr(functional, name)
        else:
            raise LookupError(f"exercise {ex.id!r} depends on {name!r}, which is neither an "
                              "exercise nor a function of backprop_lab.functional")
    return found


# --------------------------------------------------------------------------------------
# Running one function on one case
# --------------------------------------------------------------------------------------
class _TimeLimitExceeded(BaseException):
    """Raised by the alarm inside a call that takes too long (BaseException, so that a
    learner's ``except Exception`` cannot swallow it)."""


@contextmanager
def _time_limit(seconds):
    """Interrupt the block after ``seconds`` with SIGALRM, where that is possible (the
    main thread on Unix, no other alarm pending).  Elsewhere the caller compares the
    elapsed time afterwards."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise _TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _is_code(value):
    """Modules, classes and anything callable may be used from the notebook; data may not."""
    return isinstance(value, types.ModuleType) or callable(value)


def _is_constant(name, value):
    """Names in capitals holding a number or a string are constants (``EPSILON = 1e-7``)."""
    if not re.fullmatch(r"_?[A-Z][A-Z0-9_]*", name) or sum(c.isalpha() for c in name) < 2:
        return False  # single capitals such as W or X are usually data, not constants
    return value is None or isinstance(value, (numbers.Number, str, bool))


def isolated(fn, depends=None):
    """A copy of ``fn`` that sees only numpy, math, built-ins, the modules, callables and
    CAPITALISED constants of its own globals, and ``depends`` ({name: object}).

    Returns (function to call, set of names left out).  Objects that are not plain
    functions (builtins, ufuncs, callable instances) are returned unchanged.
    """
    depends = depends or {}
    target = fn.__func__ if isinstance(fn, types.MethodType) else fn
    if not isinstance(target, types.FunctionType):
        return fn, set()
    fresh = {"__builtins__": builtins, "__name__": target.__globals__.get("__name__", "__main__"),
             "np": np, "numpy": np, "math": math}
    left_out = set()
    for name, value in target.__globals__.items():
        if name.startswith("__") or name in fresh:
            continue
        if _is_code(value) or _is_constant(name, value):
            fresh[name] = value
        else:
            left_out.add(name)
    fresh.update(depends)
    left_out -= set(depends)
    copy_fn = types.FunctionType(target.__code__, fresh, target.__name__,
                                 target.__defaults__, target.__closure__)
    copy_fn.__kwdefaults__ = copy.copy(target.__kwdefaults__)
    if target.__name__ not in depends:
        fresh[target.__name__] = copy_fn  # a recursive function calls its isolated copy
    copy_fn.__qualname__ = target.__qualname__
    if isinstance(fn, types.MethodType):
        return types.MethodType(copy_fn, fn.__self__), left_out
    return copy_fn, left_out


@dataclass
class _Outcome:
    value: Any = None
    error: Optional[BaseException] = None
    timed_out: bool = False
    mutated: tuple = ()


def _same_input(a, b):
    """Whether an input still equals its saved copy (arrays element by element)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same_input(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(_same_input(a[k], b[k]) for k in a))
    try:
        return bool(a == b)
    except Exception:
        return True  # not comparable: do not accuse the learner


@contextmanager
def _quiet():
    """Swallow what the code prints (stdout, stderr) and the Python warnings it raises."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def _numpy_errors(mode):
    """np.errstate settings for running code under an exercise's ``floating_point`` mode."""
    if mode == "raise":
        return np.errstate(over="raise", invalid="raise", divide="raise", under="ignore")
    return np.errstate(all="ignore")


def _run(fn, case, names, time_limit, floating_point="ignore"):
    """Call fn on fresh copies of the case's inputs; note errors, time-outs, mutations."""
    args = copy.deepcopy(case.args)
    kwargs = copy.deepcopy(case.kwargs)
    saved_args = copy.deepcopy(args)
    saved_kwargs = copy.deepcopy(kwargs)
    out = _Outcome()
    start = time.perf_counter()
    try:
        # The learner's prints and warnings would repeat once per case in the check cell.
        with _numpy_errors(floating_point), _time_limit(time_limit), _quiet():
            out.value = fn(*args, **kwargs)
    except _TimeLimitExceeded:
        out.timed_out = True
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - the learner's code may raise anything
        out.error = e
    if time_limit is not None and time.perf_counter() - start > time_limit:
        out.timed_out = True
    if not out.timed_out:
        mutated = [names[i] if i < len(names) else f"argument {i + 1}"
                   for i, (a, s) in enumerate(zip(args, saved_args)) if not _same_input(a, s)]
        mutated += [k for k in kwargs if not _same_input(kwargs[k], saved_kwargs[k])]
        out.mutated = tuple(mutated)
    return out


# --------------------------------------------------------------------------------------
# Comparing outputs
# --------------------------------------------------------------------------------------
def _values(n):
    return "1 value" if n == 1 else f"{n} values"


def _describe(x):
    if x is None:
        return "None"
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    if isinstance(x, tuple):
        return f"a tuple of {_values(len(x))}"
    if isinstance(x, list):
        return f"a list of {_values(len(x))}"
    if isinstance(x, (bool, np.bool_)):
        return "a bool"
    if isinstance(x, numbers.Number):
        return "a single number"
    return f"a {type(x).__name__}"


def _nonfinite_message(got, expected):
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if bad.any():
        what = "NaN" if np.isnan(got[bad]).any() else "inf"
        return f"contains {what} where a finite number was expected"
    return None


def _difference(expected, got, ex, label=""):
    """None when got matches expected, else a one-line message."""
    at = f"{label}: " if label else ""
    if got is None and expected is not None:
        return f"{at}returned None — is a `return` statement missing?"
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return f"{at}returned {_describe(got)}, expected {_values(len(expected))}"
        if len(got) != len(expected):
            names = ""
            if not label and len(ex.outputs) == len(expected):
                names = f" ({', '.join(ex.outputs)})"
            return (f"{at}returned {_values(len(got))}, expected "
                    f"{len(expected)}{names}")
        for i, (e, g) in enumerate(zip(expected, got)):
            if label:
                sub = f"{label}[{i}]"
            elif len(ex.outputs) == len(expected):
                sub = ex.outputs[i]
            else:
                sub = f"returned value {i + 1}"
            msg = _difference(e, g, ex, sub)
            if msg:
                return msg
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"{at}returned {_describe(got)}, expected a dict with keys {sorted(expected)}"
        for k in expected:
            msg = _difference(expected[k], got[k], ex, f"{label}[{k!r}]")
            if msg:
                return msg
        return None
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray):
            return (f"{at}returned {_describe(got)}, "
                    f"expected a numpy array of shape {expected.shape}")
        if got.shape != expected.shape:
            return f"{at}wrong shape {got.shape}, expected {expected.shape}"
        if ex.check_dtype and got.dtype != expected.dtype:
            return f"{at}dtype {got.dtype}, expected {expected.dtype}"
        return _compare_values(expected, got, ex, at)
    if isinstance(expected, numbers.Number) and not isinstance(expected, (bool, np.bool_)):
        if isinstance(got, np.ndarray) and got.ndim == 0:
            got = got[()]
        if not isinstance(got, numbers.Number) or isinstance(got, (bool, np.bool_)):
            return f"{at}returned {_describe(got)}, expected a single number"
        return _compare_values(np.asarray(expected), np.asarray(got), ex, at)
    try:
        same = bool(expected == got)
    except Exception:
        same = False
    if not same:
        return f"{at}returned {_describe(got)}, expected {_describe(expected)} {expected!r:.40}"
    return None


def _compare_values(expected, got, ex, at):
    if expected.dtype.kind in "fc" or got.dtype.kind in "fc":
        expected_f = expected.astype(np.complex128 if expected.dtype.kind == "c" else np.float64)
        got_f = got.astype(np.complex128 if got.dtype.kind == "c" else np.float64)
        msg = _nonfinite_message(got_f, expected_f)
        if msg:
            return at + msg
        close = np.isclose(got_f, expected_f, rtol=ex.rtol, atol=ex.atol, equal_nan=True)
        if not close.all():
            with np.errstate(all="ignore"):
                err = np.abs(got_f - expected_f)[~close]
            err = err[np.isfinite(err)]
            size = f" (max abs error {err.max():.2g})" if err.size else ""
            return f"{at}values differ{size}"
        return None
    if not np.array_equal(expected, got):
        return f"{at}values differ"
    return None


def _judge(ex, expected, outcome, left_out):
    """None if the outcome passes, else a message (without the case name)."""
    if outcome.timed_out:
        return f"took longer than {ex.time_limit:g} s, the limit for one call (an endless loop?)"
    if outcome.error is not None:
        e = outcome.error
        if isinstance(e, NameError):
            name = getattr(e, "name", None)
            if name is None:
                m = re.search(r"name '(\w+)' is not defined", str(e))
                name = m.group(1) if m else None
            if name in left_out:
                return (f"your function uses the global variable `{name}`; pass it as an "
                        "argument or define it inside the function")
        text = str(e).strip().splitlines()[0] if str(e).strip() else ""
        if len(text) > 200:  # keep the end too: numpy puts the sizes there
            text = text[:130] + " ... " + text[-65:]
        return f"raised {type(e).__name__}" + (f": {text}" if text else "")
    if outcome.mutated:
        name = outcome.mutated[0]
        return (f"changed its input `{name}` in place; build a new array instead of "
                f"writing into `{name}`")
    if ex.compare is not None:
        return ex.compare(expected, outcome.value)
    return _difference(expected, outcome.value, ex)


def _same_failure(ex, a, b):
    """Whether two failing outcomes fail in the same way (used to match mistakes)."""
    if a.timed_out or b.timed_out:
        return False
    if a.error is not None or b.error is not None:
        return (a.error is not None and b.error is not None and type(a.error) is type(b.error)
                and str(a.error) == str(b.error))
    if a.mutated != b.mutated:
        return False
    try:
        if ex.compare is not None:
            return ex.compare(a.value, b.value) is None
        return _difference(a.value, b.value, ex) is None
    except Exception:
        return False


# --------------------------------------------------------------------------------------
# Grading
# --------------------------------------------------------------------------------------
def _seed(exercise_id):
    return zlib.crc32(exercise_id.encode("utf-8"))


def _param_names(fn):
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return []


def grade(exercise_id, fn):
    """Run every check of an exercise on ``fn`` and return a ``Result``.  Prints nothing
    and never raises (a failure of the grader itself gives status 'error')."""
    ex = None
    try:
        ex, problem = _lookup(exercise_id)
        if ex is None:
            return _error_result(exercise_id, problem)
        return _grade(ex, fn)
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - a bug in the grader must not reach the learner
        return _error_result(
            getattr(ex, "id", exercise_id),
            f"the checker itself failed ({type(e).__name__}: {e}). This is a bug in "
            "backprop_lab, not in your code; please report it.", ex)


def _grade(ex, fn):
    base = dict(exercise=ex.id, notebook=ex.notebook, max_points=ex.points)
    if not callable(fn):
        return Result(status="failed", points=0, messages=[
            f"the second argument must be your function itself, e.g. "
            f'check("{ex.id}", {ex.id}) — without parentheses after {ex.id}; '
            f"got {_describe(fn)}"],
            **base)
    if fn is ex.reference:
        return Result(status="failed", points=0, messages=[
            "this is backprop_lab's own reference function; check your own function instead"],
            **base)
    cases = list(ex.cases(np.random.default_rng(_seed(ex.id))))
    names = _param_names(ex.reference)
    depends = _resolve_depends(ex)
    learner, left_out = isolated(fn, depends)

    failures = []  # (case, learner outcome)
    messages = []  # one per failing case, without the case name
    passed = 0
    for i, case in enumerate(cases):
        expected = _run(ex.reference, case, names, None)
        if expected.error is not None:
            raise RuntimeError(f"the reference raised {type(expected.error).__name__}: "
                               f"{expected.error} on case {case.name!r}")
        outcome = _run(learner, case, names, ex.time_limit, ex.floating_point)
        if isinstance(outcome.error, NotImplementedError) and i == 0:
            return Result(status="not attempted", points=0, checks_total=len(cases), **base)
        message = _judge(ex, expected.value, outcome, left_out)
        if message is None:
            passed += 1
            continue
        failures.append((case, outcome))
        messages.append(message)
        if outcome.timed_out:
            break  # the remaining cases would only take as long again

    kinds = tuple(sorted({c.kind for c in cases}, key=CASE_KINDS.index))
    if not failures:
        return Result(status="passed", points=ex.points, checks_passed=passed,
                      checks_total=len(cases), case_kinds=kinds, **base)

    mistake = _match_mistake(ex, failures, names)
    shown, more = _failure_lines(failures, messages)
    not_run = len(cases) - passed - len(failures)
    return Result(status="failed", points=0, checks_passed=passed, checks_total=len(cases),
                  messages=shown, more_failures=more, not_run=not_run,
                  mistake=mistake.name if mistake else None,
                  hint=mistake.hint if mistake else None, case_kinds=kinds, **base)


def _failure_lines(failures, messages):
    """Lines for the verdict: cases failing with the same message share one line.
    Returns (lines, number of failing cases not mentioned)."""
    groups = {}
    for (case, _), message in zip(failures, messages):
        groups.setdefault(message, []).append(case.name)
    lines, mentioned = [], 0
    for message, names in list(groups.items())[:MAX_FAILURE_LINES]:
        if len(names) == 1:
            lines.append(f"{names[0]}: {message}")
        else:
            lines.append(f"{names[0]} (and {len(names) - 1} more): {message}")
        mentioned += len(names)
    return lines, len(failures) - mentioned


def _match_mistake(ex, failures, names):
    """The catalogued mistake that fails the same way on the most failing cases, and on
    at least half of them (a match on one degenerate case is a coincidence, not a
    diagnosis: better no hint than a misleading one)."""
    judged = sum(1 for _, outcome in failures if not outcome.timed_out)
    best, best_score = None, max(0, (judged + 1) // 2 - 1)
    for mistake in ex.mistakes:
        score = 0
        for case, outcome in failures:
            if outcome.timed_out:
                continue
            theirs = _run(mistake.fn, case, names, None, ex.floating_point)
            if _same_failure(ex, outcome, theirs):
                score += 1
        if score > best_score:
            best, best_score = mistake, score
    return best


# --------------------------------------------------------------------------------------
# The scoreboard and the grade log
# --------------------------------------------------------------------------------------
class Scoreboard:
    """The latest result of every exercise checked in this Python process."""

    def __init__(self):
        self.results = {}

    def record(self, result):
        """Keep ``result`` as the latest for its exercise."""
        self.results.pop(result.exercise, None)
        self.results[result.exercise] = result

    def clear(self):
        self.results.clear()

    def rows(self, notebook):
        """[(exercise id, title, status, points, max points)] for one notebook, in the
        notebook's order; exercises not checked yet have status 'not checked'."""
        reg = _registry()
        rows = []
        seen = set()
        for ex in reg.by_notebook(notebook):
            r = self.results.get(ex.id)
            if r is None:
                rows.append((ex.id, ex.title, "not checked", 0, ex.points))
            else:
                rows.append((ex.id, ex.title, r.status, r.points, r.max_points))
            seen.add(ex.id)
        for r in self.results.values():  # exercises defined outside the registry
            if r.notebook == notebook and r.exercise not in seen:
                rows.append((r.exercise, "", r.status, r.points, r.max_points))
        return rows

    def table(self, notebook=None):
        """The scoreboard as text (see ``scoreboard``)."""
        if notebook is None:
            notebooks = list(dict.fromkeys(r.notebook for r in self.results.values()))
            if not notebooks:
                return "No checks have run yet. Run a cell with check(...) first."
            return "\n\n".join(self.table(nb) for nb in notebooks)
        rows = self.rows(notebook)
        if not rows:
            known = ", ".join(_registry().notebooks())
            return f"No exercises in notebook {notebook!r}. Notebooks with exercises: {known}."
        total = sum(r[3] for r in rows)
        total_max = sum(r[4] for r in rows)
        cells = [(r[0], r[2], f"{_fmt_points(r[3])}/{_fmt_points(r[4])}") for r in rows]
        cells.append(("total", "", f"{_fmt_points(total)}/{_fmt_points(total_max)}"))
        w0 = max(len("exercise"), *(len(c[0]) for c in cells))
        w1 = max(len("status"), *(len(c[1]) for c in cells))
        w2 = max(len("points"), *(len(c[2]) for c in cells))
        lines = [f"Scoreboard: {notebook}",
                 f"  {'exercise':<{w0}}  {'status':<{w1}}  {'points':>{w2}}"]
        lines += [f"  {a:<{w0}}  {b:<{w1}}  {c:>{w2}}" for a, b, c in cells]
        return "\n".join(lines)


SCOREBOARD = Scoreboard()
_hints_shown = {}
_log_warned = []


def _append_to_log(result):
    path = os.environ.get("BACKPROP_LAB_GRADE_LOG")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(result.to_dict(), sort_keys=True, ensure_ascii=False) + "\n")
    except OSError as e:
        if not _log_warned:
            _log_warned.append(True)
            print(f"(could not write the grade log BACKPROP_LAB_GRADE_LOG={path!r}: {e})")


# --------------------------------------------------------------------------------------
# What notebooks call
# --------------------------------------------------------------------------------------
def check(exercise_id, fn):
    """Check your function for exercise ``exercise_id`` and print a short verdict.

    Example: ``check("relu_backward", relu_backward)``.  Returns None.  Never raises,
    except under nbgrader's autograder (NBGRADER_EXECUTION set), where a verdict other
    than "passed" raises ``AssertionError`` so that the cell earns no points.
    """
    result = grade(exercise_id, fn)
    try:
        if result.notebook:  # an unknown id has no notebook: nothing to record
            SCOREBOARD.record(result)
        _append_to_log(result)
    except Exception:  # noqa: BLE001 - bookkeeping must not hide the verdict
        pass
    text = result.verdict()
    if os.environ.get("NBGRADER_EXECUTION") and not result.passed:
        raise AssertionError(text)
    print(text)


def hint(exercise_id):
    """Print the next hint for an exercise: the first call shows hint 1, the next hint 2, ..."""
    ex, problem = _lookup(exercise_id)
    if ex is None:
        print(f"hint: {problem}")
        return
    if not ex.hints:
        print(f"{ex.id} has no hints. Re-read the formula in the cell above the exercise.")
        return
    shown = _hints_shown.get(ex.id, 0)
    k = min(shown + 1, len(ex.hints))
    _hints_shown[ex.id] = k
    text = f"Hint {k} of {len(ex.hints)}: {ex.hints[k - 1]}"
    if shown >= len(ex.hints):
        text += " (That was the last hint.)"
    print(text)


def scoreboard(notebook=None):
    """Print the points of every exercise in ``notebook`` (e.g. ``"04_backprop_layers"``)
    checked in this session, with the total; exercises not checked yet count 0.
    Without a notebook: every notebook with a check so far."""
    print(SCOREBOARD.table(notebook))


def or_reference(exercise_id, fn):
    """Return ``fn`` if it passes the checks of ``exercise_id``, else the reference version
    (with a one-line note), so that demos after an exercise work either way.

    Assign the result to a new name (``relu_backward_demo = or_reference(...)``), so that
    re-running the check cell still checks your own function.  Prints nothing when ``fn``
    passes; records nothing on the scoreboard.
    """
    ex, problem = _lookup(exercise_id)
    if ex is None:
        raise LookupError(f"or_reference: {problem}")
    if grade(ex, fn).passed:
        return fn
    print(f"(The cells below use backprop_lab's reference {ex.id}, because yours has not "
          "passed its checks yet.)")
    return ex.reference


def reset():
    """Forget every recorded result and hint shown (a fresh session)."""
    SCOREBOARD.clear()
    _hints_shown.clear()
