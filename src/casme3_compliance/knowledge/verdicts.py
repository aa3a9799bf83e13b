"""Subject references and their verdicts, for any database.

How a database's references are written (`spNO.131`, `C27`, `sub12`, `s03`, `006`) is data: its
subjects.yaml `grammar`. What its agreement says of a subject's images is data too: each part's
rule, one of three shapes (a deny-list, an allow-list, no list) or "needs the issuer's approval",
and the sentences that say so. A database whose agreement is not public gets the answer
"unknown", never "allowed".

The grammar is ASCII-only and written so that Python's `re` and JavaScript's RegExp read it the
same way: /api/subjects.json ships it to the site's script, and both parsers are tested against
tests/vectors/subject_refs.json.

Every sentence said here around the data (a text that is no reference, a clause's place in its
agreement, a list of names) is a message of data/i18n/<lang>/messages/cli.yaml, in the
database's language: a sentence whose word order differs is a whole template there.
"""

from __future__ import annotations

from casme3_compliance.knowledge import compiled
from casme3_compliance.knowledge.errors import RefError
from casme3_compliance.knowledge.model import (
    Database,
    Form,
    Provenance,
    Record,
    SubjectPart,
    Where,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from re import Pattern
    from typing import Protocol

    class Texts(Protocol):
        """A database or the family: our texts, by id, in its language."""

        def t(self, key: str, **slots: object) -> str: ...


SYNTAX = {
    # Separators between references in a list, and the characters stripped around each.
    "list_separators": r"[,;\n]+",
    "strip": " \t\r\n\f\v",
    # Digits of a number past its leading zeros: more than this is no subject.
    "max_digits": 6,
    # A number alone (read as the part whose form says `bare`).
    "bare": r"[0-9]+",
}
UNKNOWN_FORM = r"[A-Za-z_ .-]*0*([0-9]+)"
"""What is read as a subject of a database whose agreement we do not have: a number, after
letters or separators if any (group 1); shipped to the site's script as that database's one
form."""


class SubjectRef(Record):
    part: str
    number: int


class Verdict(Record):
    """What an agreement says of a subject's images: `restricted`, `allowed` (which is not "may
    be published": the images may then be used as its permission says, under its conditions),
    `approval` (needs the issuer's approval) or `unknown` (the agreement is not public)."""

    database: str
    subject: str
    part: str
    number: int
    verdict: str
    clause: str | None
    where: str
    message: str
    note: str = ""

    @property
    def restricted(self) -> bool:
        return self.verdict == "restricted"

    @property
    def allowed(self) -> bool:
        return self.verdict == "allowed"

    def as_dict(self) -> dict[str, object]:
        return {
            "database": self.database,
            "subject": self.subject,
            "part": self.part,
            "verdict": self.verdict,
            "clause": self.clause,
            "where": self.where,
            "message": self.message,
            **({"note": self.note} if self.note else {}),
        }


def _db(db: Database | None) -> Database:
    if db is not None:
        return db
    from casme3_compliance.knowledge.loader import load

    return load()


def _compiled(form: Form) -> Pattern[str]:
    return compiled.compile(form.pattern, compiled.IGNORECASE | compiled.ASCII)


# --- Words around the data, in the database's language ---------------------------------------


def join(
    texts: Texts, items: Sequence[str], last: str = "cli.list.and", each: str = "cli.list.comma"
) -> str:
    """`a, b and c`: the items joined by the templates `each` (`{items}, {item}`) and, before
    the last, `last` (`{items} and {item}`; `cli.list.or`, or `each` again for a plain list)."""
    out = ""
    for i, item in enumerate(items):
        if i == 0:
            out = item
        else:
            out = texts.t(last if i == len(items) - 1 else each, items=out, item=item)
    return out


def place_parts(texts: Texts, where: Where) -> list[str]:
    """An agreement's own place for a clause, piece by piece: its section (or bullet, or the
    part outside its sections), then the condition, paragraph and sentence within it."""
    la = where.abbreviation
    if where.part:
        head = texts.t(f"cli.where.part.{where.part}", la=la)
        if where.part == "form":
            return [head]
    elif where.bullet:
        head = texts.t("cli.where.bullet", la=la, bullet=where.bullet)
    else:
        head = texts.t("cli.where.section", la=la, section=where.section)
    out = [head]
    for name in ("condition", "paragraph", "sentence"):
        value = getattr(where, name)
        if value:
            out.append(texts.t(f"cli.where.{name}", **{name: value}))
    return out


def _pieced(texts: Texts, parts: list[str]) -> str:
    return join(texts, parts, "cli.where.more", "cli.where.more")


def place(texts: Texts, where: Where) -> str:
    """`LA section 3, paragraph 3`: where an agreement says a clause, in `texts`' language."""
    return _pieced(texts, place_parts(texts, where))


def provenance_line(texts: Texts, provenance: Provenance) -> str:
    """The document an agreement's text was read from, in one line for every page and file."""
    pdf = provenance.pdf
    return texts.t("cli.provenance", created=pdf.created, sha256=pdf.sha256[:12])


def provenance_stamp(texts: Texts, provenance: Provenance) -> dict[str, str]:
    """Provenance.stamp() with its `line` in `texts`' language; the other values are ids."""
    return {**provenance.stamp(), "line": provenance_line(texts, provenance)}


def examples(db: Database) -> str:
    """How this database's references are written, for messages: `spNO.131 or C27`."""
    shown = []
    for part in db.subjects.parts if db.subjects else ():
        n = part.list[0] if part.list else part.min or 1
        shown += [part.name_of(n)] + ([part.short.replace("{n}", str(n))] if part.short else [])
    return join(db, shown, "cli.list.or")


def parse_ref(text: str, db: Database | None = None) -> SubjectRef:
    """The subject `text` names in `db`; RefError if it names none, or a number outside its
    part's known range."""
    db = _db(db)
    s = text.strip(SYNTAX["strip"])
    if not s:
        raise RefError(db.t("cli.ref.empty"))
    if db.subjects is None:
        return _unknown_ref(db, s)
    found = next(((f, m) for f in db.subjects.forms if (m := _compiled(f).fullmatch(s))), None)
    if found is None:
        raise RefError(syntax_message(db).replace("{input}", s))
    form, m = found
    digits = m.group(1).lstrip("0") or "0"
    if len(digits) > SYNTAX["max_digits"]:
        raise RefError(db.t("cli.ref.too_long", input=s))
    part = db.subjects.part(form.part)
    ref = SubjectRef(part.key, int(digits))
    if not part.in_range(ref.number):
        raise RefError(range_message(part, db).replace("{input}", s))
    return ref


def _unknown_ref(db: Database, s: str) -> SubjectRef:
    """A database without a public agreement has no grammar of ours: any number is taken as
    its subject, so that the answer can say "unknown" rather than "not a subject"."""
    m = compiled.compile(UNKNOWN_FORM, compiled.ASCII).fullmatch(s)
    if m is None:
        raise RefError(syntax_message(db).replace("{input}", s))
    if len(m.group(1)) > SYNTAX["max_digits"]:
        raise RefError(db.t("cli.ref.too_long", input=s))
    return SubjectRef("", int(m.group(1)))


def syntax_message(db: Database) -> str:
    """Why a text is no reference of `db`, with the `{input}` slot left open."""
    shown = examples(db) if db.subjects is not None else db.t("cli.ref.a_number")
    return db.t("cli.ref.syntax", input="{input}", name=db.name, examples=shown)


def range_message(part: SubjectPart, db: Database | None = None) -> str:
    """The out-of-range message for `part` (of `db`, default: the default database, for its
    language), with the `{input}` slot left open."""
    return _db(db).t(
        "cli.ref.range",
        input="{input}",
        name=part.name,
        min=part.min,
        max=part.max,
        where=part.range_source.where if part.range_source else "",
    )


def ref_messages(db: Database) -> dict[str, object]:
    """What parse_ref says of a text that names no subject of `db`, in its language, with the
    `{input}` slot left open; and the notes said with a number written alone (their slots open):
    what the site's lookup needs to answer as `casme3 subject` does."""
    ranges = {p.key: range_message(p, db) for p in db.subjects.parts} if db.subjects else {}
    return {
        "empty": db.t("cli.ref.empty"),
        "syntax": syntax_message(db),
        "too_long": db.t("cli.ref.too_long", input="{input}"),
        "range": ranges,
        "notes": {"bare": db.t("cli.note.bare"), "other_part": db.t("cli.note.other_part")},
        "unknown": unknown_message(db),
    }


def unknown_message(db: Database, subject: str = "{subject}") -> str:
    """The answer for a database whose agreement we do not have (`{subject}` open by default)."""
    return db.t("cli.verdict.unknown", name=db.name, subject=subject, ask=db.ask or db.issuer)


def parse_refs(text: str, db: Database | None = None) -> list[SubjectRef]:
    """Several references separated by commas, semicolons or new lines."""
    pieces = compiled.compile(SYNTAX["list_separators"]).split(text)
    return [parse_ref(t, db) for t in pieces if t.strip(SYNTAX["strip"])]


def cite_clause(db: Database, clause_id: str) -> str:
    """`clause 3.5; LA section 3, paragraph 3`: our number, then the agreement's own place."""
    assert db.agreement is not None
    return db.t(
        "cli.clause.one", clause=clause_id, where=place(db, db.agreement.clause(clause_id).where)
    )


def cite_clauses(db: Database, ids: list[str] | tuple[str, ...]) -> str:
    """`clauses 3.7-3.10; LA section 3, paragraph 5 to condition C` for a run in the
    agreement's order, else `clauses 2.2, 2.3` (each clause's place is on the terms page)."""
    assert db.agreement is not None
    if len(ids) == 1:
        return cite_clause(db, ids[0])
    order = [c.id for c in db.agreement.clauses()]
    at = [order.index(i) for i in ids]
    if len(ids) > 2 and at == list(range(at[0], at[0] + len(ids))):
        first = place_parts(db, db.agreement.clause(ids[0]).where)
        last = place_parts(db, db.agreement.clause(ids[-1]).where)
        pairs = enumerate(zip(first, last, strict=False))
        same = next((i for i, (a, b) in pairs if a != b), len(first))
        span = db.t("cli.clause.span", first=_pieced(db, first), last=_pieced(db, last[same:]))
        return db.t("cli.clause.run", first=ids[0], last=ids[-1], span=span)
    return db.t("cli.clause.many", clauses=join(db, ids, "cli.list.comma"))


def slots(db: Database, part: SubjectPart) -> dict[str, str]:
    """What the code fills into a part's verdict sentences (all but {label})."""
    assert db.agreement is not None
    labels = [db.agreement.clause(c).label or c for c in part.conditions]
    permission = [part.permission] if part.permission else []
    return {
        "name": part.name,
        "list": join(db, [str(n) for n in part.list]) if part.list else "",
        "list_labels": join(db, [part.name_of(n) for n in part.list]) if part.list else "",
        "conditions": join(db, labels) if labels else "",
        "clause": cite_clause(db, part.clause),
        "permission": cite_clauses(db, [*permission, *part.conditions])
        if permission or part.conditions
        else "",
    }


def templates(db: Database, part: SubjectPart) -> dict[str, str]:
    """The part's verdict sentences with only `{label}` left open, and the label itself;
    also shipped in /api/subjects.json for the site."""
    filled = dict(part.verdicts)
    for key, value in slots(db, part).items():
        filled = {k: v.replace("{" + key + "}", value) for k, v in filled.items()}
    return {"label": part.label, **{k: " ".join(v.split()) for k, v in filled.items()}}


def bare_note(db: Database, ref: SubjectRef, label: str) -> str:
    """Why a number alone got this part's verdict, and how to name another part's subject."""
    assert db.subjects is not None
    part = db.subjects.part(ref.part)
    note = db.t("cli.note.bare", name=part.name, label=label)
    for other in db.subjects.parts:
        if other.key != ref.part and other.in_range(ref.number) and other.max is not None:
            short = (other.short or other.label).replace("{n}", str(ref.number))
            note += db.t(
                "cli.note.other_part",
                other=other.name,
                short=short,
                other_label=other.name_of(ref.number),
            )
    return note


def verdict(ref: SubjectRef | str, db: Database | None = None) -> Verdict:
    """What `db`'s agreement says of this subject's images, and which clause says it. Given the
    text of a reference, the verdict also notes how a number written alone was read."""
    db = _db(db)
    text = ref if isinstance(ref, str) else None
    if isinstance(ref, str):
        ref = parse_ref(ref, db)
    if db.subjects is None:
        subject = text.strip(SYNTAX["strip"]) if text else str(ref.number)
        message = unknown_message(db, subject)
        return Verdict(db.id, subject, ref.part, ref.number, "unknown", None, "", message)
    part = db.subjects.part(ref.part)
    label = part.name_of(ref.number)
    answer = part.verdict(ref.number)
    message = templates(db, part)[answer].replace("{label}", label)
    clause = part.clause if answer != "allowed" else (part.allowed_clause or part.clause)
    assert db.agreement is not None
    where = place(db, db.agreement.clause(clause).where)
    bare = text is not None and _bare(db, text)
    note = bare_note(db, ref, label) if bare else ""
    return Verdict(db.id, label, part.key, ref.number, answer, clause, where, message, note)


def _bare(db: Database, text: str) -> bool:
    s = text.strip(SYNTAX["strip"])
    bare = compiled.compile(SYNTAX["bare"], compiled.ASCII)
    return bare.fullmatch(s) is not None and db.subjects is not None and len(db.subjects.parts) > 1


# --- What render/api.py read before ref_messages(db) -------------------------------------------


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return ""


def __getattr__(name: str) -> object:
    """MESSAGES, NOTES and UNKNOWN as they were: the default language's templates with their
    slots open (MESSAGES["syntax"] with `{of}` for " of <name>"). Prefer ref_messages(db),
    which says them in the database's language."""
    if name not in ("MESSAGES", "NOTES", "UNKNOWN"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from casme3_compliance.knowledge.errors import DataError
    from casme3_compliance.knowledge.loader import load_family

    try:
        texts = load_family().texts
    except DataError:  # read at import time: the next load of the family says what is wrong
        texts = {}
    texts = _Defaulting(texts)
    if name == "NOTES":
        return {"bare": texts["cli.note.bare"], "other_part": texts["cli.note.other_part"]}
    if name == "UNKNOWN":
        return texts["cli.verdict.unknown"]
    return {
        "empty": texts["cli.ref.empty"],
        "syntax": texts["cli.ref.syntax"].replace(" of {name}", "{of}"),
        "too_long": texts["cli.ref.too_long"],
        "range": texts["cli.ref.range"],
        "no_subjects": texts["cli.ref.no_subjects"],
    }
