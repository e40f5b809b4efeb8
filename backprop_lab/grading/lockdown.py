"""What a submitted notebook may do inside the sandbox: process limits and an audit hook.

``apply_limits`` sets the child's resource limits (CPU time, memory, file size, open files,
processes) with ``resource.setrlimit``; ``install`` adds a Python audit hook (PEP 578),
which no Python code can remove once added.  The hook refuses, with a ``PermissionError``
that names the rule:

* starting processes (fork, exec, subprocess, os.system, posix_spawn, pty);
* signalling any process but the notebook's own;
* network connections;
* writing, creating, renaming or deleting files outside the sandbox's own folder;
* reading files outside the Python installation and the sandbox (other submissions, the
  grader's reports, the course's solutions and tests), and reading the source files of
  the package's reference implementations;
* raw memory and foreign functions through ctypes (other than the libraries of the Python
  installation itself), walking the garbage collector's object lists, new audit hooks,
  raising resource limits;

and, while a graded call runs (the grader's watch, ``guard.Guard``, is the profile
function), also replacing the profile or trace function, making code objects and
replacing a function's code.

Everything the hook uses is captured when it is installed, as default arguments of a
function that nothing else refers to: a notebook that patches ``os.path`` or ``builtins``
afterwards does not change what the hook decides.  See ``trusted.py`` for what this does
and does not protect against.
"""
from __future__ import annotations

import os
import sys

try:
    import resource
except ImportError:  # not on Unix: only the audit hook and the parent's watchdog remain
    resource = None

_PROCESS_EVENTS = frozenset({
    "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.exec", "os.system",
    "subprocess.Popen", "pty.spawn", "os.startfile", "os.fwalk_fork"})
_NETWORK_EVENTS = frozenset({
    "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo", "urllib.Request",
    "webbrowser.open", "ftplib.connect", "smtplib.connect", "telnetlib.Telnet.open",
    "http.client.connect", "nntplib.connect", "imaplib.open", "poplib.connect"})
_ALWAYS_REFUSED = frozenset({
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys.addaudithook",
    "resource.setrlimit", "resource.prlimit", "ctypes.cdata", "ctypes.cdata/buffer",
    "ctypes.string_at", "ctypes.wstring_at", "ctypes.memmove", "ctypes.memset",
    "ctypes.addressof", "sys._current_frames", "sqlite3.enable_load_extension",
    "sqlite3.load_extension", "os.chroot"})
_DURING_CALLS = frozenset({"sys.setprofile", "sys.settrace", "code.__new__"})
# (event name, positions of the path arguments written to)
_WRITE_EVENTS = {
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1),
    "os.symlink": (0, 1), "os.link": (0, 1), "os.chmod": (0,), "os.chown": (0,),
    "os.truncate": (0,), "os.utime": (0,), "os.chflags": (0,), "os.lchflags": (0,),
    "os.setxattr": (0,), "os.removexattr": (0,), "shutil.rmtree": (0,), "shutil.move": (0, 1),
    "shutil.copyfile": (1,), "shutil.copytree": (1,), "shutil.copymode": (1,),
    "shutil.copystat": (1,), "shutil.chown": (0,), "shutil.unpack_archive": (1,),
    "shutil.make_archive": (0,), "os.mkfifo": (0,), "os.mknod": (0,)}
_READ_EVENTS = {"os.listdir": (0,), "os.scandir": (0,), "glob.glob": (0,), "os.chdir": (0,)}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def apply_limits(cpu_seconds=None, memory_bytes=None, file_bytes=None, open_files=256,
                 processes=None):
    """Lower this process's resource limits (soft and hard: a hard limit once lowered
    cannot be raised again without privileges).  None leaves a limit as it is.

    processes: for RLIMIT_NPROC, which Linux counts per user across the whole machine
    (threads included) and does not apply to root; the grader passes the user's current
    count plus a margin.
    """
    if resource is None:
        return
    wanted = [("RLIMIT_CPU", cpu_seconds, 5), ("RLIMIT_AS", memory_bytes, 0),
              ("RLIMIT_FSIZE", file_bytes, 0), ("RLIMIT_NOFILE", open_files, 0),
              ("RLIMIT_NPROC", processes, 0), ("RLIMIT_CORE", 0, 0)]
    for name, value, extra in wanted:
        kind = getattr(resource, name, None)
        if kind is None or value is None:
            continue
        soft, hard = resource.getrlimit(kind)
        value = int(value)
        new_hard = value + extra if hard == resource.RLIM_INFINITY else min(hard, value + extra)
        new_soft = min(value, new_hard)
        try:
            resource.setrlimit(kind, (new_soft, new_hard))
        except (ValueError, OSError):
            pass  # e.g. RLIMIT_AS below what is already mapped: keep what is there
    try:  # a write past RLIMIT_FSIZE fails with OSError instead of killing the process
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    except (ImportError, AttributeError, ValueError, OSError):
        pass


def _normalize(path, cwd):
    """An absolute path with '.', '..' and repeated separators removed (textually)."""
    if not path.startswith("/"):
        path = cwd + "/" + path
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def _under(path, roots):
    for root in roots:
        if path == root or path.startswith(root + "/") or root == "/":
            return True
    return False


def install(workdir, read_roots, hidden, step_code, own_pid=None):
    """Add the audit hook.  workdir: the only folder written to.  read_roots: folders
    (absolute, normalized) that may be read, besides ``workdir``.  hidden: files and
    folders that may not be read although they are under a read root (the reference
    implementations' sources).  step_code: the code object whose frame on the stack
    means a graded call is running (``collect.STEP_CODE``), which arms the stricter
    rules."""
    import pathlib
    import posix

    pure_path = pathlib.PurePath
    fspath_method = vars(pure_path)["__fspath__"]
    str_method = vars(pure_path)["__str__"]
    path_types = frozenset({pathlib.PosixPath, pathlib.PurePosixPath, pathlib.Path})
    hook = _make_hook(
        workdir=_normalize(os.fspath(workdir), posix.getcwd()),
        read_roots=tuple(sorted({_normalize(r, "/") for r in read_roots})),
        hidden=tuple(sorted({_normalize(h, "/") for h in hidden})),
        step_code=step_code, own_pid=own_pid or os.getpid(),
        getcwd=posix.getcwd, getframe=sys._getframe, getpgrp=os.getpgrp,
        fspath_method=fspath_method, str_method=str_method, path_types=path_types,
        pure_path_dict=vars(pure_path), sys_prefixes=(sys.prefix, sys.base_prefix,
                                                      sys.exec_prefix))
    sys.addaudithook(hook)


def _in_step(getframe, step_code):
    """Whether a frame running ``step_code`` is on this thread's stack."""
    frame = getframe(1)
    while frame is not None:
        if frame.f_code is step_code:
            return True
        frame = frame.f_back
    return False


def step_rules(step_code):
    """Only the rules of a graded call in progress, for a kernel the grader does not own
    (nbgrader's): no new profile or trace function, no new code objects, no replaced
    function code, while a graded call runs.  Idempotent per process."""
    if _STEP_RULES:
        return
    _STEP_RULES.append(True)
    in_step, getframe, perm = _in_step, sys._getframe, PermissionError
    during = _DURING_CALLS

    def hook(event, args):
        if event in during or (event == "object.__setattr__" and len(args) > 1
                               and args[1] == "__code__"):
            if in_step(getframe, step_code):
                raise perm(f"a graded function may not use {event}")

    sys.addaudithook(hook)


_STEP_RULES = []


def _make_hook(**c):  # noqa: C901 - a table of small rules, each one function
    """The audit hook, with everything it needs bound in its closure (nothing else refers
    to these functions) or as default arguments (builtins a notebook might replace)."""
    perm, typ, str_, bytes_, int_, len_, getattr_, any_ = (
        PermissionError, type, str, bytes, int, len, getattr, any)
    norm, under = _normalize, _under
    workdir, read_roots, hidden = (c["workdir"],), c["read_roots"], c["hidden"]
    getcwd, getframe, step_code = c["getcwd"], c["getframe"], c["step_code"]
    own_pid, getpgrp = c["own_pid"], c["getpgrp"]
    path_types, pp_dict = c["path_types"], c["pure_path_dict"]
    fspath_method, str_method = c["fspath_method"], c["str_method"]
    prefixes = tuple(norm(p, "/") for p in c["sys_prefixes"])

    def path_of(p):
        t = typ(p)
        if t is int_:
            return None  # an open file descriptor
        if t is bytes_:
            p = p.decode("utf-8", "surrogateescape")
        elif t in path_types:
            if (pp_dict.get("__fspath__") is not fspath_method
                    or pp_dict.get("__str__") is not str_method):
                raise perm("a graded notebook may not change how paths are read")
            p = str_method(p)
        elif t is not str_:
            raise perm("a graded notebook names files with str, bytes or pathlib paths only")
        return norm(p, getcwd())

    def check_write(p):
        path = path_of(p)
        if path is None or path == "/dev/null" or under(path, workdir):
            return
        raise perm(f"a graded notebook may write only inside its own folder, not to {path}")

    def check_read(p):
        path = path_of(p)
        if path is None:
            return
        if under(path, hidden):
            raise perm(f"a graded notebook may not read {path}")
        if not (under(path, workdir) or under(path, read_roots)):
            raise perm(f"a graded notebook may not read {path}")
        if path.startswith("/proc/"):
            first = path[6:].split("/", 1)[0]
            if first.isdigit() and int_(first) != own_pid:
                raise perm("a graded notebook may not look at other processes")

    def in_prefix(name):
        if typ(name) is bytes_:
            name = name.decode("utf-8", "surrogateescape")
        return typ(name) is str_ and name.startswith("/") and under(norm(name, "/"), prefixes)

    def in_call():
        return _in_step(getframe, step_code)

    def on_open(args):
        mode, flags = args[1], args[2]
        writing = (mode is not None and any_(ch in str_(mode) for ch in "wax+")) or (
            typ(flags) is int_ and flags & _WRITE_FLAGS)
        (check_write if writing else check_read)(args[0])

    def paths(positions, check):
        def handler(args):
            for i in positions:
                if i < len_(args) and args[i] is not None:
                    check(args[i])
        return handler

    def refuse(message):
        def handler(args):
            raise perm(message)
        return handler

    def on_kill(args):
        if args[0] in (0, own_pid):
            return
        raise perm("a graded notebook may signal only its own process")

    def on_killpg(args):
        if args[0] in (0, getpgrp()):
            return
        raise perm("a graded notebook may signal only its own process")

    def on_dlopen(args):
        if not in_prefix(args[0]):
            raise perm("a graded notebook may load only the libraries of its Python "
                       "installation")

    def on_dlsym(args):
        if not in_prefix(getattr_(args[0], "_name", None)):
            raise perm("a graded notebook may not call into the Python interpreter or the C "
                       "library through ctypes")

    def on_sqlite(args):
        if args[0] != ":memory:":
            check_write(args[0])

    def during_calls(event):
        def handler(args):
            if in_call():
                raise perm(f"a graded function may not use {event}")
        return handler

    def on_setattr(args):
        if len_(args) > 1 and args[1] == "__code__" and in_call():
            raise perm("a graded function may not replace a function's code")

    handlers = {"open": on_open, "os.kill": on_kill, "os.killpg": on_killpg,
                "ctypes.dlopen": on_dlopen, "ctypes.dlsym": on_dlsym,
                "ctypes.dlsym/handle": refuse("a graded notebook may not look up symbols "
                                              "through ctypes"),
                "sqlite3.connect": on_sqlite, "object.__setattr__": on_setattr}
    handlers.update({e: paths(pos, check_write) for e, pos in _WRITE_EVENTS.items()})
    handlers.update({e: paths(pos, check_read) for e, pos in _READ_EVENTS.items()})
    handlers.update({e: refuse("a graded notebook may not start other processes")
                     for e in _PROCESS_EVENTS})
    handlers.update({e: refuse("a graded notebook may not use the network")
                     for e in _NETWORK_EVENTS})
    handlers.update({e: refuse(f"a graded notebook may not use {e}") for e in _ALWAYS_REFUSED})
    handlers.update({e: during_calls(e) for e in _DURING_CALLS})
    lookup = handlers.get

    def hook(event, args):
        if event == "object.__getattr__" or event == "sys._getframe":
            return
        handler = lookup(event)
        if handler is not None:
            handler(args)

    return hook
