"""The untrusted side of headless grading: a child process that runs one notebook.

Started by ``trusted.py`` as ``python -I -B -m backprop_lab.grading.sandbox R W``, in a
fresh temporary folder, with a scrubbed environment; R and W are the file descriptors of
the two pipes to the parent.  In order:

1. it reads its settings (the notebook's code cells, limits) from R;
2. lowers its resource limits, loads numpy and the package (the references included),
   and adds the audit hook of ``lockdown.py``, before any of the notebook's code runs;
3. runs the code cells one by one in an IPython shell, telling the parent when each
   starts and how it ended (a per-cell time limit; output beyond a cap ends the cell);
4. when a check cell calls ``check("<id>", fn)``, asks the parent for that exercise's
   cases (drawn by the parent with a seed never sent here) and calls ``fn`` on them under
   the grader's watch (``guard.Guard``), then sends back what each call returned, as
   data.  Nothing here compares, matches mistakes or counts points: the parent does.

Whatever this process says is treated by the parent as the word of the notebook's own
code, because that code runs here too and can change anything in this process.
"""
from __future__ import annotations

import os
import re
import signal
import sys

from ..i18n import _

PRELOADED = ("numpy.linalg", "numpy.random", "numpy.fft", "numpy.polynomial", "numpy.ma",
             "math", "cmath", "statistics", "itertools", "functools", "collections",
             "operator", "random", "fractions", "decimal", "copy", "numbers")


class CellTimeLimit(BaseException):
    """Raised in a cell that runs past its time limit."""


class OutputLimit(BaseException):
    """Raised in a cell that prints more than the output cap."""


class _BoundedWriter:
    """What ``sys.stdout`` and ``sys.stderr`` become in a cell: output is counted and
    thrown away; past ``cap`` characters the cell is stopped."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, cap):
        self.cap = cap
        self.count = 0

    def write(self, text):
        self.count += len(text)
        if self.count > self.cap:
            self.count = -(10 ** 12)  # raise once; the traceback's own output is free
            raise OutputLimit()
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        raise OSError("no file descriptor")


def _roots_and_hidden(workdir):
    """The folders a notebook may read, and the package's sources it may not."""
    import importlib.util

    import backprop_lab

    from . import guard

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr", "/lib", "/lib32", "/lib64",
             "/etc", "/dev", "/proc", "/sys", "/opt", "/bin", "/sbin",
             os.path.dirname(backprop_lab.__file__)}
    roots |= {p for p in sys.path if p and os.path.isabs(p) and os.path.isdir(p)}
    hidden = set()
    names = [guard.FUNCTIONAL, *guard.ENGINE_MODULES, "backprop_lab.exercises"]
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or not any(name == w or name.startswith(w + ".") for w in names):
            continue
        if getattr(module, "__path__", None) is not None:  # a package: all of its folder
            hidden.add(os.path.dirname(file))
        elif name.startswith("backprop_lab.exercises."):
            hidden.add(file)
            hidden.add(importlib.util.cache_from_source(file))
        else:
            hidden.add(file)
            hidden.add(importlib.util.cache_from_source(file))
    return sorted(roots - {workdir}), sorted(hidden)


def _shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Minimal"
    return InteractiveShell.instance(config=config)


_CELL_FILE = re.compile(r"\(<ipython-input-\d+-[0-9a-f]+>, line (\d+)\)|\(\S+\.py, line (\d+)\)")


def _error_text(exc):
    text = f"{type(exc).__name__}: {exc}"
    return _CELL_FILE.sub(lambda m: _("(line {line} of the cell)").format(
        line=m.group(1) or m.group(2)), text)[:500]


class _Agent:
    """Runs the cells and the graded calls; everything is sent over ``channel``."""

    def __init__(self, channel, settings):
        from .. import exercises
        from . import collect

        self.channel = channel
        self.settings = settings
        self.collect = collect
        self.current_cell = None
        self.graded = set()
        self.time_factor = float(settings.get("time_factor", 3.0))
        # what the graded calls need, taken before any of the notebook's code runs
        self.prepared = {ex_id: collect.snapshot(exercises.EXERCISES[ex_id])
                         for ex_id in settings.get("exercises", [])
                         if ex_id in exercises.EXERCISES}

    # -- cells --------------------------------------------------------------------------
    def run_cells(self, shell):
        timeout = float(self.settings.get("timeout", 60))
        cap = int(self.settings.get("output_cap", 10 * 2 ** 20))
        for cell in self.settings["cells"]:
            index = cell["index"]
            self.current_cell = index
            self.channel.send({"event": "start", "cell": index})
            status, error = self._run_one(shell, cell["source"], timeout, cap)
            self.current_cell = None
            self.channel.send({"event": "end", "cell": index, "status": status,
                               "error": error})
        self.channel.send({"event": "done"})

    def _run_one(self, shell, source, timeout, cap):
        writer = _BoundedWriter(cap)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = writer

        def on_alarm(signum, frame):
            raise CellTimeLimit()

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            result = shell.run_cell(source, store_history=True)
            error = result.error_before_exec or result.error_in_exec
        except BaseException as e:  # noqa: BLE001 - a limit hit outside the cell's code
            error = e
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            sys.stdout, sys.stderr = saved
        if error is None:
            return "ok", ""
        if isinstance(error, CellTimeLimit):
            return "timeout", _("the cell did not finish within {seconds} s").format(
                seconds=f"{timeout:g}")
        if isinstance(error, OutputLimit):
            return "output", _("the cell printed more than {count} characters").format(
                count=f"{cap:,}")
        return "error", _error_text(error)

    # -- checks -------------------------------------------------------------------------
    def on_check(self, exercise_id, fn):
        """What ``check`` does in the sandbox: the graded calls, once per exercise."""
        exercise_id = str(exercise_id)
        if exercise_id in self.graded:
            print(_("({id} was already graded at its check cell.)").format(id=exercise_id))
            return
        self.channel.send({"event": "check", "exercise": exercise_id,
                           "cell": self.current_cell})
        reply, arrays = self.channel.receive()
        if "cases" not in reply or exercise_id not in self.prepared:
            print(reply.get("skip", _("(not graded)")))
            return
        self.graded.add(exercise_id)

        def report(what):
            self.channel.send({"event": "caught", "exercise": exercise_id, "what": what})

        # the cell's own clock stops meanwhile: each graded call has its time limit
        remaining = signal.setitimer(signal.ITIMER_REAL, 0)[0]
        try:
            message, out_arrays = self.collect.graded_calls(
                self.prepared[exercise_id], fn, reply["cases"], arrays, report,
                self.time_factor, alone=True)
        finally:
            if remaining > 0:
                signal.setitimer(signal.ITIMER_REAL, remaining)
        self.channel.send(message, out_arrays)
        print(_("(recorded for grading)"))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    from .channel import Frames

    channel = Frames(int(argv[0]), int(argv[1]))
    settings, _arrays = channel.receive()
    from . import lockdown

    limits = settings.get("limits", {})
    lockdown.apply_limits(**limits)
    for name in PRELOADED:
        __import__(name)
    import numpy  # noqa: F401

    from .. import exercises  # noqa: F401 - the references, loaded before the notebook
    from . import guard, session

    guard.restricted()
    agent = _Agent(channel, settings)
    shell = _shell()
    workdir = os.getcwd()
    roots, hidden = _roots_and_hidden(workdir)
    from .collect import STEP_CODE

    lockdown.install(workdir, roots, hidden, STEP_CODE)
    session._SANDBOX["record"] = agent.on_check
    try:
        agent.run_cells(shell)
    except EOFError:
        return 3
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    return 0


if __name__ == "__main__":
    os._exit(main())
