"""Judging on the trusted side: the limits of a graded notebook, the cases sent for one
exercise (drawn with a secret seed), and the verdict on the outcomes that come back.

``PendingCheck`` draws an exercise's cases with a seed from ``secrets``, encodes them
(``wire.encode_cases``) and, when the untrusted side answers (``collect.graded_calls``),
decodes the outcomes without ever building code from them, works out which inputs the
calls changed from the copies sent back, and judges with this process's own reference and
catalogue (``grader.judge`` with ``strict=True``).
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Optional

from ..i18n import _
from . import grader, wire
from .result import Result
from .runner import Outcome

_JUDGE_LOCK = threading.Lock()  # judging redirects stdout and sets warning filters


@dataclass
class Limits:
    """Limits of one graded notebook.

    timeout: seconds per cell.  total_seconds: wall time for the whole notebook (default:
    enough for every cell to use its timeout, at most 30 minutes).  cpu_seconds: CPU time
    of the child.  memory_mb: its address space.  file_mb: the largest file it may write.
    disk_mb, disk_files: what its folder may hold.  output_mb: raw output it may write
    to its standard streams.  time_factor: how much longer than ``Exercise.time_limit`` a
    graded call may take under the grader's watch (which slows Python calls down).
    grace_seconds: how long past a deadline the child gets to stop by itself (it reports
    the cell as timed out) before it is killed.
    """

    timeout: float = 60
    total_seconds: Optional[float] = None
    cpu_seconds: int = 900
    memory_mb: int = 4096
    file_mb: int = 64
    disk_mb: int = 256
    disk_files: int = 5000
    output_mb: int = 16
    open_files: int = 256
    time_factor: float = 3.0
    grace_seconds: float = 5.0
    user: Optional[str] = "nobody"


@dataclass
class SubmissionRun:
    """What running a notebook found: per-cell problems, per-exercise results."""

    cells: list = field(default_factory=list)   # [{"cell", "status", "error"}]
    results: dict = field(default_factory=dict)  # exercise id -> Result
    ran_as: str = ""
    seconds: float = 0.0


# --------------------------------------------------------------------------------------
# Cases out, outcomes in
# --------------------------------------------------------------------------------------
class PendingCheck:
    """The cases sent for one exercise, kept to judge the answer."""

    def __init__(self, ex, seed=None):
        self.ex = ex
        self.cases = grader.exercise_cases(ex, seed=secrets.randbits(63) if seed is None
                                           else seed)
        self.tree, self.arrays, self.trees = wire.encode_cases(self.cases)
        self.caught = []

    def message(self):
        """(message, arrays) sending the cases."""
        return {"event": "cases", "exercise": self.ex.id, "cases": self.tree}, self.arrays

    def judge(self, message, arrays) -> Result:
        """The Result of the outcomes the untrusted side sent (``collect.graded_calls``)."""
        try:
            outcomes = self._outcomes(message, arrays)
            left_out = {n for n in message.get("left_out", []) if isinstance(n, str)}
        except Exception:  # noqa: BLE001 - whatever the untrusted side sent
            return _unreadable(self.ex)
        try:
            with _JUDGE_LOCK:
                return grader.judge(self.ex, self.cases, outcomes, left_out, strict=True)
        except Exception as e:  # noqa: BLE001 - a bug of the grader, not of the notebook
            return Result(exercise=self.ex.id, notebook=self.ex.notebook, status="error",
                          points=0, max_points=self.ex.points, messages=[
                              _("the checker itself failed ({error_type}: {error}); this is "
                                "a bug in backprop_lab, please report it").format(
                                  error_type=type(e).__name__, error=e)])

    def _outcomes(self, message, arrays):
        results = message.get("results")
        if not isinstance(results, list) or len(results) > len(self.cases):
            raise wire.WireError("wrong number of outcomes")
        reached = [str(r) for r in list(message.get("reached", [])) + self.caught]
        names = grader._param_names(self.ex.reference)
        outcomes = []
        for i, item in enumerate(results):
            out = Outcome()
            error_type = item.get("error_type")
            if error_type is not None:
                out.error_type = str(error_type)[:200]
                out.error_text = str(item.get("error_text", ""))[:2000]
                name = item.get("missing_name")
                out.missing_name = str(name) if name is not None else None
            else:
                out.value = wire.decode(item.get("value"), arrays)
            out.timed_out = item.get("timed_out") is True
            if not out.timed_out and not out.error_type:
                out.mutated = tuple(self._mutated(i, item.get("after"), arrays, names))
            out.reached = tuple(dict.fromkeys(reached))
            outcomes.append(out)
        if not outcomes and reached:
            out = Outcome(error_type="ReferenceBlocked", error_text=reached[0],
                          reached=tuple(reached))
            outcomes.append(out)
        return outcomes

    def _mutated(self, i, after, arrays, names):
        """Names of the inputs of case i that the call changed, from their encoded copies
        after the call, compared with what was sent."""
        if after is None:
            return []
        sent_tree = self.trees[i]
        sent_args, sent_kwargs = sent_tree["items"]
        if not (isinstance(after, dict) and after.get("t") == "list"
                and len(after.get("items", [])) == 2):
            return [_("its inputs")]
        got_args, got_kwargs = after["items"]
        changed = []
        for k, (a, b) in enumerate(zip(sent_args["items"], got_args.get("items", []))):
            if not same_tree(a, self.arrays, b, arrays):
                changed.append(names[k] if k < len(names)
                               else _("argument {n}").format(n=k + 1))
        sent_kw = {_key(k): v for k, v in sent_kwargs["items"]}
        for k, v in got_kwargs.get("items", []):
            if _key(k) in sent_kw and not same_tree(sent_kw[_key(k)], self.arrays, v, arrays):
                changed.append(str(_key(k)))
        return changed


def _key(tree):
    return tree if isinstance(tree, (str, int, float, bool)) or tree is None else repr(tree)


def same_tree(a, arrays_a, b, arrays_b) -> bool:
    """Whether two encoded values are the same value (arrays compared element by element,
    NaN equal to NaN)."""
    import numpy as np

    if isinstance(a, dict) != isinstance(b, dict):
        return False
    if not isinstance(a, dict):
        if isinstance(a, list) or isinstance(b, list):
            return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                    and all(same_tree(x, arrays_a, y, arrays_b) for x, y in zip(a, b)))
        return type(a) is type(b) and (a == b or (a != a and b != b))
    if a.get("t") != b.get("t") or set(a) != set(b):
        return False
    for key in a:
        if key == "a":
            try:
                x, y = arrays_a[a["a"]], arrays_b[b["a"]]
            except (IndexError, TypeError):
                return False
            if x.shape != y.shape or x.dtype != y.dtype:
                return False
            if not np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"):
                return False
        elif not same_tree(a[key], arrays_a, b[key], arrays_b):
            return False
    return True


def _unreadable(ex):
    return Result(exercise=ex.id, notebook=ex.notebook, status="failed", points=0,
                  max_points=ex.points, messages=[
                      _("what your function returned could not be read by the grader")])


