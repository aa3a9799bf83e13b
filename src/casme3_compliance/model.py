"""Typed, read-only view of the validated data; built once by the loader."""

from __future__ import annotations

from collections.abc import Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:  # importing `typing` costs the CLI ms at every start; annotations are strings
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
    """`3.4` -> `clause-3-4`: the stable anchor of a clause on /terms/."""
    return "clause-" + clause_id.lower().replace(".", "-")


class GlanceEntry(Record):
    column: str
    label: str


class Where(Record):
    """The LA's own place for a clause: it numbers sections and conditions, not sentences."""

    part: str | None = None  # "opening", "closing" or "form": text outside the sections
    section: str | None = None
    paragraph: int | None = None
    sentence: int | None = None
    condition: str | None = None

    def __str__(self) -> str:
        if self.part == "form":
            return "the LA's form"
        out = [f"the LA's {self.part} paragraph" if self.part else f"LA section {self.section}"]
        if self.condition:
            out.append(f"condition {self.condition}")
        if self.paragraph:
            out.append(f"paragraph {self.paragraph}")
        if self.sentence:
            out.append(f"sentence {self.sentence}")
        return ", ".join(out)


class Readings(Record):
    """A sentence that admits more than one reading: why, the readings, and the one we follow."""

    why: str
    options: tuple[str, ...]
    ours: str


class Clause(Record):
    id: str
    kind: str
    where: Where
    text: str
    summary: str
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

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Clause:
        readings = d.get("readings")
        return cls(
            id=d["id"],
            kind=d["kind"],
            where=Where(**d["where"]),
            readings=Readings(readings["why"], tuple(readings["options"]), readings["ours"])
            if readings
            else None,
            text=d["text"],
            summary=d["summary"],
            label=d.get("label"),
            items=tuple(i["text"] for i in d.get("items", ())),
            subjects=d.get("subjects"),
            steps=tuple(d.get("steps", ())),
            fields=tuple(d.get("fields", ())),
            glance=tuple(GlanceEntry(**g) for g in d.get("glance", ())),
        )


class Section(Record):
    number: str | None
    title: str
    clauses: tuple[Clause, ...]

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
    extracted: str
    extracted_sha256: str
    extracted_bytes: int


class Provenance(Record):
    """Which document the LA text is: it carries no version number or date of its own."""

    text: SourceText
    pdf: PublishedPdf
    compared: str

    def line(self) -> str:
        """One line for every page and download: the document the terms were read from."""
        return (
            f"LA text as in the issuer's blank PDF created {self.pdf.created} "
            f"(sha256 {self.pdf.sha256[:12]}…)"
        )

    def texts(self) -> dict[int, str]:
        """The SHA-256 of the agreement's own stored texts, by size: the scanner knows them."""
        pdf = self.pdf
        return {self.text.bytes: self.text.sha256, pdf.extracted_bytes: pdf.extracted_sha256}

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
    """The signed scan's file name as the LA text and as the issuer's PDF write it."""

    placeholder: str
    text: str
    pdf: str

    def templates(self) -> dict[str, str]:
        """`{name}` templates by document (`text`, `pdf`)."""
        return {
            which: form.replace(self.placeholder, "{name}")
            for which, form in (("text", self.text), ("pdf", self.pdf))
        }


class Application(Record):
    la_url: str
    la_clause: str
    la_status: str
    current_source: PageSource
    current_steps: tuple[Step, ...]
    who_signs: WhoSigns
    advice: str
    filename: Filename

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Application:
        who = d["who_signs"]
        return cls(
            la_url=d["la_link"]["url"],
            la_clause=d["la_link"]["clause"],
            la_status=d["la_link"]["status"],
            current_source=PageSource(**d["current"]["source"]),
            current_steps=tuple(Step(**s) for s in d["current"]["steps"]),
            who_signs=WhoSigns(
                tuple(who["clauses"]),
                tuple(Role(**r) for r in who["roles"]),
                {k: Outcome(v["text"], tuple(v["clauses"])) for k, v in who["outcomes"].items()},
            ),
            advice=d["advice"],
            filename=Filename(**d["filename"]),
        )


class Agreement(Record):
    title: str
    short_title: str
    owner: str
    owner_short: str
    provenance: Provenance
    disclaimer: str
    numbering: str
    application: Application
    preamble: Clause
    sections: tuple[Section, ...]
    closing: Section

    def parts(self) -> Iterator[Section]:
        """The LA in reading order: preamble, sections 1-6, the closing."""
        yield Section(None, "Preamble", (self.preamble,))
        yield from self.sections
        yield self.closing

    def clauses(self) -> Iterator[Clause]:
        for part in self.parts():
            yield from part.clauses

    def image_conditions(self) -> list[Clause]:
        """Conditions A, B and C that every published sample image must meet."""
        return [c for c in self.clauses() if c.kind == "condition" and c.label]

    def clause(self, clause_id: str) -> Clause:
        for c in self.clauses():
            if c.id.lower() == clause_id.strip().lower():
                return c
        raise KeyError(clause_id)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Agreement:
        def section(s: dict[str, Any], number: str | None) -> Section:
            return Section(number, s["title"], tuple(Clause.from_dict(c) for c in s["clauses"]))

        return cls(
            title=d["title"],
            short_title=d["short_title"],
            owner=d["owner"],
            owner_short=d["owner_short"],
            provenance=Provenance(
                SourceText(**d["provenance"]["text"]),
                PublishedPdf(**d["provenance"]["pdf"]),
                d["provenance"]["compared"],
            ),
            disclaimer=d["disclaimer"],
            numbering=d["numbering"],
            application=Application.from_dict(d["application"]),
            preamble=Clause.from_dict(d["preamble"]),
            sections=tuple(section(s, s["number"]) for s in d["sections"]),
            closing=section(d["closing"], None),
        )


class Source(Record):
    title: str
    where: str
    note: str


class Member(Record):
    part: str
    description: str
    source: Source


class Part(Record):
    """A numbering of subjects: `AB` (Parts A and B share spNO.<n>) or `C`."""

    key: str
    name: str
    numbering: str
    clause: str
    allowed_clause: str
    permission: str
    min: int
    max: int
    range_source: Source
    members: tuple[Member, ...]
    restricted_list: tuple[int, ...] | None
    allowed_list: tuple[int, ...] | None

    def numbers(self) -> range:
        return range(self.min, self.max + 1)

    def is_restricted(self, n: int) -> bool:
        if self.restricted_list is not None:
            return n in self.restricted_list
        return n not in (self.allowed_list or ())

    def restricted(self) -> tuple[int, ...]:
        return tuple(n for n in self.numbers() if self.is_restricted(n))

    def anchor(self, n: int) -> str:
        return f"spno-{n}" if self.key == "AB" else f"part-c-{n}"


class Subjects(Record):
    parts: tuple[Part, ...]
    sources: dict[str, Source]
    counts: str

    def part(self, key: str) -> Part:
        return next(p for p in self.parts if p.key == key)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Subjects:
        sources = {k: Source(**v) for k, v in d["sources"].items()}
        parts = tuple(
            Part(
                key=p["key"],
                name=p["name"],
                numbering=p["numbering"],
                clause=p["clause"],
                allowed_clause=p["allowed_clause"],
                permission=p["permission"],
                min=p["range"]["min"],
                max=p["range"]["max"],
                range_source=sources[p["range"]["source"]],
                members=tuple(
                    Member(m["part"], m["description"], sources[m["source"]]) for m in p["members"]
                ),
                restricted_list=tuple(p["restricted"]) if "restricted" in p else None,
                allowed_list=tuple(p["allowed"]) if "allowed" in p else None,
            )
            for p in d["parts"]
        )
        return cls(parts, sources, d["counts"])


class Author(Record):
    given: str
    family: str


class Checked(Record):
    fields: str
    where: str


class Citation(Record):
    clause: str
    la_sentence: str
    checked: tuple[Checked, ...]
    key: str
    type: str
    authors: tuple[Author, ...]
    title: str
    title_latex: str
    journal: str
    journal_abbrev: str
    year: int
    month: int
    day: int
    volume: str
    number: str
    first_page: int
    last_page: int
    doi: str
    url: str
    name_clause: str
    name_forms: dict[str, str]

    @property
    def pages(self) -> str:
        return f"{self.first_page}\u2013{self.last_page}"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Citation:
        return cls(
            clause=d["clause"],
            la_sentence=d["la_sentence"],
            checked=tuple(Checked(**c) for c in d["checked"]),
            key=d["key"],
            type=d["type"],
            authors=tuple(Author(**a) for a in d["authors"]),
            title=d["title"]["text"],
            title_latex=d["title"]["latex"],
            journal=d["journal"],
            journal_abbrev=d["journal_abbrev"],
            year=d["year"],
            month=d["month"],
            day=d["day"],
            volume=d["volume"],
            number=d["number"],
            first_page=d["pages"]["first"],
            last_page=d["pages"]["last"],
            doi=d["doi"],
            url=d["url"],
            name_clause=d["name"]["clause"],
            name_forms=dict(d["name"]["forms"]),
        )


class ChecklistItem(Record):
    id: str
    text: str
    clauses: tuple[str, ...]


class Checklist(Record):
    id: str
    title: str
    intro: str
    items: tuple[ChecklistItem, ...]


class Example(Record):
    file: str
    content: str


class Rule(Record):
    code: str
    name: str
    severity: str
    clauses: tuple[str, ...]
    summary: str
    detects: str
    why: str
    fix: str
    bad: Example
    good: Example


class KnowledgeBase(Record):
    """Everything in data/, validated and cross-checked."""

    agreement: Agreement
    subjects: Subjects
    citation: Citation
    checklists: tuple[Checklist, ...]
    rules: tuple[Rule, ...]

    def checklist(self, checklist_id: str) -> Checklist:
        return next(c for c in self.checklists if c.id == checklist_id)

    def rule(self, code: str) -> Rule:
        return next(r for r in self.rules if r.code == code.upper())

    @classmethod
    def from_dicts(cls, raw: dict[str, Any]) -> KnowledgeBase:
        return cls(
            agreement=Agreement.from_dict(raw["agreement"]),
            subjects=Subjects.from_dict(raw["subjects"]),
            citation=Citation.from_dict(raw["citation"]),
            checklists=tuple(
                Checklist(
                    c["id"],
                    c["title"],
                    c["intro"],
                    tuple(
                        ChecklistItem(i["id"], i["text"], tuple(i["clauses"])) for i in c["items"]
                    ),
                )
                for c in raw["checklists"]["checklists"]
            ),
            rules=tuple(
                Rule(
                    code=r["code"],
                    name=r["name"],
                    severity=r["severity"],
                    clauses=tuple(r["clauses"]),
                    summary=r["summary"],
                    detects=r["detects"],
                    why=r["why"],
                    fix=r["fix"],
                    bad=Example(**r["bad"]),
                    good=Example(**r["good"]),
                )
                for r in raw["rules"]["rules"]
            ),
        )
