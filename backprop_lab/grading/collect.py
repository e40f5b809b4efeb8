"""The untrusted half of a trusted check: calling a learner's function on cases received
as data, and sending back what each call did, as data.

This runs where the learner's code runs (the sandbox of ``grade``, or the notebook's own
kernel under nbgrader); the trusted half (``trusted.py``) drew the cases and judges the
answer.  Everything here is under the grader's watch (``guard.Guard`` with ``block=True``):
decoding the cases, calling the function, encoding its results.  A reference
implementation reached on the way is reported at once through ``report``, before it can
run.
"""
from __future__ import annotations

import _thread
import sys

from ..i18n import _
from . import grader, guard, runner, wire

_thread_count = getattr(_thread, "_count", lambda: 0)


def snapshot(ex):
    """What a graded call of ``ex`` needs, taken before the learner's code can change it:
    (exercise, depends, argument names, call, time limit, floating-point mode)."""
    try:
        depends = grader._resolve_depends(ex)
    except LookupError:
        depends = {}
    return (ex, depends, grader._param_names(ex.reference), ex.call, ex.time_limit,
            ex.floating_point)


def error_text(exc) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def graded_calls(prepared, fn, cases_tree, arrays, report, time_factor=3.0,
                 alone=False):
    """Call ``fn`` on the cases ``(cases_tree, arrays)`` encode.

    prepared: ``snapshot(ex)``.  report(what): called at once when the watch catches
    something.  alone: this process runs no thread of its own (the sandbox), so any other
    thread alive is the notebook's, and is caught (it would run outside the watch); a
    Jupyter kernel has threads of its own, so there this is not checked.  Returns
    (message, arrays) for the trusted side: one entry per case run,
    each with the encoded value, the error, whether it timed out, and the encoded
    arguments after the call (the trusted side tells from them what was changed in place).
    """
    ex, depends = prepared[0], prepared[1]
    caught = []

    def on_catch(what):
        if what not in caught:
            caught.append(what)
            report(what)

    enc = wire.Encoder(strict=False)
    results, left_out = [], []
    if alone and _thread_count():
        on_catch(guard.OTHER_THREAD)
    watch = guard.Guard(ex, guard.allowed_for(ex, (), depends), block=True,
                        on_catch=on_catch)
    previous = sys.getprofile()
    sys.setprofile(watch.profile)
    try:
        _step(watch, prepared, fn, cases_tree, arrays, enc, time_factor, results, left_out)
    except BaseException as e:  # noqa: BLE001 - the notebook may have broken anything
        results.append({"value": None, "error_type": type(e).__name__,
                        "error_text": _("the graded call could not run: {error}").format(
                            error=error_text(e)),
                        "missing_name": None, "timed_out": False, "after": None})
    finally:
        sys.setprofile(previous)  # allowed again: _step has returned
    return ({"event": "outcomes", "exercise": ex.id, "results": results,
             "left_out": sorted(str(n) for n in left_out), "reached": list(caught)},
            enc.arrays)


def _step(watch, prepared, fn, cases_tree, arrays, enc, time_factor, results, left_out):
    """The graded calls themselves.  While this function's frame is on the stack, the
    sandbox's audit hook refuses to change the profile function (``lockdown.py``): the
    watch cannot be switched off from inside."""
    ex, depends, _names, call, time_limit, floating_point = prepared
    cases = wire.decode_cases(cases_tree, arrays)
    watch.allow(guard.callables_in([(c.args, c.kwargs) for c in cases]))
    learner, names_left_out = runner.isolated(fn, depends)
    left_out.extend(names_left_out)
    for case in cases:
        watch.rearm()  # outside the sandbox a blocked call switches the watch off
        outcome, args, kwargs = runner.call_on_copies(
            learner, case, time_limit * time_factor, floating_point, call)
        results.append({
            "value": enc.encode(outcome.value), "error_type": outcome.error_type,
            "error_text": outcome.error_text[:2000],
            "missing_name": outcome.missing_name, "timed_out": outcome.timed_out,
            "after": enc.encode([list(args), dict(kwargs)])})
        if outcome.timed_out or (outcome.error_type == "NotImplementedError"
                                 and len(results) == 1):
            break


#: The code object whose frame marks a graded call in progress (see ``lockdown.py``).
STEP_CODE = _step.__code__
