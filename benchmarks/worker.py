"""One contestant in its own Python process, taking orders on stdin.

    python worker.py CONTESTANT TASK_JSON

Each contestant (backprop_lab, the PyTorch loop, Keras, the matmul peak) runs in a
process of its own, so only its own libraries are loaded there, and the thread pools of
one library (OpenBLAS, OpenMP, MKL), which keep spinning for a moment after each call,
never run beside another contestant's work: the runner in ``run.py`` asks one worker at a
time and pauses briefly between workers.

Protocol: after start-up the worker prints one JSON line with its versions and thread
counts.  Then each input line ``run N`` makes it train N times and print a JSON list of N
times in seconds; an empty line or end of input ends it.
"""
import json
import sys

import tasks


def load(name):
    if name == "backprop_lab":
        import contestant_backprop_lab as module
    elif name == "pytorch":
        import peers_torch as module
    elif name == "keras":
        import peers_keras as module
    elif name in ("matmul_peak", "matmul_peak_computed"):
        import matmul_peak as module
    else:  # pragma: no cover
        raise SystemExit(f"unknown contestant {name!r}")
    return module


def main():
    name, task_json = sys.argv[1], sys.argv[2]
    task = tasks.Task.from_json(task_json)
    module = load(name)
    if not module.available():
        print(json.dumps({"unavailable": True}), flush=True)
        return
    if name.startswith("matmul_peak"):
        run = module.make_runner(task, first_input_grad=name == "matmul_peak")
    else:
        x, y = tasks.make_data(task)
        run = module.make_runner(task, x, y)
    print(json.dumps(module.info()), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            break
        if words[0] == "run":
            print(json.dumps([run() for _ in range(int(words[1]))]), flush=True)


if __name__ == "__main__":
    main()
