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
