"""Headless grading of a whole class: notebooks per minute at 1 and 2 jobs, and what the
sandbox costs per notebook.

The class is generated from one course notebook (``05_backprop_layers`` unless told
otherwise): the solution, the student version, and solutions with a few exercises turned
back into stubs or into a catalogued mistake, in turn, ``size`` submissions in all.  Each
figure grades the whole class with ``backprop_lab.course.batch.grade_many``, as
``python -m backprop_lab grade DIR --jobs N`` does.

The sandbox's overhead per notebook is the time to grade a notebook in the sandbox minus
the time to run the same cells in a fresh Python process with the same IPython shell but
no sandbox, its check cells doing nothing (as in the sandbox, where they only hand the
function over): the difference is the limits, the audit hook, the watch, and the cases
sent, called and judged across processes.  For comparison, the row also gives the time
of running the notebook in a Jupyter kernel with nbclient and self-study checks, which is
what ``grade`` did before it had a sandbox.
"""
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_PLAIN_RUN = """
import json, os, sys
os.environ.setdefault("MPLBACKEND", "Agg")
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config
from backprop_lab.grading import session
session._SANDBOX["record"] = lambda exercise_id, fn: None
config = Config()
config.HistoryManager.enabled = False
shell = InteractiveShell.instance(config=config)
devnull = open(os.devnull, "w")
for source in json.loads(sys.stdin.read()):
    sys.stdout = sys.stderr = devnull
    shell.run_cell(source, store_history=True)
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
"""


def _variants(name):
    """Notebook makers: solution, student, and solutions with some exercises undone."""
    import nbformat

    from backprop_lab.exercises import by_notebook

    solution = nbformat.read(str(REPO / "solutions" / f"{name}.ipynb"), as_version=4)
    student = nbformat.read(str(REPO / "notebooks" / f"{name}.ipynb"), as_version=4)
    ids = [ex.id for ex in by_notebook(name)]

    def undone(k):
        nb = nbformat.from_dict(solution)
        for ex_id in ids[k::3]:
            for i, cell in enumerate(nb.cells):
                if cell.cell_type == "code" and f'check("{ex_id}"' in cell.source:
                    stub = nbformat.v4.new_code_cell(
                        f"def {ex_id}(*args, **kwargs):\n    raise NotImplementedError()")
                    stub["id"] = f"bench-stub-{ex_id}"
                    nb.cells.insert(i, stub)
                    break
        return nb

    return [lambda: solution, lambda: student, lambda: undone(0), lambda: undone(1)]


def make_class(folder, size, name):
    """Write ``size`` submissions of notebook ``name`` into ``folder``; returns paths."""
    import nbformat

    makers = _variants(name)
    paths = []
    for i in range(size):
        path = Path(folder) / f"student_{i:03d}.ipynb"
        nbformat.write(makers[i % len(makers)](), str(path))
        paths.append(path)
    return paths


def grade_class(paths, jobs, timeout=120):
    """Seconds to grade ``paths`` with ``jobs`` notebooks at a time."""
    from backprop_lab.course import batch

    t0 = time.perf_counter()
    reports = batch.grade_many(paths, jobs=jobs, timeout=timeout)
    seconds = time.perf_counter() - t0
    broken = [r["notebook"] for r in reports if r["max_points"] == 0]
    if broken:
        raise RuntimeError(f"notebooks that could not be graded: {broken}")
    return seconds


def plain_run(path):
    """Seconds to run a notebook's code cells in a fresh Python process, no sandbox (the
    cells sent as JSON, as the sandbox gets them)."""
    import json

    import nbformat

    from backprop_lab.grading import supervise

    nb = nbformat.read(str(path), as_version=4)
    sources = json.dumps([c.source for c in nb.cells
                          if c.cell_type == "code" and c.source.strip()])
    with tempfile.TemporaryDirectory(prefix="backprop_lab_plain_") as work:
        env = supervise.scrubbed_env(work)  # the same environment as the sandbox's
        for folder in ("tmp", ".config/matplotlib", ".cache", ".ipython"):
            Path(work, folder).mkdir(parents=True, exist_ok=True)
        for cache in supervise._font_caches():
            shutil.copy(cache, Path(work, ".config", "matplotlib"))
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-B", "-c", _PLAIN_RUN], input=sources,
                       text=True, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=600, cwd=work, env=env)
        return time.perf_counter() - t0


def kernel_run(path):
    """Seconds to run a notebook in a Jupyter kernel with nbclient (checks in the
    kernel): how ``grade`` ran notebooks before the sandbox."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    t0 = time.perf_counter()
    client.execute(stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def sandboxed_run(path):
    from backprop_lab.course import grade_notebook

    t0 = time.perf_counter()
    grade_notebook(path, timeout=120)
    return time.perf_counter() - t0


def measure(size=50, jobs=(1, 2), name="05_backprop_layers", overhead_repeats=5):
    """{"size", "notebook", "per_minute": {jobs: n/min}, "seconds": {jobs: s},
    "sandboxed_s", "plain_s", "overhead_s"} for a generated class."""
    from backprop_lab.grading import trusted

    trusted.preload()
    with tempfile.TemporaryDirectory(prefix="backprop_lab_class_") as folder:
        paths = make_class(folder, size, name)
        grade_class(paths[:1], 1)  # warm-up: caches, the sandbox user probe
        seconds = {j: grade_class(paths, j) for j in jobs}
        sample = paths[0]  # the solution: every cell and every check runs
        sandboxed, plain, kernel = [], [], []
        for _ in range(overhead_repeats):
            sandboxed.append(sandboxed_run(sample))
            plain.append(plain_run(sample))
            try:
                kernel.append(kernel_run(sample))
            except Exception:  # noqa: BLE001 - no Jupyter kernel here: that figure is left out
                pass
    s, p = statistics.median(sandboxed), statistics.median(plain)
    return {"size": size, "notebook": name, "seconds": seconds,
            "per_minute": {j: 60 * size / t for j, t in seconds.items()},
            "sandboxed_s": s, "plain_s": p, "overhead_s": s - p,
            "kernel_s": statistics.median(kernel) if kernel else None}


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    result = measure(size=6 if quick else 50, name="00_start_here" if quick
                     else "05_backprop_layers", overhead_repeats=1 if quick else 5)
    for j, rate in result["per_minute"].items():
        print(f"{j} job(s): {rate:.1f} notebooks/min ({result['seconds'][j]:.1f} s for "
              f"{result['size']})")
    print(f"sandbox overhead per notebook: {result['overhead_s']:.2f} s (sandboxed "
          f"{result['sandboxed_s']:.2f} s, plain {result['plain_s']:.2f} s, Jupyter kernel "
          f"with self-study checks {result['kernel_s'] or float('nan'):.2f} s)")
