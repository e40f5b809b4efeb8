"""``Result``: what one check found, and the verdict text a learner reads."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .spec import CASE_KINDS

STATUSES = ("passed", "failed", "not attempted", "error")


def _fmt_points(p):
    return f"{p:g}"


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
        head = f"{self.exercise} — {score} points"
        if not self.max_points:
            head = f"{self.exercise} — optional, not counted"
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
        elif not self.violation:
            lines.append(f'  Stuck? hint("{self.exercise}") gives a hint.')
        return "\n".join(lines)

    def __str__(self):
        return self.verdict()


def _error_result(exercise_id, message, ex=None):
    return Result(exercise=str(exercise_id), notebook=ex.notebook if ex else "",
                  status="error", points=0, max_points=ex.points if ex else 0,
                  messages=[message])
