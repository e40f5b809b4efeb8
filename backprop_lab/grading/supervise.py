"""The trusted side's watch over one sandboxed notebook (see ``trusted.py``).

``Supervisor.run`` makes the sandbox's folder and environment, starts the child, answers
its check requests, judges its answers, and kills it when it passes a deadline, writes
too much, fills its folder or sends something malformed.  It never blocks on the child:
reads and writes go through a selector with a deadline.
"""
from __future__ import annotations

import glob
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from ..i18n import _
from . import wire
from .channel import FrameParser
from .judging import PendingCheck, SubmissionRun
from .result import Result

START_UP = 120.0  # seconds allowed from start to the first cell
_USER_PROBES = {}  # user name -> (uid, gid) or None, probed once per process


def sandbox_user(name):
    """(uid, gid) to run the sandbox as, when this process is root and ``name`` exists
    and can run this Python with backprop_lab; else None (the sandbox runs as we do)."""
    if not name or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    if name not in _USER_PROBES:
        _USER_PROBES[name] = _probe(name)
    return _USER_PROBES[name]


def _probe(name):
    try:
        import pwd

        entry = pwd.getpwnam(name)
    except (ImportError, KeyError):
        return None
    ids = (entry.pw_uid, entry.pw_gid)
    try:
        proc = subprocess.run([sys.executable, "-I", "-B", "-c",
                               "import numpy, IPython, backprop_lab.grading.sandbox"],
                              user=ids[0], group=ids[1], extra_groups=[], cwd="/",
                              env={"PATH": os.defpath, "HOME": "/"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return ids if proc.returncode == 0 else None


def _user_process_count(uid):
    """Processes and threads of ``uid`` now (RLIMIT_NPROC counts them per user)."""
    count = 0
    for entry in glob.glob("/proc/[0-9]*/status"):
        try:
            with open(entry, encoding="ascii", errors="replace") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            if int(fields.get("Uid", "-1").split()[0]) == uid:
                count += int(fields.get("Threads", "1").strip())
        except (OSError, ValueError):
            continue
    return count


def _font_caches():
    """matplotlib's font list cache of this user, copied into every sandbox (building it
    from scratch costs about a second per notebook)."""
    folders = [os.environ.get("MPLCONFIGDIR"),
               os.path.join(os.environ.get("XDG_CACHE_HOME")
                            or os.path.expanduser("~/.cache"), "matplotlib")]
    found = []
    for folder in folders:
        if folder:
            found += glob.glob(os.path.join(folder, "fontlist-*.json"))
    return found[:4]


def scrubbed_env(workdir):
    """The child's whole environment: nothing of the grader's but the basics."""
    tmp = os.path.join(workdir, "tmp")
    return {
        "PATH": os.defpath, "HOME": workdir, "TMPDIR": tmp, "TMP": tmp, "TEMP": tmp,
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(workdir, ".config", "matplotlib"),
        "IPYTHONDIR": os.path.join(workdir, ".ipython"),
        "XDG_CACHE_HOME": os.path.join(workdir, ".cache"),
        "XDG_CONFIG_HOME": os.path.join(workdir, ".config"),
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "BACKPROP_LAB_LANG": os.environ.get("BACKPROP_LAB_LANG", "en"),
    }


def folder_usage(folder, max_entries):
    """(bytes, entries) under ``folder``, counting at most ``max_entries + 1`` entries."""
    total, entries = 0, 0
    stack = [folder]
    while stack and entries <= max_entries:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    entries += 1
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += st.st_blocks * 512 if hasattr(st, "st_blocks") else st.st_size
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return total, entries


class Supervisor:
    """Runs one notebook in the sandbox (``trusted.run_submission``)."""

    def __init__(self, cells, exercises, designated, limits):
        self.cells = [(int(i), str(src)) for i, src in cells]
        self.exercises = dict(exercises)
        self.designated = dict(designated)
        self.limits = limits
        self.run_info = SubmissionRun()
        self.problems = {}          # cell index -> {"cell", "status", "error"}
        self.started = set()        # cells that started
        self.current = None         # the cell running now
        self.pending = None         # the PendingCheck being answered
        self.done = False
        self.killed = None          # why we stopped the child, if we did
        self.output = 0
        self.tail = b""  # the last of the child's raw output: why it could not start
        self.deadline = time.monotonic() + START_UP
        self.cell_deadline = None
        total = limits.total_seconds or min(1800.0, limits.timeout * max(1, len(self.cells)))
        self.end_of_run = time.monotonic() + total + START_UP

    # -- set-up ---------------------------------------------------------------------------
    def run(self):
        t0 = time.monotonic()
        root = tempfile.mkdtemp(prefix="backprop_lab_sandbox_")
        try:
            workdir = self._prepare(root)
            self._start(workdir)
            try:
                self._loop(workdir)
            finally:
                self._stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
        self._finish()
        self.run_info.seconds = time.monotonic() - t0
        return self.run_info

    def _prepare(self, root):
        workdir = os.path.join(root, "work")
        for sub in ("", "tmp", ".config", os.path.join(".config", "matplotlib"), ".cache",
                    ".ipython"):
            os.makedirs(os.path.join(workdir, sub), exist_ok=True)
        for cache in _font_caches():
            try:
                shutil.copy(cache, os.path.join(workdir, ".config", "matplotlib"))
            except OSError:
                pass
        self.user = sandbox_user(self.limits.user)
        if self.user is not None:
            os.chmod(root, 0o711)
            for folder, dirs, files in os.walk(workdir):
                for name in [folder] + [os.path.join(folder, f) for f in dirs + files]:
                    os.chown(name, *self.user)
            self.run_info.ran_as = self.limits.user
        else:
            self.run_info.ran_as = _whoami()
        return workdir

    def _start(self, workdir):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        extra = {}
        if self.user is not None:
            extra = dict(user=self.user[0], group=self.user[1], extra_groups=[])
        processes = None
        if hasattr(os, "geteuid") and os.geteuid() != 0:
            processes = _user_process_count(os.geteuid()) + 256
        elif self.user is not None:
            processes = _user_process_count(self.user[0]) + 256
        settings = {
            "cells": [{"index": i, "source": src} for i, src in self.cells],
            "timeout": self.limits.timeout, "output_cap": 8 * 2 ** 20,
            "exercises": sorted(self.exercises), "time_factor": self.limits.time_factor,
            "limits": {"cpu_seconds": self.limits.cpu_seconds,
                       "memory_bytes": self.limits.memory_mb * 2 ** 20,
                       "file_bytes": self.limits.file_mb * 2 ** 20,
                       "open_files": self.limits.open_files, "processes": processes}}
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-B", "-m", "backprop_lab.grading.sandbox",
                 str(to_child_r), str(from_child_w)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                cwd=workdir, env=scrubbed_env(workdir), pass_fds=(to_child_r, from_child_w),
                start_new_session=True, close_fds=True, **extra)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.outbox = bytearray(wire.pack(settings))
        for fd in (self.from_child, self.to_child, self.proc.stdout.fileno()):
            os.set_blocking(fd, False)

    # -- the watch ------------------------------------------------------------------------
    def _loop(self, workdir):
        sel = selectors.DefaultSelector()
        sel.register(self.from_child, selectors.EVENT_READ, "frames")
        sel.register(self.proc.stdout.fileno(), selectors.EVENT_READ, "output")
        self._writing = False
        self._parser = FrameParser()
        self._open_streams = 2
        next_disk_check = time.monotonic() + 1.0
        while self._open_streams and self.killed is None:
            if self.outbox and not self._writing:
                sel.register(self.to_child, selectors.EVENT_WRITE, "write")
                self._writing = True
            wait = max(0.0, min(self.deadline, self.end_of_run, next_disk_check)
                       - time.monotonic())
            for key, _events in sel.select(wait):
                self._ready(sel, key)
            now = time.monotonic()
            if self.killed is None and now >= next_disk_check:
                next_disk_check = now + 1.0
                self._check_folder(workdir)
            if self.killed is None:
                self._check_deadlines(now)
        sel.close()

    def _ready(self, sel, key):
        if key.data == "write":
            if self._write():
                sel.unregister(self.to_child)
                self._writing = False
            return
        try:
            data = os.read(key.fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            sel.unregister(key.fd)
            self._open_streams -= 1
        elif key.data == "output":
            self.output += len(data)
            self.tail = (self.tail + data)[-2000:]
            if self.output > self.limits.output_mb * 2 ** 20:
                self._kill("output", _("the notebook wrote more than {mb} MB to its output "
                                       "streams").format(mb=self.limits.output_mb))
        else:
            try:
                for message, arrays in self._parser.feed(data):
                    self._handle(message, arrays)
            except Exception:  # noqa: BLE001 - whatever the untrusted side sent
                self._kill("error", _("the notebook's process sent the grader a message it "
                                      "could not read (was the grading channel tampered "
                                      "with?)"))

    def _check_deadlines(self, now):
        if now > self.deadline:
            self._kill_for_deadline()
        elif now > self.end_of_run:
            self._kill("timeout", _("the notebook did not finish within its total time "
                                    "limit"))

    def _check_folder(self, workdir):
        used, entries = folder_usage(workdir, self.limits.disk_files)
        if used > self.limits.disk_mb * 2 ** 20 or entries > self.limits.disk_files:
            self._kill("disk", _("the notebook filled its folder (more than {mb} MB or "
                                 "{files} files)").format(mb=self.limits.disk_mb,
                                                          files=self.limits.disk_files))

    def _write(self):
        try:
            n = os.write(self.to_child, self.outbox)
        except BlockingIOError:
            return False
        except OSError:
            self.outbox.clear()
            return True
        del self.outbox[:n]
        return not self.outbox

    def _send(self, message, arrays=()):
        self.outbox += wire.pack(message, arrays)

    def _kill_for_deadline(self):
        if self.pending is not None:
            self._kill("timeout", _("the graded calls of the check did not finish in time"))
        elif self.done:
            self._kill("done", "")
        elif self.current is None:
            self._kill("error", _("the notebook's process stopped answering between cells"))
        else:
            self._kill("timeout", _("the cell did not finish within {seconds} s and did not "
                                    "stop when asked: the grader stopped the notebook")
                       .format(seconds=f"{self.limits.timeout:g}"))

    def _kill(self, status, reason):
        self.killed = (status, reason)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=10 if self.done else 0.5)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        for fd in (self.from_child, self.to_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self.proc.stdout.close()

    # -- messages -------------------------------------------------------------------------
    def _handle(self, message, arrays):
        event = message.get("event")
        now = time.monotonic()
        grace = self.limits.grace_seconds  # then the child is killed (it stops itself first)
        if event == "start":
            cell = int(message["cell"])
            self.current = cell
            self.started.add(cell)
            self.cell_deadline = self.deadline = now + self.limits.timeout + grace
        elif event == "end":
            cell = int(message["cell"])
            status = str(message.get("status", "ok"))
            if status != "ok":
                self.problems[cell] = {"cell": cell, "status": status,
                                       "error": str(message.get("error", ""))[:500]}
            self.current = None
            self.deadline = now + self.limits.timeout + grace
        elif event == "check":
            self._on_check(message, now)
        elif event == "caught" and self.pending is not None:
            self.pending.caught.append(str(message.get("what"))[:300])
        elif event == "outcomes" and self.pending is not None:
            pending, self.pending = self.pending, None
            if message.get("exercise") == pending.ex.id:
                self.run_info.results[pending.ex.id] = pending.judge(message, arrays)
            self.deadline = max(self.cell_deadline or now, now + grace)
        elif event == "done":
            self.done = True
            self.deadline = now + 10.0

    def _on_check(self, message, now):
        ex_id = str(message.get("exercise"))
        cell = message.get("cell")
        ex = self.exercises.get(ex_id)
        if ex is None:
            self._send({"event": "skip", "skip": _("({id} is not graded in this notebook.)")
                        .format(id=ex_id)})
            return
        if ex_id in self.run_info.results or self.designated.get(ex_id) != cell:
            self._send({"event": "skip", "skip": _("(Only the check cell of {id} counts, "
                                                   "once.)").format(id=ex_id)})
            return
        try:
            self.pending = PendingCheck(ex)
        except wire.WireError as e:
            self.run_info.results[ex_id] = Result(
                exercise=ex.id, notebook=ex.notebook, status="error", points=0,
                max_points=ex.points, messages=[_("the grader cannot send this exercise's "
                                                  "cases ({error}); please report it")
                                                .format(error=e)])
            self._send({"event": "skip", "skip": _("(not graded: a problem of the grader)")})
            return
        self._send(*self.pending.message())
        budget = len(self.pending.cases) * ex.time_limit * self.limits.time_factor
        self.deadline = now + budget + 30.0

    # -- the report -----------------------------------------------------------------------
    def _finish(self):
        code = self.proc.returncode
        stopped = None
        if self.killed is not None and self.killed[0] != "done":
            stopped = self.killed
        elif not self.done:
            stopped = ("died", _ending(code, self.limits))
        if stopped is not None:
            status, reason = stopped
            if self.pending is not None:
                ex = self.pending.ex
                self.run_info.results[ex.id] = Result(
                    exercise=ex.id, notebook=ex.notebook, status="failed", points=0,
                    max_points=ex.points, messages=[
                        _("the notebook's process was stopped during the graded calls: "
                          "{reason}").format(reason=reason)])
            if self.current is not None:
                self.problems[self.current] = {"cell": self.current, "status": status,
                                               "error": reason}
            elif not self.started:
                first = self.cells[0][0] if self.cells else 0
                last_words = self.tail.decode("utf-8", "replace").strip().splitlines()[-3:]
                if last_words:
                    reason = _("{reason}; the sandbox said: {said}").format(
                        reason=reason, said=" | ".join(last_words))[:800]
                self.problems[first] = {"cell": first, "status": status,
                                        "error": _("the sandbox could not start: {reason}")
                                        .format(reason=reason)}
            for index, _source in self.cells:
                if index not in self.started and index not in self.problems:
                    self.problems[index] = {"cell": index, "status": "not run",
                                            "error": _("an earlier cell stopped the "
                                                       "notebook")}
        self.run_info.cells = [self.problems[i] for i in sorted(self.problems)]


def _ending(code, limits):
    """Why the child ended before the last cell, from its exit status."""
    if code is None:
        return _("the notebook's process stopped")
    if code < 0:
        sig = -code
        if sig == getattr(signal, "SIGXCPU", None):
            return _("the notebook used up its CPU time ({seconds} s)").format(
                seconds=limits.cpu_seconds)
        if sig == signal.SIGKILL:
            return _("the notebook's process was killed (SIGKILL: out of memory, or killed "
                     "from inside)")
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return _("the notebook's process ended by {signal}").format(signal=name)
    return _("the notebook's process exited in this cell (exit code {code}): os._exit, a "
             "crash, or a limit").format(code=code)


def _whoami():
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, AttributeError):
        return _("the grader's own user")
