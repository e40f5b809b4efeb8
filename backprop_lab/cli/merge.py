"""``python -m backprop_lab merge REPORT...``: combine the shards of a class into one report.

Each argument is a ``report-K-of-N.json`` written by ``grade DIR --shard K/N``, or a folder
holding them.  Writes ``report.json`` and ``summary.csv`` into ``--out`` (default: the
folder of the first report).  Exits 1 when a shard is missing or there twice, or a
notebook was graded in two shards (``--allow-partial`` merges what is there).
"""
import sys
from pathlib import Path


def add_parser(sub):
    """The ``merge`` subcommand's arguments."""
    m = sub.add_parser("merge", help="combine the shard reports of `grade --shard` into one "
                                     "JSON and one CSV")
    m.add_argument("reports", nargs="+", metavar="REPORT",
                   help="report-K-of-N.json files, or folders holding them")
    m.add_argument("--out", default=None, help="folder for report.json and summary.csv")
    m.add_argument("--allow-partial", action="store_true",
                   help="merge even when some shards are missing")
    return m


def main(args):
    from ..course import batch

    try:
        merged = batch.merge(args.reports, allow_partial=args.allow_partial)
    except (ValueError, OSError) as e:
        print(f"merge: {e}", file=sys.stderr)
        return 1
    first = Path(args.reports[0])
    out = Path(args.out) if args.out else (first if first.is_dir() else first.parent)
    out.mkdir(parents=True, exist_ok=True)
    batch.write_json(merged, out / "report.json")
    batch.write_csv(merged["reports"], out / "summary.csv")
    missing = merged["missing_shards"]
    note = f" (shards missing: {', '.join(map(str, missing))})" if missing else ""
    print(f"Merged {len(merged['reports'])} notebooks from {len(merged['merged_from'])} "
          f"shard reports into {out / 'report.json'} and {out / 'summary.csv'}{note}")
    return 0
