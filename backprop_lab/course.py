"""Course tooling: student notebooks from solutions, nbgrader metadata, headless grading.

Notebook authors
    ``COLAB_INSTALL_SOURCE`` (or ``colab_install_cell()``) is the first code cell of every
    notebook.  Solution code goes between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
    (hidden test code between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``);
    each ``check("<exercise id>", ...)`` call goes in a cell of its own.

Maintainers
    ``python -m backprop_lab make-notebooks``        regenerate notebooks/ from solutions/
    ``python -m backprop_lab make-notebooks --check`` exit 1 if notebooks/ is stale
    ``python -m backprop_lab.course execute solutions/NAME.ipynb``
        run a solution notebook top to bottom and store its outputs (and nbgrader
        metadata) in place, reproducibly.

Instructors
    ``python -m backprop_lab grade PATH`` grades a notebook, or a folder of them, headless:
    a JSON report per notebook, and for a folder a CSV table (a row per notebook, a column
    per exercise).  A cell that errors or hangs is reported and grading goes on.

nbformat and nbclient are imported inside the functions that need them.
"""
import copy
import csv
import json
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"

REPOSITORY = "https://github.com/backprop-lab/backprop_lab"
COLAB_INSTALL_SOURCE = (
    "# On Google Colab, install backprop_lab first. Anywhere else this cell does nothing.\n"
    "import sys\n"
    "\n"
    "if \"google.colab\" in sys.modules:\n"
    "    import subprocess\n"
    "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\",\n"
    f"                    \"git+{REPOSITORY}\"], check=True)"
)

_CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([A-Za-z0-9_\-]+)["']""")
_DEF = re.compile(r"^\s*def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(", re.MULTILINE)


def colab_install_cell():
    """The install cell every notebook starts with (a new nbformat code cell)."""
    import nbformat

    cell = nbformat.v4.new_code_cell(COLAB_INSTALL_SOURCE)
    cell["id"] = "colab-install"
    return cell


# --------------------------------------------------------------------------------------
# Solution regions
# --------------------------------------------------------------------------------------
def _replace_regions(source, where, stub, keep_hidden=False):
    """Replace solution regions by ``stub`` lines at the marker's indent; drop hidden tests.

    where: a description of the cell for error messages.
    """
    out = []
    state = None  # None, "solution" or "hidden"
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if state is None:
            if BEGIN_SOLUTION in marker:
                indent = line[: len(line) - len(line.lstrip())]
                out.extend(indent + s for s in stub)
                state = "solution"
            elif BEGIN_HIDDEN in marker and not keep_hidden:
                state = "hidden"
            elif END_SOLUTION in marker or END_HIDDEN in marker:
                raise ValueError(f"{where}, line {number}: {marker!r} without a matching BEGIN.")
            else:
                out.append(line)
        else:
            end = END_SOLUTION if state == "solution" else END_HIDDEN
            if end in marker:
                state = None
            elif BEGIN_SOLUTION in marker or BEGIN_HIDDEN in marker:
                raise ValueError(f"{where}, line {number}: {marker!r} inside another region; "
                                 "close the first region before opening a new one.")
    if state is not None:
        begin = BEGIN_SOLUTION if state == "solution" else BEGIN_HIDDEN
        raise ValueError(f"{where}: {begin!r} is never closed.")
    return "\n".join(out)


def _has_solution(cell):
    return BEGIN_SOLUTION in cell.get("source", "")


def make_student_notebook(nb):
    """The student version of a solution notebook (a new notebook; ``nb`` is unchanged).

    In code cells each solution region becomes ``# YOUR CODE HERE`` and
    ``raise NotImplementedError()`` at the marker's indent; in markdown cells it becomes
    "YOUR ANSWER HERE".  Hidden-test regions are removed, outputs cleared, execution
    counts reset.  Cell ids and metadata (nbgrader's included) are kept.
    """
    student = copy.deepcopy(nb)
    for index, cell in enumerate(student.cells):
        where = f"cell {index}"
        if cell.cell_type == "code":
            cell.source = _replace_regions(cell.source, where, CODE_STUB)
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = _replace_regions(cell.source, where, (MARKDOWN_STUB,))
        cell.metadata.pop("execution", None)
    return student


# --------------------------------------------------------------------------------------
# nbgrader metadata
# --------------------------------------------------------------------------------------
def checked_exercises(cell):
    """The exercise ids a code cell passes to ``check``."""
    if cell.cell_type != "code":
        return []
    return _CHECK_CALL.findall(cell.source)


def annotate(nb):
    """Set nbgrader metadata on ``nb`` in place (and return it).

    Answer cells (a solution region): solution, not graded, unlocked; grade_id
    ``<exercise>_answer`` when the cell defines the exercise's function (or precedes its
    check cell), else ``answer_<n>``.  Markdown answers are nbgrader "manually graded
    answers" worth 0 points.  Check cells (``check("<id>", ...)``): graded, locked,
    grade_id = the exercise id, points from the registry.  Other cells carry no nbgrader
    metadata (annotate owns it).  An unknown exercise id, two checks in one cell, or one
    exercise checked in two cells is an error.
    """
    from .exercises import EXERCISES

    checks = {}  # cell index -> exercise id
    for index, cell in enumerate(nb.cells):
        ids = checked_exercises(cell)
        if len(ids) > 1:
            raise ValueError(f"cell {index} checks {ids}; give each check(...) a cell of its own.")
        if ids:
            if ids[0] not in EXERCISES:
                raise ValueError(f"cell {index} checks {ids[0]!r}, which is not a registered "
                                 "exercise (see backprop_lab/exercises/__init__.py).")
            if _has_solution(cell):
                raise ValueError(f"cell {index} has both a solution region and a check; "
                                 "put the check in the next cell.")
            earlier = [i for i, e in checks.items() if e == ids[0]]
            if earlier:
                raise ValueError(f"cells {earlier[0]} and {index} both check {ids[0]!r}; check "
                                 "each exercise once (use print(grade(...)) for a demonstration).")
            checks[index] = ids[0]
    checked = set(checks.values())

    used = set(checks.values())
    answers = 0
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata
        if index in checks:
            ex = EXERCISES[checks[index]]
            meta["nbgrader"] = {"grade": True, "grade_id": ex.id, "locked": True,
                                "points": ex.points, "schema_version": 3, "solution": False}
        elif _has_solution(cell):
            answers += 1
            name = _answer_name(nb, index, cell, checks, checked)
            grade_id = f"{name}_answer" if name else f"answer_{answers}"
            base, n = grade_id, 2
            while grade_id in used:
                grade_id, n = f"{base}_{n}", n + 1
            used.add(grade_id)
            info = {"grade": False, "grade_id": grade_id, "locked": False,
                    "schema_version": 3, "solution": True}
            if cell.cell_type == "markdown":
                info.update(grade=True, points=0)
            meta["nbgrader"] = info
        else:
            meta.pop("nbgrader", None)
    return nb


def _answer_name(nb, index, cell, checks, checked):
    """Which exercise an answer cell belongs to: a function it defines that is checked in
    this notebook, else the next check cell's exercise."""
    if cell.cell_type == "code":
        for name in _DEF.findall(cell.source):
            if name in checked:
                return name
    for later in range(index + 1, len(nb.cells)):
        if later in checks:
            return checks[later]
        if _has_solution(nb.cells[later]):
            return None
    return None


# --------------------------------------------------------------------------------------
# Reading and writing notebooks
# --------------------------------------------------------------------------------------
def read_notebook(path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def notebook_text(nb):
    """Deterministic JSON of a notebook: nbformat's layout, sorted keys, a final newline."""
    import nbformat

    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb, path):
    """Write ``nb`` to ``path`` unless the file already holds exactly that text.
    Returns True when the file was (re)written."""
    path = Path(path)
    text = notebook_text(nb)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return True


def _notebook_files(folder):
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def student_text(solution_path):
    """The exact text ``make_notebooks`` writes for one solution notebook."""
    return notebook_text(make_student_notebook(annotate(read_notebook(solution_path))))


def make_notebooks(solutions_dir="solutions", out_dir="notebooks"):
    """Write the student version of every ``solutions_dir/*.ipynb`` into ``out_dir`` and
    delete notebooks in ``out_dir`` that have no solution any more.

    Returns {"written": [...], "unchanged": [...], "removed": [...]} (file names).
    """
    solutions = _notebook_files(solutions_dir)
    if not solutions:
        raise FileNotFoundError(f"make_notebooks: no .ipynb files in {str(solutions_dir)!r}.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {"written": [], "unchanged": [], "removed": []}
    names = set()
    for path in solutions:
        names.add(path.name)
        target = out_dir / path.name
        text = student_text(path)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            report["unchanged"].append(path.name)
            continue
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        report["written"].append(path.name)
    for path in _notebook_files(out_dir):
        if path.name not in names:
            path.unlink()
            report["removed"].append(path.name)
    return report


def stale_notebooks(solutions_dir="solutions", out_dir="notebooks"):
    """What ``make_notebooks`` would change, as sentences (an empty list: up to date)."""
    problems = []
    names = set()
    for path in _notebook_files(solutions_dir):
        names.add(path.name)
        target = Path(out_dir) / path.name
        if not target.exists():
            problems.append(f"{path.name} is missing from {Path(out_dir).name}/")
        elif target.read_text(encoding="utf-8") != student_text(path):
            problems.append(f"{path.name} differs from what make-notebooks writes")
    for path in _notebook_files(out_dir):
        if path.name not in names:
            problems.append(f"{path.name} has no solution notebook (stale)")
    return problems


def make_notebooks_main(args):
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


# --------------------------------------------------------------------------------------
# Executing notebooks
# --------------------------------------------------------------------------------------
def _kernel_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("NBGRADER_EXECUTION", "BACKPROP_LAB_GRADE_LOG")}
    env["PYTHONHASHSEED"] = "0"
    env.update(extra)
    return env


def _quiet_logger():
    """nbclient logs time-outs and errors; our reports already say what happened."""
    log = logging.getLogger("backprop_lab.course.nbclient")
    if not log.handlers:
        log.addHandler(logging.NullHandler())
        log.propagate = False
    return log


def _client(nb, path, timeout, allow_errors, **hooks):
    from nbclient import NotebookClient

    return NotebookClient(
        nb, log=_quiet_logger(), timeout=timeout, kernel_name="python3",
        allow_errors=allow_errors, record_timing=False, interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeoutError", "traceback": [],
                          "evalue": f"the cell did not finish within {timeout} s"},
        resources={"metadata": {"path": str(Path(path).parent.resolve())}}, **hooks)


def _start(client, env):
    """Start the kernel; its stderr (start-up chatter) is discarded."""
    import subprocess

    return client.setup_kernel(env=env, stderr=subprocess.DEVNULL)


def execute_notebook(path, timeout=600):
    """Run a solution notebook top to bottom and store its outputs and nbgrader metadata
    in place.  A cell that raises (unless tagged ``raises-exception``) aborts the run and
    leaves the file untouched.  Returns the executed notebook."""
    nb = annotate(read_notebook(path))
    client = _client(nb, path, timeout, allow_errors=False)
    with _start(client, _kernel_env()):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    write_notebook(nb, path)
    return nb


def expected_exercises(nb, stem=None):
    """[(exercise id, points)] a notebook is graded on, in the notebook's order: its
    nbgrader grade cells and its check calls, then any other exercise the registry lists
    for the notebook called ``stem`` (a check cell deleted by the learner still counts)."""
    from .exercises import EXERCISES, by_notebook

    found = {}
    for cell in nb.cells:
        info = cell.metadata.get("nbgrader", {})
        if info.get("grade") and cell.cell_type == "code" and info.get("grade_id"):
            found.setdefault(info["grade_id"], _number(info.get("points", 0)))
        for ex_id in checked_exercises(cell):
            if ex_id in EXERCISES:
                found.setdefault(ex_id, _number(EXERCISES[ex_id].points))
    if stem:
        for ex in by_notebook(stem):
            found.setdefault(ex.id, _number(ex.points))
    return list(found.items())


def _number(x):
    x = float(x)
    return int(x) if x.is_integer() else x


def grade_notebook(path, timeout=60):
    """Execute a notebook headless and report its points, exercise by exercise.

    Each code cell may run ``timeout`` seconds; a cell that errors (unless tagged
    ``raises-exception``) or hangs is recorded and the next cells still run (a dead kernel
    ends the run).  Returns a dict::

        {"notebook": name, "points": p, "max_points": m,
         "exercises": {id: {"status", "points", "max_points", "messages", "mistake"}},
         "cells": [{"cell": i, "status": "error" | "timeout" | "not run", "error": ...}]}

    An exercise whose check never ran has status "not run" and 0 points.
    """
    import nbformat
    from nbclient.exceptions import DeadKernelError

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    expected = expected_exercises(nb, path.stem)
    problems = []

    def on_error(cell, cell_index, execute_reply):
        content = execute_reply["content"]
        if "raises-exception" in cell.metadata.get("tags", []):
            return  # an error the notebook means to show
        if content.get("ename") == "CellTimeoutError":
            problems.append({"cell": cell_index, "status": "timeout",
                             "error": content.get("evalue", "")})
        else:
            # IPython names a cell's code after a temporary file: "(3402915725.py, line 2)"
            evalue = re.sub(r"\(\d+\.py, line (\d+)\)", r"(line \1 of the cell)",
                            content.get("evalue", ""))
            problems.append({"cell": cell_index, "status": "error",
                             "error": f"{content.get('ename', '')}: {evalue}"})

    fd, log = tempfile.mkstemp(prefix="backprop_lab_grades_", suffix=".jsonl")
    os.close(fd)
    try:
        client = _client(nb, path, timeout, allow_errors=True, on_cell_error=on_error)
        index = -1
        try:
            with _start(client, _kernel_env(BACKPROP_LAB_GRADE_LOG=log)):
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index,
                                        execution_count=client.code_cells_executed + 1)
        except DeadKernelError:
            problems.append({"cell": index, "status": "error", "error": "the kernel died"})
            for later in range(index + 1, len(nb.cells)):
                if nb.cells[later].cell_type == "code" and nb.cells[later].source.strip():
                    problems.append({"cell": later, "status": "not run",
                                     "error": "the kernel died in an earlier cell"})
        with open(log, encoding="utf-8") as f:
            results = [json.loads(line) for line in f if line.strip()]
    finally:
        os.unlink(log)

    latest = {}
    for r in results:
        latest[r["exercise"]] = r
    exercises = {}
    for ex_id, points in expected:
        r = latest.pop(ex_id, None)
        if r is None:
            exercises[ex_id] = {"status": "not run", "points": 0, "max_points": points,
                                "checks_passed": None, "checks_total": None,
                                "messages": [], "mistake": None, "hint": None}
        else:
            exercises[ex_id] = _summary(r)
    for ex_id, r in latest.items():  # checks of exercises not expected in this notebook
        exercises[ex_id] = _summary(r)
    return {
        "notebook": path.name,
        "points": sum(e["points"] for e in exercises.values()),
        "max_points": sum(e["max_points"] for e in exercises.values()),
        "exercises": exercises,
        "cells": sorted(problems, key=lambda p: p["cell"]),
    }


def _summary(r):
    return {"status": r["status"], "points": r["points"], "max_points": r["max_points"],
            "checks_passed": r.get("checks_passed"), "checks_total": r.get("checks_total"),
            "messages": r.get("messages", []), "mistake": r.get("mistake"),
            "hint": r.get("hint")}


def _fmt(x):
    return f"{x:g}"


def _one_line(report):
    line = f"{report['notebook']}: {_fmt(report['points'])}/{_fmt(report['max_points'])} points"
    counts = {}
    for p in report["cells"]:
        counts[p["status"]] = counts.get(p["status"], 0) + 1
    words = {"error": "raised an error", "timeout": "timed out", "not run": "did not run"}
    extra = [f"{n} cell{'s' if n > 1 else ''} {words[s]}" for s, n in sorted(counts.items())]
    return line + (f" ({', '.join(extra)})" if extra else "")


def grade_main(args):
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


def _write_csv(reports, path):
    columns = []
    for report in reports:
        for ex_id in report["exercises"]:
            if ex_id not in columns:
                columns.append(ex_id)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["notebook", *columns, "total", "max_points"])
        for report in reports:
            cells = [_fmt(report["exercises"][c]["points"]) if c in report["exercises"] else ""
                     for c in columns]
            writer.writerow([report["notebook"], *cells, _fmt(report["points"]),
                             _fmt(report["max_points"])])


def _main(argv=None):
    import argparse

    p = argparse.ArgumentParser(prog="python -m backprop_lab.course",
                                description="Maintainer commands for the course notebooks.")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("execute", help="run solution notebooks and store their outputs in place")
    e.add_argument("paths", nargs="+")
    e.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = p.parse_args(argv)
    for path in args.paths:
        execute_notebook(path, timeout=args.timeout)
        print(f"executed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
