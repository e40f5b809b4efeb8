"""``python -m backprop_lab make-notebooks`` and ``python -m backprop_lab execute``.

make-notebooks writes the student version of every ``solutions/*.ipynb`` into
``notebooks/`` (``--check``: exit 1 if it is out of date, and say what differs).
execute runs solution notebooks top to bottom in a fresh kernel and stores their outputs
and nbgrader metadata in place, reproducibly (seeded), for nbval to compare.
"""
import sys

from ..course.execute import execute_notebook
from ..course.notebooks import make_notebooks, stale_notebooks


def main(args):
    """``python -m backprop_lab make-notebooks [--solutions DIR] [--out DIR] [--check]``."""
    try:
        if args.check:
            problems = stale_notebooks(args.solutions, args.out)
            if problems:
                print(f"{args.out}/ is out of date:")
                for p in problems:
                    print(f"  {p}")
                print("Run: python -m backprop_lab make-notebooks")
                return 1
            print(f"{args.out}/ is up to date with {args.solutions}/.")
            return 0
        report = make_notebooks(args.solutions, args.out)
    except (OSError, ValueError) as e:
        print(f"make-notebooks: {e}", file=sys.stderr)
        return 1
    print(f"{args.out}/: {len(report['written'])} written, {len(report['unchanged'])} unchanged, "
          f"{len(report['removed'])} removed.")
    for name in report["written"]:
        print(f"  wrote {name}")
    for name in report["removed"]:
        print(f"  removed {name}")
    return 0


def execute_main(args):
    """``python -m backprop_lab execute PATH... [--timeout S]``."""
    for path in args.paths:
        execute_notebook(path, timeout=args.timeout)
        print(f"executed {path}")
    return 0
