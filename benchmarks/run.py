"""Measure backprop_lab against its peers and print one table of figures and ratios.

    bash benchmarks/run.sh              # its own environment, PyTorch and Keras included
    python benchmarks/run.py [--quick]  # any environment with backprop_lab installed

Every ratio in the table comes from figures measured in this same run.  Contestants
that share a row run interleaved (one of each in turn, round after round) so that a
burst of load from elsewhere on the machine hits them alike, and each figure is the
median of its rounds, after one untimed warm-up run.  PyTorch and Keras are optional:
without them their rows say "not installed".
"""
import argparse
import datetime
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import course_timing
import grading_throughput
import machine
import processes
import tasks

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

NOT_INSTALLED = "not installed"
NOT_YET = "not available yet"

# Where a contestant's library is missing, its worker is not even started.
REQUIRES = {"backprop_lab": "backprop_lab", "pytorch": "torch", "keras": "keras",
            "matmul_peak": "numpy", "matmul_peak_computed": "numpy"}
SETTLE = 0.2  # seconds of quiet between two workers: spinning thread pools go idle


# --------------------------------------------------------------------------------------
# Workers and timing
# --------------------------------------------------------------------------------------
class Worker:
    """A contestant in its own process (see worker.py); ``run(n)`` returns n times."""

    def __init__(self, name, task):
        self.name = name
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), name, task.to_json()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=HERE)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(f"the {name} worker failed to start (see its error above)")
        self.info = json.loads(line)
        self.available = not self.info.pop("unavailable", False)

    def run(self, n=1):
        self.proc.stdin.write(f"run {n}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker stopped (see its error above)")
        return json.loads(line)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
        self.proc.wait(timeout=60)


def start_workers(names, task):
    """{name: Worker} for each contestant whose library is installed and usable."""
    workers = {}
    for name in names:
        if importlib.util.find_spec(REQUIRES[name]) is None:
            continue
        worker = Worker(name, task)
        if worker.available:
            workers[name] = worker
        else:
            worker.close()
    return workers


def interleave(workers, rounds, per_round=None, quiet=None):
    """One untimed warm-up run of each worker, then ``rounds`` rounds of each in turn.

    per_round: {name: runs per round} (default 1), for contestants quick enough to
    afford more samples.  quiet: a ``machine.QuietWaiter`` asked to wait for a quiet
    moment before each round.  Returns {name: [seconds, ...]}.
    """
    per_round = per_round or {}
    for worker in workers.values():
        worker.run(1)
        time.sleep(SETTLE)
    times = {name: [] for name in workers}
    for _ in range(rounds):
        if quiet is not None:
            quiet.wait()
        for name, worker in workers.items():
            times[name] += worker.run(per_round.get(name, 1))
            time.sleep(SETTLE)
    return times


def med(values):
    return statistics.median(values) if values else None


# --------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------
def fmt_time(seconds):
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} us"


def fmt_fit(seconds, steps):
    return f"{fmt_time(seconds)} ({fmt_time(seconds / steps)}/step)"


class Report:
    """Table rows, target verdicts and raw figures collected during a run."""

    def __init__(self):
        self.rows = []      # (measurement, backprop_lab, reference, ratio, target, result)
        self.targets = []   # (result, text)
        self.raw = {}
        self.info = {}      # versions and thread counts reported by the workers
        self.available = set()  # contestants that ran

    def note_workers(self, workers):
        for worker in workers.values():
            self.info.update(worker.info)
            self.available.add(worker.name)

    def row(self, measurement, ours, reference="", ratio="", target="", result=""):
        self.rows.append((measurement, ours, reference, ratio, target, result))

    def target(self, text, ratio_text, ok):
        """Record a target.  ok: True, False, or None when it cannot be measured."""
        result = "PASS" if ok else ("n/a" if ok is None else "FAIL")
        self.targets.append((result, f"{text}: {ratio_text}"))
        return result


# --------------------------------------------------------------------------------------
# The measurements
# --------------------------------------------------------------------------------------
def bench_seed(report, args):
    task = tasks.seed_task(epochs=args.seed_epochs)
    workers = start_workers(("backprop_lab", "pytorch", "keras"), task)
    try:
        times = interleave(workers, args.rounds, {"backprop_lab": 3}, args.quiet)
    finally:
        for worker in workers.values():
            worker.close()
    report.note_workers(workers)
    report.raw["seed"] = {"task": task.describe(), "steps": task.steps, "times": times}
    ours = med(times.get("backprop_lab"))
    ours_text = fmt_fit(ours, task.steps) if ours else NOT_YET
    title = f"Seed example `fit`, {task.steps} steps"
    for name, label, goal in (("pytorch", "PyTorch loop", 3), ("keras", "Keras 3 `fit`", 25)):
        peer = med(times.get(name))
        if peer is None:
            peer_text = NOT_INSTALLED
        else:
            peer_text = f"{label}: {fmt_fit(peer, task.steps)}"
        if ours and peer:
            ratio = peer / ours
            result = report.target(f"seed fit >= {goal}x faster than the {label}",
                                   f"{ratio:.1f}x", ratio >= goal)
            report.row(f"{title} vs {label}", ours_text, peer_text, f"{ratio:.1f}x faster",
                       f">= {goal}x", result)
        else:
            report.target(f"seed fit >= {goal}x faster than the {label}",
                          ours_text if not ours else peer_text, None)
            report.row(f"{title} vs {label}", ours_text, peer_text, "-", f">= {goal}x", "n/a")


def bench_large(report, args):
    task = tasks.large_task(samples=args.large_samples)
    workers = start_workers(("backprop_lab", "pytorch", "matmul_peak", "matmul_peak_computed"),
                            task)
    try:
        times = interleave(workers, args.large_rounds, quiet=args.quiet)
    finally:
        for worker in workers.values():
            worker.close()
    report.note_workers(workers)
    report.raw["large"] = {"task": task.describe(), "steps": task.steps, "flops": task.flops,
                           "flops_computed": task.flops_computed, "times": times}
    gflops = {name: task.flops / med(t) / 1e9 for name, t in times.items()}
    report.raw["large"]["gflops"] = gflops
    ours, peer = (med(times.get(k)) for k in ("backprop_lab", "pytorch"))
    peak_computed = med(times.get("matmul_peak_computed"))
    title = f"Large epoch ({task.samples}x{task.features}, {task.steps} steps)"

    def speed(name, seconds):
        return f"{fmt_fit(seconds, task.steps)}, {gflops[name]:.0f} GFLOP/s"

    ours_text = speed("backprop_lab", ours) if ours else NOT_YET
    if ours and peer:
        ratio = peer / ours
        result = report.target("large epoch no slower than the PyTorch loop",
                               f"{ratio:.2f}x", ratio >= 1.0)
        report.row(f"{title} vs PyTorch loop", ours_text, f"PyTorch loop: {speed('pytorch', peer)}",
                   f"{ratio:.2f}x faster", ">= 1.00x", result)
    else:
        report.target("large epoch no slower than the PyTorch loop",
                      NOT_INSTALLED if not peer else NOT_YET, None)
        report.row(f"{title} vs PyTorch loop", ours_text,
                   f"PyTorch loop: {speed('pytorch', peer)}" if peer else NOT_INSTALLED,
                   "-", ">= 1.00x", "n/a")
    peak_text = f"numpy float32 matmul peak, same shapes: {gflops['matmul_peak']:.0f} GFLOP/s"
    if ours:
        share = gflops["backprop_lab"] / gflops["matmul_peak"]
        result = report.target("large epoch >= 60% of the measured matmul peak",
                               f"{share:.0%}", share >= 0.60)
        report.row(f"{title} vs matmul peak", ours_text, peak_text, f"{share:.0%} of peak",
                   ">= 60%", result)
    else:
        report.target("large epoch >= 60% of the measured matmul peak", NOT_YET, None)
        report.row(f"{title} vs matmul peak", ours_text, peak_text, "-", ">= 60%", "n/a")
    # Neither trainer computes the first layer's input gradient, which the FLOP count
    # includes: the same comparison, counting only the products really computed.
    rate = task.flops_computed / peak_computed / 1e9
    computed = (f"the same, counting only the products computed (no input gradient for "
                f"the first layer): numpy matmul peak {rate:.0f} GFLOP/s")
    if ours:
        report.row(f"{title} vs matmul peak, work done",
                   f"{task.flops_computed / ours / 1e9:.0f} GFLOP/s", computed,
                   f"{peak_computed / ours:.0%} of peak")
    if peer:
        report.row("PyTorch loop, same epoch, against the same numpy peaks (for reference)",
                   "", speed("pytorch", peer),
                   f"{gflops['pytorch'] / gflops['matmul_peak']:.0%} of peak; work done: "
                   f"{peak_computed / peer:.0%}")


def bench_import(report, args):
    ours = processes.import_time("backprop_lab", args.import_repeats)
    numpy = processes.import_time("numpy", args.import_repeats)
    report.raw["import"] = {"backprop_lab": ours, "numpy": numpy}
    ratio = ours["seconds"] / numpy["seconds"]
    result = report.target("import backprop_lab <= 0.2 s",
                           f"{ours['seconds']:.3f} s ({ratio:.2f}x import numpy)",
                           ours["seconds"] <= 0.2)
    heavy = f"; pulls in {', '.join(ours['heavy'])}" if ours["heavy"] else ""
    report.row("`import backprop_lab` (fresh interpreter)" + heavy,
               fmt_time(ours["seconds"]), f"`import numpy`: {fmt_time(numpy['seconds'])}",
               f"{ratio:.2f}x numpy", "<= 0.2 s", result)


def bench_memory(report, args):
    if "backprop_lab" not in report.available:
        report.target("seed example peak memory <= 60 MB", NOT_YET, None)
        report.row("Seed example peak memory (RSS)", NOT_YET, "", "", "<= 60 MB", "n/a")
        return
    mem = processes.seed_peak_memory(epochs=args.seed_epochs, repeats=args.memory_repeats)
    report.raw["memory"] = mem
    result = report.target("seed example peak memory <= 60 MB", f"{mem['seed_mb']:.1f} MB",
                           mem["seed_mb"] <= 60)
    report.row("Seed example peak memory (RSS, whole process)", f"{mem['seed_mb']:.1f} MB",
               f"`import numpy` alone: {mem['numpy_mb']:.1f} MB; bare Python: "
               f"{mem['python_mb']:.1f} MB",
               f"+{mem['seed_mb'] - mem['numpy_mb']:.1f} MB over numpy", "<= 60 MB", result)


def bench_course(report, args):
    folder = args.notebooks
    if folder is None:
        report.row("Solution notebooks", "skipped (--no-notebooks, or --quick without "
                   "--notebooks)")
    else:
        rows = course_timing.notebook_times(folder)
        report.raw["notebooks"] = rows
        if rows is None:
            report.row("Solution notebooks", "nbclient " + NOT_INSTALLED)
        elif not rows:
            report.row("Solution notebooks", NOT_YET)
        for name, value in rows or []:
            text = fmt_time(value) if isinstance(value, float) else value
            label = (f"Run notebook `{name}`" if not name.startswith("(")
                     else "Kernel start-up alone (a one-cell notebook)")
            report.row(label, text)
    latency = course_timing.widget_latency(repeats=args.widget_repeats)
    report.raw["widget_latency"] = latency
    report.row("Learning-rate widget: update latency (median)",
               fmt_time(latency) if latency is not None else NOT_YET)
    # --quick skips it: the browser test runs the same measurement on every test run
    browser = ("--quick" if args.quick else
               course_timing.browser_widget_latency(steps=args.browser_steps))
    report.raw["browser_widget_latency"] = browser
    if isinstance(browser, str):
        report.row("Learning-rate widget in a real browser: slider step to new picture",
                   f"skipped ({browser})")
    else:
        split = ", ".join(f"{k} {v:.0f} ms" for k, v in browser["kernel_ms"].items())
        result = report.target("slider step in a real browser: 95th percentile <= 100 ms",
                               f"{browser['p95_ms']:.0f} ms", browser["p95_ms"] <= 100)
        report.row("Learning-rate widget in a real browser: slider step to new picture "
                   f"({len(browser['times_ms'])} steps)",
                   f"p95 {browser['p95_ms']:.0f} ms", f"median {browser['median_ms']:.0f} ms, "
                   f"max {browser['max_ms']:.0f} ms; in the kernel: {split}", "",
                   "p95 <= 100 ms", result)


def bench_grading(report, args):
    """Headless grading of a generated class: notebooks per minute at 1 and 2 jobs, and
    the sandbox's overhead per notebook."""
    try:
        import nbformat  # noqa: F401 - the course extra

        result = grading_throughput.measure(size=args.grading_size,
                                            name=args.grading_notebook,
                                            overhead_repeats=args.grading_repeats)
    except ImportError:
        report.row("Headless grading (sandboxed)", "nbformat " + NOT_INSTALLED)
        return
    report.raw["grading"] = result
    rates = result["per_minute"]
    what = f"{result['size']} submissions of `{result['notebook']}`"
    report.row(f"Headless grading, 1 job: {what}", f"{rates[1]:.1f} notebooks/min",
               f"{fmt_time(result['seconds'][1])} for the class")
    report.row(f"Headless grading, 2 jobs: {what}", f"{rates[2]:.1f} notebooks/min",
               f"{fmt_time(result['seconds'][2])} for the class",
               f"{rates[2] / rates[1]:.2f}x of 1 job")
    report.row("Sandbox overhead per notebook (grading minus running the same cells in a "
               "fresh process)", fmt_time(result["overhead_s"]),
               f"sandboxed {fmt_time(result['sandboxed_s'])}, plain "
               f"{fmt_time(result['plain_s'])}; in a Jupyter kernel with self-study checks "
               f"(grading before the sandbox): {fmt_time(result['kernel_s'])}")


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------
def _threads(n):
    return f"{n} thread" + ("" if n == 1 else "s")


def markdown(report, info):
    lines = ["| Measurement | backprop_lab | Reference (same run) | Ratio | Target | Result |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in report.rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    blas = info.get("blas") or {}
    blas_text = (f"{blas.get('internal_api')} {blas.get('version')}, kernel "
                 f"{blas.get('architecture')}, {_threads(blas.get('num_threads'))}"
                 if blas else "threadpoolctl " + NOT_INSTALLED)
    torch_text = (f"{info['torch']}, {_threads(info['torch_threads'])} "
                  f"(torch.get_num_threads())" if info.get("torch") else NOT_INSTALLED)
    keras_text = (f"{info['keras']} ({info['keras_backend']} backend)"
                  if info.get("keras") else NOT_INSTALLED)
    lines += [
        "",
        f"- Date: {info['date']}",
        f"- Machine: {info['cpu']} ({', '.join(info['cpu_flags'])}), {info['cores']} cores, "
        f"{info['memory_gib']:.0f} GiB, {info['os']}; load average before the run "
        f"{info['load_at_start']:.2f}",
        f"- Python {info['python']}; backprop_lab {info['backprop_lab']}; numpy "
        f"{info['numpy']} (BLAS: {blas_text})",
        f"- PyTorch: {torch_text}; Keras: {keras_text}",
    ]
    if info.get("busy_before_rounds"):
        shares = sorted(info["busy_before_rounds"])
        lines.append(f"- CPU used by other processes just before each timed round: median "
                     f"{statistics.median(shares):.0%}, at most {shares[-1]:.0%} of the machine "
                     f"(waited {info['waited_for_quiet_s']:.0f} s in all for quieter moments)")
    shares = info.get("busy_before_rounds") or []
    if shares:
        busy = statistics.median(shares)
    else:  # no measurement before the rounds: the load average before the run
        busy = (info["load_at_start"] or 0) / (info["cores"] or 1)
    if busy > 0.25:
        lines.append(f"- Warning: other processes kept the machine busy ({busy:.0%} of its CPU "
                     "before a typical round): these figures are less reliable than usual")
    if info["unset_env"]:
        lines.append(f"- Removed from the benchmark's environment: {', '.join(info['unset_env'])}")
    if info["openblas_env"]:
        lines.append("- Set in the environment: " +
                     ", ".join(f"{k}={v}" for k, v in info["openblas_env"].items()))
    lines.append(f"- Command: `{info['command']}`; medians of {info['rounds']} interleaved rounds "
                 "after a warm-up run")
    return "\n".join(lines) + "\n"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes and one round: checks the harness runs, measures nothing")
    p.add_argument("--notebooks", type=Path, default=None,
                   help="folder of notebooks to time (default: solutions/; none with --quick)")
    p.add_argument("--no-notebooks", action="store_true", help="skip the notebook rows")
    p.add_argument("--out", type=Path, default=HERE / "results",
                   help="folder for the raw results (JSON and Markdown of this run)")
    p.add_argument("--markdown", type=Path, default=None,
                   help="also write the table to this file (e.g. benchmarks/results.md)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (seed)")
    p.add_argument("--threads", type=int, default=None,
                   help="threads for numpy's BLAS and for PyTorch (default: each library's own "
                        "default, one per core)")
    p.add_argument("--wait-quiet", type=float, default=None, metavar="SECONDS",
                   help="before each timed round wait for other processes to use under 20%% "
                        "of the CPU, up to SECONDS in all (default 300; 0 with --quick)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = p.parse_args(argv)
    quick = args.quick
    args.rounds = args.rounds or (1 if quick else 7)
    args.large_rounds = 1 if quick else max(3, args.rounds - 2)
    args.seed_epochs = 1 if quick else 10
    args.large_samples = 1024 if quick else 60000
    args.import_repeats = 1 if quick else 9
    args.memory_repeats = 1 if quick else 3
    args.widget_repeats = 3 if quick else 20
    args.browser_steps = 40
    args.grading_size = 2 if quick else 50
    args.grading_notebook = "00_start_here" if quick else "05_backprop_layers"
    args.grading_repeats = 1 if quick else 5
    if args.wait_quiet is None:
        args.wait_quiet = 0 if quick else 300
    args.quiet = machine.QuietWaiter(args.wait_quiet) if args.wait_quiet > 0 else None
    if args.no_notebooks:
        args.notebooks = None
    elif args.notebooks is None and not quick:
        args.notebooks = REPO / "solutions"
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.threads:  # read by OpenBLAS, OpenMP and MKL when a worker process starts
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.threads)
    unset = [v for v in os.environ.get("BENCH_UNSET_ENV", "").split() if v]
    info = machine.describe(unset)
    given = sys.argv[1:] if argv is None else argv
    info.update(rounds=args.rounds, command="python benchmarks/run.py " + " ".join(given))
    if os.environ.get("BENCH_COMMAND"):
        info["command"] = os.environ["BENCH_COMMAND"]
    print(f"backprop_lab benchmarks, {info['date']}: {info['cpu']}, {info['cores']} cores",
          flush=True)
    report = Report()
    for step in (bench_seed, bench_large, bench_import, bench_memory, bench_course,
                 bench_grading):
        print(f"  running {step.__name__[6:]} ...", flush=True)
        step(report, args)
    info["load_at_end"] = machine._load()
    if args.quiet is not None and args.quiet.busy:
        info["busy_before_rounds"] = args.quiet.busy
        info["waited_for_quiet_s"] = round(args.quiet.waited, 1)
    info.update(report.info)
    text = markdown(report, info)
    print()
    print(text)
    print("Targets:")
    for result, line in report.targets:
        print(f"  {result:4}  {line}")
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (args.out / f"{stamp}.md").write_text(text)
    (args.out / f"{stamp}.json").write_text(json.dumps(
        {"info": info, "rows": report.rows, "targets": report.targets, "raw": report.raw},
        indent=1, default=str))
    if args.markdown:
        args.markdown.write_text(text)
        print(f"\nTable written to {args.markdown}")
    failed = any(result == "FAIL" for result, _ in report.targets)
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
