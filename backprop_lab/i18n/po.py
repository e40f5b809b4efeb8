"""Reading gettext PO files and compiling them in memory, with the standard library only.

The catalogues are PO files (the source the translators edit); nothing compiled is kept in
the repository.  The first message translated into a language reads that language's PO
files, compiles them into the bytes of a gettext MO file and hands those to the standard
library's ``gettext.GNUTranslations``, which does the look-ups (contexts and plural forms
included).  As ``msgfmt`` does, fuzzy entries and entries with an empty translation are
left out: their English text is shown.

Babel writes and updates the PO files (``python -m backprop_lab translations update``);
this module only reads them, so the package needs no babel at run time.  A test checks
that it reads every catalogue as babel does.
"""
import re
import struct
from dataclasses import dataclass, field

#: The separator gettext puts between a context and its message in a compiled catalogue.
CONTEXT_SEPARATOR = "\x04"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "\\": "\\", '"': '"'}
_ESCAPE = re.compile(r"\\(.)")
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(\[\d+\])?\s+(\".*\")\s*$")


@dataclass
class Entry:
    """One entry of a PO file: ``msgid`` (the English text), ``msgstr`` (its translations:
    one string, or one per plural form), and what the comments above it say."""

    msgid: str
    msgstr: list = field(default_factory=lambda: [""])
    msgctxt: str = None
    msgid_plural: str = None
    flags: set = field(default_factory=set)
    locations: list = field(default_factory=list)
    auto_comments: list = field(default_factory=list)
    user_comments: list = field(default_factory=list)

    @property
    def fuzzy(self):
        return "fuzzy" in self.flags

    @property
    def translated(self):
        """True when every form has a translation and the entry is not marked fuzzy."""
        return not self.fuzzy and all(self.msgstr)

    @property
    def string(self):
        """The translation (the first form), '' when there is none."""
        return self.msgstr[0] if self.msgstr else ""


def _unquote(quoted, where):
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, got {quoted!r}.")
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), quoted[1:-1])


def read_po(text, where="PO file"):
    """The entries of a PO file's text, the header (msgid "") first; obsolete entries
    (``#~``) are skipped.  ``where`` names the file in error messages."""
    entries = []
    current, field_name, comments = None, None, _Comments()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        here = f"{where}, line {number}"
        if line.startswith("#~"):
            comments = _Comments()  # an obsolete entry takes its comments with it
            continue
        if not line or line.startswith("#"):
            if current is not None:  # a blank line or a comment ends an entry
                entries.append(current)
                current, field_name = None, None
            if line:
                comments.add(line)
            continue
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"{here}: a string continues no msgid or msgstr.")
            _append(current, field_name, _unquote(line, here))
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"{here}: cannot read {line!r}.")
        keyword, index, quoted = match.groups()
        value = _unquote(quoted, here)
        starts = keyword == "msgctxt" or (keyword == "msgid" and field_name != "msgctxt")
        if starts and current is not None:
            entries.append(current)
            current = None
        if current is None:
            if not starts:
                raise ValueError(f"{here}: {keyword} before any msgid.")
            current = Entry(msgid="")
            comments.apply(current)
            comments = _Comments()
        field_name = _set(current, keyword, index is not None, value, field_name)
    if current is not None:
        entries.append(current)
    return entries


def _set(entry, keyword, indexed, value, field_name):
    """Store a keyword line's value in ``entry``; returns the field later lines continue."""
    if keyword == "msgstr" and not indexed:
        entry.msgstr = [value]
        return "msgstr0"
    if keyword == "msgstr":
        if field_name != "msgstr_plural":
            entry.msgstr = []
        entry.msgstr.append(value)
        return "msgstr_plural"
    setattr(entry, keyword, value)
    return keyword


class _Comments:
    """The comment lines above an entry, sorted into flags, locations and comments."""

    def __init__(self):
        self.flags, self.locations, self.auto, self.user = set(), [], [], []

    def add(self, line):
        kind, rest = line[:2], line[2:].strip()
        if kind == "#,":
            self.flags.update(f.strip() for f in rest.split(",") if f.strip())
        elif kind == "#:":
            self.locations.extend(rest.split())
        elif kind == "#.":
            self.auto.append(rest)
        elif kind == "#|":
            pass  # the previous msgid of a fuzzy entry: for the translator's eyes only
        else:
            self.user.append(line[1:].strip())

    def apply(self, entry):
        entry.flags, entry.locations = self.flags, self.locations
        entry.auto_comments, entry.user_comments = self.auto, self.user


def _append(entry, field_name, value):
    if field_name == "msgstr0":
        entry.msgstr[0] += value
    elif field_name == "msgstr_plural":
        entry.msgstr[-1] += value
    else:
        setattr(entry, field_name, getattr(entry, field_name) + value)


def header(entries):
    """The header fields (``Language``, ``Plural-Forms``, ...) of a catalogue's entries."""
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            fields = {}
            for line in entry.string.splitlines():
                name, sep, value = line.partition(":")
                if sep:
                    fields[name.strip()] = value.strip()
            return fields
    return {}


def _key(entry):
    key = entry.msgid if entry.msgctxt is None else entry.msgctxt + CONTEXT_SEPARATOR + entry.msgid
    if entry.msgid_plural is not None:
        key += "\0" + entry.msgid_plural
    return key


def compile_mo(entries):
    """The bytes of a gettext MO file holding the header and every translated entry
    (fuzzy and empty ones left out), as ``msgfmt`` would write them; an msgid that two
    entries share keeps the first one's translation."""
    table = {}
    for entry in entries:
        is_header = entry.msgid == "" and entry.msgctxt is None
        if not (is_header or entry.translated):
            continue
        table.setdefault(_key(entry), "\0".join(entry.msgstr))
    keys = sorted(table)
    ids = [k.encode("utf-8") for k in keys]
    strs = [table[k].encode("utf-8") for k in keys]
    count = len(keys)
    start = 7 * 4 + 16 * count  # the header, then the two tables of (length, offset)
    offsets, data = [], b""
    for blob in ids + strs:
        offsets.append((len(blob), start + len(data)))
        data += blob + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, count, 7 * 4, 7 * 4 + 8 * count, 0, start)
    tables = b"".join(struct.pack("<2I", length, offset) for length, offset in offsets)
    return head + tables + data
