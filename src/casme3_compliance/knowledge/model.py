"""Typed, read-only view of the validated data of every database; built once by the loader.

Nothing here names a database, a part or a clause: all of that is data. The records only say
how the pieces fit (a clause has a place in its agreement, a subject part has a rule).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # importing `typing` costs the CLI ms at every start; annotations are strings
    from collections.abc import Iterator
    from typing import Any


class Record:
    """An immutable value: fields from the class's annotations, equality, hash, repr, replace().

    Written once instead of `@dataclass(frozen=True)`: importing dataclasses (and with it
    inspect) and generating its methods for every class cost `casme3 subject` about 25 ms at
    each start, more than all of its own work.
    """

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Not inspect.get_annotations: importing inspect is the cost this class avoids.
        cls._fields = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063

    def __init__(self, *args: object, **kwargs: object) -> None:
        cls, names = type(self), type(self)._fields
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} arguments, {len(args)} given")
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names or key in values:
                raise TypeError(f"{cls.__name__}() got an unexpected or repeated argument {key!r}")
            values[key] = value
        for name in names:
            if name not in values and name not in cls.__dict__:
                raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")
            object.__setattr__(self, name, values.get(name, cls.__dict__.get(name)))

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only: cannot assign {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only: cannot delete {name!r}")

    def replace(self, **changes: object) -> Any:
        """A copy with some fields changed."""
        return type(self)(**{**dict(zip(self._fields, self._values(), strict=True)), **changes})

    def as_dict(self) -> dict[str, Any]:
        """Plain data, nested records and tuples included (for JSON)."""
        return {name: _plain(getattr(self, name)) for name in self._fields}


def _plain(value: object) -> object:
    if isinstance(value, Record):
        return value.as_dict()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def anchor_for(clause_id: str) -> str:
    """`3.4` -> `clause-3-4`: the stable anchor of a clause on a terms page."""
    return "clause-" + clause_id.lower().replace(".", "-")


def _tuple(records: Any, items: Any) -> tuple:
    return tuple(records(**i) if isinstance(i, dict) else records(i) for i in items or ())


# --- The agreement ----------------------------------------------------------------------------


class Where(Record):
    """An agreement's own place for a clause: its section, paragraph, sentence, condition or
    bullet, or the part outside its sections (opening, closing, form, notes)."""

    part: str | None = None
    section: str | None = None
    paragraph: int | None = None
    sentence: int | None = None
    condition: str | None = None
    bullet: int | None = None
    abbreviation: str = "LA"

    def __str__(self) -> str:
        a = self.abbreviation
        if self.part == "form":
            return f"the {a}'s form"
        if self.part:
            out = [f"the {a}'s {self.part}" + (" paragraph" if self.part in _PARAGRAPHS else "")]
        elif self.bullet:
            out = [f"{a} bullet {self.bullet}"]
        else:
            out = [f"{a} section {self.section}"]
        if self.condition:
            out.append(f"condition {self.condition}")
        if self.paragraph:
            out.append(f"paragraph {self.paragraph}")
        if self.sentence:
            out.append(f"sentence {self.sentence}")
        return ", ".join(out)


_PARAGRAPHS = ("opening", "closing", "introduction", "content")


class Readings(Record):
    """A sentence that admits more than one reading: why, the readings, and the one we follow."""

    why: str
    options: tuple[str, ...]
    ours: str


class GlanceEntry(Record):
    column: str
    label: str


class Clause(Record):
    id: str
    kind: str
    where: Where
    text: str
    summary: str
    topics: tuple[str, ...] = ()
    readings: Readings | None = None
    label: str | None = None
    items: tuple[str, ...] = ()
    subjects: str | None = None
    steps: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    glance: tuple[GlanceEntry, ...] = ()

    @property
    def anchor(self) -> str:
        return anchor_for(self.id)

    @property
    def words(self) -> str:
        """Its text and its items, on one line."""
        return " ".join([self.text, *self.items])

    @classmethod
    def from_dict(cls, d: dict[str, Any], abbreviation: str) -> Clause:
        r = d.get("readings")
        return cls(
            id=d["id"],
            kind=d["kind"],
            where=Where(**d["where"], abbreviation=abbreviation),
            text=d["text"],
            summary=d["summary"],
            topics=tuple(d.get("topics", ())),
            readings=Readings(r["why"], tuple(r["options"]), r["ours"]) if r else None,
            label=d.get("label"),
            items=tuple(i["text"] for i in d.get("items", ())),
            subjects=d.get("subjects"),
            steps=tuple(d.get("steps", ())),
            fields=tuple(d.get("fields", ())),
            glance=_tuple(GlanceEntry, d.get("glance")),
        )


class AgreementPart(Record):
    """A section of the agreement (`number` set), or a part outside its sections."""

    prefix: str
    anchor: str
    title: str
    clauses: tuple[Clause, ...]
    number: str | None = None
    note: str | None = None

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


class SourceText(Record):
    file: str
    sha256: str
    bytes: int
    description: str


class PublishedPdf(Record):
    """The issuer's published blank agreement the stored text was compared with."""

    description: str
    url: str
    repository: str
    path: str
    commit: str
    created: str
    sha256: str
    extracted: str | None = None
    extracted_sha256: str | None = None
    extracted_bytes: int | None = None


class Provenance(Record):
    """Which document the agreement's text is: none of them carries a version of its own."""

    text: SourceText
    pdf: PublishedPdf
    compared: str

    def line(self) -> str:
        """One line for every page and download: the document the terms were read from."""
        return (
            f"agreement text as in the issuer's blank PDF created {self.pdf.created} "
            f"(sha256 {self.pdf.sha256[:12]}…)"
        )

    def texts(self) -> dict[int, str]:
        """The SHA-256 of the agreement's own stored texts, by size: the scanner knows them."""
        out = {self.text.bytes: self.text.sha256}
        if self.pdf.extracted_bytes and self.pdf.extracted_sha256:
            out[self.pdf.extracted_bytes] = self.pdf.extracted_sha256
        return out

    def stamp(self) -> dict[str, str]:
        """The same for machines: what a download or an API document was made from."""
        return {
            "text_sha256": self.text.sha256,
            "pdf_url": self.pdf.url,
            "pdf_created": self.pdf.created,
            "pdf_sha256": self.pdf.sha256,
            "line": self.line(),
        }


class PageSource(Record):
    """A page of the issuer's site, as read on a date."""

    title: str
    url: str
    repository: str
    path: str
    commit: str
    read: str


class Step(Record):
    text: str
    url: str | None = None


class Role(Record):
    id: str
    label: str
    with_email: str
    without_email: str


class Outcome(Record):
    text: str
    clauses: tuple[str, ...]


class WhoSigns(Record):
    """Who signs, by role and work email: our reading, one table for every page and tool."""

    clauses: tuple[str, ...]
    roles: tuple[Role, ...]
    outcomes: dict[str, Outcome]

    def signer(self, role: str, has_email: bool) -> str:
        r = next(r for r in self.roles if r.id == role)
        return r.with_email if has_email else r.without_email


class Filename(Record):
    """The signed scan's file name as the agreement's text and as the issuer's PDF write it."""

    placeholder: str
    text: str
    pdf: str | None = None

    def templates(self) -> dict[str, str]:
        """`{name}` templates by document (`text`, and `pdf` where the PDF writes another)."""
        forms = {"text": self.text, "pdf": self.pdf}
        return {k: v.replace(self.placeholder, "{name}") for k, v in forms.items() if v}


class Application(Record):
    """How to apply: the agreement's own link, the issuer's current route, who signs."""

    la_url: str | None = None
    la_clause: str | None = None
    la_status: str | None = None
    current_source: PageSource | None = None
    current_steps: tuple[Step, ...] = ()
    who_signs: WhoSigns | None = None
    advice: str | None = None
    filename: Filename | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Application:
        link, current, who = d.get("la_link") or {}, d.get("current"), d.get("who_signs")
        return cls(
            la_url=link.get("url"),
            la_clause=link.get("clause"),
            la_status=link.get("status"),
            current_source=PageSource(**current["source"]) if current else None,
            current_steps=_tuple(Step, current["steps"]) if current else (),
            who_signs=WhoSigns(
                tuple(who["clauses"]),
                _tuple(Role, who["roles"]),
                {k: Outcome(v["text"], tuple(v["clauses"])) for k, v in who["outcomes"].items()},
            )
            if who
            else None,
            advice=d.get("advice"),
            filename=Filename(**d["filename"]) if d.get("filename") else None,
        )


class Agreement(Record):
    title: str
    short_title: str
    abbreviation: str
    owner: str
    owner_short: str
    provenance: Provenance
    numbering: str
    parts: tuple[AgreementPart, ...]
    application: Application

    @property
    def sections(self) -> tuple[AgreementPart, ...]:
        """The agreement's own numbered sections."""
        return tuple(p for p in self.parts if p.number)

    def clauses(self) -> Iterator[Clause]:
        for part in self.parts:
            yield from part.clauses

    def clause(self, clause_id: str) -> Clause:
        for c in self.clauses():
            if c.id.lower() == clause_id.strip().lower():
                return c
        raise KeyError(clause_id)

    def part_of(self, clause: Clause) -> AgreementPart:
        return next(p for p in self.parts if clause in p.clauses)

    def with_topic(self, topic: str) -> list[Clause]:
        return [c for c in self.clauses() if topic in c.topics]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Agreement:
        p, abbreviation = d["provenance"], d["abbreviation"]
        return cls(
            title=d["title"],
            short_title=d["short_title"],
            abbreviation=abbreviation,
            owner=d["owner"],
            owner_short=d["owner_short"],
            provenance=Provenance(SourceText(**p["text"]), PublishedPdf(**p["pdf"]), p["compared"]),
            numbering=d["numbering"],
            parts=tuple(
                AgreementPart(
                    prefix=part["prefix"],
                    anchor=part["anchor"],
                    title=part["title"],
                    clauses=tuple(Clause.from_dict(c, abbreviation) for c in part["clauses"]),
                    number=part.get("number"),
                    note=part.get("note"),
                )
                for part in d["parts"]
            ),
            application=Application.from_dict(d["application"]),
        )


# --- Subjects ---------------------------------------------------------------------------------


class Source(Record):
    title: str
    where: str
    note: str


class Member(Record):
    part: str
    description: str
    source: Source


class Form(Record):
    """One way a reference to a subject is written: a pattern whose group 1 is the number."""

    part: str
    pattern: str
    bare: bool = False


class SubjectPart(Record):
    """A numbering of subjects and the agreement's rule for their images: `deny` (the list is
    restricted), `allow` (only the list is not), `all` (no list) or `approval` (every image
    needs the issuer's approval)."""

    key: str
    name: str
    label: str
    numbering: str
    rule: str
    clause: str
    verdicts: dict[str, str]
    allowed_clause: str | None = None
    permission: str | None = None
    conditions: tuple[str, ...] = ()
    short: str | None = None
    pad: int = 0
    anchor_template: str | None = None
    section_anchor: str | None = None
    min: int = 0
    max: int | None = None
    range_source: Source | None = None
    members: tuple[Member, ...] = ()
    list: tuple[int, ...] = ()

    def numbers(self) -> range:
        """The numbers a public record shows in use (empty where none is known)."""
        return range(self.min, self.max + 1) if self.max is not None else range(0)

    def in_range(self, n: int) -> bool:
        return n >= self.min and (self.max is None or n <= self.max)

    def verdict(self, n: int) -> str:
        """`restricted`, `allowed` or `approval`, as the rule says for subject `n`."""
        if self.rule == "approval":
            return "approval"
        if self.rule == "deny":
            return "restricted" if n in self.list else "allowed"
        if self.rule == "allow":
            return "allowed" if n in self.list else "restricted"
        return "allowed"

    def is_restricted(self, n: int) -> bool:
        return self.verdict(n) != "allowed"

    def restricted(self) -> tuple[int, ...]:
        """The restricted numbers of the known range (the list itself for a deny-list)."""
        if self.rule == "deny":
            return tuple(sorted(self.list))
        return tuple(n for n in self.numbers() if self.is_restricted(n))

    def name_of(self, n: int) -> str:
        """`spNO.131`, `sub08`: the subject as its label writes it, zero-padded if the
        database pads its numbers."""
        return self.label.replace("{n}", str(n).zfill(self.pad))

    @property
    def section(self) -> str:
        """The part's anchor on the subjects page (by default `part-<key>`)."""
        return self.section_anchor or f"part-{self.key.lower()}"

    def anchor(self, n: int) -> str:
        """The subject's anchor on the subjects page (`spno-131`; by default `<key>-<n>`)."""
        return (self.anchor_template or f"{self.key.lower()}-{{n}}").replace("{n}", str(n))


class Subjects(Record):
    forms: tuple[Form, ...]
    parts: tuple[SubjectPart, ...]
    sources: dict[str, Source]
    counts: str | None = None

    def part(self, key: str) -> SubjectPart:
        return next(p for p in self.parts if p.key == key)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Subjects:
        sources = {k: Source(**v) for k, v in d["sources"].items()}
        parts = []
        for p in d["parts"]:
            r = p.get("range")
            parts.append(
                SubjectPart(
                    key=p["key"],
                    name=p["name"],
                    label=p["label"],
                    numbering=p["numbering"],
                    rule=p["rule"],
                    clause=p["clause"],
                    verdicts=dict(p["verdicts"]),
                    allowed_clause=p.get("allowed_clause"),
                    permission=p.get("permission"),
                    conditions=tuple(p.get("conditions", ())),
                    short=p.get("short"),
                    pad=p.get("pad", 0),
                    anchor_template=p.get("anchor"),
                    section_anchor=p.get("section"),
                    min=r["min"] if r else 0,
                    max=r["max"] if r else None,
                    range_source=sources[r["source"]] if r else None,
                    members=tuple(
                        Member(m["part"], m["description"], sources[m["source"]])
                        for m in p.get("members", ())
                    ),
                    list=tuple(p.get("list", ())),
                )
            )
        forms = _tuple(Form, d["grammar"])
        return cls(forms, tuple(parts), sources, d.get("counts"))


# --- The citation -----------------------------------------------------------------------------


class Author(Record):
    family: str
    given: str = ""


class Checked(Record):
    fields: str
    where: str


class Citation(Record):
    """The paper to cite: required by the agreement (`clause` set) or customary (`basis`)."""

    basis: str
    checked: tuple[Checked, ...]
    key: str
    type: str
    authors: tuple[Author, ...]
    title: str
    title_latex: str
    container: str
    year: int
    doi: str
    url: str
    clause: str | None = None
    obligation: str | None = None
    la_sentence: str | None = None
    container_abbrev: str | None = None
    month: int | None = None
    day: int | None = None
    volume: str | None = None
    number: str | None = None
    first_page: int | str | None = None
    last_page: int | str | None = None
    publisher: str | None = None
    address: str | None = None
    name_clause: str | None = None
    name_forms: dict[str, str] = {}  # noqa: RUF012 - read-only by convention, as every field
    acknowledgement_clause: str | None = None
    acknowledgement: str | None = None

    @property
    def required(self) -> bool:
        """Whether the agreement itself asks for this citation."""
        return self.clause is not None

    @property
    def pages(self) -> str:
        if self.last_page is None or self.last_page == self.first_page:
            return str(self.first_page)
        return f"{self.first_page}\u2013{self.last_page}"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Citation:
        name, ack, pages = d.get("name") or {}, d.get("acknowledgement") or {}, d.get("pages") or {}
        return cls(
            basis=d["basis"],
            checked=_tuple(Checked, d["checked"]),
            key=d["key"],
            type=d["type"],
            authors=_tuple(Author, d["authors"]),
            title=d["title"]["text"],
            title_latex=d["title"]["latex"],
            container=d["container"],
            year=d["year"],
            doi=d["doi"],
            url=d.get("url") or f"https://doi.org/{d['doi']}",
            clause=d.get("clause"),
            obligation=d.get("obligation") or d.get("clause"),
            la_sentence=d.get("la_sentence"),
            container_abbrev=d.get("container_abbrev"),
            month=d.get("month"),
            day=d.get("day"),
            volume=d.get("volume"),
            number=d.get("number"),
            first_page=pages.get("first"),
            last_page=pages.get("last"),
            publisher=d.get("publisher"),
            address=d.get("address"),
            name_clause=name.get("clause"),
            name_forms=dict(name.get("forms", {})),
            acknowledgement_clause=ack.get("clause"),
            acknowledgement=ack.get("text"),
        )


# --- Checklists and rules ---------------------------------------------------------------------


class ChecklistItem(Record):
    id: str
    text: str
    clauses: tuple[str, ...]


class Checklist(Record):
    id: str
    title: str
    intro: str
    items: tuple[ChecklistItem, ...]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Checklist:
        items = tuple(ChecklistItem(i["id"], i["text"], tuple(i["clauses"])) for i in d["items"])
        return cls(d["id"], d["title"], d["intro"], items)


class Example(Record):
    file: str
    content: str


class Rule(Record):
    """A scan rule. `applies` names the part of each database's data it enforces (a deny-list,
    the citation, ...), and so the clause of each agreement it stands for."""

    code: str
    name: str
    severity: str
    applies: str
    summary: str
    detects: str
    why: str
    fix: str
    bad: Example
    good: Example
    database: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Rule:
        return cls(**{**d, "bad": Example(**d["bad"]), "good": Example(**d["good"])})


# --- A database, and all of them --------------------------------------------------------------


class Database(Record):
    """One database: who issues it, its agreement (if public), its subjects' rules (if any), the
    paper to cite, its checklists; and the scan rules, which are the same for every database."""

    id: str
    name: str
    full_name: str
    issuer: str
    issuer_short: str
    public: bool
    citation: Citation
    rules: tuple[Rule, ...]
    agreement: Agreement | None = None
    subjects: Subjects | None = None
    checklists: tuple[Checklist, ...] = ()
    ask: str | None = None
    about: str | None = None
    aliases: tuple[str, ...] = ()
    texts: dict[str, str] = {}  # noqa: RUF012 - our texts by id, in the family's language
    lang: str = "en"
    # data/<id>/scan.yaml as validated (names, subject forms, layout): read by scan/spec.py
    scan: dict[str, Any] | None = None
    # data/<id>/policy.yaml as validated (its agreement as ODRL rules): read by render/croissant.py
    policy: dict[str, Any] | None = None
    profile: dict[str, Any] = {}  # noqa: RUF012 - the family's data/profile.yaml, in `lang`

    @property
    def disclaimer(self) -> str:
        return self.texts["disclaimer"]

    def t(self, key: str, **slots: object) -> str:
        """Our text `key` in this database's language, its `{slots}` filled."""
        text = self.texts[key]
        return text.format(**slots) if slots else text

    def checklist(self, checklist_id: str) -> Checklist:
        return next(c for c in self.checklists if c.id == checklist_id)

    def rule(self, code: str) -> Rule:
        return next(r for r in self.rules if r.code == code.upper())

    def clauses_for(self, rule: Rule) -> tuple[str, ...]:
        """The clauses of this database's agreement that `rule` stands for (none where the
        agreement asks nothing of the kind, or is not public)."""
        a, s, c = self.agreement, self.subjects, self.citation
        if a is None:
            return ()
        shapes = {"deny-list": "deny", "allow-list": "allow", "approval": "approval"}
        if rule.applies in shapes:
            parts = s.parts if s else ()
            found = [p.clause for p in parts if p.rule == shapes[rule.applies]]
        elif rule.applies == "files":
            found = [x.id for x in a.with_topic("distribution")]
        elif rule.applies == "notice":
            found = [x.id for x in a.with_topic("notice")]
        elif rule.applies == "citation":
            found = [x for x in (c.obligation, c.clause) if x]
        elif rule.applies == "name":
            found = [c.name_clause] if c.name_clause else []
        elif rule.applies == "acknowledgement":
            found = [c.acknowledgement_clause] if c.acknowledgement_clause else []
        else:
            found = []
        return tuple(dict.fromkeys(found))

    @classmethod
    def from_dicts(
        cls,
        raw: dict[str, Any],
        rules: tuple[Rule, ...],
        texts: dict[str, str],
        lang: str = "en",
        profile: dict[str, Any] | None = None,
    ) -> Database:
        meta = raw["database"]
        agreement, subjects = raw.get("agreement"), raw.get("subjects")
        checklists = (raw.get("checklists") or {}).get("checklists", ())
        return cls(
            id=meta["id"],
            name=meta["name"],
            full_name=meta["full_name"],
            issuer=meta["issuer"],
            issuer_short=meta["issuer_short"],
            public=meta["agreement"] == "public",
            citation=Citation.from_dict(raw["citation"]),
            rules=rules,
            agreement=Agreement.from_dict(agreement) if agreement else None,
            subjects=Subjects.from_dict(subjects) if subjects else None,
            checklists=tuple(Checklist.from_dict(c) for c in checklists),
            ask=meta.get("ask"),
            about=meta.get("about"),
            aliases=tuple(meta.get("aliases", ())),
            texts=texts,
            lang=lang,
            scan=raw.get("scan"),
            policy=raw.get("policy"),
            profile=profile or {},
        )


def _unpacked(part: Any) -> Any:
    """A part of the loader's cache kept as marshal bytes (one database, one language), read
    only when asked for: the CLI reads one database in one language, not eight in two."""
    if isinstance(part, bytes):
        import marshal

        return marshal.loads(part)
    return part


class Family(Record):
    """Every database the project knows, in the site's order, and the shared scan rules.

    A database's records are built the first time it is asked for: `casme3 subject` needs one
    database, not eight (building them all would be most of its run time)."""

    default: str
    ids: tuple[str, ...]
    rules: tuple[Rule, ...]
    texts: dict[str, str]  # our texts by id, in `lang`
    each: dict[str, Any]  # each database's validated data, as the loader read it
    built: dict[str, Database]  # the databases built so far
    lang: str = "en"
    languages: tuple[dict[str, str], ...] = ()  # every language of data/i18n/languages.yaml
    fields: dict[str, list[str]] = {}  # noqa: RUF012 - which fields are ours to translate
    memory: dict[str, str] = {}  # noqa: RUF012 - English sentence -> `lang`
    profile: dict[str, Any] = {}  # noqa: RUF012 - data/profile.yaml, our terms in `lang`

    @property
    def databases(self) -> tuple[Database, ...]:
        return tuple(self.db(i) for i in self.ids)

    @property
    def shipped(self) -> tuple[dict[str, str], ...]:
        """The languages we offer: the complete ones (a draft is never shown)."""
        return tuple(x for x in self.languages if x["status"] == "complete")

    def t(self, key: str, **slots: object) -> str:
        """Our text `key` in the family's language, its `{slots}` filled."""
        text = self.texts[key]
        return text.format(**slots) if slots else text

    def db(self, database_id: str | None = None) -> Database:
        """The database `database_id` (default: the family's default); KeyError if unknown."""
        wanted = (database_id or self.default).strip().lower()
        if wanted not in self.built:
            if wanted not in self.each:
                raise KeyError(wanted)
            raw = _unpacked(self.each[wanted])
            if self.memory:
                from casme3_compliance.knowledge.i18n import translate

                raw = {k: translate(v, self.fields.get(k, []), self.memory) for k, v in raw.items()}
            self.built[wanted] = Database.from_dicts(
                raw, self.rules, self.texts, self.lang, self.profile
            )
        return self.built[wanted]

    def rule(self, code: str) -> Rule:
        return next(r for r in self.rules if r.code == code.upper())

    @classmethod
    def from_dicts(cls, raw: dict[str, Any], lang: str | None = None) -> Family:
        """The family with our texts in `lang` (default: the data's default language)."""
        i18n = raw["i18n"]
        lang = lang or i18n["languages"]["default"]
        english, ours = _unpacked(i18n["en"]), _unpacked(i18n[lang])
        if lang not in i18n:
            raise LookupError(lang)
        memory = ours["data"]
        rules_raw, profile = raw["rules"], raw["profile"]
        if memory:
            from casme3_compliance.knowledge.i18n import translate

            rules_raw = translate(rules_raw, i18n["fields"].get("rules", []), memory)
            profile = translate(profile, i18n["fields"].get("profile", []), memory)
        rules = tuple(Rule.from_dict(r) for r in rules_raw["rules"])
        order = tuple(raw["databases"]["databases"])
        each = {i: raw["each"][i] for i in order}
        return cls(
            raw["databases"]["default"],
            order,
            rules,
            # A draft (never shipped) says in English what it does not say yet.
            {**english["messages"], **ours["messages"]},
            each,
            {},
            lang,
            tuple(i18n["languages"]["languages"]),
            i18n["fields"],
            memory,
            profile,
        )
