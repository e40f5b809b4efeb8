"""The Chinese edition of a notebook, made from the English solution and a catalogue.

What is translatable in a solution notebook (everything else is copied as it is):

* markdown cells, block by block: a block is a run of lines between blank lines (a table
  is taken row by row; its separator row is copied).  Display math, lines of solution
  markers and blocks of badges only are copied; a block with no letters outside math,
  code and link targets is copied.  Fenced code is copied, except the comments of a
  ```` ```python ```` block, which are translated as in a code cell;
* in code cells (``course.code_texts``): comments, docstrings, and the string literals
  that are shown: the positional arguments of ``print`` and ``display(Markdown(...))``,
  of the functions and methods that write text into a figure (``set_title``, ``xlabel``,
  ``text``, ``legend``, ``bar``, ...), and the keyword arguments ``label=``, ``title=``,
  ``xlabel=``, ``ylabel=`` of any call.  An f-string is translated with its ``{...}``
  fields, which the translation keeps; a field that is a string literal
  (``f"{'actual decrease':>16}"``) is a text of its own, its format spec kept.  Markers
  (``### BEGIN SOLUTION``, ``# YOUR CODE HERE``, ``# noqa``, ...) and the Colab install
  cell are never translated.

The msgid of each text is the English as written (stripped of surrounding white space,
which the Chinese edition keeps), so a changed English text no longer finds its
translation: the catalogue is then stale, and the tests say so.

In the Chinese notebook, links to the course's notebooks on Colab or Binder point to
``notebooks/zh/``, relative links to files outside the notebooks' folder get one more
``../``, a link to a notebook that has no Chinese edition yet goes to the English one,
and a code cell after the Colab install cell switches the library to Chinese
(``LANGUAGE_CELL_SOURCE``).  Code, cell ids, tags and nbgrader metadata are the English
ones, so one grader serves both editions.
"""
import copy
import re

from .code_texts import (
    MARKERS,
    NOT_PROSE,
    PYTHON_FENCES,
    Unit,
    code_pieces,
    fenced_code_pieces,
    has_letters,
)
from .code_texts import parsable as _parsable  # noqa: F401  (the tests read code with it)
from .notebooks import annotate

LANGUAGE = "zh"
LANGUAGE_CELL_ID = "zh-language"
LANGUAGE_CELL_SOURCE = (
    "# 中文版：让 backprop_lab 的判定、提示和图中的文字都显示为中文。\n"
    "import backprop_lab\n"
    "\n"
    f'backprop_lab.config.set_language("{LANGUAGE}")'
)
_BADGES = re.compile(r"^(\s*\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\))+\s*$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


# --------------------------------------------------------------------------------------
# Markdown cells
# --------------------------------------------------------------------------------------
def _padded(line, make):
    """A Unit for ``line`` stripped; the white space around it is kept."""
    text = line.strip()
    lead = line[:len(line) - len(line.lstrip())]
    trail = line[len(line.rstrip()):]
    return make(text, lambda t: lead + t + trail)


def _markdown_block(lines):
    """The pieces of one block of non-blank markdown lines."""
    block = "\n".join(lines)
    if _BADGES.match(block) or not has_letters(NOT_PROSE.sub("", block)):
        return [block]
    if all(line.lstrip().startswith("|") for line in lines):
        pieces = []
        for line in lines:
            if _TABLE_SEPARATOR.match(line) or not has_letters(NOT_PROSE.sub("", line)):
                pieces.append(line)
            else:
                pieces.append(_padded(line, lambda t, r: Unit("table row", t, r)))
        return pieces
    return [_padded(block, lambda t, r: Unit("markdown", t, r))]


def markdown_pieces(source):
    """A markdown cell as a list of pieces, each a line (or lines) of text to copy or a
    ``Unit``; ``"\\n".join`` of the pieces (Units rendered) is the cell."""
    pieces, block, fence, math = [], [], None, False
    code, python = [], False  # the lines of an open fence; whether it holds Python

    def flush():
        if block:
            pieces.extend(_markdown_block(block))
            block.clear()

    for line in source.split("\n"):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                pieces.extend(fenced_code_pieces(code) if python else code)
                pieces.append(line)
                fence, code = None, []
            else:
                code.append(line)
            continue
        if math:
            pieces.append(line)
            math = not stripped.endswith("$$")
            continue
        if stripped.startswith(("```", "~~~")):
            flush()
            fence = stripped[:3]
            python = stripped[3:].strip().lower() in PYTHON_FENCES
            pieces.append(line)
        elif stripped.startswith("$$") and not block and (stripped == "$$"
                                                         or not stripped.endswith("$$")):
            flush()
            math = True
            pieces.append(line)
        elif not stripped or any(m in stripped for m in MARKERS):
            flush()
            pieces.append(line)
        else:
            block.append(line)
    flush()
    return pieces + code  # a fence left open runs to the end of the cell, copied


def cell_pieces(cell):
    if cell.cell_type == "markdown":
        return markdown_pieces(cell.source)
    if cell.cell_type == "code":
        return code_pieces(cell.source)
    return [cell.source]


def _join(cell, pieces):
    return ("\n" if cell.cell_type == "markdown" else "").join(pieces)


# --------------------------------------------------------------------------------------
# A notebook's texts, and its translation
# --------------------------------------------------------------------------------------
def notebook_units(nb):
    """(cell id, Unit) for every translatable text of a notebook, in order."""
    found = []
    for index, cell in enumerate(nb.cells):
        try:
            pieces = cell_pieces(cell)
        except ValueError as e:
            raise ValueError(f"cell {index} ({cell.get('id')}): {e}") from None
        found.extend((cell.get("id", str(index)), p) for p in pieces if isinstance(p, Unit))
    return found


_ABSOLUTE_NOTEBOOK = re.compile(r"(https?://[^\s)\"']*?notebooks(?:/|%2F))(?!zh(?:/|%2F))"
                                r"([\w.-]+\.ipynb)")
_RELATIVE_LINK = re.compile(r"(\]\()(?!https?:|#|mailto:|/)([^)\s]+)(\))")


def localise_links(markdown, available=None):
    """Links of the Chinese edition: the course's notebooks on Colab/Binder in
    ``notebooks/zh/``; relative links to other files one folder further up; a sibling
    notebook not in ``available`` (names) links to its English edition."""
    markdown = _ABSOLUTE_NOTEBOOK.sub(_zh_url, markdown)

    def relative(match):
        target = match.group(2)
        name = target.split("#")[0]
        if name.endswith(".ipynb") and "/" not in name:
            if available is None or name in available:
                return match.group(0)
        return match.group(1) + "../" + target + match.group(3)

    return _RELATIVE_LINK.sub(relative, markdown)


def _zh_url(match):
    folder = match.group(1)
    separator = "%2F" if folder.endswith("%2F") else "/"
    return folder + LANGUAGE + separator + match.group(2)


def language_cell():
    import nbformat

    cell = nbformat.v4.new_code_cell(LANGUAGE_CELL_SOURCE)
    cell["id"] = LANGUAGE_CELL_ID
    return cell


def translate_notebook(nb, lookup, available=None):
    """The Chinese edition of the solution notebook ``nb`` (a new notebook; outputs
    cleared, nbgrader metadata set) and the texts it left in English.

    lookup: ``lookup(msgid)`` -> the translation, or None (the English text is kept).
    available: names of the notebooks that have a Chinese edition (for links).
    Returns (notebook, list of msgids without a translation).
    """
    zh = copy.deepcopy(nb)
    missing = []
    for cell in zh.cells:
        pieces = cell_pieces(cell)
        out = []
        for piece in pieces:
            if not isinstance(piece, Unit):
                out.append(piece)
                continue
            text = lookup(piece.msgid)
            if text is None:
                missing.append(piece.msgid)
                text = piece.msgid
            out.append(piece.render(text))
        cell.source = _join(cell, out)
        if cell.cell_type == "markdown":
            cell.source = localise_links(cell.source, available)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    at = next((i for i, c in enumerate(zh.cells) if c.cell_type == "code"), -1) + 1
    zh.cells.insert(at, language_cell())
    return annotate(zh), missing


def keep_outputs(new, old):
    """Give the cells of ``new`` the outputs of the cells of ``old`` with the same id and
    source (a rebuilt notebook keeps what an earlier run stored where nothing changed)."""
    previous = {c.get("id"): c for c in old.cells}
    for cell in new.cells:
        before = previous.get(cell.get("id"))
        if (cell.cell_type == "code" and before is not None and before.cell_type == "code"
                and before.source == cell.source):
            cell.outputs = copy.deepcopy(before.outputs)
            cell.execution_count = before.execution_count
    return new


def zh_exercise_label(ex):
    """What an exercise's heading says about it in Chinese: ``"（2 分 · 难度 3/5）"``."""
    return f"（{ex.points:g} 分 · 难度 {ex.difficulty}/5）"


def zh_heading_problems(nb):
    """``notebooks.heading_problems`` for the Chinese edition: each exercise heading ends
    with ``zh_exercise_label``."""
    from ..exercises import EXERCISES
    from .notebooks import checked_exercises

    problems, heading = [], None
    pattern = re.compile(r"^#{2,4} .*$", re.MULTILINE)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            found = pattern.findall(cell.source)
            heading = found[-1] if found else heading
            continue
        for ex_id in checked_exercises(cell):
            ex = EXERCISES.get(ex_id)
            if ex is not None and (heading is None or zh_exercise_label(ex) not in heading):
                problems.append(f"cell {index} checks {ex_id!r}, but the heading above it "
                                f"({heading!r}) does not contain {zh_exercise_label(ex)!r}")
    return problems
