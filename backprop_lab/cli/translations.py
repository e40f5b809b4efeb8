"""``python -m backprop_lab translations <action>``: the Chinese edition's catalogues.

    update [NAME ...]     bring catalogues in line with the English: the named notebooks'
                          (created if new), else every notebook that has one, the
                          library's and the exercise registry's (--library, --registry:
                          only those; --all-notebooks: a catalogue for every notebook)
    build [NAME ...]      write solutions/zh/NAME.ipynb from solutions/ and the catalogues
                          (--execute: then run the notebooks written)
    check                 what the tests would fail on (exit 1 if anything)
    status                how much of each catalogue is translated
    todo CATALOGUE        the texts of a catalogue still to translate (a notebook's name,
                          "library" or "exercises")
    unwrapped [PATH ...]  the package's message-like strings not yet passed through _()
    font [--source FILE]  make the bundled font subset again from the catalogues

After ``update``, translate the new entries (empty msgstr) and review the fuzzy ones in the
PO files under backprop_lab/i18n/locale/zh/ (remove the "fuzzy" flag when done), then
``build``, ``execute`` the rebuilt notebooks, and ``make-notebooks``.
"""
import sys
from pathlib import Path


def add_parser(sub):
    t = sub.add_parser("translations", help="update, build and check the Chinese edition")
    t.add_argument("action", choices=["update", "build", "check", "status", "todo",
                                      "unwrapped", "font"])
    t.add_argument("names", nargs="*", metavar="NAME",
                   help="notebook names (update, build), a catalogue (todo), paths (unwrapped)")
    t.add_argument("--solutions", default="solutions")
    t.add_argument("--notebooks", default="notebooks")
    t.add_argument("--library", action="store_true", help="update: the library's catalogue")
    t.add_argument("--registry", action="store_true",
                   help="update: the exercise registry's catalogue")
    t.add_argument("--all-notebooks", action="store_true",
                   help="update: make a catalogue for every notebook")
    t.add_argument("--execute", action="store_true", help="build: run the notebooks written")
    t.add_argument("--strict", action="store_true",
                   help="check: untranslated library and registry texts are errors too")
    t.add_argument("--source", default=None, help="font: the Noto Sans CJK SC file")
    return t


def _stem(name):
    return Path(name).name.removesuffix(".ipynb").removesuffix(".po")


def _sources(args):
    """{catalogue path: (messages, description)} for the catalogues ``update`` handles."""
    from ..course import catalogues as c
    from ..course.edition import translated_names
    from ..course.notebooks import read_notebook

    chosen = {}
    names = [_stem(n) for n in args.names]
    only = names or args.library or args.registry
    if args.all_notebooks:
        names = [p.stem for p in sorted(Path(args.solutions).glob("*.ipynb"))]
    elif not only:
        names = translated_names(args.solutions)
    for name in names:
        path = Path(args.solutions) / f"{name}.ipynb"
        if not path.exists():
            raise FileNotFoundError(f"no notebook {path}")
        chosen[c.notebook_catalogue(name)] = (
            c.notebook_messages(read_notebook(path), name), f"solutions/{name}.ipynb")
    if args.library or not only:
        chosen[c.LIBRARY_CATALOGUE] = (c.library_messages(), "the messages of backprop_lab")
    if args.registry or not only:
        chosen[c.REGISTRY_CATALOGUE] = (c.registry_messages(),
                                        "the texts of the exercise registry")
    return chosen


def update(args):
    from ..course import catalogues as c

    for path, (messages, description) in _sources(args).items():
        result = c.update_catalogue(path, messages, description)
        counts = c.status(path, messages)
        print(f"{path.name}: {len(result['added'])} new, {len(result['fuzzy'])} fuzzy, "
              f"{len(result['obsolete'])} obsolete; {counts['translated']} of "
              f"{counts['texts']} translated" + ("" if result["written"] else " (unchanged)"))
    return 0


def build(args):
    from ..course.edition import build_edition, edition_dir
    from ..course.execute import execute_notebook

    names = [_stem(n) for n in args.names] or None
    report = build_edition(args.solutions, names)
    folder = edition_dir(args.solutions)
    for name in report["written"]:
        print(f"wrote {folder / name}")
    for name, count in report["untranslated"].items():
        print(f"  {name}: {count} texts left in English (see: translations todo "
              f"{_stem(name)})")
    print(f"{folder}/: {len(report['written'])} written, {len(report['unchanged'])} unchanged.")
    if args.execute:
        for name in report["written"]:
            execute_notebook(folder / name)
            print(f"executed {folder / name}")
    elif report["written"]:
        print("Run them and store their outputs: python -m backprop_lab execute "
              + " ".join(str(folder / n) for n in report["written"]))
    return 0


def check(args):
    from ..course.edition import all_problems

    errors, notes = all_problems(args.solutions, args.notebooks, args.strict)
    for line in notes:
        print(f"to do: {line}")
    if errors:
        print(f"The Chinese edition is out of date ({len(errors)} problems):")
        for line in errors:
            print(f"  {line}")
        return 1
    print("The Chinese edition is up to date with the English.")
    return 0


def status(args):
    from ..course import catalogues as c
    from ..course.notebooks import read_notebook

    rows = []
    for path in sorted(Path(args.solutions).glob("*.ipynb")):
        catalogue = c.notebook_catalogue(path.stem)
        if catalogue.exists():
            messages = c.notebook_messages(read_notebook(path), path.stem)
            rows.append((path.stem, c.status(catalogue, messages)))
        else:
            rows.append((path.stem, None))
    rows.append(("library", c.status(c.LIBRARY_CATALOGUE, c.library_messages())))
    rows.append(("exercises", c.status(c.REGISTRY_CATALOGUE, c.registry_messages())))
    print(f"{'catalogue':34}{'texts':>7}{'done':>7}{'fuzzy':>7}{'empty':>7}{'absent':>8}")
    for name, n in rows:
        if n is None:
            print(f"{name:34}{'no catalogue yet':>36}")
        else:
            print(f"{name:34}{n['texts']:7}{n['translated']:7}{n['fuzzy']:7}"
                  f"{n['untranslated']:7}{n['absent']:8}")
    return 0


def todo(args):
    from ..course import catalogues as c
    from ..course.notebooks import read_notebook

    if len(args.names) != 1:
        print("translations todo: name one catalogue (a notebook, library or exercises)",
              file=sys.stderr)
        return 2
    name = _stem(args.names[0])
    if name == "library":
        path, messages = c.LIBRARY_CATALOGUE, c.library_messages()
    elif name == "exercises":
        path, messages = c.REGISTRY_CATALOGUE, c.registry_messages()
    else:
        path = c.notebook_catalogue(name)
        messages = c.notebook_messages(
            read_notebook(Path(args.solutions) / f"{name}.ipynb"), name)
    for line in c.coverage_problems(path, messages):
        print(line)
    return 0


def unwrapped(args):
    from ..course.unwrapped import unwrapped_strings

    found = unwrapped_strings(args.names or None)
    for path, line, text in found:
        print(f"{path}:{line}: {text[:90]!r}")
    print(f"{len(found)} strings not yet wrapped in _()")
    return 0


def font(args):
    from ..course.cjk_font import DEFAULT_SOURCE, make_subset

    source = args.source or DEFAULT_SOURCE
    if not Path(source).exists():
        print(f"translations font: no font at {source}; pass --source with Noto Sans CJK SC "
              "(Debian: apt-get install fonts-noto-cjk)", file=sys.stderr)
        return 1
    result = make_subset(source)
    print(f"wrote {result['path']}: {result['bytes'] / 1024:.0f} KiB, {result['glyphs']} glyphs "
          f"for {result['characters']} characters")
    if result["lacking"]:
        print(f"  the source has no glyph for: {''.join(result['lacking'])}")
    return 0


def main(args):
    actions = {"update": update, "build": build, "check": check, "status": status,
               "todo": todo, "unwrapped": unwrapped, "font": font}
    try:
        return actions[args.action](args)
    except ImportError as e:
        print(f"translations {args.action}: {e}; install the test extra: pip install -e "
              "\".[test]\" (babel, fontTools)", file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print(f"translations {args.action}: {e}", file=sys.stderr)
        return 1
