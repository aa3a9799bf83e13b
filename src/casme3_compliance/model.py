"""Typed, read-only view of the validated data; built once by the loader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


def anchor_for(clause_id: str) -> str:
    """`3.4` -> `clause-3-4`: the stable anchor of a clause on /terms/."""
    return "clause-" + clause_id.lower().replace(".", "-")


@dataclass(frozen=True)
class GlanceEntry:
    column: str
    label: str


@dataclass(frozen=True)
class Clause:
    id: str
    kind: str
    text: str
    summary: str
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
        return cls(
            id=d["id"],
            kind=d["kind"],
            text=d["text"],
            summary=d["summary"],
            label=d.get("label"),
            items=tuple(i["text"] for i in d.get("items", ())),
            subjects=d.get("subjects"),
            steps=tuple(d.get("steps", ())),
            fields=tuple(d.get("fields", ())),
            glance=tuple(GlanceEntry(**g) for g in d.get("glance", ())),
        )


@dataclass(frozen=True)
class Section:
    number: str | None
    title: str
    clauses: tuple[Clause, ...]

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass(frozen=True)
class Agreement:
    title: str
    short_title: str
    owner: str
    owner_short: str
    version: str
    taken: str
    source_file: str
    source_sha256: str
    source_description: str
    upload_url: str
    disclaimer: str
    filename_template: str
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
            version=d["version"],
            taken=str(d["taken"]),
            source_file=d["source"]["file"],
            source_sha256=d["source"]["sha256"],
            source_description=d["source"]["description"],
            upload_url=d["upload_url"],
            disclaimer=d["disclaimer"],
            filename_template=d["filename_template"],
            preamble=Clause.from_dict(d["preamble"]),
            sections=tuple(section(s, s["number"]) for s in d["sections"]),
            closing=section(d["closing"], None),
        )


@dataclass(frozen=True)
class Source:
    title: str
    where: str
    note: str


@dataclass(frozen=True)
class Member:
    part: str
    description: str
    source: Source


@dataclass(frozen=True)
class Part:
    """A numbering of subjects: `AB` (Parts A and B share spNO.<n>) or `C`."""

    key: str
    name: str
    numbering: str
    clause: str
    allowed_clause: str
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


@dataclass(frozen=True)
class Subjects:
    parts: tuple[Part, ...]
    sources: dict[str, Source]

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
        return cls(parts, sources)


@dataclass(frozen=True)
class Author:
    given: str
    family: str


@dataclass(frozen=True)
class Citation:
    clause: str
    la_sentence: str
    source: str
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
    ieee_xplore_id: str
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
            source=d["source"],
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
            ieee_xplore_id=d["ieee_xplore_id"],
            url=d["url"],
            name_clause=d["name"]["clause"],
            name_forms=dict(d["name"]["forms"]),
        )


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    clauses: tuple[str, ...]


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    intro: str
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class Example:
    file: str
    content: str


@dataclass(frozen=True)
class Rule:
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


@dataclass(frozen=True)
class KnowledgeBase:
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
