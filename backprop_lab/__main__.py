"""Command line: ``python -m backprop_lab <command>``.

Commands
    demo            run the seed article's Keras example on backprop_lab, with a held-out split
    doctor          check the environment for the course and say what to fix
    grade PATH      grade a notebook or a folder of notebooks headless (JSON, and CSV for a folder)
    make-notebooks  regenerate the student notebooks in notebooks/ from solutions/
"""
import argparse
import os
import sys


def _parser():
    p = argparse.ArgumentParser(prog="python -m backprop_lab", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="command")

    d = sub.add_parser("demo", help="run the seed example (random labels) with a held-out split")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    d.add_argument("--epochs", type=int, default=10)
    d.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])

    sub.add_parser("doctor", help="check Python, numpy, JupyterLab, ipywidgets, matplotlib")

    g = sub.add_parser("grade", help="grade a notebook or a folder of notebooks headless")
    g.add_argument("path", help="a .ipynb file or a folder of them")
    g.add_argument("--out", default=None,
                   help="folder for the reports (default: grades/ next to the input)")
    g.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell (default 60)")

    m = sub.add_parser("make-notebooks", help="regenerate notebooks/ from solutions/")
    m.add_argument("--solutions", default="solutions")
    m.add_argument("--out", default="notebooks")
    m.add_argument("--check", action="store_true",
                   help="only report whether notebooks/ is up to date (exit 1 if stale)")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from .demo import main as run
    elif args.command == "doctor":
        from .doctor import main as run
    elif args.command == "grade":
        from .course import grade_main as run
    elif args.command == "make-notebooks":
        from .course import make_notebooks_main as run
    else:
        _parser().print_help()
        return 2
    return run(args)


def _run_from_shell():
    try:
        return main()
    except BrokenPipeError:  # e.g. `python -m backprop_lab demo | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(_run_from_shell())
