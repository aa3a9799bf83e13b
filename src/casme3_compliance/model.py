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


class Clause(Record):
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


class Section(Record):
    number: str | None
    title: str
    clauses: tuple[Clause, ...]

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


class Agreement(Record):
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


class Author(Record):
    given: str
    family: str


class Citation(Record):
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
