"""``grade``: every case of an exercise, the verdict, and the mistake it matches."""
from __future__ import annotations

import difflib
import inspect
import zlib
from typing import Callable

import numpy as np

from .. import exercises, functional
from ..i18n import _, pgettext
from .compare import MAX_FAILURE_LINES, _describe, _judge, _same_failure
from .guard import Guard, allowed_for, describe
from .result import Result, _error_result
from .runner import _same_input, isolated, run_case
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
    return _("{choices} or {last}").format(
        choices=pgettext("list separator", ", ").join(quoted[:-1]), last=quoted[-1])


def _lookup(exercise_id, fn=None):
    """Return (Exercise, None) or (None, message saying what is wrong)."""
    if isinstance(exercise_id, Exercise):
        return exercise_id, None
    reg = _registry()
    if exercise_id in reg.EXERCISES:
        return reg.EXERCISES[exercise_id], None
    close = suggestions(exercise_id, fn)
    if close:
        msg = _("there is no exercise called {id!r}. Did you mean {choices}?").format(
            id=exercise_id, choices=_quoted_choices(close))
    else:
        msg = _("there is no exercise called {id!r}. The exercise ids are in the check cells "
                "of the notebooks.").format(id=exercise_id)
    if reg.LOAD_ERRORS:
        broken = ", ".join(sorted(reg.LOAD_ERRORS))
        msg += _(" (Some exercise modules failed to load: {modules}.)").format(modules=broken)
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
            raise LookupError(_("exercise {id!r} depends on {name!r}, which is neither an "
                                "exercise nor a function of backprop_lab.functional")
                              .format(id=ex.id, name=name))
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
            _("the checker itself failed ({error_type}: {error}). This is a bug in "
              "backprop_lab, not in your code; please report it.")
            .format(error_type=type(e).__name__, error=e), ex)


def _grade(ex, fn):
    base = dict(exercise=ex.id, notebook=ex.notebook, max_points=ex.points)
    if not callable(fn):
        return Result(status="failed", points=0, messages=[
            _('the second argument must be your function itself, e.g. check("{id}", {id}) '
              "— without parentheses after {id}; got {got}").format(id=ex.id,
                                                                    got=_describe(fn))],
            **base)
    if fn is ex.reference:
        return Result(status="failed", points=0, messages=[
            _("this is backprop_lab's own reference function; check your own function "
              "instead")],
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
                      messages=[_("{what}.").format(what=describe(reached))],
                      violation=reached[0],
                      case_kinds=_kinds(cases), **base)
    result = _judge_values(ex, cases, outcomes, left_out, base)
    if reached:
        result.warnings.append(
            _("Warning: {what}. This check counts it, but a graded run (python -m "
              "backprop_lab grade) gives this exercise 0 points.").format(
                what=describe(reached)))
    return result


def _kinds(cases):
    return tuple(sorted({c.kind for c in cases}, key=CASE_KINDS.index))


def _judge_values(ex, cases, outcomes, left_out, base):
    if outcomes and outcomes[0].error_type == "NotImplementedError":
        return Result(status="not attempted", points=0, checks_total=len(cases), **base)
    names = _param_names(ex.reference)
    judged = []  # (case, learner outcome, expected value, passed)
    failures = []  # (case, learner outcome)
    messages = []  # one per failing case, without the case name
    passed = 0
    for case, outcome in zip(cases, outcomes):
        expected = run_case(ex.reference, case, names, None, call=ex.call)
        if expected.raised:
            raise RuntimeError(_("the reference raised {error_type}: {error} on case "
                                 "{case!r}").format(error_type=expected.error_type,
                                                    error=expected.error_text,
                                                    case=case.name))
        message = _judge(ex, expected.value, outcome, left_out)
        judged.append((case, outcome, expected.value, message is None))
        if message is None:
            passed += 1
            continue
        failures.append((case, outcome))
        messages.append(message)

    kinds = _kinds(cases)
    if not failures and len(outcomes) == len(cases):
        return Result(status="passed", points=ex.points, checks_passed=passed,
                      checks_total=len(cases), case_kinds=kinds, **base)

    mistake = match_mistake(ex, judged, names)
    # the hint is shown text: in the language of the grading (the mistake's name is an id)
    name, hint = (mistake.name, _(mistake.hint)) if mistake else (None, None)
    if mistake is None:
        hint = default_slip(ex, judged)
        name = DEFAULT_SLIP if hint else None
    shown, more = _failure_lines(failures, messages)
    not_run = len(cases) - passed - len(failures)
    return Result(status="failed", points=0, checks_passed=passed, checks_total=len(cases),
                  messages=shown, more_failures=more, not_run=not_run, mistake=name,
                  hint=hint, case_kinds=kinds, **base)


def _failure_lines(failures, messages):
    """Lines for the verdict: cases failing with the same message share one line.
    Returns (lines, number of failing cases not mentioned)."""
    groups = {}
    for (case, _outcome), message in zip(failures, messages):
        groups.setdefault(message, []).append(case.name)
    lines, mentioned = [], 0
    for message, names in list(groups.items())[:MAX_FAILURE_LINES]:
        if len(names) == 1:
            lines.append(_("{case}: {problem}").format(case=_(names[0]), problem=message))
        else:
            lines.append(_("{case} (and {count} more): {problem}").format(
                case=_(names[0]), count=len(names) - 1, problem=message))
        mentioned += len(names)
    return lines, len(failures) - mentioned


def agrees_with(ex, mistake, judged, names):
    """Whether the learner's outcomes agree with ``mistake`` on every judged case.

    judged: (case, learner outcome, expected value, passed) per case run.  On a case the
    learner failed, agreeing means failing in the same way (the same values, the same
    error, the same inputs changed in place); on a case the learner passed, it means the
    mistake passes it too.  Timed-out cases say nothing either way.  The failing cases
    are tried first, so that most mistakes are ruled out after one call."""
    failing = [(case, out) for case, out, _expected, ok in judged if not ok and not out.timed_out]
    if not failing:
        return False
    for case, outcome in failing:
        theirs = run_case(mistake.fn, case, names, None, ex.floating_point, ex.call)
        if not _same_failure(ex, outcome, theirs):
            return False
    for case, _outcome, expected, ok in judged:
        if ok:
            theirs = run_case(mistake.fn, case, names, None, ex.floating_point, ex.call)
            if theirs.timed_out or _judge(ex, expected, theirs, frozenset()) is not None:
                return False
    return True


def match_mistake(ex, judged, names):
    """The catalogued mistake the learner's outcomes point to, or None.

    A mistake is named only when it agrees with the learner on every case (it fails
    exactly the cases the learner failed, in the same way, and passes the others) and no
    other catalogued mistake does: when two mistakes fit the outcomes equally well,
    neither is named (the verdict's case-by-case messages remain), since a hint that
    names the wrong mistake is worse than none."""
    found = [m for m in ex.mistakes if agrees_with(ex, m, judged, names)]
    return found[0] if len(found) == 1 else None


#: The name ``Result.mistake`` gets when the outcomes prove a default argument wrong.
DEFAULT_SLIP = "a default that differs from the statement's"


def _bound(signature, case):
    """(every argument's value, defaults filled in; the names the case gives), or None."""
    try:
        bound = signature.bind(*case.args, **case.kwargs)
    except TypeError:
        return None
    given = set(bound.arguments)
    bound.apply_defaults()
    return dict(bound.arguments), given


def default_slip(ex, judged):
    """The hint for a default argument that differs from the statement's, or None.

    It is certain, not a guess: a case that leaves a defaulted argument out failed while
    a case with exactly the same arguments, that one given its default value, passed.
    judged: (case, learner outcome, expected value, passed) per case run."""
    if ex.call is not None:
        return None
    try:
        signature = inspect.signature(ex.reference)
    except (TypeError, ValueError):
        return None
    defaults = {n: p.default for n, p in signature.parameters.items()
                if p.default is not inspect.Parameter.empty}
    if not defaults:
        return None
    failed = [(case, out) for case, out, _expected, ok in judged if not ok and not out.timed_out]
    passed = [case for case, _outcome, _expected, ok in judged if ok]
    for bad, outcome in failed:
        left_out = _bound(signature, bad)
        if left_out is None:
            continue
        for good in passed:
            given = _bound(signature, good)
            if given is None or not given[1] > left_out[1]:
                continue
            names = [n for n in signature.parameters if n in given[1] - left_out[1]]
            if not set(names) <= set(defaults):
                continue
            if all(_same_input(left_out[0][n], given[0][n]) for n in signature.parameters):
                return _default_hint(names, defaults, outcome, bad.name, good.name)
    return None


def _default_hint(names, defaults, outcome, bad, good):
    missing = [n for n in names if outcome.error_type == "TypeError"
               and "missing" in outcome.error_text and f"'{n}'" in outcome.error_text]
    if missing:
        name = missing[0]
        value = f"{name}={defaults[name]!r}"
        return _("your function has no default for `{name}`; the statement's is {value}, so "
                 "that a call without `{name}` works: write {value} in the def line.").format(
            name=name, value=value)
    values = ", ".join(f"{n}={defaults[n]!r}" for n in names)
    if len(names) == 1:
        return _("the default value of `{name}` in your function is not the statement's, "
                 "{values}: the check \"{bad}\" leaves `{name}` out and fails, while "
                 "\"{good}\" gives {values} and passes.").format(
            name=names[0], values=values, bad=_(bad), good=_(good))
    quoted = ", ".join(f"`{n}`" for n in names)
    return _("the default values of {names} in your function are not the statement's, "
             "{values}: the check \"{bad}\" leaves them out and fails, while \"{good}\" "
             "gives {values} and passes.").format(names=quoted, values=values, bad=_(bad),
                                                  good=_(good))
