"""Whether a learner's function reaches the implementation it is asked to write.

An exercise asks the learner to write something ``backprop_lab`` already has.  A ``Guard``
watches the graded calls of one exercise through ``sys.setprofile`` and notes when one of
these starts running:

* the exercise's reference (every function of it, for a class);
* the package's function of the same name (``backprop_lab.functional.relu_backward`` for
  ``relu_backward``), when the reference is something else;
* anything of the scalar autodiff engine, ``backprop_lab.autodiff``, which would compute
  any gradient for the learner.

A call is caught however the function was reached (``F.relu_backward``, ``import
backprop_lab.functional``, ``sys.modules``, ``importlib``, ``__import__``, the exercise
registry, a Keras-style layer that calls it, a copy of its code object): what is compared
is the code that runs, not the name it was called by.  What the exercise puts in reach on
purpose is not caught, nor anything it calls in turn: the functions it ``depends`` on
(cascade isolation) and the functions its cases pass in (the activations ``mlp_backward``
receives).  The rest of the package stays usable as a tool (a model's ``fit``, an
earlier notebook's function).

Self-study ``check`` turns a catch into a warning; the trusted grader (``grade`` on the
command line) gives the exercise 0 points and, with ``block=True``, stops the reached
function before it computes anything.  The guard also notes a thread started during a
call (a thread would run outside the watch).
"""
from __future__ import annotations

import _thread
import functools
import importlib
import sys
import types
from contextlib import contextmanager
from typing import Callable, Iterable, Optional

from ..i18n import _

#: Modules whose every function is off limits to any graded function.
ENGINE_MODULES = ("backprop_lab.autodiff",)
#: Where the package's own versions of the exercises' functions live.
FUNCTIONAL = "backprop_lab.functional"
#: How ``Guard.reached`` names an exercise's reference outside the package (an id).
REFERENCE_OF = "the reference of exercise"

_THREAD_STARTERS = tuple(getattr(_thread, name) for name in
                         ("start_new_thread", "start_joinable_thread", "start_new")
                         if hasattr(_thread, name))


class ReferenceBlocked(BaseException):
    """Raised inside a graded call that reached what it must not (trusted grading only).
    A BaseException, so that ``except Exception`` does not hide it."""


def _codes_of(obj, seen=None) -> set:
    """Every code object of a function, method, class or partial (nested ones too:
    comprehensions, lambdas and inner functions run as code objects of their own)."""
    seen = set() if seen is None else seen
    if isinstance(obj, functools.partial):
        return _codes_of(obj.func, seen)
    if isinstance(obj, (staticmethod, classmethod, types.MethodType)):
        return _codes_of(obj.__func__, seen)
    if isinstance(obj, property):
        found = set()
        for part in (obj.fget, obj.fset, obj.fdel):
            if part is not None:
                found |= _codes_of(part, seen)
        return found
    if isinstance(obj, type):
        found = set()
        if id(obj) not in seen and obj.__module__ not in ("builtins",):
            seen.add(id(obj))
            for member in vars(obj).values():
                found |= _codes_of(member, seen)
        return found
    code = getattr(obj, "__code__", None)
    return _nested(code) if isinstance(code, types.CodeType) else set()


def _nested(code):
    found = {code}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _nested(const)
    return found


def _qualname(code):
    return getattr(code, "co_qualname", code.co_name)


class _Engine:
    """The autodiff engine's module dictionaries and code objects (once per process)."""

    def __init__(self):
        self.module_dicts = {}
        self.codes = {}
        for name in ENGINE_MODULES:
            importlib.import_module(name)
        for name, module in list(sys.modules.items()):
            if module is None or not any(name == m or name.startswith(m + ".")
                                         for m in ENGINE_MODULES):
                continue
            self.module_dicts[id(vars(module))] = name
            for value in list(vars(module).values()):
                if getattr(value, "__module__", None) == name:
                    for code in _codes_of(value):
                        self.codes.setdefault(code, f"{name}.{_qualname(code)}")


_ENGINE: list = []


def restricted() -> _Engine:
    """The engine's code, loaded on first use (the sandbox loads it before the notebook)."""
    if not _ENGINE:
        _ENGINE.append(_Engine())
    return _ENGINE[0]


def _dotted(obj, code):
    module = getattr(obj, "__module__", None) or "?"
    return f"{module}.{_qualname(code)}"


def forbidden_for(exercise) -> dict:
    """{code object: dotted name} a graded call of ``exercise`` must not run (besides the
    engine): its reference and the functional core's function of the same name."""
    if exercise is None:
        return {}
    found = {}
    reference = exercise.reference
    in_package = str(getattr(reference, "__module__", "")).startswith("backprop_lab.")
    for code in _codes_of(reference):
        found[code] = (_dotted(reference, code) if in_package and not
                       str(reference.__module__).startswith("backprop_lab.exercises")
                       else f"{REFERENCE_OF} {exercise.id!r}")
    functional = sys.modules.get(FUNCTIONAL) or importlib.import_module(FUNCTIONAL)
    same_name = getattr(functional, exercise.id, None)
    if callable(same_name) and same_name is not reference:
        for code in _codes_of(same_name):
            found.setdefault(code, _dotted(same_name, code))
    return found


def callables_in(value, found=None, depth=0) -> list:
    """The functions, classes and partials inside a case's arguments (tuples, lists and
    dicts are searched), in order of appearance."""
    found = [] if found is None else found
    if depth > 20:
        return found
    if isinstance(value, (tuple, list)):
        for item in value:
            callables_in(item, found, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            callables_in(item, found, depth + 1)
    elif callable(value):
        found.append(value)
    return found


def allowed_for(exercise, cases: Iterable = (), depends: Optional[dict] = None) -> list:
    """What a graded call of ``exercise`` may run even if it would be caught: its
    dependencies and the functions its cases pass in."""
    allowed = list((depends or {}).values())
    for case in cases:
        allowed += callables_in((case.args, case.kwargs))
    return allowed


class Guard:
    """Watches the graded calls of ``exercise`` (see the module docstring).

    allowed: functions, classes and partials put in reach on purpose (``allowed_for``).
    block: raise ``ReferenceBlocked`` in the reached function instead of letting it run.
    on_catch: called with the dotted name at the moment something is caught (the
        sandbox reports it to the trusted parent at once).
    """

    def __init__(self, exercise=None, allowed: Iterable = (), block: bool = False,
                 on_catch: Optional[Callable[[str], None]] = None):
        self.block = block
        self.on_catch = on_catch
        self.reached: list = []
        self._engine = restricted()
        self._forbidden = dict(self._engine.codes)
        self._forbidden.update(forbidden_for(exercise))
        self._names = frozenset(code.co_name for code in self._forbidden)
        self.allowed = set()
        self.allow(allowed)

    def allow(self, objects: Iterable) -> None:
        """Put more functions in reach (the ones a case passes in)."""
        for obj in objects:
            self.allowed |= _codes_of(obj)

    def _classify(self, frame):
        """('allowed' | 'restricted' | None, dotted name)."""
        code = frame.f_code
        if code in self.allowed:
            return "allowed", None
        module = self._engine.module_dicts.get(id(frame.f_globals))
        if module is not None:
            return "restricted", f"{module}.{_qualname(code)}"
        if code.co_name in self._names:
            found = self._forbidden.get(code)  # equal code: the reference, or a copy of it
            if found:
                return "restricted", found
        return None, None

    def _caught(self, frame):
        """The dotted name if ``frame`` runs something forbidden that the learner's code
        called (directly, or through code that is not the package's)."""
        kind, name = self._classify(frame)
        if kind != "restricted":
            return None
        caller = frame.f_back
        while caller is not None:
            caller_kind, _name = self._classify(caller)
            if caller_kind == "allowed":
                return None
            if caller_kind is None:
                return name
            caller = caller.f_back
        return name

    def _note(self, name):
        if name not in self.reached:
            self.reached.append(name)
        if self.on_catch is not None:
            self.on_catch(name)

    def _profile(self, frame, event, arg):
        if event == "call":
            name = self._caught(frame)
            if name is not None:
                self._note(name)
                if self.block:
                    raise ReferenceBlocked(name)
        elif event == "c_call" and arg in _THREAD_STARTERS:
            self._note(NEW_THREAD)
            if self.block:
                raise ReferenceBlocked("thread")

    @contextmanager
    def watching(self):
        """Watch the calls made inside the block (this thread only)."""
        previous = sys.getprofile()
        sys.setprofile(self._profile)
        try:
            yield self
        finally:
            sys.setprofile(previous)

    @property
    def profile(self):
        """The profile function of this guard (for ``sys.setprofile``)."""
        return self._profile

    def rearm(self) -> None:
        """Watch again if a blocked call switched the watch off (CPython removes a
        profile function that raises, unless an audit hook refuses)."""
        if getattr(sys.getprofile(), "__func__", None) is not Guard._profile:
            sys.setprofile(self._profile)


#: What ``Guard.reached`` holds for a thread (ids: ``describe`` says it in words).
NEW_THREAD = "a new thread"
OTHER_THREAD = "another thread"


def describe(reached) -> str:
    """One sentence naming what a graded function reached."""
    what = reached[0]
    more = _(" (and {count} more)").format(count=len(reached) - 1) if len(reached) > 1 else ""
    if what == NEW_THREAD:
        return _("your function started a thread while it was graded; a graded function must "
                 "compute its result in the thread it was called in")
    if what == OTHER_THREAD:
        return _("another thread of the notebook was running while your function was "
                 "graded; a thread runs outside the grader's watch, so stop it before the "
                 "check cell")
    if what.startswith(REFERENCE_OF):
        return _("your function calls backprop_lab's reference of exercise {id}{more}; a "
                 "graded function must compute its result with its own code").format(
            id=what[len(REFERENCE_OF):].strip(), more=more)
    return _("your function calls backprop_lab's own implementation {name}{more}; a graded "
             "function must compute its result with its own code").format(name=what, more=more)
