"""The Chinese edition keeps up with the English: every translatable text of a translated
notebook has a current translation (a changed English text makes its entry stale and
these tests fail), solutions/zh/ and notebooks/zh/ are what the English, the catalogues
and make-notebooks make, the Chinese code is the English code, the glossary is followed,
and the library's messages are catalogued.

Switches: turn each on when that part of the Chinese edition is complete; from then on a
missing translation there fails instead of being expected to.
"""
import importlib.util
import io
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest

from backprop_lab.cli import main as cli
from backprop_lab.course import catalogues, edition, glossary, translate
from backprop_lab.course.notebooks import COLAB_INSTALL_SOURCE, read_notebook
from backprop_lab.i18n import display_width

#: Every notebook of solutions/ has its catalogue and its Chinese edition.
ALL_NOTEBOOKS_TRANSLATED = False
#: Every message of the package's code (backprop_lab.po) is translated.
ALL_LIBRARY_MESSAGES_TRANSLATED = True
#: Every text of the exercise registry (exercises.po) is translated and current.
ALL_REGISTRY_TEXTS_TRANSLATED = True

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
ENGLISH = sorted(SOLUTIONS.glob("*.ipynb"))
TRANSLATED = edition.translated_names(SOLUTIONS)
CHINESE = sorted((SOLUTIONS / "zh").glob("*.ipynb"))
SEED_TERMS = {"backpropagation": "反向传播", "gradient descent": "梯度下降",
              "loss function": "损失函数", "learning rate": "学习率",
              "activation function": "激活函数", "forward pass": "前向传播",
              "mean squared error": "均方误差", "cross-entropy": "交叉熵"}


def _messages(name):
    return catalogues.notebook_messages(read_notebook(SOLUTIONS / f"{name}.ipynb"), name)


# --------------------------------------------------------------------------------------
# Coverage and staleness of the notebook catalogues
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TRANSLATED)
def test_notebook_catalogue_is_current_and_complete(name):
    """Every markdown block, comment, docstring and shown string of the English notebook
    has a current translation that keeps its math, code, links and {fields}."""
    problems = catalogues.catalogue_problems(catalogues.notebook_catalogue(name),
                                             _messages(name))
    assert problems == [], (f"{name}: run `python -m backprop_lab translations update "
                            f"{name}`, translate, then `translations build`:\n"
                            + "\n".join(problems))


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_every_notebook_has_a_chinese_edition(path):
    if path.stem not in TRANSLATED and not ALL_NOTEBOOKS_TRANSLATED:
        pytest.xfail(f"{path.stem} is not translated yet (ALL_NOTEBOOKS_TRANSLATED is off)")
    assert catalogues.notebook_catalogue(path.stem).exists()
    assert (SOLUTIONS / "zh" / path.name).exists()
    assert (ROOT / "notebooks" / "zh" / path.name).exists()


def test_solutions_zh_is_what_the_english_and_the_catalogues_make():
    problems = edition.edition_problems(SOLUTIONS)
    assert problems == [], "\n".join(problems)


def test_notebooks_zh_is_what_make_notebooks_writes():
    problems = edition.stale_zh_notebooks(SOLUTIONS, ROOT / "notebooks")
    assert problems == [], "run: python -m backprop_lab make-notebooks\n" + "\n".join(problems)


def test_nbval_collects_the_chinese_solutions_one_notebook_per_worker():
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root_conftest)
    for path in CHINESE:
        rel = path.relative_to(ROOT).as_posix()
        assert root_conftest.work_unit(f"{rel}::Cell 3") == rel
    if not CHINESE or importlib.util.find_spec("nbval") is None:
        pytest.skip("no Chinese solution notebook, or no nbval")
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p",
                          "no:xdist", str(CHINESE[0].relative_to(ROOT))], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert "::Cell 0" in out.stdout, out.stdout + out.stderr


# --------------------------------------------------------------------------------------
# The Chinese notebooks: the English code, the English grading
# --------------------------------------------------------------------------------------
def _code_tokens(source):
    """The tokens of a code cell, with comments, line breaks and the text of strings
    left out (what a translation may change)."""
    kept = []
    readline = io.StringIO(translate._parsable(source) + "\n").readline
    for tok in tokenize.generate_tokens(readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
            continue
        if tok.type == tokenize.STRING:
            kept.append(("STRING", tok.string[:tok.string.index(tok.string[-1]) + 1]))
        elif tok.type == getattr(tokenize, "FSTRING_MIDDLE", None):
            continue
        else:
            kept.append((tokenize.tok_name[tok.type], tok.string))
    return kept


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_the_chinese_code_is_the_english_code(path):
    zh = read_notebook(path)
    en = read_notebook(SOLUTIONS / path.name)
    cells = [c for c in zh.cells if c.get("id") != translate.LANGUAGE_CELL_ID]
    assert [(c.get("id"), c.cell_type) for c in cells] == \
        [(c.get("id"), c.cell_type) for c in en.cells]
    for mine, theirs in zip(cells, en.cells):
        where = f"{path.name}, cell {theirs.get('id')}"
        assert mine.metadata.get("nbgrader") == theirs.metadata.get("nbgrader"), where
        assert mine.metadata.get("tags") == theirs.metadata.get("tags"), where
        if theirs.cell_type == "code":
            assert _code_tokens(mine.source) == _code_tokens(theirs.source), where
    first = next(c for c in zh.cells if c.cell_type == "code")
    assert first.source == COLAB_INSTALL_SOURCE


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_the_chinese_notebook_switches_the_library_to_chinese(path):
    code = [c for c in read_notebook(path).cells if c.cell_type == "code"]
    assert code[1].get("id") == translate.LANGUAGE_CELL_ID
    assert code[1].source == translate.LANGUAGE_CELL_SOURCE
    assert 'set_language("zh")' in code[1].source
    assert code[1].outputs == []  # nothing shown: nbval compares it


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_badges_open_the_chinese_notebook(path):
    markdown = "\n".join(c.source for c in read_notebook(path).cells
                         if c.cell_type == "markdown")
    assert f"notebooks/zh/{path.name}" in markdown
    assert f"notebooks/{path.name}" not in markdown.replace(f"notebooks/zh/{path.name}", "")


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_chinese_exercise_headings_state_points_and_difficulty(path):
    problems = translate.zh_heading_problems(read_notebook(path))
    assert problems == [], "\n".join(problems)


# --------------------------------------------------------------------------------------
# The library's and the registry's catalogues
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def library_messages():
    pytest.importorskip("babel")
    return catalogues.library_messages()


def test_the_library_catalogue_is_current(library_messages):
    """Every message of the code is in backprop_lab.po, and no entry there is a message
    the code no longer has (``translations update`` marks those obsolete)."""
    wanted = {(m.context, m.msgid if isinstance(m.msgid, str) else m.msgid[0])
              for m in library_messages}
    have = {(e.msgctxt, e.msgid) for e in catalogues.read_entries(catalogues.LIBRARY_CATALOGUE)}
    assert wanted - have == set(), "run: python -m backprop_lab translations update --library"
    assert have - wanted == set(), "run: python -m backprop_lab translations update --library"


def test_the_translated_modules_messages_are_all_translated(library_messages):
    done = [m for m in library_messages
            if any(loc in edition.TRANSLATED_MODULES for loc in m.locations)]
    assert len(done) >= 30
    problems = catalogues.catalogue_problems(catalogues.LIBRARY_CATALOGUE, done)
    assert problems == [], "\n".join(problems)


def test_every_library_message_is_translated(library_messages):
    problems = catalogues.catalogue_problems(catalogues.LIBRARY_CATALOGUE, library_messages)
    if problems and not ALL_LIBRARY_MESSAGES_TRANSLATED:
        pytest.xfail(f"{len(problems)} library messages to translate "
                     "(ALL_LIBRARY_MESSAGES_TRANSLATED is off)")
    assert problems == [], "\n".join(problems)


def test_every_registry_text_is_translated():
    """Every title, hint, catalogued mistake's hint and case name of the exercise registry
    has a current translation in exercises.po (the verdicts show them through _)."""
    problems = catalogues.catalogue_problems(catalogues.REGISTRY_CATALOGUE,
                                             catalogues.registry_messages())
    if problems and not ALL_REGISTRY_TEXTS_TRANSLATED:
        pytest.xfail(f"{len(problems)} registry texts to translate "
                     "(ALL_REGISTRY_TEXTS_TRANSLATED is off)")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", TRANSLATED)
def test_the_registry_texts_of_a_translated_notebook_are_translated(name):
    mine = [m for m in catalogues.registry_messages()
            if any(loc.startswith(f"{name}:") for loc in m.locations)]
    problems = catalogues.catalogue_problems(catalogues.REGISTRY_CATALOGUE, mine)
    assert problems == [], ("run: python -m backprop_lab translations update --registry, "
                            "then translate:\n" + "\n".join(problems))


def test_registry_texts_come_from_the_registry():
    from backprop_lab.exercises import EXERCISES

    texts = catalogues.registry_texts()
    kinds = {kind.split(":")[0].split(" ")[0] for _, _, kind in texts}
    assert {"title", "hint", "mistake", "case", "difficulty"} <= kinds
    ex = EXERCISES["sum_squares"]
    mine = {t for t, where, _ in texts if where == f"{ex.notebook}:{ex.id}"}
    assert {ex.title, *ex.hints, *(m.hint for m in ex.mistakes)} <= mine


# --------------------------------------------------------------------------------------
# The glossary
# --------------------------------------------------------------------------------------
ALL_CATALOGUES = [catalogues.LIBRARY_CATALOGUE, catalogues.REGISTRY_CATALOGUE,
                  *sorted(catalogues.NOTEBOOK_CATALOGUES.glob("*.po"))]


def test_the_glossary():
    terms = glossary.read_glossary()
    assert all(t.english and t.chinese and t.first for t in terms)
    variants = [v.lower() for t in terms for v in t.english]
    assert len(variants) == len(set(variants)), "an English term is in the glossary twice"
    import re

    for t in terms:
        assert t.first == "library" or re.fullmatch(r"\d\d_[a-z_]+", t.first), t
        assert t.chinese not in t.avoid
    by_term = {v: t.chinese for t in terms for v in t.english}
    assert {k: by_term.get(k) for k in SEED_TERMS} == SEED_TERMS


@pytest.mark.parametrize("path", ALL_CATALOGUES, ids=lambda p: p.name)
def test_every_catalogue_follows_the_glossary(path):
    problems = glossary.catalogue_glossary_problems(path)
    assert problems == [], ("use the glossary's term, or record why not with a translator's "
                            "comment '# glossary: <term>: <reason>':\n" + "\n".join(problems))


def test_a_term_inside_a_longer_term_counts_for_the_longer_one_only():
    from backprop_lab.i18n.po import Entry

    terms = glossary.read_glossary()
    names = {t.name for t in terms}
    assert {"mean squared error", "squared error"} <= names
    mse = Entry(msgid="The mean squared error of the batch.", msgstr=["这个批量的均方误差。"])
    assert glossary.entry_problems(mse, terms) == []
    both = Entry(msgid="The mean squared error is a mean of the squared error.",
                 msgstr=["均方误差是平方误差的平均值。"])
    assert glossary.entry_problems(both, terms) == []
    missing = Entry(msgid="The mean squared error is a mean of the squared error.",
                    msgstr=["均方误差是每个误差平方的平均值。"])
    assert ["'平方误差'" in p for p in glossary.entry_problems(missing, terms)] == [True]
    field = Entry(msgid="{loss:>8} after {epochs} passes", msgstr=["{loss:>8}，经过 {epochs} 遍"])
    assert glossary.entry_problems(field, terms) == []


def test_the_glossary_check_sees_a_stray_term():
    from backprop_lab.i18n.po import Entry

    terms = glossary.read_glossary()
    ok = Entry(msgid="Compute the gradient with the chain rule.", msgstr=["用链式法则计算梯度。"])
    stray = Entry(msgid="Set the learning rate.", msgstr=["设置学习速率。"])
    free = Entry(msgid="Set the learning rate.", msgstr=["设置步长。"],
                 user_comments=["glossary: learning rate: here it is the step of a line search"])
    in_code = Entry(msgid="Call `learning_rate` here.", msgstr=["在这里调用 `learning_rate`。"])
    assert glossary.entry_problems(ok, terms) == []
    problems = glossary.entry_problems(stray, terms)
    assert len(problems) == 2 and "'学习率'" in problems[0] and "'学习速率'" in problems[1]
    assert glossary.entry_problems(free, terms) == []
    assert glossary.entry_problems(in_code, terms) == []


# --------------------------------------------------------------------------------------
# What is translatable, and how a change flows through
# --------------------------------------------------------------------------------------
CODE = '''\
def f(x):
    """Square x.

    Any shape.
    """
    ### BEGIN SOLUTION
    # first square,
    # then return
    return x ** 2  # noqa: E501
    ### END SOLUTION


data = {"key words here": 1}  # a trailing comment
check("sum_squares", f)
print("the value is", f(2), b"raw bytes here", "{}")
print(f"f(2) = {f(2):.1f} here")
%matplotlib inline
ax.set_title("loss of one example")
ax.plot([1], [2], "o-", label="training loss")
ax.set_xlabel("$x_1$")'''


def _units(source):
    return [(p.kind, p.msgid) for p in translate.code_pieces(source)
            if isinstance(p, translate.Unit)]


def test_what_is_translatable_in_code():
    assert _units(CODE) == [
        ("docstring", "Square x.\n\nAny shape."),
        ("comment", "first square,\nthen return"),
        ("comment", "a trailing comment"),
        ("printed text", "the value is"),
        ("printed text", "f(2) = {f(2):.1f} here"),
        ("figure text", "loss of one example"),
        ("figure text", "training loss"),
    ]
    assert _units(COLAB_INSTALL_SOURCE) == []


def test_a_translated_code_cell():
    table = {"Square x.\n\nAny shape.": "x 的平方。\n\n任意形状。",
             "first square,\nthen return": "先平方，\n再返回，\n就这样",
             "the value is": "值为", "f(2) = {f(2):.1f} here": "此处 f(2) = {f(2):.1f}"}
    pieces = translate.code_pieces(CODE)
    out = "".join(p.render(table.get(p.msgid, p.msgid)) if isinstance(p, translate.Unit)
                  else p for p in pieces)
    assert '    """x 的平方。\n\n    任意形状。\n    """' in out
    assert "    # 先平方，\n    # 再返回，\n    # 就这样\n    return x ** 2  # noqa: E501" in out
    assert 'print("值为", f(2), b"raw bytes here", "{}")' in out
    assert 'print(f"此处 f(2) = {f(2):.1f}")' in out
    assert out.count("### BEGIN SOLUTION") == 1 and 'check("sum_squares", f)' in out
    assert _code_tokens(out) == _code_tokens(CODE)


def test_what_is_translatable_in_markdown():
    source = ("# Title\n\n[![Open In Colab](https://x/badge.svg)](https://colab.research.google"
              ".com/github/o/r/blob/main/notebooks/00_a.ipynb)\n\nOne paragraph\non two lines.\n\n"
              "$$L = \\sum_i x_i$$\n\n| a | b |\n|---|---|\n| one | two |\n\n```python\n"
              "x = 1  # the comment only\n```\n### BEGIN SOLUTION\nAn answer.\n### END SOLUTION")
    units = [(p.kind, p.msgid) for p in translate.markdown_pieces(source)
             if isinstance(p, translate.Unit)]
    assert units == [("markdown", "# Title"), ("markdown", "One paragraph\non two lines."),
                     ("table row", "| a | b |"), ("table row", "| one | two |"),
                     ("comment", "the comment only"), ("markdown", "An answer.")]



def _put_back(pieces, table, join=""):
    return join.join(p.render(table.get(p.msgid, p.msgid)) if isinstance(p, translate.Unit)
                     else p for p in pieces)


FENCED = """\
The contract:

```python
out, cache = op_forward(x)  # cache: what backward needs
    # two lines
    # of comment
grads = op_backward(dout, cache)
```

```
plain = 1  # not Python: copied
```

```python
broken = (  # code tokenize cannot read is copied
```"""


def test_comments_of_a_fenced_python_block_are_translated_and_its_code_kept():
    pieces = translate.markdown_pieces(FENCED)
    units = [(p.kind, p.msgid) for p in pieces if isinstance(p, translate.Unit)]
    assert units == [("markdown", "The contract:"), ("comment", "cache: what backward needs"),
                     ("comment", "two lines\nof comment")]
    assert _put_back(pieces, {}, "\n") == FENCED
    out = _put_back(pieces, {"cache: what backward needs": "cache：反向传播要用的",
                             "two lines\nof comment": "两行\n注释\n（三行）"}, "\n")
    assert ("```python\nout, cache = op_forward(x)  # cache：反向传播要用的\n    # 两行\n"
            "    # 注释\n    # （三行）\ngrads = op_backward(dout, cache)\n```") in out
    assert "plain = 1  # not Python: copied" in out and "broken = (  # code" in out


TABLE = """\
print(f"{'step':>5} {'actual decrease':>16}")
print(f"{name:30} {P:11,d} passes {'~3 passes':>10}")
print(f"{'':36}dead units in hidden_1")
print(f"{f'after {n} epochs':36}{rest}")
ax.bar(["class 0", "class 1"], p)
shown = f"{'not shown':>8}"
print(f"{d['key']:>8} {x!r:>5} {a != b:>3} {'<' if a else '>'} {'{'}{{literal}}")"""


def test_string_literals_in_the_fields_of_a_shown_f_string_are_translated():
    pieces = translate.code_pieces(TABLE)
    assert [(p.kind, p.msgid, p.brace_fields) for p in pieces
            if isinstance(p, translate.Unit)] == [
        ("printed text", "step", False), ("printed text", "actual decrease", False),
        ("printed text", "{name:30} {P:11,d} passes", True),
        ("printed text", "~3 passes", False), ("printed text", "dead units in hidden_1", True),
        ("printed text", "after {n} epochs", True),
        ("figure text", "class 0", False), ("figure text", "class 1", False)]
    assert _put_back(pieces, {}) == TABLE
    out = _put_back(pieces, {"step": "步", "actual decrease": "实际下降",
                             "{name:30} {P:11,d} passes": "{name:30} {P:11,d} 遍",
                             "~3 passes": "约 3 遍", "after {n} epochs": "{n} 轮之后",
                             "dead units in hidden_1": "hidden_1 的死单元",
                             "class 0": "类别 0"})
    assert out.split("\n")[:5] == [  # a field's width counts a Chinese character as two
        "print(f\"{'步':>4} {'实际下降':>12}\")",
        "print(f\"{name:30} {P:11,d} 遍 {'约 3 遍':>8}\")",
        "print(f\"{'':36}hidden_1 的死单元\")",
        "print(f\"{f'{n} 轮之后':33}{rest}\")",
        'ax.bar(["类别 0", "class 1"], p)']
    assert display_width(eval(out.split("\n")[0][6:-1])) == \
        len(eval(TABLE.split("\n")[0][6:-1]))  # the header as wide as the English one
    assert out.split("\n")[5:] == TABLE.split("\n")[5:]
    assert _code_tokens(out) == _code_tokens(TABLE)
    values = {"name": "net", "P": 1234, "n": 5, "rest": "!"}  # the translated code runs
    assert eval(out.split("\n")[1][6:-1], values) == f"{'net':30} {1234:11,d} 遍 {'约 3 遍':>8}"
    assert eval(out.split("\n")[3][6:-1], values) == f"{'5 轮之后':33}!"
    step = next(p for p in pieces if isinstance(p, translate.Unit) and p.msgid == "step")
    for bad in ("it's", 'a "step"', "a\\b", "a\nb"):
        with pytest.raises(ValueError, match="f-string's field"):
            step.render(bad)

def test_links_of_the_chinese_edition():
    text = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            "(https://colab.research.google.com/github/o/r/blob/main/notebooks/01_a.ipynb) "
            "[next](01_a.ipynb) [later](02_b.ipynb#part) [readme](../README.md) "
            "[site](https://keras.io) [binder](https://mybinder.org/v2/gh/o/r/main?urlpath="
            "lab%2Ftree%2Fnotebooks%2F01_a.ipynb)")
    out = translate.localise_links(text, available={"01_a.ipynb"})
    assert "blob/main/notebooks/zh/01_a.ipynb)" in out
    assert "[next](01_a.ipynb)" in out and "[later](../02_b.ipynb#part)" in out
    assert "[readme](../../README.md)" in out and "[site](https://keras.io)" in out
    assert "notebooks%2Fzh%2F01_a.ipynb" in out


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_every_english_notebook_can_be_taken_apart_and_put_back(path):
    """Each English notebook is read by the translation's segmentation, and its texts put
    back unchanged give the notebook back (so any notebook can be translated)."""
    for cell in read_notebook(path).cells:
        pieces = translate.cell_pieces(cell)
        joined = translate._join(cell, [p.render(p.msgid) if isinstance(p, translate.Unit)
                                        else p for p in pieces])
        assert joined == cell.source, f"{path.name}, cell {cell.get('id')}"


def _fill(path, table):
    """Translate entries of a catalogue (by msgid) as a translator would, with babel."""
    from babel.messages.pofile import read_po, write_po

    with open(path, "rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id in table:
            message.string = table[message.id]
            message.flags.discard("fuzzy")
    buffer = io.BytesIO()
    write_po(buffer, catalog, include_previous=True)
    path.write_bytes(buffer.getvalue())


def _run_all(path):
    """Stand-in for `execute`: give every code cell an execution count."""
    nb = read_notebook(path)
    for n, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = n + 1
    nbformat.write(nb, str(path))


def test_a_change_of_the_english_flows_into_the_chinese_edition(tmp_path, monkeypatch):
    """The whole cycle on a small notebook: a catalogue made, translated, built, run; then
    the English changes, the tests' checks fail in the right way, and update + translate +
    build make the edition current again."""
    pytest.importorskip("babel")
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from backprop_lab.course import colab_install_cell

    monkeypatch.setattr(catalogues, "NOTEBOOK_CATALOGUES", tmp_path / "catalogues")
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nb = new_notebook(cells=[colab_install_cell(), new_markdown_cell("# Toy\n\nSome prose."),
                             new_code_cell("x = 1  # one value\nprint('the value is', x)")])
    for i, cell in enumerate(nb.cells[1:]):
        cell["id"] = f"cell-{i}"
    english = solutions / "00_toy.ipynb"
    nbformat.write(nb, str(english))
    catalogue = catalogues.notebook_catalogue("00_toy")

    def problems():
        messages = catalogues.notebook_messages(read_notebook(english), "00_toy")
        return (catalogues.catalogue_problems(catalogue, messages),
                edition.edition_problems(solutions))

    messages = catalogues.notebook_messages(nb, "00_toy")
    result = catalogues.update_catalogue(catalogue, messages, "a toy")
    assert result["added"] == ["# Toy", "Some prose.", "one value", "the value is"]
    assert len(problems()[0]) == 4 and all(p.startswith("untranslated") for p in problems()[0])
    _fill(catalogue, {"# Toy": "# 玩具", "Some prose.": "一段文字。", "one value": "一个值",
                      "the value is": "值为"})
    assert problems()[0] == []
    assert "translations build" in problems()[1][0]  # no Chinese notebook yet

    edition.build_edition(solutions)
    zh = solutions / "zh" / "00_toy.ipynb"
    assert "never ran" in problems()[1][0]
    _run_all(zh)
    assert problems() == ([], [])
    assert "print('值为', x)" in zh.read_text(encoding="utf-8")

    # The English prose changes: the translation is stale, and so is the Chinese notebook.
    nb.cells[1].source = "# Toy\n\nSome prose, rewritten."
    nbformat.write(nb, str(english))
    coverage, stale = problems()
    assert coverage == ["not in the catalogue (run `translations update`): "
                        "'Some prose, rewritten.'"]
    assert "differs from what its English and its catalogue make" in stale[0]

    result = catalogues.update_catalogue(
        catalogue, catalogues.notebook_messages(nb, "00_toy"), "a toy")
    assert result["fuzzy"] == ["Some prose, rewritten."]
    assert problems()[0][0].startswith("fuzzy")
    assert "#| msgid \"Some prose.\"" in catalogue.read_text(encoding="utf-8")
    _fill(catalogue, {"Some prose, rewritten.": "一段改写过的文字。"})
    assert problems()[0] == []

    report = edition.build_edition(solutions)
    assert report["written"] == ["00_toy.ipynb"]
    assert problems() == ([], [])  # only markdown changed: the code cells kept their run

    # A comment changes: that code cell must run again.
    nb.cells[2].source = "x = 1  # one single value\nprint('the value is', x)"
    nbformat.write(nb, str(english))
    catalogues.update_catalogue(catalogue, catalogues.notebook_messages(nb, "00_toy"), "a toy")
    _fill(catalogue, {"one single value": "唯一的一个值"})
    edition.build_edition(solutions)
    assert problems()[0] == [] and "never ran" in problems()[1][0]
    _run_all(zh)
    assert problems() == ([], [])

    # A text disappears: its entry becomes obsolete, and nothing fails.
    nb.cells[1].source = "# Toy"
    nbformat.write(nb, str(english))
    result = catalogues.update_catalogue(
        catalogue, catalogues.notebook_messages(nb, "00_toy"), "a toy")
    assert result["obsolete"] == ["Some prose, rewritten."]
    assert "#~ msgid" in catalogue.read_text(encoding="utf-8")
    edition.build_edition(solutions)
    assert problems() == ([], [])


def test_a_translation_that_loses_math_or_fields_is_caught():
    from backprop_lab.i18n.po import Entry

    lost_math = Entry(msgid="The loss $L$ of `f`.", msgstr=["函数 `f` 的损失。"])
    lost_field = Entry(msgid="value {x:.2f}", msgstr=["值 {y}"],
                       flags={catalogues.BRACE_FORMAT})
    freed = Entry(msgid="Ends in `ok`.", msgstr=["以“正常”结尾。"],
                  user_comments=["free: the Chinese output says 正常"])
    assert "math, code or links differ" in catalogues.entry_problems(lost_math)[0]
    assert "{...} fields differ" in catalogues.entry_problems(lost_field)[0]
    assert catalogues.entry_problems(freed) == []


def test_translations_check_command(capsys):
    pytest.importorskip("babel")
    code = cli(["translations", "check"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "up to date with the English" in out
    assert cli(["translations", "status"]) == 0
    assert "00_start_here" in capsys.readouterr().out
