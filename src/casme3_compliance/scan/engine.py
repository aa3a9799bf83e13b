"""Run the rules over a tree: path rules on every file's name, text rules on manuscripts.

The scan judges a family of databases at once (or those `databases` names: `--db`). What it
looks for is each database's data/<id>/scan.yaml, compiled by spec.py; what is wrong is its
agreement's, through knowledge.verdicts and Database.clauses_for; which code reports what is
rules.py's registry, found by what each rule of data/rules.yaml applies to. So a change to
data/ changes what the scanner reports without a change here, and nothing here names a
database, a part, a clause or a rule code. Nor does it hold a word of what it reports: those
are data/i18n/<lang>/messages/scan.yaml's, in the language of the family it is given.
"""

from __future__ import annotations

import errno
import functools
import gc
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from casme3_compliance.knowledge.model import Database, Family
from casme3_compliance.knowledge.verdicts import Verdict
from casme3_compliance.scan import archives as A
from casme3_compliance.scan import bib as B
from casme3_compliance.scan import layout as L
from casme3_compliance.scan import report as RP
from casme3_compliance.scan import rules as R
from casme3_compliance.scan import source as S
from casme3_compliance.scan import spec as SP
from casme3_compliance.scan import text as T
from casme3_compliance.scan.files import Entry, collect, display, file_key, text_kind
from casme3_compliance.scan.findings import (
    CAP,
    Finding,
    Note,
    Report,
    Say,
    ScanError,
    Texts,
    Unchecked,
    count,
    listed,
    size,
    sort_key,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from casme3_compliance.scan.progress import Progress

MANUSCRIPTS = T.MANUSCRIPT_KINDS
SCANNER = "scanner"  # the `applies` of the rules about the scan itself: they run unless ignored


def resolve_codes(kb: Database | Family, select: str | None, ignore: str | None) -> tuple[str, ...]:
    """The rule codes to run; a code or prefix (`CM3`) that names no rule, or a selection that
    leaves no rule, is a ScanError. The rules about the scan itself (what could not be
    checked) run whatever --select says, so that selecting a rule never makes an unreadable
    file pass; only --ignore turns them off."""
    known = [r.code for r in kb.rules]
    own = {r.code for r in kb.rules if r.applies == SCANNER}
    t = kb.t
    every = listed(t, known)

    def expand(spec: str, flag: str) -> set[str]:
        out: set[str] = set()
        for item in (s.strip().upper() for s in spec.split(",")):
            if not item:
                continue
            matched = {c for c in known if c.startswith(item)}
            if not matched:
                why = t("scan.error.unknown_code", code=repr(item), flag=flag, known=every)
                raise ScanError(why)
            out |= matched
        return out

    chosen = set(known)
    if select is not None:
        chosen = expand(select, "--select")
        if not chosen:
            raise ScanError(t("scan.error.select_none", value=repr(select), known=every))
    ignored = expand(ignore, "--ignore") if ignore else set()
    chosen -= ignored
    if not chosen:
        raise ScanError(t("scan.error.no_rule_left", known=every))
    chosen |= own - ignored
    return tuple(c for c in known if c in chosen)


def databases_of(
    kb: Database | Family, databases: str | Sequence[str] | None
) -> tuple[tuple[Database, ...], bool]:
    """The databases a scan judges, and whether they were forced (`--db`): the family's, or
    those named; a database passed alone is judged alone. ScanError for an unknown id."""
    every = kb.databases if isinstance(kb, Family) else (kb,)
    if databases is None:
        return every, False
    names = databases.split(",") if isinstance(databases, str) else list(databases)
    ids = list(dict.fromkeys(n.strip().lower() for n in names if n.strip()))
    known = [d.id for d in every]
    t = kb.t
    if not ids:
        raise ScanError(t("scan.error.db_none", value=repr(databases), known=listed(t, known)))
    for i in ids:
        if i not in known:
            raise ScanError(t("scan.error.unknown_db", value=repr(i), known=listed(t, known)))
    return tuple(d for d in every if d.id in ids), True


def scan(
    paths: list[str],
    kb: Database | Family,
    *,
    select: str | None = None,
    ignore: str | None = None,
    all_files: bool = False,
    exclude: list[str] | tuple[str, ...] = (),
    databases: str | Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Findings and notes for `paths` (files or folders), never reading the files `exclude`
    names (the report this run writes). `kb` is the family (every database is judged where the
    tree names or uses it) or one database; `databases` (`--db`) names the ones to judge, taken
    as used by every paper of the tree; `progress` is told what the scan does as it goes.
    ScanError if the scan cannot start."""
    dbs, forced = databases_of(kb, databases)
    codes = resolve_codes(kb, select, ignore)
    # The report, and its target when -o names a symlink (the report is written through it).
    skip = frozenset(file_key(q) for p in exclude for q in (p, os.path.realpath(p)))
    default = kb.default if isinstance(kb, Family) else kb.id
    run = _Run(dbs, R.Registry(kb.rules), set(codes), default, kb.t, forced)
    run.kb = kb
    run.progress = progress
    # A tree makes an object or two per file and no reference cycle: the cyclic garbage
    # collector, run every few hundred objects made, would only look at them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        told = progress.folder if progress is not None else None
        collected = collect(paths or ["."], all_files, skip, t=kb.t, progress=told)
        run.notes = collected.notes
        # The tree streams through the path rules: only what later rules read is kept, then
        # put in the order of the paths, so that the texts and archives are read in it.
        entries: list[Entry] = []
        claimed = run.path_rules(collected.entries, entries)
        entries.sort(key=attrgetter("path"))
        for u in collected.unchecked:
            run.not_checked(u)
        run.archive_rules(entries, claimed)
    finally:
        if collecting:
            gc.enable()
    texts = run.without_agreement_texts(
        [e for e in entries if e.kind and e.regular and e.path not in claimed]
    )
    citing = run.selected("citation")
    extra = _citation_context(paths or ["."], entries) if citing else []
    # Bibliographies first: their entries for the papers tell which cite keys to look for.
    run.text_rules([e for e in texts if e.kind in B.KINDS])
    run.text_rules([e for e in extra if e.kind in B.KINDS], context_only=True)
    run.cite_keys = run.paper_keys()
    run.text_rules([e for e in texts if e.kind not in B.KINDS])
    run.text_rules([e for e in extra if e.kind not in B.KINDS], context_only=True)
    if citing:
        run.declared_elsewhere([e for e in texts + extra if e.kind in MANUSCRIPTS])
        run.citation_rule()
    run.acknowledgement_rule()
    run.capped_notes()
    found = sorted(set(run.findings), key=sort_key)
    counted = [f for f in found if f.suppressed is None]
    suppressed = [f for f in found if f.suppressed is not None]
    ids = tuple(d.id for d in dbs)
    return Report(counted, sorted(set(run.notes)), run.files, codes, suppressed, ids)


# line -> (rule codes, reason) of the valid `casme3: ignore[...]` comments of a file
_Suppressions = dict[int, tuple[frozenset[str], str]]


@dataclass
class _Manuscript:
    """A manuscript using a database: where it first names it (or, a database forced with
    --db, where the paper starts), and what it says about its citation."""

    path: str
    fs: str
    line: int
    column: int
    has_doi: bool
    bib_files: list[str]  # the bibliography files it declares, as written
    sup: _Suppressions
    db: Database
    acks: frozenset[str] = frozenset()
    how: str = "names"  # "names" the database, "cites" its paper, or a paper using it "forced"

    def uses(self, t: Texts) -> str:
        """How the manuscript uses the database, for messages."""
        return t(f"scan.uses.{self.how}")


@dataclass
class _Bibliography:
    path: str  # as shown
    papers: list[B.BibEntry]
    failed_with_doi: list[tuple[int, str]]


@dataclass
class _Group:
    """The files of one release's folders under one parent: per chain, the folders counted
    (name -> subject number), and the subjects by part."""

    names: dict[SP.Chain, dict[str, int]] = field(default_factory=dict)
    subjects: set[tuple[str | None, int]] = field(default_factory=set)
    files: int = 0


@dataclass
class _Run:
    dbs: tuple[Database, ...]
    rules: R.Registry
    codes: set[str]
    default: str
    texts: Texts  # our words, in the language of the scan's family
    forced: bool = False
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    verdicts: dict[tuple[str, str | None, int], Verdict | None] = field(default_factory=dict)
    mentions: list[_Manuscript] = field(default_factory=list)
    cites: set[str] = field(default_factory=set)
    bibs: dict[str, _Bibliography] = field(default_factory=dict)  # by files.file_key
    cite_keys: frozenset[str] = frozenset()
    # Findings kept per (file, code), counted and suppressed apart; those past CAP are counted.
    kept: Counter[tuple[str, str, bool]] = field(default_factory=Counter)
    more: Counter[tuple[str, str]] = field(default_factory=Counter)
    cap_file: str | None = None  # the archive whose members are being judged
    kb: Database | Family | None = None  # whose reports are told apart (report_lines)
    progress: Progress | None = None
    files: int = 0  # in the tree (path_rules counts them)

    def __post_init__(self) -> None:
        self.by_id = {d.id: d for d in self.dbs}
        self._reports_files: dict[str, str | None] = {}
        self.spec = SP.compile_spec(self.dbs)
        self.matcher = L.Matcher(self.spec.paths)

    def t(self, key: str, **slots: object) -> str:
        """Our text `key` in the scan's language; a slot that is a Say is put in it first."""
        said = {k: v.in_(self.texts) if isinstance(v, Say) else v for k, v in slots.items()}
        return self.texts(key, **said)

    def selected(self, applies: str) -> bool:
        code = self.rules.code(applies)
        return code is not None and code in self.codes

    def stands_for(self, applies: str, db: Database) -> bool:
        """Whether the rule for `applies` runs and stands for a clause of `db`'s agreement."""
        return self.selected(applies) and bool(self.rules[applies].clauses(db))

    def verdict(self, db: Database, part: str | None, n: int) -> Verdict | None:
        """The package's verdict for a subject, or None when the number names no subject."""
        key = (db.id, part, n)
        if key not in self.verdicts:
            self.verdicts[key] = R.verdict_of(db, part, n)
        return self.verdicts[key]

    def shape(self, db: Database, part: str | None, n: int) -> str | None:
        """The `applies` of the rule subject `n` falls under, or None when it is allowed."""
        v = self.spec.text.verdicts.get((db.id, part))
        return v.judge(n) if v is not None else None

    def add(
        self,
        code: str,
        db: Database | None,
        path: str,
        line: int,
        column: int,
        message: str,
        clause: str,
        suppressions: _Suppressions | None = None,
        file: str | None = None,
    ) -> None:
        """Record a finding of a selected rule, about `db` (its name leads the message);
        suppressed when a comment on its line says so.

        At most CAP are kept per file (`file`, or `path`) and rule, counted and suppressed
        apart, so a million matches cost a count, not a million findings."""
        if code not in self.codes:
            return
        codes, reason = (suppressions or {}).get(line, (frozenset(), ""))
        why = reason if code in codes else None
        key = (file or self.cap_file or path, code)
        if self.kept[(*key, why is None)] >= CAP:
            self.more[key] += 1
            return
        self.kept[(*key, why is None)] += 1
        severity = self.rules.by_code[code].rule.severity
        if db is not None:
            message = self.t("scan.finding", db=db.name, message=message)
        self.findings.append(
            Finding(path, line, column, code, severity, message, clause, why, db.id if db else None)
        )

    def not_checked(self, what: Unchecked) -> None:
        """A finding of the not-checked rule: the scan could not look at `what`."""
        self.rules[SCANNER].report(self, what)

    def note_citation(self, m: _Manuscript, message: str) -> None:
        """A paper customarily cited, not asked for by its agreement: a note, not a finding."""
        db = m.db
        key = "scan.citation.customary" if db.public else "scan.citation.customary_unknown"
        said = self.t(key, line=m.line, db=db.name, message=message)
        self.notes.append(Note(m.path, "citation", said))

    def capped_notes(self) -> None:
        """A note per file and rule that had more findings than CAP, saying how many more."""
        for (file, code), n in sorted(self.more.items()):
            said = self.t("scan.text.capped", code=code, n=f"{n:,}", cap=CAP)
            self.notes.append(Note(file, "capped", said))

    # Path rules ------------------------------------------------------------------------------

    def reports_files(self, db: Database) -> str | None:
        """The `applies` of the rule that reports `db`'s files in the tree, if it runs."""
        if db.id not in self._reports_files:
            if db.public:
                applies = "files" if self.stands_for("files", db) else None
            else:
                applies = SP.NOT_PUBLIC if self.selected(SP.NOT_PUBLIC) else None
            self._reports_files[db.id] = applies
        return self._reports_files[db.id]

    def path_rules(self, entries: Iterable[Entry], keep: list[Entry] | None = None) -> set[str]:
        """The release's files (CM303), then subjects in names; the paths the first took that
        the text and archive rules would read (texts, and names ending as an archive's).
        `keep`, if given, gets those entries (the rest are not held) and `files` their count.

        What a file's folders say is worked out once per folder (the files of a folder come
        together); for each file only its own name is looked at."""
        claimed: set[str] = set()
        groups: dict[tuple[str, str], _Group] = {}
        matcher = self.matcher
        release_file = matcher.file_test  # a quick test: file_kind says more when it matches
        here = _Here(matcher)
        chains, places = here.chains, here.places
        seen: set[tuple] = set()
        files = 0
        # The loop runs once per file of the tree: what does not change within a folder is
        # in `here`, and the rest is written out here rather than called.
        for entry in entries:
            files += 1
            path, root = entry.path, entry.root
            read = entry.kind is not None or path[-1] in A.LAST  # what later rules would read
            if read and keep is not None:
                keep.append(entry)
            cut = path.rfind("/") + 1
            if cut <= root:
                cut = root
            if cut != here.cut or root != here.root or not path.startswith(here.head):
                here.move(path, root, cut)
                chains, places = here.chains, here.places
            name = path[cut:]
            if release_file is not None and release_file(name) is not None:
                kind = matcher.file_kind(name)
                if kind is not None and self._release_file(entry, name, *kind):
                    claimed.add(path)
                    continue
            place = None
            if chains:
                low = name.lower()
                for k, (chain, i, named) in enumerate(chains):
                    if named is None or named(low) is not None:
                        place = places[k]
                        if place is None:
                            place = places[k] = self._place(entry, here, chain, i, groups)
                        break
            if not place:  # under no chain (None), or none whose files a rule reports (False)
                segments = [*here.segments, name]
                self._path_subjects(entry, segments, here.low(name), here.folder, seen)
                continue
            place.files += 1
            if read:
                claimed.add(path)
        for (db_id, parent), group in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])):
            self._release_folders(self.by_id[db_id], parent, group)
        if keep is not None:
            self.files = files
        return claimed

    def _place(self, entry: Entry, here: _Here, chain: SP.Chain, i: int, groups) -> _Group | bool:
        """The group the files of a folder under release chain `chain` (its first folder at
        `i`) are counted in, the folder's name counted there; False when no rule reports the
        database's files."""
        db = self.by_id[chain.db]
        if self.reports_files(db) is None:
            return False
        segments, low = here.segments, here.lowered
        parent = _where(entry, segments[:i], True)
        group = groups.setdefault((db.id, parent), _Group())
        counted = segments[i + chain.count]
        n = 0
        if chain.subject is not None:
            m = chain.segments[chain.subject].fullmatch(low[i + chain.subject])
            n = int(m.group(1)) if m else 0
            group.subjects.add((chain.part, n))
        group.names.setdefault(chain, {})[counted] = n  # the same for every file here
        return group

    def _release_file(self, entry: Entry, name: str, db_id: str, what: str) -> bool:
        db = self.by_id[db_id]
        applies = self.reports_files(db)
        if applies is None:
            return False
        text = self.t(f"scan.release.{what}", name=name)
        if applies == SP.NOT_PUBLIC:
            self.rules[applies].files(self, db, entry.path, text)
        else:
            self.rules[applies].report(self, db, entry.path, text)
        return True

    def _release_folders(self, db: Database, parent: str, group: _Group) -> None:
        parts = []
        for chain in sorted(group.names, key=lambda c: c.order):
            names = group.names[chain]
            n = count(self.t, "scan.count", len(names), noun=chain.noun)
            described = chain.describe.replace("{n}", n)
            parts.append(self.t("scan.release.folder", described=described, names=self._few(names)))
        joined = parts[0]
        for part in parts[1:]:
            joined = self.t("scan.list.and", first=joined, second=part)
        files = count(self.t, "scan.count.file", group.files)
        text = self.t("scan.release.folders", parts=joined, files=files)
        applies = self.reports_files(db)
        if applies == SP.NOT_PUBLIC:
            self.rules[applies].files(self, db, parent, text)
            return
        self.rules["files"].report(self, db, parent, text, self._restricted(db, group.subjects))

    def _restricted(self, db: Database, subjects: set[tuple[str | None, int]]) -> str:
        """`, and spNO.1 is restricted (clause ...)` for the group's subjects a rule restricts."""
        by_clause: dict[tuple[str, str], list[str]] = {}
        for part, n in sorted(subjects, key=lambda s: (s[0] or "", s[1])):
            v = self.verdict(db, part, n)
            if v is None or v.allowed or v.clause is None:
                continue
            by_clause.setdefault((v.verdict, v.clause), []).append(v.subject)
        out = ""
        for (answer, clause), labels in by_clause.items():
            key = "scan.release.approval" if answer == "approval" else "scan.release.restricted"
            shown = listed(self.t, labels, 5)
            out += count(self.t, key, len(labels), subjects=shown, cited=R.cite_clause(db, clause))
        return out

    def _few(self, names: dict[str, int]) -> str:
        """The first three names, by subject number then name."""
        return listed(self.t, sorted(names, key=lambda s: (names[s], s)), 3)

    def _path_subjects(self, entry: Entry, segments: list[str], low: list[str], folder, seen):
        above: set[tuple[str, str | None, int]] = set()  # named by a parent folder already
        last = len(segments) - 1
        for found in self.matcher.subjects(low, folder):
            form, i = found.form, found.index
            db = self.by_id[form.db]
            applies = self.shape(db, form.part, found.number)
            if applies is None or not self.selected(applies):
                continue
            key = (db.id, form.part, found.number)
            if not form.after:
                if key in above:
                    continue
                above.add(key)
            is_dir = i < last
            where = _where(entry, segments[: i + 1], is_dir)
            if (applies, where, key) in seen:
                continue
            seen.add((applies, where, key))
            what = "folder" if is_dir else "file"
            said = f"scan.subject.{what}_{'path' if form.after else 'name'}"
            fact = R.SubjectFact(where, 1, 1, form.part, found.number, found.text, said)
            self.rules[applies].report(self, db, fact)

    def archive_rules(self, entries: list[Entry], claimed: set[str]) -> None:
        """The path rules on the member names of each archive of the tree (not those CM303
        reports as a database's own archive): what cannot be listed is not checked."""
        budget = A.Budget()
        for entry in entries:
            kind = A.kind_of_path(entry.path)
            if kind is None or not entry.regular or entry.path in claimed:
                continue
            if self.progress is not None:
                self.progress.folder(entry.path)
            try:
                listing = A.list_names(entry.fs, kind, budget)
            except OSError as e:
                self.not_checked(Unchecked(entry.path, self._unreadable(e)))
                continue
            except A.ArchiveError as e:
                why = self.t("scan.archive.cannot_list", why=e.why)
                self.not_checked(Unchecked(entry.path, why))
                continue
            self.cap_file = entry.path  # at most CAP findings per rule for the whole archive
            try:
                self.path_rules(_members(entry, listing.names))
            finally:
                self.cap_file = None
            nested = sum(1 for n in listing.names if A.is_archive(n.rstrip("/")))
            if nested:
                said = count(self.t, "scan.archive.nested", nested)
                self.notes.append(Note(entry.path, "archive", said))
            if listing.stopped:
                self.not_checked(Unchecked(entry.path, listing.stopped.in_(self.texts)))

    # Text rules ------------------------------------------------------------------------------

    def want(self) -> T.Want:
        return T.Want(
            self.spec.text,
            self.papers,
            self.cite_keys,
            frozenset(d.id for d in self.dbs if self.stands_for("name", d)),
            frozenset(
                d.id
                for d in self.dbs
                if self.stands_for("notice", d) and (d.scan or {}).get("notice")
            ),
            self.forced,
            self.report_lines,
        )

    def text_rules(self, entries: list[Entry], context_only: bool = False) -> None:
        for entry, result in scan_texts(entries, self.want()):
            if self.progress is not None:
                self.progress.read(entry.path, entry.size)
            if isinstance(result, OSError):
                if not context_only:
                    self.not_checked(Unchecked(entry.path, self._unreadable(result)))
                continue
            self._use(entry, result, context_only)

    def without_agreement_texts(self, entries: list[Entry]) -> list[Entry]:
        """`entries` but the license agreements' own stored texts, known by size and SHA-256:
        the subject numbers they list are the agreement's list, not images (a note says so)."""
        known: dict[int, set[str]] = {}
        for d in self.dbs:
            if d.agreement is not None:
                for n, digest in d.agreement.provenance.texts().items():
                    known.setdefault(n, set()).add(digest)
        out = []
        for entry in entries:
            if entry.size in known and _sha256(entry.fs) in known[entry.size]:
                self.notes.append(Note(entry.path, "agreement", self.t("scan.text.agreement")))
            else:
                out.append(entry)
        return out

    @functools.cached_property
    def report_lines(self) -> re.Pattern[bytes] | None:
        """The lines no casme3 report has (report.report_lines): a text without one is a report.
        Made when a text is read (a tree of images needs none)."""
        return RP.report_lines(self.kb) if self.kb is not None else None

    @functools.cached_property
    def papers(self) -> tuple[B.Paper, ...]:
        """Each database's paper, as the bibliographies are searched for it."""
        return tuple(B.Paper.of(d.citation.doi, d.citation.title, d.id) for d in self.dbs)

    def _use(self, entry: Entry, result: T.TextResult, context_only: bool) -> None:
        if result.report:
            if not context_only:
                self.notes.append(Note(entry.path, "report", self.t("scan.text.report")))
            return
        self.cites |= result.cites
        if result.bibliography is not None:
            self._bibliography(entry.path, entry.fs, result.bibliography, context_only)
        if context_only:
            return
        suppressions = self._suppressions(entry.path, result.directives)
        if entry.kind in MANUSCRIPTS:
            self._mentions(entry, result, suppressions)
        self._encoding(entry, result)
        if result.size > T.LARGE:
            said = self.t("scan.text.large", n=result.size >> 20)
            self.notes.append(Note(entry.path, "large-file", said))
        for hit in result.hits:
            self._text_hit(entry, hit, suppressions)
        if self.selected("notice"):
            for figure in result.figures:
                db = self.by_id[figure.db]
                self.rules["notice"].report(self, db, entry.path, figure, suppressions)
        self._past_the_cap(entry, result)
        if result.directives_dropped:
            said = self.t(
                "scan.suppression.dropped",
                n=f"{result.directives_dropped:,}",
                max=f"{T.MAX_DIRECTIVES:,}",
            )
            self.notes.append(Note(entry.path, "suppression", said))

    def _mentions(self, entry: Entry, result: T.TextResult, sup: _Suppressions) -> None:
        """The databases a manuscript uses: those it names, those whose paper it cites (as the
        bibliographies read so far hold it), and, forced, those its paper uses."""
        acks = frozenset(result.acks)
        for db in self.dbs:
            first = result.first_names.get(db.id)
            cited = [result.cited_at[k] for k in self._keys(db) if k in result.cited_at]
            if first is not None:
                at, how = (first.line, first.column), "names"
            elif cited:
                at, how = min(cited), "cites"
            elif self.forced and result.paper_at is not None:
                at, how = result.paper_at, "forced"
            else:
                continue
            has_doi = db.id in result.dois
            self.mentions.append(
                _Manuscript(
                    entry.path, entry.fs, *at, has_doi, result.bib_files, sup, db, acks, how
                )
            )

    def _keys(self, db: Database) -> set[str]:
        return {p.key.lower() for b in self.bibs.values() for p in b.papers if p.db == db.id}

    def _encoding(self, entry: Entry, result: T.TextResult) -> None:
        """Notes on how the text was read; a finding when it could not be read as text."""
        path, encoding = entry.path, result.encoding
        if encoding is not None:
            self.notes.append(Note(path, "encoding", self.t("scan.text.bom", encoding=encoding)))
        if result.invalid_at is not None:
            why = self.t("scan.text.invalid", encoding=encoding, at=result.invalid_at)
            self.notes.append(Note(path, "encoding", why))
        if result.invalid_utf8_at is not None:
            why = self.t("scan.text.not_utf8", at=result.invalid_utf8_at)
            self.notes.append(Note(path, "not-utf8", why))
        if result.nul_at is None:
            return
        if encoding is None:
            why = self.t("scan.text.nul_bytes", at=result.nul_at)
        else:
            why = self.t("scan.text.nul_characters", encoding=encoding)
        self.not_checked(Unchecked(path, why))

    def _past_the_cap(self, entry: Entry, result: T.TextResult) -> None:
        """Count the matches the reader did not place (past CAP). Their lines are unknown, so
        whether a comment suppresses them is too: if none of the findings kept for that rule
        counts, the file is not known to be clean for it, and the count is not just a note."""
        for group, n in sorted(result.more.items()):
            code = self.rules.code(group)
            if code is None or code not in self.codes:
                continue
            if self.kept[(entry.path, code, True)]:
                self.more[(entry.path, code)] += n
            else:
                why = self.t("scan.text.past_cap", n=f"{n:,}", code=code, cap=CAP)
                self.not_checked(Unchecked(entry.path, why))

    def _suppressions(self, path: str, directives: list[T.Directive]) -> _Suppressions:
        """The valid `casme3: ignore[...]` comments of a file by line; a note for each one
        that suppresses nothing (no code, an unknown code, no reason), saying why."""
        known = list(self.rules.by_code)
        found: dict[int, tuple[set[str], dict[str, None]]] = {}  # line -> codes, reasons
        for d in directives:
            codes = [c.strip().upper() for c in (d.codes or "").split(",") if c.strip()]
            unknown = [c for c in codes if c not in known]
            if not codes:
                problem = self.t("scan.suppression.no_code", line=d.line)
            elif unknown:
                problem = self.t(
                    "scan.suppression.unknown_code",
                    line=d.line,
                    codes=listed(self.t, unknown),
                    known=listed(self.t, known),
                )
            elif not d.reason:
                problem = self.t("scan.suppression.no_reason", line=d.line)
            else:
                line_codes, reasons = found.setdefault(d.line, (set(), {}))
                line_codes.update(codes)
                reasons[d.reason] = None
                continue
            self.notes.append(Note(path, "suppression", problem))
        return {line: (frozenset(c), "; ".join(r)) for line, (c, r) in found.items()}

    def _text_hit(self, entry: Entry, hit: T.Hit, suppressions: _Suppressions) -> None:
        """A finding for a hit the reader kept: a subject a rule reports, or a misspelt name."""
        db = self.by_id[hit.db]
        if hit.kind == "name":
            if entry.kind in MANUSCRIPTS and self.selected("name"):
                rule = self.rules["name"]
                rule.report(self, db, entry.path, entry.kind or "", hit, suppressions)
            return
        if not self.selected(hit.applies):
            return
        said = "scan.subject.image_path" if hit.context == "image" else ""
        text = hit.text.decode("utf-8", "replace")
        fact = R.SubjectFact(
            entry.path, hit.line, hit.column, hit.part, hit.number, text, said, suppressions
        )
        self.rules[hit.applies].report(self, db, fact)

    # The citation ----------------------------------------------------------------------------

    def _bibliography(self, path: str, fs: str, found: B.Bibliography, context_only: bool) -> None:
        """Keep a bibliography's entries for the papers; note what could not be read in it."""
        self.bibs.setdefault(file_key(fs), _Bibliography(path, found.papers, found.failed_with_doi))
        if context_only:
            return
        if found.too_large:
            why = self.t("scan.bib.too_large", size=size(B.MAX_BYTES))
            self.not_checked(Unchecked(path, why))
        for line, failed in found.failed:
            why = self.t("scan.bib.unparsed", why=failed)
            self.not_checked(Unchecked(path, why, line))

    def paper_keys(self) -> frozenset[str]:
        return frozenset(p.key.lower() for b in self.bibs.values() for p in b.papers)

    def declared_elsewhere(self, manuscripts: list[Entry]) -> None:
        """Read the declared bibliographies the scan did not list (outside the scanned folder,
        or ignored by git); if they hold a paper under a new key, look for its citations."""
        before = self.cite_keys
        for m in self.mentions:
            for shown, fs, what in _bibliography_files(m):
                if what != "file" or file_key(fs) in self.bibs:
                    continue  # missing, a symlink (never followed), or read already
                try:
                    found = B.read(fs, "bbl" if fs.endswith(".bbl") else "bib", self.papers)
                except OSError as e:
                    self.not_checked(Unchecked(shown, self._unreadable(e)))
                    continue
                self._bibliography(shown, fs, found, context_only=False)
        self.cite_keys = self.paper_keys()
        if self.cite_keys - before:
            self.text_rules(manuscripts, context_only=True)

    def citation_rule(self) -> None:
        """A manuscript names a database, but the paper is not in the bibliography the
        manuscript uses, or is never cited: a finding where its agreement asks for the
        citation, a note where it is customary."""
        rule = self.rules["citation"]
        for m in self.mentions:
            if m.has_doi:
                continue
            message = self._citation_problem(m)
            if message is not None:
                rule.report(self, m, message)

    def acknowledgement_rule(self) -> None:
        if not self.selected("acknowledgement"):
            return
        rule = self.rules["acknowledgement"]
        for m in self.mentions:
            if m.db.id not in m.acks:
                rule.report(self, m)

    def _citation_problem(self, m: _Manuscript) -> str | None:
        """What is missing for manuscript `m`, or None when its database's paper is cited."""
        files = _bibliography_files(m)
        if files:
            keys = [file_key(fs) for _, fs, what in files if what == "file"]
            bibs = [self.bibs[k] for k in keys if k in self.bibs]
        else:
            bibs = list(self.bibs.values())
        papers = [(b.path, p) for b in bibs for p in b.papers if p.db == m.db.id]
        if any(p.key.lower() in self.cites for _, p in papers):
            return None
        t = self.t
        uses = m.uses(t)
        if papers:
            bib_path, entry = papers[0]
            return t(
                "scan.citation.never_cited",
                uses=uses,
                bib=bib_path,
                line=entry.line,
                entry=entry.key,
            )
        c = m.db.citation
        paper = t("scan.citation.paper", doi=c.doi, title=c.title)
        declared = _declared(m)
        if not files:
            where = t("scan.citation.nowhere", paper=paper)
        else:
            named = listed(t, [shown for shown, _, _ in declared])
            where = t("scan.citation.not_in_bibliography", files=named, paper=paper)
            for what in ("missing", "symlink"):
                these = [shown for shown, _, kind in declared if kind == what]
                if these:
                    where += count(t, f"scan.citation.{what}", len(these), files=listed(t, these))
        broken = [
            f"{b.path}:{line}" for b in bibs for line, db in b.failed_with_doi if db == m.db.id
        ]
        if broken:
            where += t("scan.citation.broken", places=listed(t, broken))
        cite = "casme3 cite" if m.db.id == self.default else f"casme3 cite --db {m.db.id}"
        return t("scan.citation.missing_entry", uses=uses, where=where, command=cite)

    def _unreadable(self, e: OSError) -> str:
        """Why a file could not be read, for a not-checked finding."""
        if e.errno == errno.ENOENT:
            return self.t("scan.unreadable.vanished")
        if e.errno == errno.ELOOP:
            return self.t("scan.unreadable.became_symlink")
        error = e.strerror or e
        if e.errno == errno.EINVAL and error == S.NOT_REGULAR:
            error = self.t("scan.unreadable.not_regular")
        return self.t("scan.unreadable.cannot_read", error=error)


# A bibliography a manuscript uses: (as shown, path to open, "file", "missing" or "symlink").
_Source = tuple[str, str, str]


def _declared(m: _Manuscript) -> list[_Source]:
    """Each bibliography file `m` declares, resolved beside it, with `.bib` added where BibTeX
    adds it, and what is there. Empty when it declares none."""
    folder, shown_folder = os.path.dirname(m.fs), os.path.dirname(m.path)
    out = []
    for name in m.bib_files:
        if "://" in name:  # biblatex's remote resources cannot be checked
            continue
        names = [name] if name.endswith((".bib", ".bbl")) else [name, name + ".bib"]
        # Which name is there (only to name it: whether it may be read is _what's answer).
        n = next((n for n in names if os.path.lexists(os.path.join(folder, n))), names[-1])
        out.append(
            (display(os.path.join(shown_folder, n)), os.path.join(folder, n), _what(folder, n))
        )
    return out


def _bibliography_files(m: _Manuscript) -> list[_Source]:
    """The files whose entries count for `m`: those it declares and its own compiled `.bbl`
    (which LaTeX reads instead of them); empty when it declares none."""
    declared = _declared(m)
    if not declared:
        return []
    base = os.path.splitext(os.path.basename(m.fs))[0] + ".bbl"
    bbl = os.path.join(os.path.dirname(m.fs), base)
    shown = display(os.path.join(os.path.dirname(m.path), base))
    return [*declared, (shown, bbl, _what(os.path.dirname(m.fs), base))]


def _what(folder: str, name: str) -> str:
    """ "file", "missing" or "symlink": what `name`, a path relative to `folder` as a manuscript
    writes it, is, without following a symlink anywhere along it (a symlinked folder too)."""
    path = "/" if os.path.isabs(name) else folder or "."
    st = None
    for part in (p for p in name.replace(os.sep, "/").split("/") if p):
        path = os.path.join(path, part)
        try:
            st = os.lstat(path)
        except OSError:
            return "missing"
        if stat.S_ISLNK(st.st_mode):
            return "symlink"
    return "file" if st is not None and stat.S_ISREG(st.st_mode) else "missing"


PARALLEL_BYTES = 32 << 20  # Below this much text, worker processes cost more than they save.


def scan_texts(
    entries: list[Entry], want: T.Want
) -> Iterator[tuple[Entry, T.TextResult | OSError]]:
    """Each entry's TextResult (or the OSError that stopped it), in order, as each is read;
    large trees are read by one worker process per core."""
    total = sum(e.size for e in entries)
    workers = min(os.cpu_count() or 1, 8)
    if total < PARALLEL_BYTES or workers < 2 or len(entries) < 2:
        _use_want(want)
        for e in entries:
            yield e, _scan_one((e.fs, e.kind))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    jobs = [(e.fs, e.kind) for e in entries]
    # `want` goes to each worker once, not with each of thousands of files.
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_use_want, initargs=(want,)
    ) as pool:
        results = pool.map(_scan_one, jobs, chunksize=max(1, len(jobs) // (workers * 8)))
        yield from zip(entries, results, strict=True)


_want: T.Want | None = None  # what the files of this process are searched for


def _use_want(want: T.Want) -> None:
    global _want
    _want = want


def _scan_one(job: tuple[str, str | None]) -> T.TextResult | OSError:
    fs, kind = job
    assert _want is not None
    try:
        return T.scan_file(fs, kind or "txt", _want)
    except OSError as e:
        return OSError(e.errno, e.strerror or str(e))


def _members(archive: Entry, names: list[str]) -> list[Entry]:
    """The members of an archive as entries named `archive!/inner/path`, judged below the
    archive: names cleaned of empty and `.` segments, each once, and a folder entry only when
    no other member is inside it (the members inside say it already)."""
    clean: dict[str, None] = {}
    for name in names:
        inner = "/".join(p for p in name.split("/") if p not in ("", "."))
        if inner:
            clean[inner + "/" if name.endswith("/") else inner] = None
    parents = set()
    for name in clean:
        core = name.rstrip("/")
        i = core.find("/")
        while i >= 0:
            parents.add(core[:i])
            i = core.find("/", i + 1)
    prefix = archive.path + "!/"
    return [
        Entry(prefix + name, "", None, False, 0, len(prefix))
        for name in sorted(clean)
        if not name.endswith("/") or name.rstrip("/") not in parents
    ]


def _sha256(fs: str) -> str | None:
    """The file's SHA-256, read without following a symlink; None if it cannot be read."""
    import hashlib

    try:
        fd = os.open(fs, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class _Here:
    """The folder of the entry path_rules is at: its segments (below the scanned folder), in
    lower case, what the matcher says of it, the release chains a file in it can be under
    and where their files are counted; worked out again only when an entry is in another
    folder."""

    def __init__(self, matcher: L.Matcher):
        self.matcher = matcher
        self.cut, self.root, self.head = -1, -1, ""
        self.segments: list[str] = []
        self.lowered: list[str] = []
        self.folder = matcher.folder([""])
        # (chain, index of its first folder, its file pattern's fullmatch or None), in
        # Matcher.layout's order; places[k]: where chains[k] counts its files, once known.
        self.chains: list[tuple[SP.Chain, int, Callable | None]] = []
        self.places: list[_Group | bool | None] = []

    def move(self, path: str, root: int, cut: int) -> None:
        """Go to the folder path[:cut] (the scanned folder being path[:root])."""
        self.cut, self.root, self.head = cut, root, path[:cut]
        head = path[root:cut]
        self.segments = head.split("/")[:-1] if head else []
        self.lowered = head.lower().split("/")[:-1] if head else []
        self.folder = folder = self.matcher.folder([*self.lowered, ""])
        # Matcher.layout, for every file here: a chain without a file pattern takes every
        # file; one with a pattern, the files it names right under its last folder.
        depth = len(self.lowered)
        self.chains = []
        for chain, i in folder.chains:
            if chain.file is None:
                self.chains.append((chain, i, None))
                break
            if i + len(chain.segments) == depth:
                self.chains.append((chain, i, chain.file.fullmatch))
        self.places = [None] * len(self.chains)

    def low(self, name: str) -> list[str]:
        """The lower-case segments of the path of file `name` here."""
        return [*self.lowered, name.lower()]


def _where(entry: Entry, segments: list[str], is_dir: bool) -> str:
    """The path shown for a finding on a file or folder: the scanned folder, then `segments`."""
    prefix = entry.path[: entry.root]  # "" or the scanned folder with its slash
    if not segments:
        return prefix or "./"
    shown = prefix + "/".join(segments)
    return shown + "/" if is_dir else shown


def _citation_context(paths: list[str], entries: list[Entry]) -> list[Entry]:
    """For file arguments (a pre-commit hook passes changed files), the rest of their project.

    The .bib and the \\cite of a paper are often in files that did not change: take them from
    the git work tree holding each file, or from the file's own folder outside git.
    """
    files = [arg for arg in paths if not os.path.isdir(arg)]
    if not files:
        return []
    have = {file_key(e.fs) for e in entries}
    extra: dict[str, Entry] = {}
    for arg in files:
        folder = os.path.dirname(arg) or "."
        top = _git_toplevel(folder)
        if top is not None:
            names = _git_ls(top)
        else:
            top = folder
            try:
                names = [n for n in os.listdir(folder) if text_kind(n) in B.KINDS]
            except OSError:
                names = []
        for name in names:
            kind = text_kind(name)
            fs = os.path.join(top, name)
            if kind and file_key(fs) not in have and _what(top, name) == "file":
                shown = display(os.path.relpath(fs))
                extra.setdefault(shown, Entry(shown, fs, kind, True))
    return list(extra.values())


def _git_toplevel(folder: str) -> str | None:
    try:
        import subprocess  # here: only a scan in git needs it

        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, check=False
        )
    except OSError:
        return None
    return os.fsdecode(done.stdout.strip()) if done.returncode == 0 else None


def _git_ls(top: str) -> list[str]:
    import subprocess  # here: only a scan in git needs it

    done = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=top,
        capture_output=True,
        check=False,
    )
    return [os.fsdecode(p) for p in done.stdout.split(b"\0") if p]
