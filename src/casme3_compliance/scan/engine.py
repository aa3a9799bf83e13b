"""Run the rules over a tree: path rules on every file's name, text rules on manuscripts.

Verdicts come from casme3_compliance.knowledge.verdicts and rule metadata from the data, so a
change to data/ changes what the scanner reports without a change here.
"""

from __future__ import annotations

import bisect
import errno
import functools
import os
import re
import stat
import subprocess
from collections import Counter
from dataclasses import dataclass, field

from casme3_compliance.knowledge.model import Database
from casme3_compliance.knowledge.verdicts import SubjectRef, Verdict, cite_clause, verdict
from casme3_compliance.scan import archives as A
from casme3_compliance.scan import bib as B
from casme3_compliance.scan import patterns as P
from casme3_compliance.scan import text as T
from casme3_compliance.scan.files import Entry, collect, display, file_key, text_kind
from casme3_compliance.scan.findings import (
    CAP,
    Finding,
    Note,
    Report,
    ScanError,
    Unchecked,
    size,
    sort_key,
)

MANUSCRIPTS = ("tex", "md")
NOT_CHECKED = "CM001"  # the rule for what the scan could not look at
TOOL = "CM0"  # codes about the scan itself: they run unless --ignore names them


def resolve_codes(kb: Database, select: str | None, ignore: str | None) -> tuple[str, ...]:
    """The rule codes to run; a code or prefix (`CM3`) that names no rule, or a selection that
    leaves no rule, is a ScanError. The CM0 rules (what could not be checked) run whatever
    --select says, so that selecting a rule never makes an unreadable file pass; only --ignore
    turns them off."""
    known = [r.code for r in kb.rules]

    def expand(spec: str, flag: str) -> set[str]:
        out: set[str] = set()
        for item in (s.strip().upper() for s in spec.split(",")):
            if not item:
                continue
            matched = {c for c in known if c.startswith(item)}
            if not matched:
                raise ScanError(f"unknown rule code {item!r} in {flag} (known: {', '.join(known)})")
            out |= matched
        return out

    chosen = set(known)
    if select is not None:
        chosen = expand(select, "--select")
        if not chosen:
            raise ScanError(f"--select {select!r} selects no rule (known: {', '.join(known)})")
    ignored = expand(ignore, "--ignore") if ignore else set()
    chosen -= ignored
    if not chosen:
        raise ScanError(f"--select and --ignore leave no rule to run (known: {', '.join(known)})")
    chosen |= {c for c in known if c.startswith(TOOL) and c not in ignored}
    return tuple(c for c in known if c in chosen)


def scan(
    paths: list[str],
    kb: Database,
    *,
    select: str | None = None,
    ignore: str | None = None,
    all_files: bool = False,
    exclude: list[str] | tuple[str, ...] = (),
) -> Report:
    """Findings and notes for `paths` (files or folders), never reading the files `exclude`
    names (the report this run writes). ScanError if the scan cannot start."""
    codes = resolve_codes(kb, select, ignore)
    # The report, and its target when -o names a symlink (the report is written through it).
    skip = frozenset(file_key(q) for p in exclude for q in (p, os.path.realpath(p)))
    collected = collect(paths or ["."], all_files, skip)
    entries = collected.entries
    run = _Run(kb, set(codes))
    run.notes = collected.notes
    for u in collected.unchecked:
        run.not_checked(u)
    claimed = run.path_rules(entries)
    run.archive_rules(entries, claimed)
    texts = run.without_agreement_texts(
        [e for e in entries if e.kind and e.regular and e.path not in claimed]
    )
    extra = _citation_context(paths or ["."], entries) if "CM401" in run.codes else []
    # Bibliographies first: their entries for the paper tell which cite keys to look for.
    run.text_rules([e for e in texts if e.kind in B.KINDS])
    run.text_rules([e for e in extra if e.kind in B.KINDS], context_only=True)
    run.cite_keys = run.paper_keys()
    run.text_rules([e for e in texts if e.kind not in B.KINDS])
    run.text_rules([e for e in extra if e.kind not in B.KINDS], context_only=True)
    if "CM401" in run.codes:
        run.declared_elsewhere([e for e in texts + extra if e.kind in MANUSCRIPTS])
        run.citation_rule()
    run.capped_notes()
    found = sorted(set(run.findings), key=sort_key)
    counted = [f for f in found if f.suppressed is None]
    suppressed = [f for f in found if f.suppressed is not None]
    return Report(counted, sorted(set(run.notes)), len(entries), codes, suppressed)


@dataclass
class _Manuscript:
    """A manuscript naming the database: where first, and what it says about its citation."""

    path: str
    fs: str
    line: int
    column: int
    has_doi: bool
    bib_files: list[str]  # the bibliography files it declares, as written
    suppressions: _Suppressions


# line -> (rule codes, reason) of the valid `casme3: ignore[...]` comments of a file
_Suppressions = dict[int, tuple[frozenset[str], str]]

# The rule each group of text hits reports under (text.TextResult.hits).
_GROUP_RULE = {"spno": "CM301", "partc": "CM302", "name": "CM402"}


@dataclass
class _Bibliography:
    path: str  # as shown
    papers: list[B.BibEntry]
    failed_with_doi: list[int]


@dataclass
class _Run:
    kb: Database
    codes: set[str]
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    verdicts: dict[tuple[str, int], Verdict | None] = field(default_factory=dict)
    mentions: list[_Manuscript] = field(default_factory=list)
    cites: set[str] = field(default_factory=set)
    bibs: dict[str, _Bibliography] = field(default_factory=dict)  # by files.file_key
    cite_keys: frozenset[str] = frozenset()
    # Findings kept per (file, code), counted and suppressed apart; those past CAP are counted.
    kept: Counter[tuple[str, str, bool]] = field(default_factory=Counter)
    more: Counter[tuple[str, str]] = field(default_factory=Counter)
    cap_file: str | None = None  # the archive whose members are being judged

    def verdict(self, part: str, n: int) -> Verdict | None:
        """The package's verdict for a subject, or None when the number names no subject."""
        key = (part, n)
        if key not in self.verdicts:
            known = self.kb.subjects is not None and self.kb.subjects.part(part).in_range(n)
            self.verdicts[key] = verdict(SubjectRef(part, n), self.kb) if known else None
        return self.verdicts[key]

    def restricted(self, part: str, n: int) -> Verdict | None:
        v = self.verdict(part, n)
        return v if v is not None and v.restricted else None

    def add(
        self,
        code: str,
        path: str,
        line: int,
        column: int,
        message: str,
        clause: str,
        suppressions: _Suppressions | None = None,
        file: str | None = None,
    ) -> None:
        """Record a finding of a selected rule; suppressed when a comment on its line says so.

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
        severity = self.kb.rule(code).severity
        self.findings.append(Finding(path, line, column, code, severity, message, clause, why))

    def not_checked(self, what: Unchecked) -> None:
        """A finding of the not-checked rule: the scan could not look at `what`."""
        self.add(NOT_CHECKED, what.path, what.line, 1, f"not checked: {what.why}", "")

    def capped_notes(self) -> None:
        """A note per file and rule that had more findings than CAP, saying how many more."""
        for (file, code), n in sorted(self.more.items()):
            self.notes.append(
                Note(
                    file,
                    "capped",
                    f"{code}: {n:,} more findings in this file not shown (the first {CAP} are)",
                )
            )

    # Path rules ------------------------------------------------------------------------------

    def path_rules(self, entries: list[Entry]) -> set[str]:
        """CM303 on database folders and workbooks, CM301/CM302 on names; the paths CM303 took."""
        # One search over all paths picks the few that can match; only those are looked at.
        spno, part_c, cas = _candidates(entries, (b"sp ?no", b"part[_-]?c", b"cas"))
        claimed: set[str] = set()
        if "CM303" in self.codes:
            claimed = self._database_files([entries[i] for i in sorted(spno | cas)])
        seen: set[tuple[str, str, int]] = set()
        for i in sorted(spno | part_c):
            entry = entries[i]
            if entry.path in claimed:
                continue
            segments = entry.judged.split("/")
            self._subject_names(entry, segments, seen)
            self._part_c_paths(entry, segments, seen)
        return claimed

    def _subject_names(self, entry: Entry, segments: list[str], seen: set) -> None:
        above: set[int] = set()  # restricted subjects already named by a parent folder
        for i, segment in enumerate(segments):
            for n in _spno_numbers(segment):
                v = self.restricted("AB", n)
                if v is None or n in above:
                    continue
                above.add(n)
                is_dir = i < len(segments) - 1
                where = _where(entry, segments[: i + 1], is_dir)
                if ("CM301", where, n) not in seen:
                    seen.add(("CM301", where, n))
                    what = "folder" if is_dir else "file"
                    self.add("CM301", where, 1, 1, f"{what} name: {v.message}", v.clause)

    def _part_c_paths(self, entry: Entry, segments: list[str], seen: set) -> None:
        for i in range(len(segments) - 1):
            if not P.PART_C_SEGMENT.fullmatch(segments[i]):
                continue
            m = P.SUBJECT_SEGMENT.match(segments[i + 1])
            v = self.restricted("C", int(m.group(1))) if m else None
            if v is None:
                continue
            is_dir = i + 1 < len(segments) - 1
            where = _where(entry, segments[: i + 2], is_dir)
            if ("CM302", where, v.number) not in seen:
                seen.add(("CM302", where, v.number))
                what = "folder" if is_dir else "file"
                self.add("CM302", where, 1, 1, f"{what} path: {v.message}", v.clause)

    def _database_files(self, entries: list[Entry]) -> set[str]:
        """One CM303 per folder holding database frame or clip folders, one per workbook."""
        clause = self.kb.clauses_for(self.kb.rule("CM303"))[0]
        groups: dict[str, _DatabaseGroup] = {}
        claimed: set[str] = set()
        for entry in entries:
            segments = entry.judged.split("/")
            name = segments[-1]
            if P.WORKBOOK.fullmatch(name) or P.ARCHIVE.fullmatch(name):
                what = "annotation workbook" if P.WORKBOOK.fullmatch(name) else "archive"
                self.add(
                    "CM303",
                    entry.path,
                    1,
                    1,
                    f"the database's {what} {name} is in the tree: the LA forbids distributing "
                    f"the database in any form ({cite_clause(self.kb, clause)})",
                    clause,
                )
                claimed.add(entry.path)
                continue
            found = _database_folder(segments)
            if found is None:
                continue
            depth, kind, n = found
            parent = _where(entry, segments[: depth - 1], True)
            group = groups.setdefault(parent, _DatabaseGroup())
            group.add(kind, segments[depth - 1], n)
            claimed.add(entry.path)
        for parent, group in sorted(groups.items()):
            self.add("CM303", parent, 1, 1, group.describe(self, clause), clause)
        return claimed

    def archive_rules(self, entries: list[Entry], claimed: set[str]) -> None:
        """The path rules on the member names of each archive of the tree (not those CM303
        reports as the database's own archive): what cannot be listed is not checked."""
        budget = A.Budget()
        for entry in entries:
            kind = A.kind(entry.path.rsplit("/", 1)[-1])
            if kind is None or not entry.regular or entry.path in claimed:
                continue
            try:
                listing = A.list_names(entry.fs, kind, budget)
            except OSError as e:
                self.not_checked(Unchecked(entry.path, _unreadable(e)))
                continue
            except A.ArchiveError as e:
                self.not_checked(Unchecked(entry.path, f"cannot list the archive: {e}"))
                continue
            self.cap_file = entry.path  # at most CAP findings per rule for the whole archive
            try:
                self.path_rules(_members(entry, listing.names))
            finally:
                self.cap_file = None
            nested = sum(1 for n in listing.names if A.is_archive(n.rstrip("/")))
            if nested:
                what = "archive inside it is" if nested == 1 else "archives inside it are"
                self.notes.append(
                    Note(entry.path, "archive", f"{nested:,} {what} checked by name only")
                )
            if listing.stopped:
                self.not_checked(Unchecked(entry.path, listing.stopped))

    # Text rules ------------------------------------------------------------------------------

    def text_rules(self, entries: list[Entry], context_only: bool = False) -> None:
        want = T.Want(
            self.kb.citation.doi.lower().encode(),
            self.paper,
            self.cite_keys,
            frozenset(self.kb.subjects.part("AB").restricted()),
            frozenset(self.kb.subjects.part("C").restricted()),
        )
        for entry, result in scan_texts(entries, want):
            if isinstance(result, OSError):
                if not context_only:
                    self.not_checked(Unchecked(entry.path, _unreadable(result)))
                continue
            self._use(entry, result, context_only)

    def without_agreement_texts(self, entries: list[Entry]) -> list[Entry]:
        """`entries` but the license agreement's own stored texts, known by size and SHA-256:
        the subject numbers they list are the LA's list, not images (a note says so)."""
        known = self.kb.agreement.provenance.texts()
        out = []
        for entry in entries:
            if entry.size in known and _sha256(entry.fs) == known[entry.size]:
                why = "the license agreement's own text (its SHA-256 is the data's): not scanned"
                self.notes.append(Note(entry.path, "agreement", why))
            else:
                out.append(entry)
        return out

    @functools.cached_property
    def paper(self) -> B.Paper:
        return B.Paper.of(self.kb.citation.doi, self.kb.citation.title)

    def _use(self, entry: Entry, result: T.TextResult, context_only: bool) -> None:
        if result.report:
            if not context_only:
                why = (
                    "a casme3 report (each line is one of its finding, see, note or summary "
                    "lines): not scanned"
                )
                self.notes.append(Note(entry.path, "report", why))
            return
        self.cites |= result.cites
        if result.bibliography is not None:
            self._bibliography(entry.path, entry.fs, result.bibliography, context_only)
        first = result.first_name
        if context_only:
            return
        suppressions = self._suppressions(entry.path, result.directives)
        if entry.kind in MANUSCRIPTS and first is not None:
            self.mentions.append(
                _Manuscript(
                    entry.path,
                    entry.fs,
                    first.line,
                    first.column,
                    result.has_doi,
                    result.bib_files,
                    suppressions,
                )
            )
        self._encoding(entry, result)
        if result.size > T.LARGE:
            self.notes.append(
                Note(entry.path, "large-file", f"{result.size >> 20} MiB: read as a stream")
            )
        for hit in result.hits:
            self._text_hit(entry, hit, suppressions)
        self._past_the_cap(entry, result)
        if result.directives_dropped:
            self.notes.append(
                Note(
                    entry.path,
                    "suppression",
                    f"{result.directives_dropped:,} more casme3: ignore comments past the first "
                    f"{T.MAX_DIRECTIVES:,}: they suppress nothing",
                )
            )

    def _encoding(self, entry: Entry, result: T.TextResult) -> None:
        """Notes on how the text was read; a finding when it could not be read as text."""
        path, encoding = entry.path, result.encoding
        if encoding is not None:
            self.notes.append(Note(path, "encoding", f"{encoding} (byte order mark): read as text"))
        if result.invalid_at is not None:
            why = f"not valid {encoding} (byte {result.invalid_at}): read with replacement "
            self.notes.append(Note(path, "encoding", why + "characters"))
        if result.invalid_utf8_at is not None:
            why = f"not valid UTF-8 (byte {result.invalid_utf8_at}): checked as bytes, "
            self.notes.append(Note(path, "not-utf8", why + "columns may be off"))
        if result.nul_at is None:
            return
        if encoding is None:
            why = (
                f"NUL bytes (the first at byte {result.nul_at}): not text in an encoding casme3 "
                "reads (UTF-8; UTF-16 or UTF-32 with a byte order mark)"
            )
        else:
            why = f"NUL characters in its {encoding} text: binary data, not text"
        self.not_checked(Unchecked(path, why))

    def _past_the_cap(self, entry: Entry, result: T.TextResult) -> None:
        """Count the matches the reader did not place (past CAP). Their lines are unknown, so
        whether a comment suppresses them is too: if none of the findings kept for that rule
        counts, the file is not known to be clean for it, and the count is not just a note."""
        for group, n in sorted(result.more.items()):
            code = _GROUP_RULE[group]
            if code not in self.codes:
                continue
            if self.kept[(entry.path, code, True)]:
                self.more[(entry.path, code)] += n
            else:
                why = (
                    f"{n:,} more {code} matches past the first {CAP}: whether a comment "
                    "suppresses them was not read"
                )
                self.not_checked(Unchecked(entry.path, why))

    def _suppressions(self, path: str, directives: list[T.Directive]) -> _Suppressions:
        """The valid `casme3: ignore[...]` comments of a file by line; a note for each one
        that suppresses nothing (no code, an unknown code, no reason), saying why."""
        known = [r.code for r in self.kb.rules]
        found: dict[int, tuple[set[str], dict[str, None]]] = {}  # line -> codes, reasons
        for d in directives:
            codes = [c.strip().upper() for c in (d.codes or "").split(",") if c.strip()]
            unknown = [c for c in codes if c not in known]
            if not codes:
                problem = "names no rule code (write casme3: ignore[CODE] -- reason)"
            elif unknown:
                problem = (
                    f"names unknown rule code {', '.join(unknown)} (known: {', '.join(known)})"
                )
            elif not d.reason:
                problem = "gives no reason (write casme3: ignore[CODE] -- reason)"
            else:
                line_codes, reasons = found.setdefault(d.line, (set(), {}))
                line_codes.update(codes)
                reasons[d.reason] = None
                continue
            self.notes.append(
                Note(path, "suppression", f"line {d.line}: {problem}: it suppresses nothing")
            )
        return {line: (frozenset(c), "; ".join(r)) for line, (c, r) in found.items()}

    def _text_hit(self, entry: Entry, hit: T.Hit, suppressions: _Suppressions) -> None:
        """A finding for a hit the reader kept: a restricted subject, or a misspelt name."""
        where = "image path: " if hit.context == "image" else ""
        at = (entry.path, hit.line, hit.column)
        if hit.kind == "spno":
            v = self.restricted("AB", int(hit.groups[0] or b"0"))
            if v is not None:
                self.add("CM301", *at, where + v.message, v.clause, suppressions)
        elif hit.kind in ("partc-path", "partc-text"):
            v = self.restricted("C", int(hit.groups[0] or b"0"))
            if v is not None:
                self.add("CM302", *at, where + v.message, v.clause, suppressions)
        elif entry.kind in MANUSCRIPTS and T.misnamed(hit):
            forms = self.kb.citation.name_forms
            suggest = (
                f"{forms['latex']} (or {forms['latex_text']})"
                if entry.kind == "tex"
                else f"{forms['unicode']} (or {forms['html']})"
            )
            found = hit.text.decode("utf-8", "replace")
            self.add(
                "CM402",
                *at,
                f"the database is written {found!r}; the LA calls it "
                f"'{forms['unicode']}': write {suggest} "
                f"({cite_clause(self.kb, self.kb.citation.name_clause)})",
                self.kb.citation.name_clause,
                suppressions,
            )

    # CM401 -----------------------------------------------------------------------------------

    def _bibliography(self, path: str, fs: str, found: B.Bibliography, context_only: bool) -> None:
        """Keep a bibliography's entries for the paper; note what could not be read in it."""
        self.bibs.setdefault(file_key(fs), _Bibliography(path, found.papers, found.failed_with_doi))
        if context_only:
            return
        if found.too_large:
            why = f"larger than {size(B.MAX_BYTES)}: not read for the paper's entry"
            self.not_checked(Unchecked(path, why))
        for line, why in found.failed:
            self.not_checked(
                Unchecked(
                    path,
                    f"this BibTeX block could not be parsed ({why}): an entry here is not taken "
                    "as the paper's",
                    line,
                )
            )

    def paper_keys(self) -> frozenset[str]:
        return frozenset(p.key.lower() for b in self.bibs.values() for p in b.papers)

    def declared_elsewhere(self, manuscripts: list[Entry]) -> None:
        """Read the declared bibliographies the scan did not list (outside the scanned folder,
        or ignored by git); if they hold the paper under a new key, look for its citations."""
        before = self.cite_keys
        for m in self.mentions:
            for shown, fs, what in _bibliography_files(m):
                if what != "file" or file_key(fs) in self.bibs:
                    continue  # missing, a symlink (never followed), or read already
                try:
                    found = B.read(fs, "bbl" if fs.endswith(".bbl") else "bib", self.paper)
                except OSError as e:
                    self.not_checked(Unchecked(shown, _unreadable(e)))
                    continue
                self._bibliography(shown, fs, found, context_only=False)
        self.cite_keys = self.paper_keys()
        if self.cite_keys - before:
            self.text_rules(manuscripts, context_only=True)

    def citation_rule(self) -> None:
        """CM401: a manuscript names the database, but its paper is not in the bibliography the
        manuscript uses, or is never cited."""
        for m in self.mentions:
            if m.has_doi:
                continue
            message = self._citation_problem(m)
            if message is not None:
                # The obligation is the rule's first clause (4.1: "refer ... and cite this");
                # the citation's own clause (4.2) is the reference to cite.
                clause = self.kb.clauses_for(self.kb.rule("CM401"))[0]
                where = (
                    f"{cite_clause(self.kb, clause)}; the reference is "
                    f"{cite_clause(self.kb, self.kb.citation.clause)}"
                )
                at = (m.path, m.line, m.column)
                self.add("CM401", *at, f"{message} ({where})", clause, m.suppressions)

    def _citation_problem(self, m: _Manuscript) -> str | None:
        """What is missing for manuscript `m`, or None when its paper is cited."""
        files = _bibliography_files(m)
        if files:
            keys = [file_key(fs) for _, fs, what in files if what == "file"]
            bibs = [self.bibs[k] for k in keys if k in self.bibs]
        else:
            bibs = list(self.bibs.values())
        papers = [(b.path, p) for b in bibs for p in b.papers]
        if any(p.key.lower() in self.cites for _, p in papers):
            return None
        if papers:
            bib_path, entry = papers[0]
            return (
                f"names the database, and {bib_path}:{entry.line} holds its paper as "
                f"'{entry.key}', but '{entry.key}' is never cited: add \\cite{{{entry.key}}} "
                f"(LaTeX) or [@{entry.key}] (Markdown) where the database is first named"
            )
        c = self.kb.citation
        paper = f'(doi {c.doi}, "{c.title}")'
        declared = _declared(m)
        if not files:
            where = f"no .bib or .bbl entry in the tree has its paper {paper}"
        else:
            named = ", ".join(shown for shown, _, _ in declared)
            where = f"its bibliography ({named}) has no entry for its paper {paper}"
            missing = [shown for shown, _, what in declared if what == "missing"]
            if missing:
                where += f"; {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not found"
            links = [shown for shown, _, what in declared if what == "symlink"]
            if len(links) == 1:
                where += f"; {links[0]} is a symlink: casme3 does not follow it"
            elif links:
                where += f"; {', '.join(links)} are symlinks: casme3 does not follow them"
        broken = [f"{b.path}:{line}" for b in bibs for line in b.failed_with_doi]
        if broken:
            where += f"; {', '.join(broken)} gives its DOI but could not be parsed"
        return f"names the database, but {where}: add the entry from `casme3 cite` and cite it"


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


def scan_texts(entries: list[Entry], want: T.Want) -> list[tuple[Entry, T.TextResult | OSError]]:
    """Each entry's TextResult (or the OSError that stopped it), in order; large trees are
    read by one worker process per core."""
    total = sum(e.size for e in entries)
    workers = min(os.cpu_count() or 1, 8)
    if total < PARALLEL_BYTES or workers < 2 or len(entries) < 2:
        _use_want(want)
        return [(e, _scan_one((e.fs, e.kind))) for e in entries]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    jobs = [(e.fs, e.kind) for e in entries]
    # `want` goes to each worker once, not with each of thousands of files.
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_use_want, initargs=(want,)
    ) as pool:
        results = list(pool.map(_scan_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
    return list(zip(entries, results, strict=True))


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


def _where(entry: Entry, segments: list[str], is_dir: bool) -> str:
    """The path shown for a finding on a file or folder: the scanned folder, then `segments`."""
    prefix = entry.path[: entry.root]  # "" or the scanned folder with its slash
    if not segments:
        return prefix or "./"
    shown = prefix + "/".join(segments)
    return shown + "/" if is_dir else shown


def _candidates(entries: list[Entry], needles: tuple[bytes, ...]) -> list[set[int]]:
    """For each needle (a pattern on lower-case bytes), the indexes of the paths holding it."""
    encoded = [e.judged.encode("utf-8", "surrogateescape") for e in entries]
    starts, at = [], 0
    for b in encoded:
        starts.append(at)
        at += len(b) + 1
    blob = b"\n".join(encoded).lower()
    return [
        {bisect.bisect_right(starts, m.start()) - 1 for m in re.finditer(needle, blob)}
        for needle in needles
    ]


@functools.lru_cache(maxsize=4096)
def _spno_numbers(segment: str) -> tuple[int, ...]:
    """The subject numbers a file or folder name gives as spNO.<n> (folders repeat: cached)."""
    low = segment.lower().encode("utf-8", "surrogateescape")
    return tuple(
        int(m.group(1))
        for m in P.SPNO.finditer(low)
        if not m.start() or low[m.start() - 1] not in P.WORD_BYTES
    )


@dataclass
class _DatabaseGroup:
    frames: dict[str, int] = field(default_factory=dict)  # subject folder -> number
    clips: dict[str, int] = field(default_factory=dict)  # clip folder -> number
    files: int = 0

    def add(self, kind: str, folder: str, n: int) -> None:
        (self.frames if kind == "frames" else self.clips)[folder] = n
        self.files += 1

    def describe(self, run: _Run, clause: str) -> str:
        parts = []
        if self.frames:
            subjects = _count(len(self.frames), "subject")
            parts.append(f"frame folders of {subjects} ({_few(self.frames)})")
        if self.clips:
            parts.append(f"{_count(len(self.clips), 'clip folder')} ({_few(self.clips)})")
        text = (
            f"database files in the tree: {' and '.join(parts)}, {_count(self.files, 'file')}; "
            f"the LA forbids distributing the database in any form "
            f"({cite_clause(run.kb, clause)})"
        )
        numbers = sorted(set(self.frames.values()) | set(self.clips.values()))
        restricted = [f"spNO.{n}" for n in numbers if run.restricted("AB", n)]
        if restricted:
            shown = ", ".join(restricted[:5]) + (", …" if len(restricted) > 5 else "")
            where = run.kb.subjects.part("AB").clause
            text += f", and {shown} {'is' if len(restricted) == 1 else 'are'} restricted "
            text += f"({cite_clause(run.kb, where)})"
        return text


def _unreadable(e: OSError) -> str:
    """Why a file could not be read, for a not-checked finding."""
    if e.errno == errno.ENOENT:
        return "vanished during the scan"
    if e.errno == errno.ELOOP:
        return "it became a symlink during the scan (not followed)"
    return f"cannot read: {e.strerror or e}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _few(names: dict[str, int]) -> str:
    shown = sorted(names, key=lambda s: (names[s], s))[:3]
    return ", ".join(shown) + (", …" if len(names) > 3 else "")


def _database_folder(segments: list[str]) -> tuple[int, str, int] | None:
    """(depth of the database folder, "frames" or "clips", subject) for a file inside one."""
    for i, segment in enumerate(segments[:-1]):
        m = P.CLIP_SEGMENT.fullmatch(segment)
        if m:
            return i + 1, "clips", int(m.group(1))
        m = P.SPNO_SEGMENT.fullmatch(segment)
        if (
            m
            and i + 3 < len(segments)
            and P.TASK_SEGMENT.fullmatch(segments[i + 1])
            and segments[i + 2].lower() in P.FRAME_KIND
        ):
            return i + 1, "frames", int(m.group(1))
    return None


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
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, check=False
        )
    except OSError:
        return None
    return os.fsdecode(done.stdout.strip()) if done.returncode == 0 else None


def _git_ls(top: str) -> list[str]:
    done = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=top,
        capture_output=True,
        check=False,
    )
    return [os.fsdecode(p) for p in done.stdout.split(b"\0") if p]
