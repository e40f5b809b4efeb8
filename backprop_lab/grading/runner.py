"""Running a learner's function on one case: fresh copies of the inputs, a time limit,
only numpy and the notebook's code in reach, and a note of anything it changed."""
from __future__ import annotations

import builtins
import contextlib
import copy
import io
import math
import numbers
import re
import signal
import threading
import time
import types
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np


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


def isolated(fn: Callable, depends: dict | None = None) -> tuple[Callable, set]:
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
class Outcome:
    """What one call of a function on one case did, as plain data (so that it can cross
    from the process that ran the call to the one that judges it).

    value: what it returned (None if it raised or timed out).
    error_type, error_text: the exception's class name and message, or None and "".
    missing_name: for a NameError, the name that was not defined.
    timed_out: it ran past the time limit.  mutated: the inputs it changed in place.
    reached: the package's own implementations it called (see ``guard.py``).
    """

    value: Any = None
    error_type: Optional[str] = None
    error_text: str = ""
    missing_name: Optional[str] = None
    timed_out: bool = False
    mutated: tuple = ()
    reached: tuple = ()

    @property
    def raised(self):
        return self.error_type is not None

    def set_error(self, exc):
        self.error_type = type(exc).__name__
        self.error_text = str(exc)
        if isinstance(exc, NameError):
            name = getattr(exc, "name", None)
            if name is None:
                m = re.search(r"name '(\w+)' is not defined", str(exc))
                name = m.group(1) if m else None
            self.missing_name = name


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


def call_directly(obj, *args, **kwargs):
    """How a check calls the learner's function on a case: ``fn(*args, **kwargs)``."""
    return obj(*args, **kwargs)


def call_on_copies(fn, case, time_limit, floating_point="ignore", call=None, guard=None):
    """Call ``fn`` on fresh copies of the case's inputs (through ``call(fn, *args,
    **kwargs)``, default ``fn(*args, **kwargs)``), under ``guard`` if one is given.
    Returns (Outcome without ``mutated``, the argument copies after the call, the
    keyword copies after the call)."""
    call = call or call_directly
    args = copy.deepcopy(case.args)
    kwargs = copy.deepcopy(case.kwargs)
    out = Outcome()
    start = time.perf_counter()
    watch = guard.watching() if guard is not None else contextlib.nullcontext()
    try:
        # The learner's prints and warnings would repeat once per case in the check cell.
        with _numpy_errors(floating_point), _time_limit(time_limit), _quiet(), watch:
            out.value = call(fn, *args, **kwargs)
    except _TimeLimitExceeded:
        out.timed_out = True
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - the learner's code may raise anything
        out.set_error(e)
    if time_limit is not None and time.perf_counter() - start > time_limit:
        out.timed_out = True
    if guard is not None:
        out.reached = tuple(guard.reached)
    return out, args, kwargs


def run_case(fn, case, names, time_limit, floating_point="ignore", call=None, guard=None):
    """Call ``fn`` on fresh copies of the case's inputs (see ``call_on_copies``); returns
    an ``Outcome`` noting the value, the error, a time-out, the inputs changed in place and
    what ``guard`` saw.  ``names`` names the arguments in messages."""
    saved_args = copy.deepcopy(case.args)
    saved_kwargs = copy.deepcopy(case.kwargs)
    out, args, kwargs = call_on_copies(fn, case, time_limit, floating_point, call, guard)
    if not out.timed_out:
        mutated = [names[i] if i < len(names) else f"argument {i + 1}"
                   for i, (a, s) in enumerate(zip(args, saved_args)) if not _same_input(a, s)]
        mutated += [k for k in kwargs if not _same_input(kwargs[k], saved_kwargs[k])]
        out.mutated = tuple(mutated)
    return out
