"""``Result``: what one check found, and the verdict text a learner reads."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..i18n import _, ngettext, pgettext
from .spec import CASE_KINDS

STATUSES = ("passed", "failed", "not attempted", "error")


def _fmt_points(p):
    return f"{p:g}"


def kind_word(kind):
    """How a verdict names a kind of case (``spec.CASE_KINDS``), in the current language."""
    if kind == "fixed":
        return pgettext("case kind", "fixed")
    if kind == "random":
        return pgettext("case kind", "random")
    if kind == "edge":
        return pgettext("case kind", "edge")
    return kind


def _kind_list(kinds):
    """"fixed", "fixed and edge", "fixed, random and edge" (in the current language)."""
    words = [kind_word(k) for k in kinds]
    if len(words) == 1:
        return words[0]
    if len(words) == 2:
        return _("{first} and {second}").format(first=words[0], second=words[1])
    return _("{first}, {second} and {third}").format(first=words[0], second=words[1],
                                                    third=words[2])


@dataclass
class Result:
    """What one check found.

    status: 'passed', 'failed', 'not attempted' or 'error' (the check itself could not run).
    messages: one line per failing case shown (the verdict prints at most a few).
    mistake: name of the catalogued mistake the output matched, or None.
    warnings: lines shown after the verdict (a self-study check that used the package's
        own implementation).  violation: what a trusted grading caught the function
        reaching (then the exercise scores 0), or None.
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
    warnings: list = field(default_factory=list)
    violation: Optional[str] = None

    @property
    def passed(self):
        return self.status == "passed"

    def to_dict(self) -> dict:
        """A JSON-ready dict (this is what the grade log stores)."""
        return {
            "exercise": self.exercise, "notebook": self.notebook, "status": self.status,
            "points": self.points, "max_points": self.max_points,
            "checks_passed": self.checks_passed, "checks_total": self.checks_total,
            "messages": list(self.messages), "mistake": self.mistake, "hint": self.hint,
            "warnings": list(self.warnings), "violation": self.violation,
        }

    def verdict(self) -> str:
        """The text ``check`` prints: a headline, failing cases, a hint, and warnings."""
        text = self._verdict()
        if self.warnings:
            text += "\n" + "\n".join(f"  {w}" for w in self.warnings)
        return text

    def _verdict(self):
        score = f"{_fmt_points(self.points)}/{_fmt_points(self.max_points)}"
        head = _("{exercise} — {score} points").format(exercise=self.exercise, score=score)
        if not self.max_points:
            head = _("{exercise} — optional, not counted").format(exercise=self.exercise)
        if self.status == "passed":
            kinds = [k for k in CASE_KINDS if k in self.case_kinds]
            which = ""
            if kinds:
                which = _(" ({kinds} cases)").format(kinds=_kind_list(kinds))
            return _("{head}: all {total} checks passed{which}.").format(
                head=head, total=self.checks_total, which=which)
        if self.status == "not attempted":
            return _("{head}: not attempted yet (the function still raises "
                     "NotImplementedError).\n  Write your code in place of "
                     "`raise NotImplementedError()` and run the cell again.").format(head=head)
        if self.status == "error":
            return _("{exercise} — not checked: {problem}").format(
                exercise=self.exercise, problem="\n  ".join(self.messages))
        if self.checks_total == 0:  # the checks could not start, e.g. fn is not a function
            return _("{head}: {problem}").format(head=head, problem="\n  ".join(self.messages))
        lines = [_("{head}: {passed} of {total} checks passed.").format(
            head=head, passed=self.checks_passed, total=self.checks_total)]
        lines += [f"  ✗ {m}" for m in self.messages]
        if self.more_failures:
            lines.append(ngettext("  … and {count} more failing check.",
                                  "  … and {count} more failing checks.",
                                  self.more_failures).format(count=self.more_failures))
        if self.not_run:
            lines.append(ngettext("  … {count} more check was not run after the time-out.",
                                  "  … {count} more checks were not run after the time-out.",
                                  self.not_run).format(count=self.not_run))
        if self.hint:
            lines.append(_("  Hint: {hint}").format(hint=_(self.hint)))
        elif not self.violation:
            lines.append(_('  Stuck? hint("{exercise}") gives a hint.').format(
                exercise=self.exercise))
        return "\n".join(lines)

    def __str__(self):
        return self.verdict()


def _error_result(exercise_id, message, ex=None):
    return Result(exercise=str(exercise_id), notebook=ex.notebook if ex else "",
                  status="error", points=0, max_points=ex.points if ex else 0,
                  messages=[message])
