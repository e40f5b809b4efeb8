"""Measurements that need a fresh Python process: import time and peak memory.

Each runs a short script in a new interpreter (the same one that runs the benchmark)
and reads one number it prints.
"""
import json
import statistics
import subprocess
import sys

_IMPORT = """
import json, sys, time
t0 = time.perf_counter()
import {module}
t = time.perf_counter() - t0
heavy = sorted(m for m in ("matplotlib", "ipywidgets", "IPython", "scipy", "pandas", "torch")
               if m in sys.modules)
print(json.dumps({{"seconds": t, "heavy": heavy, "modules": len(sys.modules)}}))
"""

# The seed article's example, with only its imports changed, run to its end (predict).
SEED_SCRIPT = """
import numpy as np
from backprop_lab.models import Sequential
from backprop_lab.layers import Dense
from backprop_lab.optimizers import SGD

X = np.random.random((1000, 20))
y = np.random.randint(2, size=(1000, 1))
model = Sequential()
model.add(Dense(10, activation="relu", input_dim=20))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.01),
              metrics=["accuracy"])
model.fit(X, y, epochs={epochs}, batch_size=32, verbose=0)
predictions = model.predict(X, verbose=0)
"""

_PEAK_RSS = """
import json, resource
{body}
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:  # Linux: this process image's own high-water mark (see peak_rss_mb)
    with open("/proc/self/status") as f:
        peak_kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(json.dumps({{"max_rss_kib": peak_kib}}))
"""


def _run(code, env=None, timeout=300):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=timeout, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"subprocess failed ({out.returncode}):\n{out.stderr[-2000:]}")
    last = out.stdout.strip().splitlines()[-1]
    return json.loads(last)


def import_time(module, repeats=7):
    """Median wall time (s) of ``import module`` in a fresh interpreter, with the list of
    heavy packages that the import pulled in.  One untimed run first warms the disk cache."""
    code = _IMPORT.format(module=module)
    _run(code)
    runs = [_run(code) for _ in range(repeats)]
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "all": [r["seconds"] for r in runs],
            "heavy": runs[-1]["heavy"], "modules": runs[-1]["modules"]}


def peak_rss_mb(body, repeats=3):
    """Median peak resident memory (MB, 10**6 bytes) of a fresh interpreter running ``body``.

    The peak is everything the interpreter, the imported libraries and the script held
    in memory at the worst moment.  It is read from ``resource.getrusage``'s ``ru_maxrss``,
    except on Linux, where ``VmHWM`` in /proc/self/status is used instead: Linux carries
    ``ru_maxrss`` across fork and exec, so a child started by a big parent would report at
    least the parent's size, while VmHWM belongs to the new program alone.
    """
    code = _PEAK_RSS.format(body=body)
    kib = [_run(code)["max_rss_kib"] for _ in range(repeats)]
    return statistics.median(kib) * 1024 / 1e6


def seed_peak_memory(epochs=10, repeats=3):
    """Peak RSS (MB) of the seed example, of a process that only imports numpy, and of
    a bare interpreter."""
    return {"seed_mb": peak_rss_mb(SEED_SCRIPT.format(epochs=epochs), repeats),
            "numpy_mb": peak_rss_mb("import numpy", repeats),
            "python_mb": peak_rss_mb("pass", repeats)}
