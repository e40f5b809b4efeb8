"""Grading a whole class: notebooks in parallel, shards, reports, and merging shards.

``grade_many`` grades notebooks ``jobs`` at a time (each in its own sandbox process; the
judging happens in this process).  ``shard(paths, k, n)`` picks the k-th of n slices of
the sorted file names, so that a batch system (a Kubernetes Job array, a Slurm array, a
CI matrix) can give each worker one slice: ``grade DIR --shard K/N`` on worker K.  Each
shard writes ``report-K-of-N.json``; ``merge`` checks that all shards are there, once,
and writes one ``report.json`` and one ``summary.csv``.
"""
from __future__ import annotations

import csv
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..i18n import _, ngettext

REPORT_VERSION = 1


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def parse_shard(text):
    """``"K/N"`` -> (K, N) with 1 <= K <= N; ValueError with a sentence otherwise."""
    try:
        k, n = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ValueError(_("--shard {text}: write it K/N, e.g. 2/8 for the second of eight "
                           "slices.").format(text=repr(text))) from None
    if not 1 <= k <= n:
        raise ValueError(_("--shard {text}: K must be between 1 and N.").format(text=repr(text)))
    return k, n


def shard(paths, k, n) -> list:
    """The k-th (1-based) of n contiguous slices of ``paths`` sorted by file name; the
    slices differ in size by at most one and together hold every path once."""
    ordered = sorted(paths, key=lambda p: (Path(p).name, str(p)))
    start = (k - 1) * len(ordered) // n
    end = k * len(ordered) // n
    return ordered[start:end]


def grade_many(paths, jobs=None, on_report=None, **options) -> list:
    """Grade ``paths`` ``jobs`` at a time (default: ``default_jobs()``); returns the
    reports in the order of ``paths``.  on_report(report) is called as each finishes.
    options go to ``headless.grade_notebook``."""
    from .headless import grade_notebook

    jobs = jobs or default_jobs()
    paths = list(paths)
    reports = [None] * len(paths)

    def one(i):
        try:
            report = grade_notebook(paths[i], **options)
        except Exception as e:  # noqa: BLE001 - one notebook must not stop the class
            report = _failed_report(paths[i], e)
        reports[i] = report
        if on_report is not None:
            on_report(report)
        return report

    if jobs == 1 or len(paths) <= 1:
        for i in range(len(paths)):
            one(i)
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, range(len(paths))))
    return reports


def _failed_report(path, error):
    """The report of a notebook the grader itself failed on (a bug to report)."""
    return {"notebook": Path(path).name, "course_notebook": None, "points": 0,
            "max_points": 0, "exercises": {}, "review": [],
            "cells": [{"cell": None, "status": "grader error",
                       "error": f"the grader failed on this notebook ({type(error).__name__}: "
                                f"{error}); please report it"}],
            "identity": {"found_from": "unknown", "note": None},
            "sandbox": {"user": None, "seconds": 0.0}}


# --------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------
def _fmt(x):
    return f"{x:g}"


def _cell_trouble(status, n):
    """What went wrong in ``n`` cells of a notebook with the status ``status``."""
    if status == "error":
        text = ngettext("{n} cell raised an error", "{n} cells raised an error", n)
    elif status == "timeout":
        text = ngettext("{n} cell timed out", "{n} cells timed out", n)
    elif status == "not run":
        text = ngettext("{n} cell did not run", "{n} cells did not run", n)
    elif status == "died":
        text = ngettext("{n} cell ended the notebook's process",
                        "{n} cells ended the notebook's process", n)
    elif status == "output":
        text = ngettext("{n} cell printed too much", "{n} cells printed too much", n)
    elif status == "disk":
        text = ngettext("{n} cell filled the disk quota", "{n} cells filled the disk quota", n)
    elif status == "unreadable":
        text = ngettext("{n} cell could not be read", "{n} cells could not be read", n)
    else:
        text = ngettext("{n} cell {status}", "{n} cells {status}", n)
    return text.format(n=n, status=status)


def one_line(report) -> str:
    """``name: p/m points`` and what went wrong in its cells, for the terminal."""
    counts = {}
    for p in report["cells"]:
        counts[p["status"]] = counts.get(p["status"], 0) + 1
    extra = [_cell_trouble(s, n) for s, n in sorted(counts.items())]
    caught = sum(1 for e in report["exercises"].values() if e.get("violation"))
    if caught:
        extra.append(ngettext("{n} exercise used the package's own implementation",
                              "{n} exercises used the package's own implementation",
                              caught).format(n=caught))
    if report.get("review"):
        n = len(report["review"])
        extra.append(ngettext("{n} line to review", "{n} lines to review", n).format(n=n))
    points, max_points = _fmt(report["points"]), _fmt(report["max_points"])
    if not extra:
        return _("{notebook}: {points}/{max_points} points").format(
            notebook=report["notebook"], points=points, max_points=max_points)
    # TRANSLATORS: {problems} is a list of what went wrong, joined by the next message
    return _("{notebook}: {points}/{max_points} points ({problems})").format(
        notebook=report["notebook"], points=points, max_points=max_points,
        # TRANSLATORS: joins the things that went wrong in a notebook
        problems=_(", ").join(extra))


def write_json(data, path):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_csv(reports, path):
    """A row per notebook, a column per exercise (points), then the total, the maximum,
    the course notebook it was graded as, and the number of lines to review."""
    columns = []
    for report in reports:
        for ex_id in report["exercises"]:
            if ex_id not in columns:
                columns.append(ex_id)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["notebook", *columns, "total", "max_points", "graded_as", "review"])
        for report in reports:
            cells = [_fmt(report["exercises"][c]["points"]) if c in report["exercises"] else ""
                     for c in columns]
            writer.writerow([report["notebook"], *cells, _fmt(report["points"]),
                             _fmt(report["max_points"]), report.get("course_notebook") or "",
                             len(report.get("review", []))])


def class_report(reports, files, shard_of=None) -> dict:
    """The JSON of one grading run (or shard): every report, and which files it covers."""
    return {"version": REPORT_VERSION, "shard": list(shard_of) if shard_of else None,
            "files": [Path(f).name for f in files], "reports": reports}


# --------------------------------------------------------------------------------------
# Merging shards
# --------------------------------------------------------------------------------------
def _report_files(paths):
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(p.glob("report-*-of-*.json")) or sorted(p.glob("report.json"))
        else:
            found.append(p)
    return found


def merge(paths, allow_partial=False) -> dict:
    """One class report from shard reports (files, or folders holding
    ``report-K-of-N.json``).  Checks that every shard of 1..N is there exactly once and
    that no notebook is graded twice; ValueError with a sentence otherwise."""
    shards = {}
    total = None
    for path in _report_files(paths):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict) or data.get("version") != REPORT_VERSION:
            raise ValueError(f"{path} is not a report written by `grade` (version "
                             f"{REPORT_VERSION}).")
        k, n = data.get("shard") or (1, 1)
        if total is not None and n != total:
            raise ValueError(f"{path} is shard {k} of {n}, but other reports are shards of "
                             f"{total}.")
        total = n
        if k in shards:
            raise ValueError(f"shard {k} of {n} is there twice ({shards[k][0]} and {path}).")
        shards[k] = (path, data)
    if not shards:
        raise ValueError("no reports to merge (looked for report-K-of-N.json files).")
    missing = [k for k in range(1, total + 1) if k not in shards]
    if missing and not allow_partial:
        raise ValueError(f"shards {', '.join(map(str, missing))} of {total} are missing; "
                         "grade them, or merge with --allow-partial.")
    reports, seen = [], {}
    for k in sorted(shards):
        for report in shards[k][1]["reports"]:
            name = report["notebook"]
            if name in seen:
                raise ValueError(f"{name} was graded in shard {seen[name]} and in shard {k}.")
            seen[name] = k
            reports.append(report)
    reports.sort(key=lambda r: r["notebook"])
    merged = class_report(reports, [r["notebook"] for r in reports])
    merged["merged_from"] = [str(shards[k][0]) for k in sorted(shards)]
    merged["missing_shards"] = missing
    return merged
