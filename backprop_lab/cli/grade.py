"""``python -m backprop_lab grade PATH``: grade notebooks headless, outside their reach.

Options: ``--out DIR``, ``--timeout S`` (per cell), ``--jobs N`` (notebooks at once,
default the number of cores), ``--shard K/N`` (only the K-th of N slices of the sorted
file names), ``--notebook NAME`` (grade every file as that course notebook), and the
sandbox's limits ``--memory MB``, ``--cpu-time S``, ``--user NAME``.
"""
import sys
from pathlib import Path

from ..i18n import _


def add_parser(sub):
    """The ``grade`` subcommand's arguments."""
    g = sub.add_parser("grade", help=_("grade a notebook or a folder of notebooks headless, "
                                       "in a sandbox"))
    g.add_argument("path", help=_("a .ipynb file or a folder of them"))
    g.add_argument("--out", default=None,
                   help=_("folder for the reports (default: grades/ next to the input)"))
    g.add_argument("--timeout", type=int, default=60,
                   help=_("seconds allowed per cell (default 60)"))
    g.add_argument("--jobs", type=int, default=None,
                   help=_("notebooks graded at once (default: the number of cores)"))
    g.add_argument("--shard", default=None, metavar="K/N",
                   help=_("grade only the K-th of N slices of the sorted file names"))
    g.add_argument("--notebook", default=None, metavar="NAME",
                   help=_("grade every file as this course notebook, e.g. 05_backprop_layers "
                          "(default: found from each file)"))
    g.add_argument("--memory", type=int, default=4096, metavar="MB",
                   help=_("address space of a notebook's process (default 4096 MB)"))
    g.add_argument("--cpu-time", type=int, default=900, metavar="S",
                   help=_("CPU seconds of a notebook's process (default 900)"))
    g.add_argument("--user", default="nobody",
                   help=_("when the grader runs as root, the user notebooks run as "
                          "(default nobody; used only if that user can run this Python)"))
    return g


def _targets(args):
    """(files to grade, output folder, shard or None), or an error sentence."""
    from ..course import batch
    from ..course.notebooks import _notebook_files

    path = Path(args.path)
    if path.is_dir():
        files = _notebook_files(path)
        out = Path(args.out) if args.out else path / "grades"
    elif path.suffix == ".ipynb" and path.is_file():
        files = [path]
        out = Path(args.out) if args.out else path.parent / "grades"
    else:
        return None, None, None, _("{path!r} is neither a .ipynb file nor a folder.").format(
            path=args.path)
    if not files:
        return None, None, None, _("no .ipynb files in {path!r}.").format(path=args.path)
    part = None
    if args.shard:
        try:
            part = batch.parse_shard(args.shard)
        except ValueError as e:
            return None, None, None, str(e)
    return files, out, part, None


def main(args):
    """Grade; write ``DIR/<name>.json`` per notebook and, for a folder, ``summary.csv`` and
    ``report.json`` (``summary-K-of-N.csv`` and ``report-K-of-N.json`` for a shard; combine
    shards with ``python -m backprop_lab merge``).  Exits 0 once grading ran."""
    from ..course import batch
    from ..grading import trusted

    files, out, part, problem = _targets(args)
    if problem:
        print(_("grade: {problem}").format(problem=problem), file=sys.stderr)
        return 2
    try:
        from ..course.headless import identify
        if args.notebook:
            identify(_empty_notebook(), given=args.notebook)
    except ValueError as e:
        print(_("grade: {problem}").format(problem=e), file=sys.stderr)
        return 2
    if part:
        files = batch.shard(files, *part)
    trusted.preload()
    out.mkdir(parents=True, exist_ok=True)
    limits = trusted.Limits(timeout=args.timeout, memory_mb=args.memory,
                            cpu_seconds=args.cpu_time, user=args.user or None)
    reports = batch.grade_many(files, jobs=args.jobs, on_report=lambda r: print(
        batch.one_line(r), flush=True), timeout=args.timeout, notebook=args.notebook,
        limits=limits)
    for path, report in zip(files, reports):
        batch.write_json(report, out / f"{Path(path).stem}.json")
    if Path(args.path).is_dir():
        suffix = f"-{part[0]}-of-{part[1]}" if part else ""
        batch.write_csv(reports, out / f"summary{suffix}.csv")
        batch.write_json(batch.class_report(reports, files, part), out / f"report{suffix}.json")
        print(_("Reports, report{suffix}.json and summary{suffix}.csv in {folder}").format(
            suffix=suffix, folder=out))
    else:
        print(_("Report in {path}").format(path=out / (Path(files[0]).stem + ".json")))
    return 0


def _empty_notebook():
    import nbformat

    return nbformat.v4.new_notebook()
