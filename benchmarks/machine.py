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
