"""The Chinese edition's notebooks: ``solutions/zh/`` built from ``solutions/`` and the
notebook catalogues, ``notebooks/zh/`` made from ``solutions/zh/`` like ``notebooks/``.

    build_edition("solutions")          writes solutions/zh/NN_name.ipynb for every notebook
                                        that has a catalogue (outputs of unchanged cells kept)
    edition_problems("solutions")       what is out of date in solutions/zh/ (empty: current)
    make_zh_notebooks("solutions", "notebooks")   notebooks/zh/ from solutions/zh/

A rebuilt cell whose source changed loses its outputs: run
``python -m backprop_lab execute solutions/zh/NN_name.ipynb`` (or ``translations build
--execute``) so that nbval has Chinese outputs to compare.
"""
from pathlib import Path

from . import catalogues
from .notebooks import (
    _notebook_files,
    make_notebooks,
    notebook_text,
    read_notebook,
    stale_notebooks,
)
from .translate import LANGUAGE, keep_outputs, translate_notebook

EDITION = LANGUAGE  # the folder of the edition, inside solutions/ and notebooks/
#: The modules whose messages are translated: their catalogue entries must be complete.
#: Add a module here once its strings are wrapped in _() and translated.
TRANSLATED_MODULES = ("backprop_lab/cli/doctor.py", "backprop_lab/cli/demo.py",
                      "backprop_lab/_engine/checks.py", "backprop_lab/_engine/fast_dense.py",
                      "backprop_lab/_engine/plug.py", "backprop_lab/_engine/saving.py",
                      "backprop_lab/_engine/summary.py", "backprop_lab/_engine/trainer.py",
                      "backprop_lab/activations.py", "backprop_lab/autodiff.py",
                      "backprop_lab/callbacks/history.py",
                      "backprop_lab/callbacks/lambda_callback.py",
                      "backprop_lab/callbacks/learning_rate_scheduler.py",
                      "backprop_lab/callbacks/monitor.py", "backprop_lab/callbacks/progbar.py",
                      "backprop_lab/cli/grade.py", "backprop_lab/course/batch.py",
                      "backprop_lab/exercises/nb04_autograd.py",
                      "backprop_lab/exercises/nb06_descent.py",
                      "backprop_lab/exercises/nb08_keras.py", "backprop_lab/grading/collect.py",
                      "backprop_lab/grading/compare.py", "backprop_lab/grading/grader.py",
                      "backprop_lab/grading/guard.py", "backprop_lab/grading/judging.py",
                      "backprop_lab/grading/result.py", "backprop_lab/grading/sandbox.py",
                      "backprop_lab/grading/session.py", "backprop_lab/grading/slips.py",
                      "backprop_lab/grading/spec.py", "backprop_lab/grading/supervise.py",
                      "backprop_lab/grading/trusted.py",
                      "backprop_lab/datasets.py", "backprop_lab/gradcheck/checks.py",
                      "backprop_lab/gradcheck/compare.py",
                      "backprop_lab/gradcheck/model_check.py",
                      "backprop_lab/gradcheck/numerical.py",
                      "backprop_lab/gradcheck/report.py", "backprop_lab/initializers.py",
                      "backprop_lab/layers/__init__.py", "backprop_lab/layers/base.py",
                      "backprop_lab/layers/normalization.py",
                      "backprop_lab/layers/regularization.py", "backprop_lab/losses.py",
                      "backprop_lab/metrics.py", "backprop_lab/models.py",
                      "backprop_lab/optimizers/__init__.py", "backprop_lab/optimizers/adam.py",
                      "backprop_lab/optimizers/base.py",
                      "backprop_lab/optimizers/schedules.py",
                      "backprop_lab/plots/boundaries.py", "backprop_lab/plots/gradients.py",
                      "backprop_lab/plots/images.py", "backprop_lab/plots/surfaces.py",
                      "backprop_lab/plots/training.py", "backprop_lab/regularizers.py",
                      "backprop_lab/train_loop/loop.py", "backprop_lab/train_loop/mlp.py",
                      "backprop_lab/train_loop/sequential.py", "backprop_lab/utils.py",
                      "backprop_lab/widgets/_app.py", "backprop_lab/widgets/descent.py",
                      "backprop_lab/widgets/lr_explorer.py", "backprop_lab/widgets/neuron.py",
                      "backprop_lab/widgets/race.py", "backprop_lab/widgets/regularization.py",
                      "backprop_lab/widgets/stepper.py")


def edition_dir(folder):
    return Path(folder) / EDITION


def translated_names(solutions_dir="solutions"):
    """Names (without .ipynb) of the English notebooks that have a catalogue."""
    return [p.stem for p in _notebook_files(solutions_dir)
            if catalogues.notebook_catalogue(p.stem).exists()]


def expected_notebook(solutions_dir, name):
    """(the Chinese solution notebook as the catalogue makes it, with the outputs of its
    current file where a cell did not change; the msgids left in English)."""
    source = Path(solutions_dir) / f"{name}.ipynb"
    lookup = catalogues.translations_of(catalogues.notebook_catalogue(name)).get
    available = {f"{n}.ipynb" for n in translated_names(solutions_dir)}
    zh, missing = translate_notebook(read_notebook(source), lookup, available)
    target = edition_dir(solutions_dir) / f"{name}.ipynb"
    if target.exists():
        keep_outputs(zh, read_notebook(target))
    return zh, missing


def build_edition(solutions_dir="solutions", names=None):
    """Write ``solutions/zh/NAME.ipynb`` for each name (default: every notebook with a
    catalogue); texts without a translation stay English.  Returns {"written": [...],
    "unchanged": [...], "untranslated": {name: count}} (file names)."""
    names = translated_names(solutions_dir) if names is None else list(names)
    report = {"written": [], "unchanged": [], "untranslated": {}}
    for name in names:
        zh, missing = expected_notebook(solutions_dir, name)
        target = edition_dir(solutions_dir) / f"{name}.ipynb"
        text = notebook_text(zh)
        if missing:
            report["untranslated"][f"{name}.ipynb"] = len(missing)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            report["unchanged"].append(target.name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        report["written"].append(target.name)
    return report


def _unexecuted(nb):
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and c.source.strip() and c.execution_count is None]


def edition_problems(solutions_dir="solutions"):
    """Sentences for what is out of date in ``solutions/zh/`` (an empty list: current):
    a notebook with a catalogue but no Chinese edition, one whose cells differ from what
    its English and its catalogue make (``translations build``), one with cells never run
    (``execute``), and Chinese notebooks with no English notebook or no catalogue."""
    problems = []
    folder = edition_dir(solutions_dir)
    names = translated_names(solutions_dir)
    for name in names:
        target = folder / f"{name}.ipynb"
        if not target.exists():
            problems.append(f"{EDITION}/{name}.ipynb is missing (run: python -m backprop_lab "
                            "translations build)")
            continue
        zh, _ = expected_notebook(solutions_dir, name)
        current = read_notebook(target)
        if notebook_text(zh) != target.read_text(encoding="utf-8"):
            changed = [c.get("id") for c, d in zip(zh.cells, current.cells)
                       if (c.source, c.metadata) != (d.source, d.metadata)]
            if len(zh.cells) != len(current.cells):
                changed.append(f"{len(current.cells)} cells instead of {len(zh.cells)}")
            what = f" (cells {', '.join(map(str, changed[:5]))})" if changed else ""
            problems.append(f"{EDITION}/{name}.ipynb differs from what its English and its "
                            f"catalogue make{what} (run: python -m backprop_lab translations "
                            "build)")
        elif _unexecuted(current):
            problems.append(f"{EDITION}/{name}.ipynb has cells that never ran (cells "
                            f"{_unexecuted(current)[:5]}; run: python -m backprop_lab execute "
                            f"solutions/{EDITION}/{name}.ipynb)")
    for path in _notebook_files(folder):
        if path.stem not in names:
            problems.append(f"{EDITION}/{path.name} has no English notebook or no catalogue "
                            "(stale: delete it or restore its catalogue)")
    return problems


def make_zh_notebooks(solutions_dir="solutions", out_dir="notebooks"):
    """``make_notebooks`` for the Chinese edition (None when there is none)."""
    source = edition_dir(solutions_dir)
    if not _notebook_files(source):
        return None
    return make_notebooks(source, edition_dir(out_dir))


def stale_zh_notebooks(solutions_dir="solutions", out_dir="notebooks"):
    """``stale_notebooks`` for ``notebooks/zh/`` against ``solutions/zh/``, with the
    edition's folder in each sentence."""
    source, out = edition_dir(solutions_dir), edition_dir(out_dir)
    if not _notebook_files(source) and not _notebook_files(out):
        return []
    return [f"{EDITION}/{p}" for p in stale_notebooks(source, out)]


def _catalogue_errors(path, messages, terms):
    from .glossary import catalogue_glossary_problems

    found = catalogues.catalogue_problems(path, messages)
    found += catalogue_glossary_problems(path, terms)
    return [f"{path.name}: {p}" for p in found]


def all_problems(solutions_dir="solutions", notebooks_dir="notebooks", strict=False):
    """(errors, notes) of the whole Chinese edition, as ``translations check`` prints
    them: errors are what the tests fail on (stale or incomplete notebook catalogues, the
    glossary not followed, solutions/zh or notebooks/zh out of date, library or registry
    messages missing from their catalogue, untranslated messages of ``TRANSLATED_MODULES``);
    notes count what is still to translate in the library and the registry, and registry
    texts not in their catalogue yet (errors too with ``strict``)."""
    from .glossary import read_glossary

    errors, notes = [], []
    terms = read_glossary()
    for name in translated_names(solutions_dir):
        nb = read_notebook(Path(solutions_dir) / f"{name}.ipynb")
        errors += _catalogue_errors(catalogues.notebook_catalogue(name),
                                    catalogues.notebook_messages(nb, name), terms)
    errors += [f"solutions/{p}" for p in edition_problems(solutions_dir)]
    errors += [f"notebooks/{p}" for p in stale_zh_notebooks(solutions_dir, notebooks_dir)]
    for path, messages in ((catalogues.LIBRARY_CATALOGUE, catalogues.library_messages()),
                           (catalogues.REGISTRY_CATALOGUE, catalogues.registry_messages())):
        counts = catalogues.status(path, messages)
        if counts["absent"]:  # the registry is content in flux: kept current once translated
            (errors if strict or path == catalogues.LIBRARY_CATALOGUE else notes).append(
                f"{path.name}: {counts['absent']} texts not in the catalogue "
                "(run: python -m backprop_lab translations update)")
        done = [m for m in messages
                if any(loc.rsplit(":", 1)[0] in TRANSLATED_MODULES for loc in m.locations)]
        errors += _catalogue_errors(path, done if not strict else messages, terms)
        todo = counts["untranslated"] + counts["fuzzy"]
        if todo and not strict:
            notes.append(f"{path.name}: {todo} of {counts['texts']} texts still to translate")
    return errors, notes
