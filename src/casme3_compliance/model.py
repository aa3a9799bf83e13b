"""Typed, read-only view of the validated data; built once by the loader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import MISSING, FrozenInstanceError, dataclass, fields

TYPE_CHECKING = False
if TYPE_CHECKING:  # importing `typing` costs the CLI ms at every start; annotations are strings
    from typing import Any


class _Frozen:
    """The methods `@dataclass(frozen=True)` would generate, written once for every class.

    The generated ones are compiled with exec() for each class, which cost `casme3` about 20 ms
    at every start. Classes stay dataclasses (fields(), asdict() and replace() work); equality,
    hashing, repr and immutability behave as with frozen=True.
    """

    __slots__ = ()
    _names: tuple[str, ...] = ()
    _defaults: dict[str, object]  # set on each class by frozen()

    def __init__(self, *args: object, **kwargs: object) -> None:
        cls = type(self)
        names = cls._names
        if len(args) > len(names):
            given = f"{len(args)} were given"
            raise TypeError(f"{cls.__name__}() takes {len(names)} positional arguments but {given}")
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"{cls.__name__}() got multiple values for argument {key!r}")
            values[key] = value
        for name in names:
            if name in values:
                value = values[name]
            elif name in cls._defaults:
                value = cls._defaults[name]
            else:
                raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._names)

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


def frozen(cls: type) -> type:
    """A frozen dataclass whose methods come from _Frozen instead of being generated."""
    if cls.__doc__ is None:  # what dataclass() would write, without its costly inspect.signature
        sig = ", ".join(
            f"{name}: {kind!r}" + (f" = {cls.__dict__[name]!r}" if name in cls.__dict__ else "")
            for name, kind in cls.__annotations__.items()
        )
        cls.__doc__ = f"{cls.__name__}({sig})"
    cls = dataclass(init=False, repr=False, eq=False)(cls)
    found = fields(cls)
    cls._names = tuple(f.name for f in found)
    cls._defaults = {f.name: f.default for f in found if f.default is not MISSING}
    return cls


def anchor_for(clause_id: str) -> str:
    """`3.4` -> `clause-3-4`: the stable anchor of a clause on /terms/."""
    return "clause-" + clause_id.lower().replace(".", "-")


@frozen
class GlanceEntry(_Frozen):
    column: str
    label: str


@frozen
class Clause(_Frozen):
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


@frozen
class Section(_Frozen):
    number: str | None
    title: str
    clauses: tuple[Clause, ...]

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


@frozen
class Agreement(_Frozen):
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


@frozen
class Source(_Frozen):
    title: str
    where: str
    note: str


@frozen
class Member(_Frozen):
    part: str
    description: str
    source: Source


@frozen
class Part(_Frozen):
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


@frozen
class Subjects(_Frozen):
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


@frozen
class Author(_Frozen):
    given: str
    family: str


@frozen
class Citation(_Frozen):
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


@frozen
class ChecklistItem(_Frozen):
    id: str
    text: str
    clauses: tuple[str, ...]


@frozen
class Checklist(_Frozen):
    id: str
    title: str
    intro: str
    items: tuple[ChecklistItem, ...]


@frozen
class Example(_Frozen):
    file: str
    content: str


@frozen
class Rule(_Frozen):
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


@frozen
class KnowledgeBase(_Frozen):
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
