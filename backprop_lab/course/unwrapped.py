"""The strings of the package that look like messages but do not go through ``_`` yet:
the to-do list of wrapping a module for translation
(``python -m backprop_lab translations unwrapped [PATH ...]``).

A string counts when it has two words or more (letters, white space, letters: not an
identifier such as ``BACKPROP_LAB_LANG``), is not a docstring, is not already the
argument of ``_``, ``N_``, ``ngettext`` or ``pgettext``, and is not an index, a dict key
or a comparison operand (names, not messages).  The exercise modules are data, translated
by their registry texts (``catalogues.registry_texts``), and are not listed.
"""
import ast
import re
from pathlib import Path

from .catalogues import KEYWORDS, PACKAGE_DIR

_WORDS = re.compile(r"[A-Za-z]{2,}[,.;:!?)\"']*\s+[(\"'`]*[A-Za-z]{2,}")  # two words
SKIPPED = ("exercises/", "i18n/")


def _text(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{...}" for v in node.values)
    return None


def _not_messages(tree):
    """ids of string nodes that are docstrings, keys, indexes, comparison operands, or
    already inside a translation call (with the nodes nested in those)."""
    skip = set()

    def mark(node):
        skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _text(body[0].value) is not None:
                mark(body[0].value)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name in KEYWORDS:
                mark(node)
        elif isinstance(node, ast.Subscript):
            mark(node.slice)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    mark(key)
        elif isinstance(node, ast.Compare):
            for part in [node.left] + node.comparators:
                mark(part)
    return skip


def unwrapped_strings(paths=None):
    """(path relative to the package's folder, line, text) of every message-like string
    not yet wrapped, in the given files or folders (default: the whole package)."""
    root = PACKAGE_DIR.parent
    files = []
    for p in paths or [PACKAGE_DIR]:
        p = Path(p).resolve()
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    found = []
    for path in files:
        rel = path.relative_to(root).as_posix() if root in path.parents else str(path)
        if any(f"backprop_lab/{s}" in rel for s in SKIPPED):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _not_messages(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            text = _text(node)
            if text is not None and _WORDS.search(text):
                found.append((rel, node.lineno, text))
                skip.update(id(n) for n in ast.walk(node))
    return sorted(found, key=lambda f: (f[0], f[1]))
