"""``python -m backprop_lab grade PATH [--out DIR] [--timeout S]``: grade headless."""
import json
import sys
from pathlib import Path

from ..course.headless import _one_line, _write_csv, grade_notebook
from ..course.notebooks import _notebook_files


def main(args):
    """``python -m backprop_lab grade PATH [--out DIR] [--timeout S]``.

    A notebook: writes ``DIR/<name>.json``.  A folder: one JSON per notebook and
    ``DIR/summary.csv`` (a row per notebook, a column per exercise, total, max_points).
    DIR defaults to ``grades/`` next to the input.  Always exits 0 once grading ran.
    """
    path = Path(args.path)
    if path.is_dir():
        notebooks = _notebook_files(path)
        out = Path(args.out) if args.out else path / "grades"
    elif path.suffix == ".ipynb" and path.is_file():
        notebooks = [path]
        out = Path(args.out) if args.out else path.parent / "grades"
    else:
        print(f"grade: {args.path!r} is neither a .ipynb file nor a folder.", file=sys.stderr)
        return 2
    if not notebooks:
        print(f"grade: no .ipynb files in {args.path!r}.", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    for nb_path in notebooks:
        report = grade_notebook(nb_path, timeout=args.timeout)
        reports.append(report)
        with open(out / f"{nb_path.stem}.json", "w", encoding="utf-8", newline="\n") as f:
            json.dump(report, f, indent=2, ensure_ascii=False)  # exercises in notebook order
            f.write("\n")
        print(_one_line(report))
    if path.is_dir():
        _write_csv(reports, out / "summary.csv")
        print(f"Reports and summary.csv in {out}")
    else:
        print(f"Report in {out / (notebooks[0].stem + '.json')}")
    return 0
