"""The scan rules: one class per kind of rule, registered by what the rule applies to.

data/rules.yaml gives each rule its code, name, severity and `applies` (the part of each
database's data it enforces). `Registry(rules)` maps every code to the class here that
implements its `applies`, so from a rule code to its code is one look-up, and a rule's code is
data: nothing below names a code, a database, a part or a clause. The engine (engine.py) finds
the facts (a subject tied to a database, a folder of its release, a manuscript naming it) and
hands each to the rule that judges it; the rule words the finding, in the scan's language
(data/i18n/<lang>/messages/scan.yaml, through `run.t`), and names the clause of the database's
own agreement that it stands for (Database.clauses_for).

Adding a rule is a class here with `@implements("<applies>")` and an entry in rules.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from casme3_compliance.knowledge import model
from casme3_compliance.knowledge.errors import RefError
from casme3_compliance.knowledge.verdicts import SubjectRef, Verdict, cite_clause, verdict

if TYPE_CHECKING:
    from casme3_compliance.scan.engine import _Manuscript, _Run
    from casme3_compliance.scan.findings import Unchecked
    from casme3_compliance.scan.text import Figure, Hit


class Rule:
    """A rule of rules.yaml and the code that reports it."""

    applies: ClassVar[str] = ""

    def __init__(self, rule: model.Rule):
        self.rule = rule
        self.code = rule.code

    def clauses(self, db: model.Database) -> tuple[str, ...]:
        """The clauses of `db`'s agreement this rule stands for (none: nothing to report)."""
        return db.clauses_for(self.rule)


_IMPLEMENTATIONS: dict[str, type[Rule]] = {}


def implements(applies: str):
    """Register a class as the code of the rules that apply to `applies`."""

    def register(cls: type[Rule]) -> type[Rule]:
        cls.applies = applies
        _IMPLEMENTATIONS[applies] = cls
        return cls

    return register


def implemented() -> frozenset[str]:
    return frozenset(_IMPLEMENTATIONS)


class Registry:
    """Every rule of the data, by code and by what it applies to."""

    def __init__(self, rules: tuple[model.Rule, ...]):
        self.by_code: dict[str, Rule] = {}
        for r in rules:
            if r.applies not in _IMPLEMENTATIONS:
                raise KeyError(f"no code implements rules that apply to {r.applies!r}")
            self.by_code[r.code] = _IMPLEMENTATIONS[r.applies](r)
        self.by_applies = {impl.applies: impl for impl in self.by_code.values()}

    def __getitem__(self, applies: str) -> Any:
        """The rule for `applies` (each kind has its own way to report: see its class)."""
        return self.by_applies[applies]

    def code(self, applies: str) -> str | None:
        impl = self.by_applies.get(applies)
        return impl.code if impl is not None else None


# The scan itself ------------------------------------------------------------------------------


@implements("scanner")
class NotChecked(Rule):
    """What the scan could not look at: never a clean answer for it."""

    def report(self, run: _Run, what: Unchecked) -> None:
        message = run.t("scan.not_checked", why=what.why)
        run.add(self.code, None, what.path, what.line, 1, message, "")


# Subjects -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectFact:
    """A subject id tied to a database, where it was found."""

    path: str
    line: int
    column: int
    part: str | None
    number: int
    text: str  # as written
    where: str = ""  # the message id saying where: "scan.subject.image_path", ...; "" for text
    suppressions: dict | None = None

    def said(self, run: _Run, message: str) -> str:
        """`message` (what the agreement says of the subject), after where it was found."""
        return run.t(self.where, message=message) if self.where else message


class SubjectRule(Rule):
    """A subject whose images the database's agreement restricts, by the shape of its part's
    rule (a deny-list, an allow-list, the issuer's approval)."""

    def report(self, run: _Run, db: model.Database, fact: SubjectFact) -> None:
        v = run.verdict(db, fact.part, fact.number)
        if v is None or v.allowed:
            return
        run.add(
            self.code,
            db,
            fact.path,
            fact.line,
            fact.column,
            fact.said(run, v.message),
            v.clause or "",
            fact.suppressions,
        )


@implements("deny-list")
class DenyList(SubjectRule):
    pass


@implements("allow-list")
class AllowList(SubjectRule):
    pass


@implements("approval")
class NeedsApproval(SubjectRule):
    pass


@implements("not-public")
class NotPublic(Rule):
    """What a database's agreement would decide, where this project does not have it: said
    as unknown, never as allowed."""

    def report(self, run: _Run, db: model.Database, fact: SubjectFact) -> None:
        text = f"subject {fact.text}" if fact.text.isdigit() else fact.text
        try:
            v = verdict(text, db)  # the subject as written: s01, subject 006
        except RefError:  # a clip's name (006_1_2): the number its form read
            v = verdict(SubjectRef("", fact.number), db)
        run.add(
            self.code,
            db,
            fact.path,
            fact.line,
            fact.column,
            fact.said(run, v.message),
            "",
            fact.suppressions,
        )

    def files(self, run: _Run, db: model.Database, path: str, what: str) -> None:
        ask = db.ask or db.issuer
        message = run.t("scan.release.not_public", what=what, db=db.name, ask=ask)
        run.add(self.code, db, path, 1, 1, message, "")


# The database's files -------------------------------------------------------------------------


@implements("files")
class DatabaseFiles(Rule):
    """Files of the database's release in the tree: its agreement forbids sharing them."""

    def forbids(self, run: _Run, db: model.Database) -> str:
        files = (db.scan or {}).get("files", {})
        return files.get("forbids") or run.t("scan.release.forbids")

    def report(self, run: _Run, db: model.Database, path: str, what: str, more: str = "") -> None:
        clause = self.clauses(db)[0]  # a clause: so the database has an agreement
        assert db.agreement is not None
        message = run.t(
            "scan.release.forbidden",
            what=what,
            la=db.agreement.abbreviation,
            forbids=self.forbids(run, db),
            cited=cite_clause(db, clause),
            more=more,
        )
        run.add(self.code, db, path, 1, 1, message, clause)


# Figures --------------------------------------------------------------------------------------


@implements("notice")
class CopyrightNotice(Rule):
    """A figure from the database without the copyright notice its agreement asks for."""

    def report(self, run: _Run, db: model.Database, path: str, figure: Figure, sup) -> None:
        clause = self.clauses(db)[0]
        notice = (db.scan or {}).get("notice", {}).get("text", "")
        message = run.t("scan.notice.missing", notice=notice, cited=cite_clause(db, clause))
        run.add(self.code, db, path, figure.line, figure.column, message, clause, sup)


# How a paper names, cites and acknowledges the database ---------------------------------------


@implements("citation")
class MissingCitation(Rule):
    """A manuscript names the database but does not cite the paper its agreement asks for; a
    paper only customary to cite is a note, not a finding."""

    def report(self, run: _Run, m: _Manuscript, message: str) -> None:
        db = m.db
        clauses = self.clauses(db)
        if not clauses:
            run.note_citation(m, message)
            return
        # The obligation is the rule's first clause (CAS(ME)³ 4.1: "refer ... and cite this");
        # the citation's own clause (4.2) is the reference to cite.
        clause = clauses[0]
        where = cite_clause(db, clause)
        if db.citation.clause and db.citation.clause != clause:
            reference = cite_clause(db, db.citation.clause)
            where = run.t("scan.citation.reference", cited=where, reference=reference)
        message = run.t("scan.citation.finding", message=message, cited=where)
        run.add(self.code, db, m.path, m.line, m.column, message, clause, m.sup)


@implements("name")
class DatabaseName(Rule):
    """The database's name written otherwise than its agreement asks."""

    def report(self, run: _Run, db: model.Database, path: str, kind: str, hit: Hit, sup) -> None:
        clauses = self.clauses(db)
        if not clauses:
            return
        forms = db.citation.name_forms
        keys = ("latex", "latex_text") if kind == "tex" else ("unicode", "html")
        first, other = forms[keys[0]], forms[keys[1]]
        suggest = first if first == other else run.t("scan.name.either", first=first, other=other)
        found = hit.text.decode("utf-8", "replace")
        assert db.agreement is not None  # it has clauses
        message = run.t(
            "scan.name.wrong",
            found=repr(found),
            la=db.agreement.abbreviation,
            name=forms["unicode"],
            suggest=suggest,
            cited=cite_clause(db, clauses[0]),
        )
        run.add(self.code, db, path, hit.line, hit.column, message, clauses[0], sup)


@implements("acknowledgement")
class Acknowledgement(Rule):
    """A manuscript uses the database without the acknowledgement its agreement words."""

    def report(self, run: _Run, m: _Manuscript) -> None:
        db = m.db
        clauses = self.clauses(db)
        if not clauses or not db.citation.acknowledgement:
            return
        message = run.t(
            "scan.acknowledgement.missing",
            uses=m.uses(run.t),
            text=db.citation.acknowledgement,
            cited=cite_clause(db, clauses[0]),
        )
        run.add(self.code, db, m.path, m.line, m.column, message, clauses[0], m.sup)


def verdict_of(db: model.Database, part: str | None, n: int) -> Verdict | None:
    """The verdict for subject `n` of `part`, or None when the number names no subject."""
    if db.subjects is None:
        return verdict(SubjectRef("", n), db) if not db.public else None
    if part is None:
        return None
    p = db.subjects.part(part)
    return verdict(SubjectRef(part, n), db) if p.in_range(n) else None
