"""The Chinese edition of a notebook, made from the English solution and a catalogue.

What is translatable in a solution notebook (everything else is copied as it is):

* markdown cells, block by block: a block is a run of lines between blank lines (a table
  is taken row by row; its separator row is copied).  Fenced code, display math, lines of
  solution markers and blocks of badges only are copied; a block with no letters outside
  math, code and link targets is copied;
* in code cells: comments (consecutive full-line comments at one indent are one text),
  docstrings, and the string literals that are shown: the positional arguments of
  ``print`` and ``display(Markdown(...))``, the positional arguments of the functions and
  methods that write text into a figure (``TEXT_FUNCTIONS``: ``set_title``, ``xlabel``,
  ``text``, ``legend``, ...), and the keyword arguments ``label=``, ``title=``,
  ``xlabel=``, ``ylabel=`` of any call.  An f-string is translated with its ``{...}``
  fields, which the translation keeps.  Markers (``### BEGIN SOLUTION``, ``# YOUR CODE
  HERE``, ``# noqa``, ...) and the Colab install cell are never translated.

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
import ast
import copy
import io
import re
import tokenize
from dataclasses import dataclass, field

from .notebooks import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    COLAB_INSTALL_SOURCE,
    END_HIDDEN,
    END_SOLUTION,
    annotate,
)

LANGUAGE = "zh"
LANGUAGE_CELL_ID = "zh-language"
LANGUAGE_CELL_SOURCE = (
    "# 中文版：让 backprop_lab 的判定、提示和图中的文字都显示为中文。\n"
    "import backprop_lab\n"
    "\n"
    f'backprop_lab.config.set_language("{LANGUAGE}")'
)
#: Functions and methods whose positional string arguments are drawn in a figure.
TEXT_FUNCTIONS = {"title", "suptitle", "xlabel", "ylabel", "set_title", "set_xlabel",
                  "set_ylabel", "set_zlabel", "set_suptitle", "supxlabel", "supylabel",
                  "text", "figtext", "annotate", "legend", "set_text", "set_label"}
#: Functions whose positional string arguments are printed or displayed.
SHOWN_FUNCTIONS = {"print", "Markdown"}
#: Keyword arguments whose string value is shown, whatever the call.
TEXT_KEYWORDS = {"label", "title", "xlabel", "ylabel", "suptitle"}
#: nbgrader's region markers: lines holding one are copied, never translated.
MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
_PRAGMA = re.compile(r"^#\s*(noqa|type:|pragma|fmt:|NBVAL_|!|-\*-)", re.IGNORECASE)

# What the letter test ignores in markdown: math, inline code, link targets, HTML tags.
_NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`]*`|\]\([^)]*\)|<[^>]+>|https?://\S+",
                        re.DOTALL)
_BADGES = re.compile(r"^(\s*\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\))+\s*$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FIELD = re.compile(r"\{[^{}]*\}")


@dataclass
class Unit:
    """One translatable text of a cell: ``msgid`` is the English, ``kind`` what it is
    (``markdown``, ``table row``, ``comment``, ``docstring``, ``printed text``,
    ``figure text``); ``render(text)`` gives the source that replaces it."""

    kind: str
    msgid: str
    render: object = field(repr=False)
    brace_fields: bool = False  # an f-string: the translation keeps its {...} fields


def has_letters(text):
    return any(c.isalpha() for c in text)


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
    if _BADGES.match(block) or not has_letters(_NOT_PROSE.sub("", block)):
        return [block]
    if all(line.lstrip().startswith("|") for line in lines):
        pieces = []
        for line in lines:
            if _TABLE_SEPARATOR.match(line) or not has_letters(_NOT_PROSE.sub("", line)):
                pieces.append(line)
            else:
                pieces.append(_padded(line, lambda t, r: Unit("table row", t, r)))
        return pieces
    return [_padded(block, lambda t, r: Unit("markdown", t, r))]


def markdown_pieces(source):
    """A markdown cell as a list of pieces, each a line (or lines) of text to copy or a
    ``Unit``; ``"\\n".join`` of the pieces (Units rendered) is the cell."""
    pieces, block, fence, math = [], [], None, False

    def flush():
        if block:
            pieces.extend(_markdown_block(block))
            block.clear()

    for line in source.split("\n"):
        stripped = line.strip()
        if fence is not None:
            pieces.append(line)
            if stripped.startswith(fence):
                fence = None
            continue
        if math:
            pieces.append(line)
            math = not stripped.endswith("$$")
            continue
        if stripped.startswith(("```", "~~~")):
            flush()
            fence = stripped[:3]
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
    return pieces


# --------------------------------------------------------------------------------------
# Code cells
# --------------------------------------------------------------------------------------
def _offsets(source):
    """Character offset of the start of each line (1-based rows, as tokenize and ast)."""
    starts, total = [0, 0], 0
    for line in source.split("\n"):
        total += len(line) + 1
        starts.append(total)
    return starts


def _parsable(source):
    """The source with IPython's ``%magic`` and ``!shell`` lines blanked, for ast."""
    out = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[:len(line) - len(stripped)] + "pass" + " " * max(0, len(stripped) - 4)
        out.append(line)
    return "\n".join(out)


def _comment_units(source, starts):
    """(start, end, Unit) for each comment, or block of full-line comments at one indent."""
    lines = source.split("\n")
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(_parsable(source) + "\n").readline)
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        text = tok.string
        body = text.lstrip("#").strip()
        if (not has_letters(body) or _PRAGMA.match(text) or "YOUR CODE HERE" in text
                or any(m in text for m in MARKERS)):
            continue
        (row, col), (_, end) = tok.start, tok.end
        full_line = not lines[row - 1][:col].strip()
        prefix = text[:len(text) - len(text.lstrip("#").lstrip())]
        found.append({"row": row, "col": col, "end": end, "body": body,
                      "prefix": prefix, "full": full_line})
    units, i = [], 0
    while i < len(found):
        group = [found[i]]
        while (group[-1]["full"] and i + 1 < len(found) and found[i + 1]["full"]
               and found[i + 1]["row"] == group[-1]["row"] + 1
               and found[i + 1]["col"] == group[0]["col"]):
            i += 1
            group.append(found[i])
        i += 1
        first, last = group[0], group[-1]
        prefixes = [g["prefix"] for g in group]
        indent = " " * first["col"]

        def render(text, prefixes=prefixes, indent=indent):
            out = []
            for n, line in enumerate(text.split("\n")):
                prefix = prefixes[min(n, len(prefixes) - 1)]
                out.append(("" if n == 0 else indent) + (prefix + line).rstrip())
            return "\n".join(out)

        units.append((starts[first["row"]] + first["col"], starts[last["row"]] + last["end"],
                      Unit("comment", "\n".join(g["body"] for g in group), render)))
    return units


def _call_name(node):
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _shown_strings(tree):
    """(node, kind) for every string literal that is printed or drawn, and docstrings."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                found.append((body[0].value, "docstring"))
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in SHOWN_FUNCTIONS or name in TEXT_FUNCTIONS:
            kind = "printed text" if name in SHOWN_FUNCTIONS else "figure text"
            for arg in node.args:
                items = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
                found.extend((item, kind) for item in items)
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                found.append((keyword.value, "figure text"))
    return [(n, k) for n, k in found
            if isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant)
                                                and isinstance(n.value, str))]


_LITERAL = re.compile(r"""([rRuUbBfF]{0,2})('''|\"\"\"|'|")""")


def _literal_pieces(segment):
    """(start, end, prefix, quote) of each string literal in a source segment (adjacent
    literals are concatenated by Python; each is translated on its own)."""
    pieces, i = [], 0
    while i < len(segment):
        match = _LITERAL.match(segment, i)
        if match is None:
            i += 1
            continue
        prefix, quote = match.groups()
        j = match.end()
        while j < len(segment) and not segment.startswith(quote, j):
            j += 2 if segment[j] == "\\" else 1
        pieces.append((match.end(), j, prefix, quote))
        i = j + len(quote)
    return pieces


def _string_units(source, starts):
    try:
        tree = ast.parse(_parsable(source))
    except SyntaxError as e:
        raise ValueError(f"cannot read this code cell as Python: {e}") from None
    lines = source.split("\n")
    units = []
    for node, kind in _shown_strings(tree):
        def char_col(row, byte_col):
            return len(lines[row - 1].encode("utf-8")[:byte_col].decode("utf-8"))

        start = starts[node.lineno] + char_col(node.lineno, node.col_offset)
        end = starts[node.end_lineno] + char_col(node.end_lineno, node.end_col_offset)
        segment = source[start:end]
        for body_start, body_end, prefix, quote in _literal_pieces(segment):
            body = segment[body_start:body_end]
            unit = _string_unit(body, kind, prefix, quote, indent=node.col_offset)
            if unit is not None:
                units.append((start + body_start, start + body_end, unit))
    return units


def _string_unit(body, kind, prefix, quote, indent):
    """The Unit of one literal's body (None when it has nothing to translate)."""
    is_f = "f" in prefix.lower()
    prose = _NOT_PROSE.sub("", _FIELD.sub("", body) if is_f else body)
    if "b" in prefix.lower() or not has_letters(prose):
        return None
    text = body.strip()
    lead, trail = body[:len(body) - len(body.lstrip())], body[len(body.rstrip()):]
    if kind == "docstring" and "\n" in text:
        first, *rest = text.split("\n")
        margin = min((len(r) - len(r.lstrip()) for r in rest if r.strip()), default=0)
        text = "\n".join([first] + [r[margin:] for r in rest])
        pad = " " * margin
    else:
        pad = ""

    def render(translation):
        if pad:
            translation = "\n".join(
                [line if n == 0 or not line else pad + line
                 for n, line in enumerate(translation.split("\n"))])
        return lead + translation + trail

    return Unit(kind, text, render, brace_fields=is_f)


def code_pieces(source):
    """A code cell as a list of pieces: text to copy, or a ``Unit``; ``"".join`` of the
    pieces (Units rendered) is the cell.  The Colab install cell has no Unit."""
    if source == COLAB_INSTALL_SOURCE or not source.strip():
        return [source]
    starts = _offsets(source)
    spans = sorted(_comment_units(source, starts) + _string_units(source, starts),
                   key=lambda s: s[0])
    pieces, position = [], 0
    for start, end, unit in spans:
        if start < position:
            continue  # a literal inside another one's span (cannot happen in valid code)
        pieces.append(source[position:start])
        pieces.append(unit)
        position = end
    pieces.append(source[position:])
    return pieces


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
