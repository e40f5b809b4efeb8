"""What notebooks call: ``check``, ``hint``, ``scoreboard``, ``or_reference``.

``check`` grades in the learner's own kernel, for self-study: fast, and it never raises
(except under nbgrader, see below).  It is not a trusted grade: headless grading with
``python -m backprop_lab grade`` decides points itself.

Environment variables
    BACKPROP_LAB_GRADE_LOG  a file name: every ``check`` appends its result there as one
                            JSON line (a convenience for self-study tools; ``grade`` does
                            not read it, since the notebook could write anything there).
    NBGRADER_EXECUTION      set by nbgrader while autograding: then the verdict of a
                            registered exercise comes from a judge process outside the
                            kernel (``outofkernel.py``), and ``check`` raises
                            ``CheckFailed`` (an ``AssertionError`` that IPython shows as
                            the verdict alone, no traceback) when checks fail, so nbgrader
                            gives that cell no points.
"""
from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Callable

from ..i18n import _, display_width, ljust, pgettext, rjust
from .grader import _lookup, _registry, grade
from .result import _fmt_points
from .slips import older_definition_note

if TYPE_CHECKING:  # names for the type hints only
    from .result import Result
    from .spec import Exercise


class Scoreboard:
    """The latest result of every exercise checked in this Python process."""

    def __init__(self):
        self.results = {}

    def record(self, result: Result) -> None:
        """Keep ``result`` as the latest for its exercise."""
        self.results.pop(result.exercise, None)
        self.results[result.exercise] = result

    def clear(self) -> None:
        self.results.clear()

    def rows(self, notebook: str | None) -> list[tuple]:
        """[(exercise id, title, status, points, max points)] for one notebook, in the
        notebook's order; exercises not checked yet have status 'not checked'.  The title
        is in the current language; the id and the status are the English words (ids)."""
        reg = _registry()
        rows = []
        seen = set()
        for ex in reg.by_notebook(notebook):
            r = self.results.get(ex.id)
            if r is None:
                rows.append((ex.id, _(ex.title), "not checked", 0, ex.points))
            else:
                rows.append((ex.id, _(ex.title), r.status, r.points, r.max_points))
            seen.add(ex.id)
        for r in self.results.values():  # exercises defined outside the registry
            if r.notebook == notebook and r.exercise not in seen:
                rows.append((r.exercise, "", r.status, r.points, r.max_points))
        return rows

    def table(self, notebook: str | None = None) -> str:
        """The scoreboard as text (see ``scoreboard``)."""
        if notebook is None:
            notebooks = list(dict.fromkeys(r.notebook for r in self.results.values()))
            if not notebooks:
                return _("No checks have run yet. Run a cell with check(...) first.")
            return "\n\n".join(self.table(nb) for nb in notebooks)
        rows = self.rows(notebook)
        if not rows:
            known = ", ".join(_registry().notebooks())
            return _("No exercises in notebook {notebook!r}. Notebooks with exercises: "
                     "{known}.").format(notebook=notebook, known=known)
        total = sum(r[3] for r in rows)
        total_max = sum(r[4] for r in rows)
        cells = [(r[0], status_word(r[2]), f"{_fmt_points(r[3])}/{_fmt_points(r[4])}")
                 for r in rows]
        cells.append((pgettext("scoreboard", "total"), "",
                      f"{_fmt_points(total)}/{_fmt_points(total_max)}"))
        heads = (pgettext("scoreboard", "exercise"), pgettext("scoreboard", "status"),
                 pgettext("scoreboard", "points"))
        w0, w1, w2 = (max(display_width(heads[i]), *(display_width(c[i]) for c in cells))
                      for i in range(3))
        lines = [_("Scoreboard: {notebook}").format(notebook=notebook),
                 f"  {ljust(heads[0], w0)}  {ljust(heads[1], w1)}  {rjust(heads[2], w2)}"]
        lines += [f"  {ljust(a, w0)}  {ljust(b, w1)}  {rjust(c, w2)}" for a, b, c in cells]
        return "\n".join(lines)


def status_word(status):
    """How the scoreboard shows a status (the rows keep the English word, an id)."""
    words = {"passed": pgettext("status", "passed"), "failed": pgettext("status", "failed"),
             "not attempted": pgettext("status", "not attempted"),
             "error": pgettext("status", "error"),
             "not checked": pgettext("status", "not checked")}
    return words.get(status, status)


SCOREBOARD = Scoreboard()
_SANDBOX = {}  # in the sandbox of trusted grading: "record" -> what check does instead
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
            print(_("(could not write the grade log BACKPROP_LAB_GRADE_LOG={path!r}: "
                    "{error})").format(path=path, error=e))


class CheckFailed(AssertionError):
    """What ``check`` raises under nbgrader when the checks fail.  IPython (and so
    nbgrader's feedback) shows only the verdict, through ``_render_traceback_``, instead
    of a traceback into the grader's code."""

    def __init__(self, verdict: str):
        super().__init__(verdict)
        self.verdict = verdict

    def _render_traceback_(self) -> list:
        return self.verdict.splitlines()


# --------------------------------------------------------------------------------------
# What notebooks call
# --------------------------------------------------------------------------------------
def check(exercise_id: str | Exercise, fn: Callable) -> None:
    """Check your function for exercise ``exercise_id`` and print a short verdict.

    Example: ``check("relu_backward", relu_backward)``.  Returns None.  Never raises,
    except under nbgrader's autograder (NBGRADER_EXECUTION set), where a verdict other
    than "passed" raises ``CheckFailed`` (an ``AssertionError``) so that the cell earns
    no points.
    """
    record = _SANDBOX.get("record")
    if record is not None:  # headless grading: the trusted grader calls fn itself
        record(exercise_id, fn)
        return
    nbgrader = bool(os.environ.get("NBGRADER_EXECUTION"))
    result = _judged_outside(exercise_id, fn) if nbgrader else None
    if result is None:
        result = grade(exercise_id, fn)
    try:
        note = older_definition_note(fn) if result.status != "error" else None
        if note:
            result.warnings.insert(0, note)
    except Exception:  # noqa: BLE001 - a note must never hide the verdict
        pass
    try:
        if result.notebook:  # an unknown id has no notebook: nothing to record
            SCOREBOARD.record(result)
        _append_to_log(result)
    except Exception:  # noqa: BLE001 - bookkeeping must not hide the verdict
        pass
    text = result.verdict()
    if nbgrader and not result.passed:
        raise CheckFailed(text)
    print(text)


def _judged_outside(exercise_id, fn):
    """Under nbgrader: the judge process's verdict for a registered exercise, or None
    (then the check runs here, as in self-study)."""
    ex, _problem = _lookup(exercise_id, fn)
    if ex is None or _registry().EXERCISES.get(ex.id) is not ex or not callable(fn) \
            or fn is ex.reference:
        return None
    from . import outofkernel

    try:
        return outofkernel.check_outside(ex, fn)
    except outofkernel.JudgeUnavailable:
        return None


def hint(exercise_id: str | Exercise) -> None:
    """Print the next hint for an exercise: the first call shows hint 1, the next hint 2, ..."""
    ex, problem = _lookup(exercise_id)
    if ex is None:
        print(_("hint: {problem}").format(problem=problem))
        return
    if not ex.hints:
        print(_("{id} has no hints. Re-read the formula in the cell above the exercise.")
              .format(id=ex.id))
        return
    shown = _hints_shown.get(ex.id, 0)
    k = min(shown + 1, len(ex.hints))
    _hints_shown[ex.id] = k
    if shown >= len(ex.hints):
        text = _("Hint {k} of {n}: {hint} (That was the last hint.)")
    else:
        text = _("Hint {k} of {n}: {hint}")
    print(text.format(k=k, n=len(ex.hints), hint=_(ex.hints[k - 1])))


def scoreboard(notebook: str | None = None) -> None:
    """Print the points of every exercise in ``notebook`` (e.g. ``"05_backprop_layers"``)
    checked in this session, with the total; exercises not checked yet count 0.
    Without a notebook: every notebook with a check so far."""
    print(SCOREBOARD.table(notebook))


def or_reference(exercise_id: str | Exercise, fn: Callable) -> Callable:
    """Return ``fn`` if it passes the checks of ``exercise_id``, else the reference version
    (with a one-line note), so that demos after an exercise work either way.

    Assign the result to a new name (``relu_backward_demo = or_reference(...)``), so that
    re-running the check cell still checks your own function.  Prints nothing when ``fn``
    passes; records nothing on the scoreboard.
    """
    ex, problem = _lookup(exercise_id)
    if ex is None:
        raise LookupError(_("or_reference: {problem}").format(problem=problem))
    if grade(ex, fn).passed:
        return fn
    print(_("(The cells below use backprop_lab's reference {id}, because yours has not "
            "passed its checks yet.)").format(id=ex.id))
    return ex.reference


def reset() -> None:
    """Forget every recorded result and hint shown (a fresh session)."""
    SCOREBOARD.clear()
    _hints_shown.clear()
