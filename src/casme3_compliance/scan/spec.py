"""What the scanner looks for, compiled once from the databases' data/<id>/scan.yaml.

Nothing here names a database: every name, subject form, layout and notice is data. What this
module adds is how the forms are searched together, so that a scan stays literal-first and
linear however many databases there are:

- every name a text may give a database starts with a literal (`cas`, `samm`, ...); the names
  of all databases are grouped by the shortest such literal, so a stretch of text is searched
  once per literal, not once per database, and the forms are tried only where it occurs;
- a subject form that several databases share (`sub12`, `subject 12`) is searched once;
- a form that needs a context (`sub12`) is looked for only in stretches that name one of the
  databases using it.

The verdict tables are the subjects' rules as plain values, so a worker process can judge a
number without the knowledge base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from casme3_compliance.knowledge.model import Database
from casme3_compliance.knowledge.regex import literal_prefix

# A part's rule -> the `applies` of the rule that reports its restricted subjects.
SHAPES = {"deny": "deny-list", "allow": "allow-list", "approval": "approval"}
NOT_PUBLIC = "not-public"  # the `applies` of the rule for what a non-public agreement decides


def _bytes(pattern: str) -> re.Pattern[bytes]:
    return re.compile(pattern.encode("utf-8"))


_NAMED = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


@dataclass(frozen=True)
class Verdicts:
    """A part's rule as values: `shape` is the `applies` of the rule its subjects fall under
    (None: every subject is allowed), `listed` its list, `lo`/`hi` its known range."""

    shape: str | None
    rule: str
    listed: frozenset[int]
    lo: int
    hi: int | None

    def judge(self, n: int) -> str | None:
        """The `applies` of the rule `n` falls under, or None when its images are allowed or
        the number names no subject."""
        if n < self.lo or (self.hi is not None and n > self.hi):
            return None
        if self.rule == "deny" and n not in self.listed:
            return None
        if self.rule == "allow" and n in self.listed:
            return None
        return self.shape


@dataclass(frozen=True)
class NameForm:
    db: str
    pattern: re.Pattern[bytes]
    sensitive: bool  # run on the original bytes, else on the lower-cased ones
    form: str  # right, wrong, superscript; "path" for a path name
    order: int


@dataclass(frozen=True)
class NameGroup:
    """The names of every database starting with `literal` (lower case)."""

    literal: bytes
    check: re.Pattern[bytes]  # a quick test at a place the literal starts
    forms: tuple[NameForm, ...]


@dataclass(frozen=True)
class Gate:
    """One pass that finds where the literals of several name groups start: a regular
    expression starting with one character they all hold, asserting the rest of each around
    it (literal-first, one byte a match); `at[group]` is (index in `names`, offset of that
    character in the literal)."""

    pattern: re.Pattern[bytes]
    at: dict[str | None, tuple[int, int]]


@dataclass(frozen=True)
class Use:
    """A database using a subject form: its part (None: no subjects of ours), and whether the
    form names the database by itself."""

    db: str
    part: str | None
    alone: bool


@dataclass(frozen=True)
class TextForm:
    pattern: re.Pattern[bytes]
    gate: re.Pattern[bytes] | None
    uses: tuple[Use, ...]


@dataclass(frozen=True)
class RowForm:
    db: str
    dataset: bytes
    pattern: re.Pattern[bytes]  # the dataset field, then the next field (group 1)
    subject: re.Pattern[bytes]
    part: str | None


@dataclass(frozen=True)
class Notice:
    db: str
    text: str
    literal: bytes
    holder: re.Pattern[bytes]  # the holder's words, on lower-cased text


@dataclass(frozen=True)
class Acknowledgement:
    db: str
    literal: bytes
    pattern: re.Pattern[bytes]


@dataclass(frozen=True)
class PathForm:
    db: str
    part: str | None
    alone: bool
    pattern: re.Pattern[str]
    after: tuple[re.Pattern[str], ...]
    whole: bool


@dataclass(frozen=True)
class Chain:
    """Folders of a database's release: segments (top first), the file under them."""

    db: str
    segments: tuple[re.Pattern[str], ...]
    file: re.Pattern[str] | None
    describe: str
    noun: str
    count: int
    subject: int | None
    part: str | None
    order: int


@dataclass(frozen=True)
class TextSpec:
    """What the text reader looks for (sent to worker processes once)."""

    names: tuple[NameGroup, ...]
    gates: tuple[Gate, ...]
    forms: tuple[TextForm, ...]
    alone: tuple[tuple[TextForm, list[Use]], ...]  # the forms naming their database, their uses
    rows: tuple[RowForm, ...]
    notices: tuple[Notice, ...]
    acknowledgements: tuple[Acknowledgement, ...]
    verdicts: dict[tuple[str, str | None], Verdicts]
    public: frozenset[str]
    # Every database's paper's DOI in one pattern (they all start `10.`): group `d<i>` is
    # database `dbs[i]`'s.
    dois: re.Pattern[bytes] | None = None
    dbs: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathSpec:
    names: tuple[tuple[str, str, re.Pattern[str]], ...]  # (db, literal, pattern)
    forms: tuple[PathForm, ...]
    chains: tuple[Chain, ...]
    files: tuple[tuple[str, str, re.Pattern[str]], ...]  # (db, "workbook"|"archive", pattern)


@dataclass(frozen=True)
class Spec:
    text: TextSpec
    paths: PathSpec
    dbs: tuple[str, ...]
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)


def part_key(db: Database, given: str | None) -> str | None:
    """The subjects part a form names: as given, or the database's only part; None when the
    database has no subjects of ours."""
    if db.subjects is None:
        return None
    if given is not None:
        return given
    return db.subjects.parts[0].key if len(db.subjects.parts) == 1 else None


def verdicts(db: Database) -> dict[tuple[str, str | None], Verdicts]:
    if db.subjects is None:
        if db.public:
            return {}  # a public agreement without subject rules: nothing to judge
        return {(db.id, None): Verdicts(NOT_PUBLIC, "unknown", frozenset(), 0, None)}
    return {
        (db.id, p.key): Verdicts(SHAPES.get(p.rule), p.rule, frozenset(p.list), p.min, p.max)
        for p in db.subjects.parts
    }


_cache: list[tuple[tuple[Database, ...], Spec]] = []  # the last databases compiled (held)


def compile_spec(dbs: tuple[Database, ...]) -> Spec:
    """The compiled spec of `dbs` (cached for the same records: held, so never mistaken)."""
    held = _cache[0][0] if _cache else ()
    if len(held) == len(dbs) and all(a is b for a, b in zip(held, dbs, strict=True)) and held:
        return _cache[0][1]
    spec = _compile(dbs)
    _cache[:] = [(tuple(dbs), spec)]
    return spec


def _compile(dbs: tuple[Database, ...]) -> Spec:
    names: list[tuple[str, NameForm]] = []
    forms: dict[tuple[str, str | None], list[Use]] = {}
    rows: list[RowForm] = []
    notices: list[Notice] = []
    acks: list[Acknowledgement] = []
    table: dict[tuple[str, str | None], Verdicts] = {}
    path_names: list[tuple[str, str, re.Pattern[str]]] = []
    path_forms: list[PathForm] = []
    chains: list[Chain] = []
    files: list[tuple[str, str, re.Pattern[str]]] = []
    order = 0
    for db in dbs:
        table.update(verdicts(db))
        ack = db.citation.acknowledgement
        if ack:
            words = [re.escape(w.lower()) for w in ack.split()]
            acks.append(
                Acknowledgement(db.id, words[0].encode(), _bytes(r"[\s~]+".join(w for w in words)))
            )
        s = db.scan
        if not s:
            continue
        for n in s["names"]:
            sensitive = n.get("case") == "sensitive"
            form = NameForm(db.id, _bytes(n["pattern"]), sensitive, n.get("form", "right"), order)
            names.append((literal_prefix(n["pattern"]).lower(), form))
            order += 1
        for p in s.get("paths", ()):
            names.append((literal_prefix(p), NameForm(db.id, _bytes(p), False, "path", order)))
            order += 1
            path_names.append((db.id, literal_prefix(p), re.compile(p)))
        for f in s.get("subjects", ()):
            part, alone = part_key(db, f.get("part")), bool(f.get("names_database"))
            if "text" in f:
                forms.setdefault((f["text"], f.get("gate")), []).append(Use(db.id, part, alone))
            if "path" in f:
                p = f["path"]
                path_forms.append(
                    PathForm(
                        db.id,
                        part,
                        alone,
                        re.compile(p["pattern"]),
                        tuple(re.compile(a) for a in p.get("after", ())),
                        bool(p.get("whole")),
                    )
                )
        for r in s.get("rows", ()):
            dataset = r["dataset"].encode()
            rows.append(
                RowForm(
                    db.id,
                    dataset,
                    re.compile(
                        re.escape(dataset) + rb"[ \t\"']*[,;\t][ \t\"']*([^,;\t\r\n\"']{1,64})"
                    ),
                    _bytes(r["subject"]),
                    part_key(db, r.get("part")),
                )
            )
        for c in s.get("files", {}).get("folders", ()):
            chains.append(
                Chain(
                    db.id,
                    tuple(re.compile(seg) for seg in c["segments"]),
                    re.compile(c["file"]) if "file" in c else None,
                    c["describe"],
                    c["noun"],
                    c.get("count", 0),
                    c.get("subject"),
                    part_key(db, c.get("part")),
                    order,
                )
            )
            order += 1
        for what in ("workbook", "archive"):
            for p in s.get("files", {}).get(what + "s", ()):
                files.append((db.id, what, re.compile(p, re.IGNORECASE)))
        notice = s.get("notice")
        if notice:
            words = [re.escape(w.lower()) for w in notice["holder"].split()]
            notices.append(
                Notice(db.id, notice["text"], words[0].encode(), _bytes(r"[\s~]+".join(words)))
            )
    # The forms that name their database first: an id they read (`Part C subject 12`) is that
    # database's, not another's whose form reads part of it (`subject 12`).
    text_forms = tuple(
        sorted(
            (
                TextForm(_bytes(pattern), _bytes(gate) if gate else None, tuple(uses))
                for (pattern, gate), uses in forms.items()
            ),
            key=lambda f: not any(u.alone for u in f.uses),
        )
    )
    return Spec(
        TextSpec(
            (groups := _name_groups(names)),
            _gates([g.literal for g in groups]),
            text_forms,
            tuple(
                (f, [u for u in f.uses if u.alone])
                for f in text_forms
                if any(u.alone for u in f.uses)
            ),
            tuple(rows),
            tuple(notices),
            tuple(acks),
            table,
            frozenset(d.id for d in dbs if d.public),
            _dois(dbs),
            tuple(d.id for d in dbs),
        ),
        PathSpec(tuple(path_names), tuple(path_forms), tuple(chains), tuple(files)),
        tuple(d.id for d in dbs),
        {d.id: tuple(p.key for p in d.subjects.parts) if d.subjects else () for d in dbs},
    )


def _dois(dbs: tuple[Database, ...]) -> re.Pattern[bytes] | None:
    """One pattern for the DOIs of every database's paper, on lower-cased text, starting with
    what they all start with (`10.`): one literal-first pass finds any of them."""
    dois = [d.citation.doi.lower() for d in dbs]
    if not dois:
        return None
    common = dois[0]
    for doi in dois[1:]:
        while not doi.startswith(common):
            common = common[:-1]
    alternatives = [f"(?P<d{i}>{re.escape(doi[len(common) :])})" for i, doi in enumerate(dois)]
    return _bytes(re.escape(common) + "(?:" + "|".join(alternatives) + ")")


def _name_groups(names: list[tuple[str, NameForm]]) -> tuple[NameGroup, ...]:
    """Names grouped under the shortest literal that starts them: `cas` takes `casme` too."""
    literals = sorted({lit for lit, _ in names}, key=len)
    roots: list[str] = []
    for lit in literals:
        if not any(lit.startswith(r) for r in roots):
            roots.append(lit)
    groups: dict[str, list[tuple[str, NameForm]]] = {r: [] for r in roots}
    for lit, form in names:
        root = next(r for r in roots if lit.startswith(r))
        groups[root].append((lit, form))
    out = []
    for root, members in groups.items():
        # One quick test per group: the insensitive forms whole (their named groups made
        # plain), the sensitive ones by their literal only.
        alternatives = [
            re.escape(lit) if f.sensitive else _NAMED.sub("(?:", f.pattern.pattern.decode())
            for lit, f in members
        ]
        check = _bytes("(?:" + "|".join(alternatives) + ")")
        forms = tuple(sorted((f for _, f in members), key=lambda f: f.order))
        out.append(NameGroup(root.encode(), check, forms))
    return tuple(out)


# Letters from the rarest in English text to the most frequent: a gate is anchored on the
# rarest character its literals share.
_RARITY = b"zqxjkvbpygfwmucldrhsnioate"


def _gates(literals: list[bytes]) -> tuple[Gate, ...]:
    """Passes that find every literal: the literals sharing a character are found together,
    anchored on it (`samm`, `smic`, `mmew` on `m`); a literal sharing none, by itself."""
    out = []
    left = list(enumerate(literals))
    while left:
        counts: dict[int, int] = {}
        for _, lit in left:
            for c in set(lit):
                counts[c] = counts.get(c, 0) + 1
        rarity = {c: _RARITY.find(bytes([c])) for c in counts}  # -1 (not a letter): rarest
        best = max(counts, key=lambda c: (counts[c], -rarity[c]))
        if counts[best] < 3:  # two passes of a literal cost no more than one anchored pass
            out += [Gate(re.compile(re.escape(lit)), {None: (i, 0)}) for i, lit in left]
            break
        members = [(i, lit, lit.index(best)) for i, lit in left if best in lit]
        # The anchor, and the character after it when every literal has one (a class of
        # them): most places the anchor occurs are passed over without trying any literal.
        nexts = {lit[k + 1 : k + 2] for _, lit, k in members}
        width = 2 if b"" not in nexts else 1
        anchor = re.escape(bytes([best]).decode())
        if width == 2:
            anchor += "[" + "".join(re.escape(c.decode()) for c in sorted(nexts)) + "]"
        alternatives, at = [], {}
        for i, lit, k in members:
            # After the anchor is consumed: look behind at it and what comes before it.
            seen = lit[: k + width]
            before = f"(?<={re.escape(seen.decode())})" if len(seen) > width else ""
            after = f"(?={re.escape(lit[k + width :].decode())})" if k + width < len(lit) else ""
            alternatives.append(f"{before}{after}(?P<g{i}>)")
            at[f"g{i}"] = (i, k)
        out.append(Gate(_bytes(f"{anchor}(?:{'|'.join(alternatives)})"), at))
        left = [(i, lit) for i, lit in left if best not in lit]
    return tuple(out)
