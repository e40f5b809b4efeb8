"""The command line: ``python -m backprop_lab <command>`` (or ``backprop-lab <command>``).

Commands
    demo            run the seed article's Keras example on backprop_lab, with a held-out split
    doctor          check the environment for the course and say what to fix
    grade PATH      grade a notebook or a folder of notebooks headless, in a sandbox (JSON, and
                    CSV for a folder; --jobs N in parallel, --shard K/N for one slice)
    merge REPORT... combine the shard reports of `grade --shard` into one JSON and one CSV
    make-notebooks  regenerate the student notebooks in notebooks/ from solutions/ (and
                    notebooks/zh/ from solutions/zh/)
    execute PATH    run solution notebooks top to bottom and store their outputs (maintainers)
    translations    update, build and check the Chinese edition's catalogues (maintainers)

Each command is a module of this package with a ``main(args)`` returning the exit code.
"""
import argparse
import importlib
import os
import sys

_COMMANDS = {"demo": "demo", "doctor": "doctor", "grade": "grade", "merge": "merge",
             "make-notebooks": "make_notebooks", "execute": "make_notebooks",
             "translations": "translations"}


def _parser():
    p = argparse.ArgumentParser(prog="python -m backprop_lab", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="command")

    d = sub.add_parser("demo", help="run the seed example (random labels) with a held-out split")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    d.add_argument("--epochs", type=int, default=10)
    d.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])

    sub.add_parser("doctor", help="check Python, numpy, JupyterLab, ipywidgets, matplotlib")

    from .grade import add_parser as add_grade
    from .merge import add_parser as add_merge

    add_grade(sub)
    add_merge(sub)

    m = sub.add_parser("make-notebooks",
                       help="regenerate notebooks/ from solutions/ (and notebooks/zh/)")
    m.add_argument("--solutions", default="solutions")
    m.add_argument("--out", default="notebooks")
    m.add_argument("--check", action="store_true",
                   help="only report whether notebooks/ is up to date (exit 1 if stale)")

    e = sub.add_parser("execute", help="run solution notebooks and store their outputs in place")
    e.add_argument("paths", nargs="+", metavar="PATH")
    e.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")

    from .translations import add_parser as add_translations

    add_translations(sub)
    return p


def main(argv=None):
    """Parse ``argv`` (default: the process's arguments) and run the command; returns the
    exit code."""
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    module = importlib.import_module(f"{__name__}.{_COMMANDS[args.command]}")
    run = module.execute_main if args.command == "execute" else module.main
    return run(args)


def run_from_shell():
    """The console entry point: ``main()``, ending quietly when the output pipe closes."""
    try:
        return main()
    except BrokenPipeError:  # e.g. `python -m backprop_lab demo | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
