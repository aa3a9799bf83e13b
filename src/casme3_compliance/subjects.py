"""Subject references (`131`, `spNO.131`, `spNo 131`, `C27`, `Part C 27`) and their verdicts.

The grammar is ASCII-only and written so that Python's `re` and JavaScript's RegExp read it the
same way: /api/subjects.json ships GRAMMAR to the site's script, and both parsers are tested
against tests/vectors/subject_refs.json.
"""

from __future__ import annotations

import re

from casme3_compliance.errors import RefError
from casme3_compliance.model import KnowledgeBase, Part, Record

GRAMMAR = {
    # Tried in this order against the whole stripped text, ignoring case; group 1 is the number.
    # Part C: `C`, `Part C`, `partC`, `part-C`, `part_C`, then optional separators.
    "C": r"(?:part[ \t._-]*)?c[ \t._-]*([0-9]+)",
    # Parts A/B: an optional `spNO` prefix, then a dot, space, underscore, hyphen or nothing.
    "AB": r"(?:sp[ \t]*no[ \t._-]*)?([0-9]+)",
    "list_separators": r"[,;\n]+",
    "strip": " \t\r\n\f\v",
    "max_digits": 6,
}
_PATTERNS = {key: re.compile(GRAMMAR[key], re.IGNORECASE | re.ASCII) for key in ("C", "AB")}
_LIST_SEPARATORS = re.compile(GRAMMAR["list_separators"])
MESSAGES = {
    "empty": "empty subject reference",
    "syntax": "'{input}' is not a subject reference (write 131, spNO.131 or spNo 131 for "
    "Parts A/B, C27 or Part C 27 for Part C)",
    "too_long": "'{input}': the number is too long to be a subject",
    "range": "'{input}' is not a subject: {name} subjects are numbered {min} to {max} ({where})",
}
"""Why a text names no subject; `{input}` is the stripped text. Shipped to the site as well."""


class SubjectRef(Record):
    part: str  # "AB" or "C"
    number: int


class Verdict(Record):
    subject: str
    part: str
    number: int
    publishable: bool
    clause: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "part": self.part,
            "publishable": self.publishable,
            "clause": self.clause,
            "message": self.message,
        }


def parse_ref(text: str, kb: KnowledgeBase | None = None) -> SubjectRef:
    """The subject `text` names; RefError if it names none, or a number outside its part's range."""
    s = text.strip(GRAMMAR["strip"])
    if not s:
        raise RefError(MESSAGES["empty"])
    found = next(((k, m) for k, p in _PATTERNS.items() if (m := p.fullmatch(s))), None)
    if found is None:
        raise RefError(MESSAGES["syntax"].replace("{input}", s))
    part, m = found
    if len(m.group(1)) > GRAMMAR["max_digits"]:
        raise RefError(MESSAGES["too_long"].replace("{input}", s))
    ref = SubjectRef(part, int(m.group(1)))
    if kb is None:
        from casme3_compliance.loader import load

        kb = load()
    p = kb.subjects.part(part)
    if not p.min <= ref.number <= p.max:
        raise RefError(range_message(p).replace("{input}", s))
    return ref


def range_message(part: Part) -> str:
    """The out-of-range message for `part`, with the `{input}` slot left open."""
    return (
        MESSAGES["range"]
        .replace("{name}", part.name)
        .replace("{min}", str(part.min))
        .replace("{max}", str(part.max))
        .replace("{where}", part.range_source.where)
    )


def parse_refs(text: str, kb: KnowledgeBase | None = None) -> list[SubjectRef]:
    """Several references separated by commas, semicolons or new lines."""
    pieces = _LIST_SEPARATORS.split(text)
    return [parse_ref(t, kb) for t in pieces if t.strip(GRAMMAR["strip"])]


def templates(kb: KnowledgeBase, part: Part) -> dict[str, str]:
    """Verdict sentences with a `{label}` slot; also shipped in /api/subjects.json for the site."""
    conditions = kb.agreement.image_conditions()
    names = ", ".join(c.label or "" for c in conditions[:-1]) + f" and {conditions[-1].label}"
    still = (
        "its images may be used in papers and academic presentations, and conditions "
        f"{names} (clauses {conditions[0].id}-{conditions[-1].id}) still apply."
    )
    if part.key == "AB":
        return {
            "label": "spNO.{n}",
            "restricted": f"{{label}} ({part.name}) is on the LA's list of subjects whose images "
            f"should not be published (clause {part.clause}).",
            "allowed": f"{{label}} ({part.name}) is not on the LA's list: {still}",
        }
    exceptions = " and ".join(str(n) for n in part.allowed_list or ())
    return {
        "label": "Part C subject {n}",
        "restricted": f"{{label}} is restricted: except for subject {exceptions}, Part C images "
        f"should not be published (clause {part.clause}).",
        "allowed": f"{{label}} is the Part C subject the LA exempts: {still}",
    }


def verdict(ref: SubjectRef | str, kb: KnowledgeBase | None = None) -> Verdict:
    """May images of this subject be published, and which clause decides it."""
    if kb is None:
        from casme3_compliance.loader import load

        kb = load()
    if isinstance(ref, str):
        ref = parse_ref(ref, kb)
    part = kb.subjects.part(ref.part)
    t = templates(kb, part)
    label = t["label"].replace("{n}", str(ref.number))
    restricted = part.is_restricted(ref.number)
    message = t["restricted" if restricted else "allowed"].replace("{label}", label)
    clause = part.clause if restricted else part.allowed_clause
    return Verdict(label, part.key, ref.number, not restricted, clause, message)
