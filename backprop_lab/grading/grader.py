"""``grade``: every case of an exercise, the verdict, and the mistake it matches."""
from __future__ import annotations

import difflib
import inspect
import zlib
from typing import Callable

import numpy as np

from .. import exercises, functional
from .compare import MAX_FAILURE_LINES, _describe, _judge, _same_failure
from .guard import Guard, allowed_for, describe
from .result import Result, _error_result
from .runner import isolated, run_case
from .spec import CASE_KINDS, Exercise


def _registry():
    return exercises


def suggestions(exercise_id, fn=None) -> list:
    """Up to three registered exercise ids close to ``exercise_id``, closest first (those
    nearly as close as the closest one); only the name of the function passed along when
    that is itself an exercise id.  With no close spelling, the ids that contain what was
    typed (``"relu"``)."""
    ids = list(_registry().EXERCISES)
    text = str(exercise_id)
    found = []
    name = getattr(fn, "__name__", None)
    if isinstance(name, str) and name in ids and name != text:
        return [name]  # the function is called like an exercise: surely that one
    scored = sorted(((difflib.SequenceMatcher(None, text, i).ratio(), i) for i in ids),
                    reverse=True)
    best = scored[0][0] if scored else 0
    close = [i for r, i in scored if r >= 0.6 and r >= best - 0.1]
    if not close and len(text) >= 3:
        close = sorted(i for i in ids if text.lower() in i.lower())
    found += [i for i in close if i not in found]
    return found[:3]


def _quoted_choices(names):
    quoted = [f'"{n}"' for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _lookup(exercise_id, fn=None):
    """Return (Exercise, None) or (None, message saying what is wrong)."""
    if isinstance(exercise_id, Exercise):
        return exercise_id, None
    reg = _registry()
    if exercise_id in reg.EXERCISES:
        return reg.EXERCISES[exercise_id], None
    close = suggestions(exercise_id, fn)
    if close:
        msg = (f"there is no exercise called {exercise_id!r}. Did you mean "
               f"{_quoted_choices(close)}?")
    else:
        msg = (f"there is no exercise called {exercise_id!r}. The exercise ids are in the "
               "check cells of the notebooks.")
    if reg.LOAD_ERRORS:
        broken = ", ".join(sorted(reg.LOAD_ERRORS))
        msg += f" (Some exercise modules failed to load: {broken}.)"
    return None, msg


def _resolve_depends(ex):
    """The objects to put in reach of the learner's function: {name: reference}."""
    if isinstance(ex.depends, dict):
        return dict(ex.depends)
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


def _seed(exercise_id):
    return zlib.crc32(exercise_id.encode("utf-8"))


def _param_names(fn):
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return []


def grade(exercise_id: str | Exercise, fn: Callable) -> Result:
    """Run every check of an exercise on ``fn`` and return a ``Result``.  Prints nothing
    and never raises (a failure of the grader itself gives status 'error')."""
    ex = None
    try:
        ex, problem = _lookup(exercise_id, fn)
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
    cases = exercise_cases(ex)
    depends = _resolve_depends(ex)
    learner, left_out = isolated(fn, depends)
    guard = Guard(ex, allowed_for(ex, cases, depends))
    outcomes = collect_outcomes(ex, learner, cases, guard)
    return judge(ex, cases, outcomes, left_out)


def exercise_cases(ex, seed=None):
    """The cases of an exercise, drawn with its own seed (the same every time) unless a
    ``seed`` is given."""
    return list(ex.cases(np.random.default_rng(_seed(ex.id) if seed is None else seed)))


def collect_outcomes(ex, fn, cases, guard=None):
    """Run ``fn`` on the cases in order; one ``Outcome`` per case run.  Stops after the
    first case when it raises NotImplementedError (not attempted), and after a time-out
    (the remaining cases would only take as long again).  guard: a ``guard.Guard``
    watching for the package's own implementations."""
    names = _param_names(ex.reference)
    outcomes = []
    for case in cases:
        outcome = run_case(fn, case, names, ex.time_limit, ex.floating_point, ex.call, guard)
        outcomes.append(outcome)
        if outcome.timed_out or (outcome.error_type == "NotImplementedError"
                                 and len(outcomes) == 1):
            break
    return outcomes


def judge(ex, cases, outcomes, left_out=frozenset(), strict=False):
    """The ``Result`` of a learner's outcomes on the cases: the reference and the
    catalogued mistakes are run here, on the same cases, and compared with them.

    outcomes: one ``Outcome`` per case run, in order (fewer than the cases when the run
    stopped early, see ``collect_outcomes``).  left_out: names the learner's function
    could not see (a NameError on one of them is a global variable used).
    strict: a function that reached the package's own implementation (``Outcome.reached``)
    fails with 0 points (trusted grading); otherwise the verdict only warns."""
    base = dict(exercise=ex.id, notebook=ex.notebook, max_points=ex.points)
    reached = list(dict.fromkeys(r for o in outcomes for r in o.reached))
    if reached and strict:
        return Result(status="failed", points=0, checks_total=len(cases),
                      messages=[describe(reached) + "."], violation=reached[0],
                      case_kinds=_kinds(cases), **base)
    result = _judge_values(ex, cases, outcomes, left_out, base)
    if reached:
        result.warnings.append(
            f"Warning: {describe(reached)}. This check counts it, but a graded run "
            "(python -m backprop_lab grade) gives this exercise 0 points.")
    return result


def _kinds(cases):
    return tuple(sorted({c.kind for c in cases}, key=CASE_KINDS.index))


def _judge_values(ex, cases, outcomes, left_out, base):
    if outcomes and outcomes[0].error_type == "NotImplementedError":
        return Result(status="not attempted", points=0, checks_total=len(cases), **base)
    names = _param_names(ex.reference)
    failures = []  # (case, learner outcome)
    messages = []  # one per failing case, without the case name
    passed = 0
    for case, outcome in zip(cases, outcomes):
        expected = run_case(ex.reference, case, names, None, call=ex.call)
        if expected.raised:
            raise RuntimeError(f"the reference raised {expected.error_type}: "
                               f"{expected.error_text} on case {case.name!r}")
        message = _judge(ex, expected.value, outcome, left_out)
        if message is None:
            passed += 1
            continue
        failures.append((case, outcome))
        messages.append(message)

    kinds = _kinds(cases)
    if not failures and len(outcomes) == len(cases):
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
            theirs = run_case(mistake.fn, case, names, None, ex.floating_point, ex.call)
            if _same_failure(ex, outcome, theirs):
                score += 1
        if score > best_score:
            best, best_score = mistake, score
    return best
