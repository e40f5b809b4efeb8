"""The glossary of the Chinese edition, and the check that every catalogue follows it.

``backprop_lab/i18n/locale/zh/glossary.tsv`` has one term a line, tab-separated:

    english   the English term; variants separated by " | " ("backpropagation | backprop")
    chinese   the Chinese term every translation of a text with the English term uses
    first     the notebook that introduces the term (or "library")
    avoid     other renderings that must not stand for it, separated by ", " (may be empty)
    note      why this term (the source article's term, d2l.ai's Chinese edition, ...)

An English variant matches as whole words, case-insensitively, with a plural "s"/"es",
and hyphen or space between its words; text in math, inline code, ``{...}`` fields of
shown f-strings and link targets is not searched, and words that are part of a longer
term ("squared error" in "mean squared error", "bias" in "bias correction") count for the
longer term only.  A translation may leave a term out for a reason: a translator's comment
``# glossary: <english term>: <reason>`` above the entry records the exception.
"""
import csv
import functools
import re
from dataclasses import dataclass

from . import catalogues

EXCEPTION_COMMENT = "glossary:"
_IGNORED = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]+`|\]\([^)\s]+\)|https?://\S+"
                      r"|\{[^{}\n]*\}", re.DOTALL)


@dataclass
class Term:
    english: tuple
    chinese: str
    first: str
    avoid: tuple = ()
    note: str = ""

    @property
    def name(self):
        return self.english[0]

    def pattern(self):
        return _pattern(self.english)

    def occurs_in(self, english):
        return bool(self.pattern().search(_IGNORED.sub(" ", english)))


@functools.lru_cache(maxsize=None)
def _pattern(english):
    """The regular expression of a term's English variants (made once per term: the
    check of a catalogue asks for each term's pattern at every entry)."""
    words = [r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", variant.strip()))
             for variant in english]
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?:e?s)?(?![\w-])",
                      re.IGNORECASE)


def terms_in(english, terms):
    """The terms that occur in an English text, a term inside a longer one's occurrence
    not counted (the longest terms are matched first and their words blanked)."""
    text = _IGNORED.sub(" ", english)
    found = []
    for term in sorted(terms, key=lambda t: -max(len(v) for v in t.english)):
        pattern = term.pattern()
        if pattern.search(text):
            found.append(term)
            text = pattern.sub(lambda m: " " * len(m.group()), text)
    return found


def read_glossary(path=catalogues.GLOSSARY):
    """The terms of the glossary, in its order."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [Term(english=tuple(v.strip() for v in row["english"].split("|") if v.strip()),
                 chinese=row["chinese"].strip(), first=row["first"].strip(),
                 avoid=tuple(a.strip() for a in (row.get("avoid") or "").split(",")
                             if a.strip()),
                 note=(row.get("note") or "").strip())
            for row in rows]


def exceptions(entry):
    """The English terms an entry's translator comments free it from."""
    found = set()
    for comment in entry.user_comments:
        if comment.startswith(EXCEPTION_COMMENT):
            term, _, reason = comment[len(EXCEPTION_COMMENT):].partition(":")
            if reason.strip():
                found.add(term.strip().lower())
    return found


def entry_problems(entry, terms):
    """Sentences for each glossary term an entry's translation does not follow."""
    if not entry.translated:
        return []
    free = exceptions(entry)
    problems = []
    english = entry.msgid + ("\n" + entry.msgid_plural if entry.msgid_plural else "")
    short = english.replace("\n", " ")[:70]
    for term in terms_in(english, terms):
        if term.name.lower() in free:
            continue
        for text in entry.msgstr:
            if term.chinese not in text:
                problems.append(f"{term.name!r} is {term.chinese!r} in the glossary, but the "
                                f"translation of {short!r} does not use it")
            for variant in term.avoid:
                if variant in text:
                    problems.append(f"{variant!r} in the translation of {short!r}: the "
                                    f"glossary's term is {term.chinese!r}")
    return problems


def catalogue_glossary_problems(path, terms=None):
    """``entry_problems`` for every entry of one catalogue."""
    terms = read_glossary() if terms is None else terms
    problems = []
    for entry in catalogues.read_entries(path):
        problems += entry_problems(entry, terms)
    return problems
