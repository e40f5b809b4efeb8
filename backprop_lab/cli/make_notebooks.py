"""``python -m backprop_lab make-notebooks`` and ``python -m backprop_lab execute``.

make-notebooks writes the student version of every ``solutions/*.ipynb`` into
``notebooks/``, and of every ``solutions/zh/*.ipynb`` (the Chinese edition) into
``notebooks/zh/`` (``--check``: exit 1 if either is out of date, or if ``solutions/zh/`` is
not what the English and the catalogues make, and say what differs).
execute runs solution notebooks top to bottom in a fresh kernel and stores their outputs
and nbgrader metadata in place, reproducibly (seeded), for nbval to compare.
"""
import sys

from ..course.edition import edition_dir, edition_problems, make_zh_notebooks, stale_zh_notebooks
from ..course.execute import execute_notebook
from ..course.notebooks import make_notebooks, stale_notebooks


def _stale(problems, heading, fix=None):
    """Print ``heading`` and the problems (and how to fix them); 1 if there are any."""
    if not problems:
        return 0
    print(heading)
    for p in problems:
        print(f"  {p}")
    if fix:
        print(fix)
    return 1


def _check(args):
    fix = "Run: python -m backprop_lab make-notebooks"
    code = _stale(stale_notebooks(args.solutions, args.out), f"{args.out}/ is out of date:", fix)
    if not code:
        print(f"{args.out}/ is up to date with {args.solutions}/.")
    zh_out, zh_solutions = edition_dir(args.out), edition_dir(args.solutions)
    zh_code = _stale(stale_zh_notebooks(args.solutions, args.out),
                     f"{zh_out}/ is out of date:", fix)
    if not zh_code and zh_solutions.is_dir():
        print(f"{zh_out}/ is up to date with {zh_solutions}/.")
    edition_code = _stale(edition_problems(args.solutions),
                          f"{zh_solutions}/ is out of date with {args.solutions}/ and its "
                          "catalogues:")
    return max(code, zh_code, edition_code)


def _print_report(folder, report):
    print(f"{folder}/: {len(report['written'])} written, {len(report['unchanged'])} unchanged, "
          f"{len(report['removed'])} removed.")
    for name in report["written"]:
        print(f"  wrote {name}")
    for name in report["removed"]:
        print(f"  removed {name}")


def main(args):
    """``python -m backprop_lab make-notebooks [--solutions DIR] [--out DIR] [--check]``."""
    try:
        if args.check:
            return _check(args)
        report = make_notebooks(args.solutions, args.out)
        zh_report = make_zh_notebooks(args.solutions, args.out)
    except (OSError, ValueError) as e:
        print(f"make-notebooks: {e}", file=sys.stderr)
        return 1
    _print_report(args.out, report)
    if zh_report is not None:
        _print_report(edition_dir(args.out), zh_report)
        stale = edition_problems(args.solutions)
        if stale:
            print(f"note: {edition_dir(args.solutions)}/ is out of date "
                  "(python -m backprop_lab make-notebooks --check says how)")
    return 0


def execute_main(args):
    """``python -m backprop_lab execute PATH... [--timeout S]``."""
    for path in args.paths:
        execute_notebook(path, timeout=args.timeout)
        print(f"executed {path}")
    return 0
