"""Subject references (`131`, `spNO.131`, `C27`, `Part C subject 27`) and their verdicts.

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
    # Leading zeros are not digits of the number (spNO.007 is spNO.7), as in the scanner.
    # Part C: `C`, `Part C`, `partC`, `part-C`, `part_C`, an optional `subject` (the label the
    # verdicts print, `Part C subject 27`), then optional separators.
    "C": r"(?:part[ \t._-]*)?c[ \t._-]*(?:sub(?:ject)?[ \t._-]*)?0*([0-9]+)",
    # Parts A/B: an optional `spNO` prefix, then a dot, space, underscore, hyphen or nothing.
    "AB": r"(?:sp[ \t]*no[ \t._-]*)?0*([0-9]+)",
    # A number alone is read as Parts A/B; the answer says Part C has its own numbering.
    "bare": r"[0-9]+",
    "list_separators": r"[,;\n]+",
    "strip": " \t\r\n\f\v",
    "max_digits": 6,
}
PATTERN_ORDER = ("C", "AB")
"""The part patterns of GRAMMAR, tried in this order."""
_PATTERNS = {key: re.compile(GRAMMAR[key], re.IGNORECASE | re.ASCII) for key in PATTERN_ORDER}
_BARE = re.compile(GRAMMAR["bare"], re.ASCII)
_LIST_SEPARATORS = re.compile(GRAMMAR["list_separators"])
MESSAGES = {
    "empty": "empty subject reference",
    "syntax": "'{input}' is not a subject reference (write 131, spNO.131 or spNo 131 for "
    "Parts A/B, C27 or Part C subject 27 for Part C)",
    "too_long": "'{input}': the number is too long to be a subject",
    "range": "'{input}' is not a subject: {name} subjects are numbered {min} to {max} ({where})",
}
"""Why a text names no subject; `{input}` is the stripped text. Shipped to the site as well."""
NOTES = {
    "bare": "A number alone is read as {name}: {label}.",
    "other_part": " {other} numbers its own subjects: write C{n} for {other_label}.",
}
"""Said with the verdict of a number written alone; also shipped to the site."""


class SubjectRef(Record):
    part: str  # "AB" or "C"
    number: int


class Verdict(Record):
    """Whether the LA restricts a subject's images. Not restricted is not "may be published":
    the images may then be used in paper writing and academic presentation, under conditions."""

    subject: str
    part: str
    number: int
    restricted: bool
    clause: str
    where: str
    message: str
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "part": self.part,
            "verdict": "restricted" if self.restricted else "allowed",
            "clause": self.clause,
            "where": self.where,
            "message": self.message,
            **({"note": self.note} if self.note else {}),
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


def allowed_use(kb: KnowledgeBase, part: Part) -> str:
    """What the LA lets a subject's images be used for when it does not restrict them: the
    permission's own words and its conditions, never a bare "may be published"."""
    a = kb.agreement
    conditions = a.image_conditions()
    names = ", ".join(c.label or "" for c in conditions[:-1]) + f" and {conditions[-1].label}"
    return (
        f"may be used in paper writing and academic presentation, under conditions {names} "
        f"({cite_clauses(kb, [part.permission, *(c.id for c in conditions)])})"
    )


def cite_clause(kb: KnowledgeBase, clause_id: str) -> str:
    """`clause 3.5; LA section 3, paragraph 3`: our number, then the LA's own place."""
    return f"clause {clause_id}; {kb.agreement.clause(clause_id).where}"


def cite_clauses(kb: KnowledgeBase, ids: list[str]) -> str:
    """`clauses 3.7-3.10; LA section 3, paragraph 5 to condition C` for a run in the LA's
    order, else `clauses 2.2, 2.3` (each clause's place is on the terms page)."""
    if len(ids) == 1:
        return cite_clause(kb, ids[0])
    order = [c.id for c in kb.agreement.clauses()]
    at = [order.index(i) for i in ids]
    if len(ids) > 2 and at == list(range(at[0], at[0] + len(ids))):
        first = str(kb.agreement.clause(ids[0]).where).split(", ")
        last = str(kb.agreement.clause(ids[-1]).where).split(", ")
        pairs = enumerate(zip(first, last, strict=False))
        same = next((i for i, (a, b) in pairs if a != b), len(first))
        span = f"{', '.join(first)} to {', '.join(last[same:])}"
        return f"clauses {ids[0]}\u2013{ids[-1]}; {span}"
    return "clauses " + ", ".join(ids)


def templates(kb: KnowledgeBase, part: Part) -> dict[str, str]:
    """Verdict sentences with a `{label}` slot; also shipped in /api/subjects.json for the site."""
    use = allowed_use(kb, part)
    rule = cite_clause(kb, part.clause)
    if part.restricted_list is not None:
        return {
            "label": "spNO.{n}",
            "restricted": f"{{label}} ({part.name}) is on the LA's list of subjects whose images "
            f"should not be published ({rule}).",
            "allowed": f"{{label}} ({part.name}) is not on the LA's list of subjects whose images "
            f"should not be published ({rule}): images of a subject with this number {use}.",
        }
    exceptions = " and ".join(str(n) for n in part.allowed_list or ())
    return {
        "label": "Part C subject {n}",
        "restricted": f"{{label}} is restricted: except for subject {exceptions}, the images of "
        f"{part.name} subjects should not be published ({rule}).",
        "allowed": f"{{label}} is the {part.name} subject the LA excepts ({rule}): its images "
        f"{use}.",
    }


def bare_note(kb: KnowledgeBase, ref: SubjectRef, label: str) -> str:
    """Why a number alone got this part's verdict, and how to name the other part's subject."""
    part = kb.subjects.part(ref.part)
    note = NOTES["bare"].replace("{name}", part.name).replace("{label}", label)
    for other in kb.subjects.parts:
        if other.key != ref.part and other.min <= ref.number <= other.max:
            other_label = templates(kb, other)["label"].replace("{n}", str(ref.number))
            note += (
                NOTES["other_part"]
                .replace("{other}", other.name)
                .replace("{n}", str(ref.number))
                .replace("{other_label}", other_label)
            )
    return note


def verdict(ref: SubjectRef | str, kb: KnowledgeBase | None = None) -> Verdict:
    """Whether the LA restricts this subject's images, and which clause decides it. Given the
    text of a reference, the verdict also notes how a number written alone was read."""
    if kb is None:
        from casme3_compliance.loader import load

        kb = load()
    bare = isinstance(ref, str) and _BARE.fullmatch(ref.strip(GRAMMAR["strip"])) is not None
    if isinstance(ref, str):
        ref = parse_ref(ref, kb)
    part = kb.subjects.part(ref.part)
    t = templates(kb, part)
    label = t["label"].replace("{n}", str(ref.number))
    restricted = part.is_restricted(ref.number)
    message = t["restricted" if restricted else "allowed"].replace("{label}", label)
    clause = part.clause if restricted else part.allowed_clause
    where = str(kb.agreement.clause(clause).where)
    note = bare_note(kb, ref, label) if bare else ""
    return Verdict(label, part.key, ref.number, restricted, clause, where, message, note)
