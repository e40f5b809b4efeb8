"""The translatable texts of Python code: the code cells of a solution notebook, and the
fenced Python blocks of its markdown cells (``course.translate`` puts them together).

In a code cell: comments (consecutive full-line comments at one indent are one text),
docstrings, and the string literals that are shown: the positional arguments of ``print``
and ``display(Markdown(...))``, the positional arguments of the functions and methods that
write text into a figure (``TEXT_FUNCTIONS``: ``set_title``, ``xlabel``, ``text``,
``legend``, the categories of ``bar``, ...), and the keyword arguments ``label=``,
``title=``, ``xlabel=``, ``ylabel=`` of any call.  An f-string is translated with its
``{...}`` fields, which the translation keeps; but a field that is itself a string literal,
``f"{'actual decrease':>16}"`` (a table's header, a row's name), is a text of its own (its
format spec kept, its width counted in terminal columns), and so are the f-string's texts
either side of it.  Markers (``### BEGIN SOLUTION``, ``# YOUR CODE HERE``, ``# noqa``, ...)
and the Colab install cell are never translated.

In a fenced ```` ```python ```` block of a markdown cell only the comments are translated;
the code is copied as it is.
"""
import ast
import io
import re
import tokenize
from dataclasses import dataclass, field

from ..i18n import display_width
from .notebooks import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    COLAB_INSTALL_SOURCE,
    END_HIDDEN,
    END_SOLUTION,
)

#: Functions and methods whose positional string arguments are drawn in a figure.
TEXT_FUNCTIONS = {"title", "suptitle", "xlabel", "ylabel", "set_title", "set_xlabel",
                  "set_ylabel", "set_zlabel", "set_suptitle", "supxlabel", "supylabel",
                  "text", "figtext", "annotate", "legend", "set_text", "set_label",
                  "bar", "barh"}
#: Functions whose positional string arguments are printed or displayed.
SHOWN_FUNCTIONS = {"print", "Markdown"}
#: Keyword arguments whose string value is shown, whatever the call.
TEXT_KEYWORDS = {"label", "title", "xlabel", "ylabel", "suptitle"}
#: The languages of a markdown code fence whose comments are translated.
PYTHON_FENCES = {"python", "py", "python3", "ipython", "ipython3"}
#: nbgrader's region markers: lines holding one are copied, never translated.
MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
_PRAGMA = re.compile(r"^#\s*(noqa|type:|pragma|fmt:|NBVAL_|!|-\*-)", re.IGNORECASE)
# What the letter test ignores: math, inline code, link targets, HTML tags.
NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`]*`|\]\([^)]*\)|<[^>]+>|https?://\S+",
                       re.DOTALL)
_FIELD = re.compile(r"\{[^{}]*\}")
_LITERAL = re.compile(r"""([rRuUbBfF]{0,2})('''|\"\"\"|'|")""")


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


def offsets(source):
    """Character offset of the start of each line (1-based rows, as tokenize and ast)."""
    starts, total = [0, 0], 0
    for line in source.split("\n"):
        total += len(line) + 1
        starts.append(total)
    return starts


def parsable(source):
    """The source with IPython's ``%magic`` and ``!shell`` lines blanked, for ast."""
    out = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[:len(line) - len(stripped)] + "pass" + " " * max(0, len(stripped) - 4)
        out.append(line)
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# Comments
# --------------------------------------------------------------------------------------
def comment_units(source, starts):
    """(start, end, Unit) for each comment, or block of full-line comments at one indent."""
    lines = source.split("\n")
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(parsable(source) + "\n").readline)
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


def fenced_code_pieces(lines):
    """The lines of a fenced Python block of a markdown cell as pieces for ``"\\n".join``:
    lines copied as they are, and a Unit for each comment that renders its lines whole
    (the code before a comment is copied into it).  Code that tokenize cannot read is
    copied whole."""
    code = "\n".join(lines)
    try:
        spans = comment_units(code, offsets(code))
    except (tokenize.TokenError, SyntaxError):
        return list(lines)
    pieces, row = [], 0
    for start, end, unit in spans:
        first, last = code.count("\n", 0, start), code.count("\n", 0, end)
        pieces.extend(lines[row:first])
        before = code[code.rfind("\n", 0, start) + 1:start]
        line_end = code.find("\n", end)
        after = code[end:] if line_end < 0 else code[end:line_end]

        def render(text, unit=unit, before=before, after=after):
            return before + unit.render(text) + after

        pieces.append(Unit("comment", unit.msgid, render))
        row = last + 1
    pieces.extend(lines[row:])
    return pieces


# --------------------------------------------------------------------------------------
# Shown strings and docstrings
# --------------------------------------------------------------------------------------
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
    return [(n, k) for n, k in found if _is_string(n)]


def _is_string(node):
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant)
                                               and isinstance(node.value, str))


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
        tree = ast.parse(parsable(source))
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
            units += _literal_units(segment[body_start:body_end], start + body_start, kind,
                                    prefix, quote, indent=node.col_offset)
    return units


def _literal_units(body, at, kind, prefix, quote, indent):
    """(start, end, Unit) of the texts of one literal's body, which starts at ``at`` in
    the cell: one Unit (or none); for an f-string with string literals as fields, the
    texts between those fields and the text of each literal."""
    fields = []
    if "f" in prefix.lower():
        fields = [f for f in _fields(body) if _is_literal_expression(body[f[1]:f[2]])]
    if not fields:
        unit = _string_unit(body, kind, prefix, quote, indent)
        return [] if unit is None else [(at, at + len(body), unit)]
    units, position = [], 0
    for field_start, expr_start, expr_end, field_end in fields:
        units += _literal_units(body[position:field_start], at + position, kind, prefix,
                                quote, indent)
        expression = body[expr_start:expr_end]
        for start, end, inner_prefix, inner_quote in _literal_pieces(expression):
            inner = _literal_units(expression[start:end], at + expr_start + start, kind,
                                   inner_prefix, inner_quote, indent)
            inner = [(s, e, _inside_field(u, quote + inner_quote)) for s, e, u in inner]
            if len(inner) == 1 and expression[end:].strip() == inner_quote:
                inner = [_keeping_width(*inner[0], body[expr_start + end:field_end - 1])]
            units += inner
        position = field_end
    return units + _literal_units(body[position:], at + position, kind, prefix, quote, indent)


def _fields(body):
    """(field start, expression start, expression end, field end) of each replacement
    field of an f-string's body (``{{`` and ``}}`` are not fields)."""
    found, i = [], 0
    while i < len(body):
        if body.startswith(("{{", "}}"), i):
            i += 2
        elif body[i] == "{":
            parts = _field_parts(body, i)
            if parts is None:
                break
            found.append((i, *parts))
            i = parts[-1]
        else:
            i += 1
    return found


def _field_parts(body, start):
    """For the field opening at ``body[start]``: (expression start, expression end, field
    end).  The expression ends at the first ``!`` (not ``!=``) or ``:`` outside brackets
    and strings; the format spec after it may hold fields of its own."""
    depth, i, expr_end = 0, start + 1, None
    while i < len(body):
        c = body[i]
        if expr_end is None and c in "'\"":
            close = body.find(c, i + 1)
            i = len(body) if close < 0 else close + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return start + 1, i if expr_end is None else expr_end, i + 1
            depth -= 1
        elif expr_end is None and depth == 0 and (c == ":" or (c == "!" and
                                                               body[i + 1:i + 2] != "=")):
            expr_end = i
        i += 1
    return None


def _is_literal_expression(expression):
    """Whether a field's expression is a string literal (shown as it is)."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return False
    return _is_string(node)


_WIDTH = re.compile(r"^(?P<quote>\s*['\"]\s*:(?:.?[<>^=])?)(?P<width>[1-9][0-9]*)"
                    r"(?P<rest>[^{}]*)$")


def _keeping_width(start, end, unit, tail):
    """A literal that is a whole field with a width, ``{'actual decrease':>16}``: the
    translation's width is counted in terminal columns, as the English is (a Chinese
    character takes two), so that a table's columns still line up.  ``tail`` is what
    follows the literal in its field: the closing quote and the format spec."""
    found = _WIDTH.match(tail)
    if not found:
        return start, end, unit
    english_render, width = unit.render, int(found["width"])

    def render(text):
        shown = english_render(text)
        wide = display_width(shown) - len(shown)
        return shown + found["quote"] + str(max(width - wide, 1)) + found["rest"]

    unit.render = render
    return start, end + len(tail), unit


def _inside_field(unit, quotes):
    """The Unit of a literal inside an f-string field: before Python 3.12 a field cannot
    hold the f-string's quote, a backslash or a line break, so neither can a translation."""
    english_render = unit.render

    def render(text):
        if "\\" in text or "\n" in text or any(q in text for q in quotes):
            raise ValueError(f"the translation {text!r} goes inside an f-string's field: it "
                             f"cannot hold a backslash, a line break or any of {quotes!r}")
        return english_render(text)

    unit.render = render
    return unit


def _string_unit(body, kind, prefix, quote, indent):
    """The Unit of one literal's body (None when it has nothing to translate)."""
    is_f = "f" in prefix.lower()
    prose = NOT_PROSE.sub("", _FIELD.sub("", body) if is_f else body)
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
    starts = offsets(source)
    spans = sorted(comment_units(source, starts) + _string_units(source, starts),
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
