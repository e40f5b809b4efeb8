"""Describe the machine, the library versions and the thread counts of a run."""
import datetime
import os
import platform


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [f for f in ("avx2", "avx512f", "fma") if f in flags]
    except OSError:
        pass
    return []


def _memory_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return int(line.split()[1]) / 1024 ** 2
    except OSError:
        pass
    return None


def _load():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def blas_info():
    """numpy's BLAS as threadpoolctl sees it: library, version, kernel, threads."""
    try:
        import numpy  # noqa: F401 -- load the BLAS before asking
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    for pool in threadpool_info():
        if pool.get("user_api") == "blas" and "numpy" in pool.get("filepath", ""):
            return {k: pool.get(k) for k in ("internal_api", "version", "architecture",
                                              "num_threads", "threading_layer")}
    return None


def numpy_info():
    import numpy

    return {"numpy": numpy.__version__, "blas": blas_info()}


def describe(unset_env=None):
    """A dict describing the run; ``unset_env`` lists variables the launcher removed."""
    import numpy

    import backprop_lab

    info = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": _cpu_model(),
        "cpu_flags": _cpu_flags(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "backprop_lab": backprop_lab.__version__,
        "blas": blas_info(),
        "load_at_start": _load(),
        "unset_env": unset_env or [],
        "openblas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                    "MKL_NUM_THREADS")
                         if k in os.environ},
    }
    return info


def _cpu_times():
    """(busy, total) jiffies of all CPUs from /proc/stat, or None elsewhere."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user time
    return total - idle, total


def cpu_busy(interval=0.5):
    """Fraction of the whole machine's CPU time (0..1) used during the next ``interval``
    seconds, by anyone.  Called while the benchmark itself is idle, it measures the
    other processes.  None where /proc/stat does not exist."""
    import time

    before = _cpu_times()
    if before is None:
        return None
    time.sleep(interval)
    after = _cpu_times()
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


class QuietWaiter:
    """Before each timed round, wait (within a total budget) until other processes use
    less than ``threshold`` of the machine's CPU, so that fewer rounds share the cores.

    ``busy`` records the load seen just before each round (fractions of the machine).
    """

    def __init__(self, budget_s=300.0, threshold=0.2):
        self.budget = budget_s
        self.threshold = threshold
        self.busy = []
        self.waited = 0.0

    def wait(self):
        import time

        start = time.perf_counter()
        busy = cpu_busy()
        while busy is not None and busy > self.threshold and self.waited < self.budget:
            time.sleep(1.0)
            busy = cpu_busy()
            self.waited += time.perf_counter() - start
            start = time.perf_counter()
        if busy is not None:
            self.busy.append(busy)
