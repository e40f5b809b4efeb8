"""Trusted grading: points decided outside the reach of the notebook being graded.

``run_submission`` runs a submitted notebook's code cells in a child process (see
``sandbox.py``) and grades its exercises itself:

* the child runs in a fresh temporary folder, with a scrubbed environment (no variable of
  the grader's, HOME and TMPDIR inside that folder), as the user ``nobody`` when the
  grader runs as root and that user can run this Python, under resource limits (CPU time,
  memory, file size, open files, processes) and an audit hook (``lockdown.py``);
* this process watches it: a deadline for every cell and every graded call, a cap on its
  raw output, a quota on its folder; past any of them the child is killed, the cell that
  was running is reported, and what did not run earns nothing;
* at each check cell the child asks for the exercise's cases; they are drawn here with a
  seed from ``secrets`` that the child never sees, and sent as JSON and npz; the child
  calls the learner's function on them and sends back what the calls returned, as data;
* the comparison with the reference, the matching of catalogued mistakes and the points
  (``grader.judge`` with ``strict=True``) happen here, with this process's own references.
  Nothing the child sends is executed or unpickled, and its file system cannot reach the
  reports this process writes.

The same judging (``judging.py``) serves nbgrader (``outofkernel.py``): there the
learner's kernel sends the outcomes to a judge process started with ``python -m
backprop_lab.grading.trusted judge``.

What this does and does not protect against, in short (the README's section for
instructors says it at length): the scores cannot be forged from the
notebook (they are computed here), the inputs cannot be known in advance (secret seed),
and the package's own implementation of the exercise is caught when it runs; a notebook
written against the sandbox's own internals (its file descriptors, its frames, the
grader's objects in its memory) can defeat the in-process watch, and copying the source
of a solution is plagiarism, which no grader that runs code can tell from work.
"""
from __future__ import annotations

import os
import sys
from typing import Optional

from ..i18n import _
from . import wire
from .judging import Limits, PendingCheck, SubmissionRun, same_tree

__all__ = ["Limits", "PendingCheck", "SubmissionRun", "judge_main", "preload",
           "run_submission", "same_tree"]

# --------------------------------------------------------------------------------------
# Running a notebook in the sandbox
# --------------------------------------------------------------------------------------
def preload() -> None:
    """Import everything the trusted side will need before any sandbox starts, so that a
    file a notebook managed to change on disk is never loaded into this process."""
    import csv  # noqa: F401
    import glob  # noqa: F401
    import selectors  # noqa: F401
    import subprocess  # noqa: F401
    import tempfile  # noqa: F401

    import nbformat  # noqa: F401

    from .. import exercises  # noqa: F401
    from . import compare, guard, supervise  # noqa: F401

    guard.restricted()


def run_submission(cells, exercises, designated, limits: Optional[Limits] = None
                   ) -> SubmissionRun:
    """Run a notebook's code cells in the sandbox and grade its exercises.

    cells: [(cell index, source)] of the code cells, in order.  exercises: {id: Exercise}
    this notebook is graded on.  designated: {id: index of its check cell}; a check call
    counts only from that cell, once.  Returns a ``SubmissionRun``: the cells that failed,
    timed out, were stopped or did not run, and a ``Result`` per exercise graded.
    """
    from .supervise import Supervisor

    return Supervisor(cells, exercises, designated, limits or Limits()).run()


def judge_main(stdin=None, stdout=None):
    """``python -m backprop_lab.grading.trusted judge``: the judge nbgrader's kernels talk
    to (see ``outofkernel.py``).  Frames on stdin/stdout: {"event": "check", "exercise"}
    gets the cases; the outcomes message gets {"result": ...}."""
    from dataclasses import asdict

    from .. import exercises
    from .channel import Frames

    frames = Frames(stdin if stdin is not None else sys.stdin.buffer.fileno(),
                    stdout if stdout is not None else sys.stdout.buffer.fileno())
    pending = None
    while True:
        try:
            message, arrays = frames.receive()
        except (EOFError, wire.WireError):
            return 0
        event = message.get("event")
        if event == "check":
            ex = exercises.EXERCISES.get(str(message.get("exercise")))
            if ex is None:
                frames.send({"event": "skip", "skip": _("unknown exercise")})
                continue
            try:
                pending = PendingCheck(ex)
            except wire.WireError as e:
                frames.send({"event": "skip", "skip": _("cannot send the cases: {error}")
                             .format(error=e)})
                pending = None
                continue
            frames.send(*pending.message())
        elif event == "caught" and pending is not None:
            pending.caught.append(str(message.get("what")))
        elif event == "outcomes" and pending is not None:
            result = pending.judge(message, arrays)
            frames.send({"event": "result", "result": _plain(asdict(result))})
            pending = None


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


if __name__ == "__main__":
    if sys.argv[1:2] == ["judge"]:
        os._exit(judge_main())
    print("usage: python -m backprop_lab.grading.trusted judge", file=sys.stderr)
    sys.exit(2)
