"""The translation catalogues of the Chinese edition: what goes into them, keeping them
current (with babel), and what is wrong with them.

Layout (``backprop_lab/i18n/locale/zh/``)::

    LC_MESSAGES/backprop_lab.po   messages of the package's code, extracted from the source
                                  (calls of _, N_, ngettext, pgettext)
    LC_MESSAGES/exercises.po      texts of the exercise registry (titles, hints, the hints
                                  of catalogued mistakes, case names, the difficulty scale)
    notebooks/NN_name.po          one per notebook: its markdown blocks, comments, docstrings
                                  and shown strings (``course.translate``)
    glossary.tsv                  the terms every catalogue translates the same way

Every msgid is the English it translates.  ``update_catalogue`` (``python -m backprop_lab
translations update``) brings a catalogue in line with its English source: new texts are
added untranslated, changed ones get the closest old translation marked fuzzy (with the
old English shown as ``#| msgid``), texts gone are kept at the end as obsolete (``#~``).
``catalogue_problems`` lists what the tests fail on: texts without a current translation,
and translations that lose what the English must keep (``{}`` fields, math, code, links).

babel is imported only by the functions that write catalogues or extract from the source
(``pip install babel``; it is in the ``test`` extra); reading uses ``i18n.po``.
"""
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import i18n
from ..i18n import po

LANGUAGE = "zh"
BABEL_LOCALE = "zh_CN"
PACKAGE_DIR = Path(i18n.__file__).resolve().parents[1]
ZH_DIR = i18n.LOCALE_DIR / LANGUAGE
LIBRARY_CATALOGUE = ZH_DIR / "LC_MESSAGES" / "backprop_lab.po"
REGISTRY_CATALOGUE = ZH_DIR / "LC_MESSAGES" / "exercises.po"
NOTEBOOK_CATALOGUES = ZH_DIR / "notebooks"
GLOSSARY = ZH_DIR / "glossary.tsv"
#: The keywords babel extracts from the package's source (babel's spec of arguments).
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
BRACE_FORMAT = "python-brace-format"
ISSUES = "https://github.com/backprop-lab/backprop_lab/issues"
_FIELD = re.compile(r"\{[^{}]*\}")
_BRACE_TEMPLATE = re.compile(r"\{(?:[A-Za-z_][A-Za-z0-9_.]*)?(?:![rsa])?(?::[^{}]*)?\}")
#: What a translation must keep from its English (as a multiset): math, code, link targets.
_KEPT = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]+`|\]\([^)\s]+\)", re.DOTALL)
#: A translator's comment on an entry that frees it from the "kept" check, with a reason.
FREE_COMMENT = "free:"


@dataclass
class Message:
    """A text a catalogue must translate: the English, where it is, what it is."""

    msgid: str
    locations: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    flags: set = field(default_factory=set)
    context: str = None


def notebook_catalogue(name):
    """The catalogue of one notebook (``name`` without ``.ipynb``)."""
    return NOTEBOOK_CATALOGUES / f"{name}.po"


def _merge(found, message):
    """Add ``message`` to ``found`` (a dict by msgid), merging the places of duplicates."""
    key = (message.context, message.msgid)
    if key in found:
        old = found[key]
        old.locations += [loc for loc in message.locations if loc not in old.locations]
        old.comments += [c for c in message.comments if c not in old.comments]
        old.flags |= message.flags
    else:
        found[key] = message


# --------------------------------------------------------------------------------------
# What each catalogue translates
# --------------------------------------------------------------------------------------
def notebook_messages(nb, name):
    """The Messages of one solution notebook (``course.translate`` decides what is
    translatable)."""
    from .translate import notebook_units

    found = {}
    for cell_id, unit in notebook_units(nb):
        comments = [unit.kind]
        flags = set()
        if unit.brace_fields:
            flags.add(BRACE_FORMAT)
            comments.append("an f-string: keep every {...} field as it is")
        _merge(found, Message(unit.msgid, [f"{name}.ipynb#{cell_id}"], comments, flags))
    return list(found.values())


def library_messages(package_dir=PACKAGE_DIR):
    """The Messages of the package's code: every ``_``/``N_``/``ngettext``/``pgettext``
    call with literal arguments, extracted by babel from the source files."""
    from babel.messages.extract import extract_from_dir

    found = {}
    root = Path(package_dir)
    for filename, _lineno, msg, comments, context in extract_from_dir(
            str(root), method_map=[("**.py", "python")], keywords=KEYWORDS,
            directory_filter=_not_hidden,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        ids = msg if isinstance(msg, tuple) else (msg,)
        if not ids[0]:
            continue
        location = f"{root.name}/{filename}"  # no line number: edits elsewhere move them
        flags = {BRACE_FORMAT} if any(_BRACE_TEMPLATE.search(i) for i in ids) else set()
        _merge(found, Message(ids if len(ids) > 1 else ids[0], [location], list(comments),
                              flags, context))
    return list(found.values())


def _not_hidden(dirpath):
    """Babel skips folders starting with "_" by default; only ``.`` and ``__pycache__``
    are left out here, so that ``_engine`` is extracted."""
    name = os.path.basename(dirpath)
    return not name.startswith(".") and name != "__pycache__"


def registry_texts():
    """Every text of the exercise registry a learner reads, as (msgid, where, kind): the
    titles, the progressive hints, the hints of the catalogued mistakes, the names of the
    cases a verdict lists, and the difficulty scale.  The grading code translates them
    with ``_`` when it shows them, so their msgid is the registry's English."""
    import numpy as np

    from ..exercises import DIFFICULTY, EXERCISES

    texts = [(text, f"difficulty {level}", "difficulty") for level, text in DIFFICULTY.items()]
    for ex in EXERCISES.values():
        where = f"{ex.notebook}:{ex.id}"
        texts.append((ex.title, where, "title"))
        texts += [(h, where, f"hint {n}") for n, h in enumerate(ex.hints, start=1)]
        texts += [(m.hint, where, f"mistake: {m.name}") for m in ex.mistakes]
        for case in ex.cases(np.random.default_rng(0)):
            texts.append((case.name, where, "case name"))
    return [(t, w, k) for t, w, k in texts if t and any(c.isalpha() for c in t)]


def registry_messages():
    found = {}
    for text, where, kind in registry_texts():
        _merge(found, Message(text, [where.replace(" ", "_")], [kind]))
    return list(found.values())


# --------------------------------------------------------------------------------------
# Reading, and bringing up to date (babel)
# --------------------------------------------------------------------------------------
def read_entries(path):
    """The entries of a catalogue (``i18n.po.Entry``), header excluded; [] if absent."""
    path = Path(path)
    if not path.exists():
        return []
    entries = po.read_po(path.read_text(encoding="utf-8"), where=str(path))
    return [e for e in entries if e.msgid or e.msgctxt is not None]


def translations_of(path):
    """{msgid: translation} of a catalogue's current (translated, not fuzzy) entries."""
    return {e.msgid: e.string for e in read_entries(path) if e.translated
            and e.msgctxt is None and e.msgid_plural is None}


def _babel_read(path):
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        catalog = read_po(f, locale=BABEL_LOCALE)
    for message in list(catalog) + list(catalog.obsolete.values()):
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    return catalog


def _template(messages):
    from babel.messages.catalog import Catalog

    template = Catalog(fuzzy=False)
    for m in messages:
        template.add(m.msgid, locations=[(loc, None) for loc in m.locations],
                     auto_comments=m.comments, flags=m.flags, context=m.context)
    return template


def _new_catalog(description):
    from babel.messages.catalog import Catalog

    from .. import __version__

    return Catalog(locale=BABEL_LOCALE, project="backprop_lab", version=__version__,
                   fuzzy=False,
                   msgid_bugs_address=ISSUES,
                   header_comment=f"# Simplified Chinese: {description}.\n"
                                  "# Distributed under the backprop_lab project's license.",
                   language_team="backprop_lab", last_translator="backprop_lab contributors")


_DATES = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*$', re.MULTILINE)


def _po_text(catalog):
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, include_previous=True)
    return buffer.getvalue().decode("utf-8")


def update_catalogue(path, messages, description):
    """Bring the catalogue at ``path`` in line with ``messages`` (created if absent).

    Returns a dict of the msgids ``added`` (new, untranslated), ``fuzzy`` (changed: the
    closest old translation, to review) and ``obsolete`` (no longer in the English), and
    ``written`` (False when the file already said exactly that).
    """
    import datetime

    path = Path(path)
    old_text = path.read_text(encoding="utf-8") if path.exists() else ""
    catalog = _babel_read(path) if old_text else _new_catalog(description)
    before = {m.id for m in catalog if m.id}
    fuzzy_before = {m.id for m in catalog if m.id and m.fuzzy}
    obsolete_before = set(catalog.obsolete)
    catalog.update(_template(messages), update_creation_date=not old_text)
    catalog.fuzzy = False  # the header is final; only entries are ever fuzzy
    text = _po_text(catalog)
    written = _DATES.sub("", text) != _DATES.sub("", old_text)
    if written:
        catalog.revision_date = datetime.datetime.now(datetime.timezone.utc)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(_po_text(catalog))
    now = {m.id for m in catalog if m.id}
    return {"added": sorted((m.id for m in catalog if m.id and m.id not in before
                             and not m.fuzzy), key=str),
            "fuzzy": sorted((m.id for m in catalog if m.id and m.fuzzy
                             and m.id not in fuzzy_before), key=str),
            "obsolete": sorted((k for k in catalog.obsolete if k not in obsolete_before
                                and k not in now), key=str),
            "written": written}


# --------------------------------------------------------------------------------------
# What is wrong with a catalogue
# --------------------------------------------------------------------------------------
def _short(text, limit=70):
    text = text if isinstance(text, str) else text[0]
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _entry_key(entry):
    plural = entry.msgid_plural
    return (entry.msgctxt, entry.msgid if plural is None else (entry.msgid, plural))


def _message_key(message):
    return (message.context, message.msgid)


def coverage_problems(path, messages):
    """Sentences for every English text of ``messages`` without a current translation
    in the catalogue at ``path``: absent from it (run ``translations update``), untranslated,
    or fuzzy (its English changed: review the translation, then remove the fuzzy flag)."""
    entries = {_entry_key(e): e for e in read_entries(path)}
    problems = []
    for m in messages:
        entry = entries.get(_message_key(m))
        if entry is None:
            problems.append(f"not in the catalogue (run `translations update`): "
                            f"{_short(m.msgid)!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy (its English changed; review the translation, then "
                            f"remove the fuzzy flag): {_short(m.msgid)!r}")
        elif not all(entry.msgstr):
            problems.append(f"untranslated: {_short(m.msgid)!r}")
    return problems


def kept_tokens(text):
    """The math, inline code and link targets of a text, sorted (a multiset)."""
    return sorted(_KEPT.findall(text))


def entry_problems(entry):
    """What a translation loses from its English: its ``{...}`` fields (entries flagged
    python-brace-format), or, in markdown and comments, math, code or link targets
    (unless a translator's comment ``free: <reason>`` says why)."""
    if not entry.translated:
        return []
    problems = []
    where = _short(entry.msgid)
    for text in entry.msgstr:
        if BRACE_FORMAT in entry.flags and (sorted(_FIELD.findall(text))
                                            != sorted(_FIELD.findall(entry.msgid))):
            problems.append(f"the {{...}} fields differ from the English: {where!r}")
        free = any(c.startswith(FREE_COMMENT) for c in entry.user_comments)
        if not free and kept_tokens(text) != kept_tokens(entry.msgid):
            lost = sorted(set(kept_tokens(entry.msgid)) ^ set(kept_tokens(text)))
            problems.append(f"math, code or links differ from the English ({', '.join(lost)}):"
                            f" {where!r}")
    return problems


def catalogue_problems(path, messages):
    """Everything the tests fail on for one catalogue: ``coverage_problems`` and the
    ``entry_problems`` of its current entries."""
    wanted = {_message_key(m) for m in messages}
    problems = coverage_problems(path, messages)
    for entry in read_entries(path):
        if _entry_key(entry) in wanted:
            problems += entry_problems(entry)
    return problems


def status(path, messages):
    """Counts for one catalogue: texts, translated, fuzzy, untranslated, absent."""
    entries = {_entry_key(e): e for e in read_entries(path)}
    counts = {"texts": len(messages), "translated": 0, "fuzzy": 0, "untranslated": 0,
              "absent": 0}
    for m in messages:
        entry = entries.get(_message_key(m))
        key = ("absent" if entry is None else "fuzzy" if entry.fuzzy
               else "translated" if all(entry.msgstr) else "untranslated")
        counts[key] += 1
    return counts
