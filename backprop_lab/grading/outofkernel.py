"""Checks under nbgrader, judged outside the notebook's kernel where nbgrader allows it.

nbgrader's autograder runs the submitted notebook in its own kernel and gives a grade
cell its points when the cell does not raise.  Under ``NBGRADER_EXECUTION``, ``check``
therefore asks a judge process (``python -m backprop_lab.grading.trusted judge``, started
once per kernel) for the exercise's cases, drawn there with a secret seed; calls the
learner's function on them in this kernel, under the grader's watch; and sends the
outcomes back.  The judge compares them with its own reference, matches the catalogued
mistakes and returns the verdict, which ``check`` prints or raises.

What this protects: the verdict no longer depends on anything the notebook can change in
its kernel between its cells and the check (a patched reference, ``np.allclose``, the
registry, the known inputs of self-study checks), and a function that calls the package's
own implementation fails.  What it cannot protect: the raise itself happens in the
kernel, so a notebook that replaces ``check`` (or whatever turns a failure into an error)
before the check cell runs still gets nbgrader's points.  ``python -m backprop_lab grade``
does not have that hole: there the kernel never decides anything.
"""
from __future__ import annotations

import os
import subprocess
import sys

from .. import config
from . import collect, lockdown, wire
from .channel import Frames
from .result import Result

_JUDGE = []  # [(Popen, Frames)] of this process's judge


class JudgeUnavailable(RuntimeError):
    """The judge process could not be started or stopped answering."""


def _judge():
    if _JUDGE and _JUDGE[0][0].poll() is None:
        return _JUDGE[0][1]
    _JUDGE.clear()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-B", "-m", "backprop_lab.grading.trusted", "judge"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={"PATH": os.defpath, "PYTHONHASHSEED": "0",
                 "BACKPROP_LAB_LANG": config.language()},  # the verdict's language
            close_fds=True)
    except OSError as e:
        raise JudgeUnavailable(str(e)) from None
    frames = Frames(proc.stdout.fileno(), proc.stdin.fileno())
    _JUDGE.append((proc, frames))
    return frames


def _result(data):
    fields = dict(data)
    fields["case_kinds"] = tuple(fields.get("case_kinds") or ())
    return Result(**fields)


def check_outside(ex, fn) -> Result:
    """The verdict of the judge process on ``fn`` for the registered exercise ``ex``.
    Raises ``JudgeUnavailable`` when there is no judge to ask."""
    frames = _judge()
    try:
        frames.send({"event": "check", "exercise": ex.id})
        reply, arrays = frames.receive()
        if reply.get("event") != "cases":
            raise JudgeUnavailable(str(reply.get("skip", "the judge sent no cases")))
        lockdown.step_rules(collect.STEP_CODE)

        def report(what):
            frames.send({"event": "caught", "exercise": ex.id, "what": what})

        message, out = collect.graded_calls(collect.snapshot(ex), fn, reply["cases"], arrays,
                                            report)
        frames.send(message, out)
        reply, _ = frames.receive()
        return _result(reply["result"])
    except (EOFError, OSError, wire.WireError, KeyError, TypeError) as e:
        _JUDGE.clear()
        raise JudgeUnavailable(f"{type(e).__name__}: {e}") from None


def stop_judge() -> None:
    """End this process's judge (it also ends with the kernel)."""
    while _JUDGE:
        proc, _ = _JUDGE.pop()
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
