"""A learner's slips around a check: checking an older version of the function.

When the cell that defines a function fails (a syntax error, or an error before the
``def`` runs) after an earlier version of that cell ran, the name still holds the earlier
version, and ``check`` would grade it without a word.  ``older_definition_note`` compares
the checked function's source (from the cell it was compiled from) with the last cell run
that defines that name, using IPython's input history, and says so when they differ.
Outside IPython, or without history (nbval runs cells without storing them), it says
nothing.
"""
from __future__ import annotations

import linecache
import re
import sys
import types
from typing import Optional

from ..i18n import _


def _ipython():
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:  # noqa: BLE001 - no IPython session, or a broken one
        return None


def _history(shell):
    try:
        return list(shell.history_manager.input_hist_raw)
    except Exception:  # noqa: BLE001
        return []


def _source_of(fn) -> Optional[str]:
    code = getattr(fn, "__code__", None)
    if not isinstance(code, types.CodeType):
        return None
    lines = linecache.getlines(code.co_filename)
    if not lines:
        return None
    return "".join(lines)


def _defines(name):
    return re.compile(rf"^[ \t]*(async[ \t]+)?def[ \t]+{re.escape(name)}\b|"
                      rf"^[ \t]*class[ \t]+{re.escape(name)}\b|"
                      rf"^[ \t]*{re.escape(name)}[ \t]*=[^=]", re.MULTILINE)


def _normalize(text):
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def older_definition_note(fn, shell=None) -> Optional[str]:
    """A sentence when ``fn`` is older than the last cell run that defines its name,
    else None."""
    shell = shell if shell is not None else _ipython()
    name = getattr(fn, "__name__", None)
    if shell is None or not isinstance(name, str) or not name.isidentifier():
        return None
    history = _history(shell)
    if len(history) < 2:
        return None
    pattern = _defines(name)
    latest = next((cell for cell in reversed(history[:-1]) if pattern.search(cell or "")),
                  None)
    source = _source_of(fn)
    if latest is None or source is None:
        return None
    if _normalize(latest) == _normalize(source) or _normalize(source) in _normalize(latest):
        return None
    try:
        compile(latest, "<cell>", "exec")
    except SyntaxError as e:
        return _("Note: the last cell you ran that defines `{name}` has a syntax error (line "
                 "{line} of that cell: {error}), so it did not redefine it: this check grades "
                 "the older `{name}` that ran before. Fix the error, run that cell again, then "
                 "this check.").format(name=name, line=e.lineno, error=e.msg)
    except (ValueError, TypeError):
        return None
    top_level = re.compile(rf"^(async[ \t]+)?def[ \t]+{re.escape(name)}\b|"
                           rf"^class[ \t]+{re.escape(name)}\b", re.MULTILINE)
    if not top_level.search(latest):
        return None  # an assignment or a nested definition: nothing certain to say
    return _("Note: the last cell you ran that defines `{name}` did not redefine it (it "
             "stopped with an error before the definition ran), so this check grades the "
             "older `{name}` that ran before. Fix that cell, run it again, then this check.")\
        .format(name=name)
