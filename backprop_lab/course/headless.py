"""Headless grading: run a submitted notebook in the sandbox and report its points.

``python -m backprop_lab grade PATH`` calls ``grade_notebook`` for each notebook.  The
notebook's code runs in a sandboxed child process and every score is decided outside it
(``backprop_lab.grading.trusted``); this module reads the notebook, works out which
course notebook it is, finds its check cells, and turns what the sandbox found into a
report.

Which exercises a notebook is graded on comes from the exercise registry, for the course
notebook the file is a copy of, never from the file alone: a deleted check cell counts 0
of its points, and a renamed file is still graded against its notebook.  That notebook is
the one given with ``--notebook``, else the one whose cells the file shares (cell ids of
the course's notebooks, when they are at hand), else the one its check cells and nbgrader
ids point to, else its file name.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..exercises import EXERCISES, by_notebook, notebooks
from .notebooks import checked_exercises

COURSE_ROOT = Path(__file__).resolve().parents[2]
_IDS_CACHE = {}


# --------------------------------------------------------------------------------------
# Which notebook, which check cells
# --------------------------------------------------------------------------------------
def _course_notebook_files(name):
    return [p for p in (COURSE_ROOT / "notebooks" / f"{name}.ipynb",
                        COURSE_ROOT / "solutions" / f"{name}.ipynb") if p.is_file()]


def _course_cells(name):
    """(cell ids, code lines) of the course's own versions of notebook ``name``."""
    if name not in _IDS_CACHE:
        import nbformat

        ids, lines = set(), set()
        for path in _course_notebook_files(name):
            try:
                nb = nbformat.read(str(path), as_version=4)
            except Exception:  # noqa: BLE001 - a broken copy only weakens the evidence
                continue
            for cell in nb.cells:
                if cell.get("id"):
                    ids.add(cell["id"])
                if cell.cell_type == "code":
                    lines |= {line.strip() for line in cell.source.splitlines()}
        _IDS_CACHE[name] = (ids, lines)
    return _IDS_CACHE[name]


def identify(nb, stem=None, given=None):
    """(course notebook name or None, how it was found, a note when the evidence
    disagrees).  See the module docstring for the order of the evidence."""
    names = notebooks()
    if given is not None:
        if given not in names:
            raise ValueError(f"--notebook {given!r} is not a notebook with exercises; the "
                             f"notebooks are: {', '.join(names)}.")
        return given, "given", None
    cell_ids = {cell.get("id") for cell in nb.cells if cell.get("id")}
    all_ids = Counter(i for n in names for i in _course_cells(n)[0])
    shared = {n: len({i for i in cell_ids & _course_cells(n)[0] if all_ids[i] == 1})
              for n in names}
    by_cells = max(names, key=lambda n: (shared[n], n == stem)) if names else None
    votes = Counter()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        candidates = checked_exercises(cell) + [re.sub(r"_answer(_\d+)?$", "", str(grade_id))]
        for ex_id in set(candidates):
            if ex_id in EXERCISES:
                votes[EXERCISES[ex_id].notebook] += 1
    by_checks = max(votes, key=lambda n: (votes[n], n == stem)) if votes else None
    if by_cells is not None and shared[by_cells] >= 3:
        found, how = by_cells, "its cells"
    elif by_checks is not None:
        found, how = by_checks, "its check cells"
    elif stem in names:
        found, how = stem, "its file name"
    else:
        return None, "unknown", "no check cell of a course notebook was found"
    note = None
    if stem in names and stem != found:
        note = (f"graded as {found} (found from {how}), although its file name says {stem}; "
                "use --notebook to choose")
    elif by_checks is not None and by_checks != found:
        note = (f"graded as {found} (found from {how}), although its check cells point to "
                f"{by_checks}; use --notebook to choose")
    return found, how, note


def designated_check_cells(nb, exercise_ids):
    """{exercise id: index of its check cell}: the cell nbgrader knows as that exercise's
    grade cell, else the first code cell calling ``check("<id>", ...)``."""
    found = {}
    for index, cell in enumerate(nb.cells):
        ids = checked_exercises(cell)
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in ids and grade_id in exercise_ids:
            found.setdefault(grade_id, index)
    for index, cell in enumerate(nb.cells):
        for ex_id in checked_exercises(cell):
            if ex_id in exercise_ids:
                found.setdefault(ex_id, index)
    return found


def expected_exercises(nb, stem=None, given=None):
    """[(exercise id, points)] a notebook is graded on, in the course notebook's order
    (the registry's, whatever the file holds)."""
    name = identify(nb, stem, given)[0]
    return [(ex.id, _number(ex.points)) for ex in by_notebook(name)] if name else []


def _number(x):
    x = float(x)
    return int(x) if x.is_integer() else x


# --------------------------------------------------------------------------------------
# What a reviewer may want to look at
# --------------------------------------------------------------------------------------
_REVIEW = [
    (r"\bsys\s*\.\s*modules\b|\bimportlib\b|__import__", "imports modules by name"),
    (r"\bbackprop_lab\s*\.\s*exercises\b|\bimport\s+[\w, ]*\bexercises\b|\bEXERCISES\b|"
     r"\.reference\b|\bbackprop_lab\s*\.\s*grading\s*\.\s*(session|grader|runner|trusted|"
     r"sandbox|supervise|guard|lockdown|collect|wire|channel|compare|result|slips|outofkernel|"
     r"spec)\b", "reaches the exercise registry or the grader's internals"),
    (r"\b(setprofile|settrace|_getframe|f_back|f_globals|f_locals|tb_frame|gi_frame)\b",
     "inspects or changes the interpreter's frames or tracing"),
    (r"__code__|\bCodeType\b|\bFunctionType\b|\.replace\(\s*co_|\bmarshal\b",
     "builds functions from code objects"),
    (r"\b(exec|eval|compile)\s*\(|\bgetsource\b|__file__", "runs or reads source code"),
    (r"\bgc\s*\.|\bimport\s+gc\b|\bctypes\b|\bbuiltins\b|__builtins__",
     "reaches the interpreter's internals"),
    (r"\bos\s*\.\s*(dup2?|write|read|close|pipe|fork\w*|kill\w*|_exit|system|exec\w*|"
     r"spawn\w*)\b|\bsubprocess\b|\bsignal\s*\.|\bthreading\b|\b_thread\b|\bmultiprocessing\b",
     "uses processes, signals, threads or file descriptors"),
    (r"^\s*(np|numpy|F|backprop_lab|grading|session|math)\s*\.\s*[\w.]+\s*=(?!=)",
     "replaces a library function"),
]
_REVIEW = [(re.compile(pattern), what) for pattern, what in _REVIEW]


def review_notes(nb, name=None, limit=30):
    """Lines of the notebook's code that a human may want to look at: ways of reaching
    the package's implementations or the grader's internals.  Lines the course's own
    version of the notebook has are left out.  These notes change no score."""
    known = _course_cells(name)[1] if name else set()
    notes = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if line.strip() in known or line.lstrip().startswith("#"):
                continue
            for pattern, what in _REVIEW:
                if pattern.search(line):
                    notes.append({"cell": index, "line": number, "what": what,
                                  "code": line.strip()[:160]})
                    break
            if len(notes) >= limit:
                return notes
    return notes


# --------------------------------------------------------------------------------------
# Grading one notebook
# --------------------------------------------------------------------------------------
def grade_notebook(path, timeout=60, notebook=None, limits=None):
    """Run a notebook in the sandbox and report its points, exercise by exercise.

    Each code cell may run ``timeout`` seconds (``limits``, a
    ``grading.trusted.Limits``, sets the others).  A cell that errors or hangs is
    recorded and the next cells still run; a process that dies or is stopped ends the
    run, and what did not run earns nothing.  notebook: the course notebook to grade
    against (default: found from the file, see ``identify``).  Returns a dict::

        {"notebook": file name, "course_notebook": name, "points": p, "max_points": m,
         "exercises": {id: {"status", "points", "max_points", "checks_passed",
                            "checks_total", "messages", "mistake", "hint", "violation"}},
         "cells": [{"cell": i, "status": "error" | "timeout" | ..., "error": ...}],
         "review": [{"cell", "line", "what", "code"}], "identity": {...}, "sandbox": {...}}
    """
    import nbformat

    from ..grading.trusted import Limits, run_submission

    path = Path(path)
    limits = limits or Limits(timeout=timeout)
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as e:  # noqa: BLE001 - a submission may be anything
        return _unreadable_report(path, e)
    name, how, note = identify(nb, path.stem, notebook)
    graded = {ex.id: ex for ex in by_notebook(name)} if name else {}
    designated = designated_check_cells(nb, graded)
    cells = [(i, c.source) for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and c.source.strip()]
    run = run_submission(cells, graded, designated, limits) if graded else None
    exercises = {}
    for ex_id, ex in graded.items():
        result = run.results.get(ex_id) if run else None
        if result is not None:
            exercises[ex_id] = _summary(result.to_dict())
        elif ex_id not in designated:
            exercises[ex_id] = _empty("missing", ex, "its check cell is not in the notebook")
        else:
            exercises[ex_id] = _empty("not run", ex, "its check cell did not call check")
    return {
        "notebook": path.name, "course_notebook": name,
        "points": _number(sum(e["points"] for e in exercises.values())),
        "max_points": _number(sum(e["max_points"] for e in exercises.values())),
        "exercises": exercises,
        "cells": [p for p in (run.cells if run else []) if not _meant(nb, p)],
        "review": review_notes(nb, name),
        "identity": {"found_from": how, "note": note},
        "sandbox": {"user": run.ran_as if run else None,
                    "seconds": round(run.seconds, 2) if run else 0.0},
    }


def _meant(nb, problem):
    """An error in a cell tagged ``raises-exception``: the notebook means to show it."""
    cell = nb.cells[problem["cell"]] if isinstance(problem.get("cell"), int) else None
    return (problem["status"] == "error" and cell is not None
            and "raises-exception" in cell.metadata.get("tags", []))


def _unreadable_report(path, error):
    return {"notebook": path.name, "course_notebook": None, "points": 0, "max_points": 0,
            "exercises": {}, "cells": [{"cell": None, "status": "unreadable",
                                        "error": f"not a notebook ({type(error).__name__})"}],
            "review": [], "identity": {"found_from": "unknown", "note": None},
            "sandbox": {"user": None, "seconds": 0.0}}


def _empty(status, ex, why):
    return {"status": status, "points": 0, "max_points": _number(ex.points),
            "checks_passed": None, "checks_total": None, "messages": [why],
            "mistake": None, "hint": None, "violation": None}


def _summary(r):
    return {"status": r["status"], "points": _number(r["points"]),
            "max_points": _number(r["max_points"]),
            "checks_passed": r.get("checks_passed"), "checks_total": r.get("checks_total"),
            "messages": r.get("messages", []), "mistake": r.get("mistake"),
            "hint": r.get("hint"), "violation": r.get("violation")}
