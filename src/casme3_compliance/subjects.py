"""Subject references (`131`, `spNO.131`, `spNo 131`, `C27`, `Part C 27`) and their verdicts.

The grammar is mirrored in docs/assets/javascripts/casme3.js; both are tested against
tests/vectors/subject_refs.json so the two cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from casme3_compliance.errors import RefError
from casme3_compliance.model import KnowledgeBase, Part

# Parts A/B: an optional `spNO` prefix (any case) then a dot, space, underscore, hyphen or nothing.
_AB = re.compile(r"(?:sp\s*no[\s._-]*)?(\d+)", re.IGNORECASE)
# Part C: `C`, `Part C`, `partC`, `part-C`, `part_C`, then optional separators.
_C = re.compile(r"(?:part[\s._-]*)?c[\s._-]*(\d+)", re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"[,;\n]+")


@dataclass(frozen=True)
class SubjectRef:
    part: str  # "AB" or "C"
    number: int


@dataclass(frozen=True)
class Verdict:
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
    s = text.strip()
    if not s:
        raise RefError("empty subject reference")
    if m := _C.fullmatch(s):
        part = "C"
    elif m := _AB.fullmatch(s):
        part = "AB"
    else:
        raise RefError(
            f"{text.strip()!r} is not a subject reference "
            "(write 131, spNO.131 or spNo 131 for Parts A/B, C27 or Part C 27 for Part C)"
        )
    if len(m.group(1)) > 6:
        raise RefError(f"{s!r}: the number is too long to be a subject")
    ref = SubjectRef(part, int(m.group(1)))
    if kb is None:
        from casme3_compliance.loader import load

        kb = load()
    p = kb.subjects.part(part)
    if not p.min <= ref.number <= p.max:
        raise RefError(
            f"{s!r} is not a subject: {p.name} subjects are numbered {p.min} to {p.max} "
            f"({p.range_source.where})"
        )
    return ref


def parse_refs(text: str, kb: KnowledgeBase | None = None) -> list[SubjectRef]:
    """Several references separated by commas, semicolons or new lines."""
    return [parse_ref(t, kb) for t in _LIST_SEPARATORS.split(text) if t.strip()]


def templates(kb: KnowledgeBase, part: Part) -> dict[str, str]:
    """Verdict sentences with a `{label}` slot; also shipped in /api/subjects.json for the site."""
    conditions = [c for c in kb.agreement.clauses() if c.kind == "condition" and c.label]
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
