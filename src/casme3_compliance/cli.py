"""`casme3`: subject look-up, citation, checklists, the LA's terms and the tree scanner.

A thin face over the package: it parses arguments, asks the package and prints. Every error a
user can cause (a bad reference, a missing path, an unknown format, a broken data/) is one line
on stderr and exit status 2. Heavy modules are imported by the command that needs them, so
`casme3 subject` starts fast.
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from casme3_compliance import __version__, output
from casme3_compliance.knowledge.errors import DataError, RefError
from casme3_compliance.terminal import escape

PROG = "casme3"


class _Fail(Exception):
    """A user error: printed as one line, exit status 2."""


TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status: 0 fine, 1 restricted or findings, 2 bad input."""
    _safe_stdout()
    output.catch_termination()
    try:
        args = _quick_subject(argv) or _parser().parse_args(argv)
        return args.run(args)
    except (_Fail, output.OutputError) as e:
        return _error(str(e))
    except DataError as e:
        return _error(f"the knowledge base is broken: {e}")
    except SystemExit as e:  # --help and --version
        return e.code if isinstance(e.code, int) else 0
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except output.Terminated as e:
        _error("terminated")
        return 128 + e.signum


def _error(message: str) -> int:
    """One line on stderr, with whatever the user typed made harmless; exit status 2."""
    print(f"{PROG}: {escape(message)}", file=sys.stderr)
    return 2


def _quick_subject(argv: list[str] | None) -> SimpleNamespace | None:
    """`casme3 subject REF [--json]` without building the argparse parser.

    Scripts call it once per subject; argparse's set-up (help formatters, gettext look-ups)
    would be most of its run time. Anything else, `--help` included, goes to argparse.
    """
    words = sys.argv[1:] if argv is None else argv
    if not words or words[0] != "subject":
        return None
    flags = [w for w in words[1:] if w.startswith("-")]
    refs = [w for w in words[1:] if not w.startswith("-")]
    if not refs or flags not in ([], ["--json"]):
        return None
    return SimpleNamespace(ref=refs, json=bool(flags), db=None, source=None, run=_subject)


def _parser() -> argparse.ArgumentParser:
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str):  # type: ignore[override]
            raise _Fail(f"{message} (see `{self.prog} --help`)")

    p = _Parser(
        prog=PROG,
        description="The license agreements of CAS(ME)³ and the other micro-expression "
        "databases from the command line: look up a subject, cite the papers, export the "
        "checklists, read the terms, scan a tree. CAS(ME)³ is the default database.",
        epilog="Plain-language summaries are our reading of the agreements, not legal advice.",
    )
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    d = sub.add_parser("databases", help="the databases known, and what is known of each")
    d.add_argument("--json", action="store_true", help="print them as JSON")
    d.set_defaults(run=_databases)

    s = sub.add_parser("subject", help="does an agreement restrict this subject's images?")
    s.add_argument(
        "ref",
        metavar="REF",
        nargs="*",
        help="131, spNO.131, C27, Part C subject 27, sub12 (with --db casme2), ... "
        "(quotes are optional)",
    )
    s.add_argument("--db", metavar="ID", help="the database (default: casme3); see `databases`")
    s.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="many references, one a line (`casme2:sub12` names the database), or a composite "
        "label CSV whose rows begin dataset,subject; - for standard input",
    )
    s.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    s.set_defaults(run=_subject)

    c = sub.add_parser("cite", help="the papers the agreements ask you to cite")
    c.add_argument(
        "--db", metavar="IDS", help="comma-separated databases (default: casme3): one bibliography"
    )
    c.add_argument(
        "--format",
        "-f",
        default="bibtex",
        metavar="FORMAT",
        help="bibtex (default), biblatex, ris, apa, ieee, csl-json or cff",
    )
    c.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    c.set_defaults(run=_cite)

    k = sub.add_parser("checklist", help="the researcher's checklists")
    k.add_argument(
        "--db", metavar="IDS", help="comma-separated databases (default: casme3): one merged list"
    )
    k.add_argument(
        "--format",
        "-f",
        metavar="FORMAT",
        help="text, md, json or pdf; by default text on stdout, or as -o FILE's extension says "
        "(.txt, .md, .json, .pdf)",
    )
    k.add_argument("-o", "--output", metavar="FILE", help="write to FILE (required for pdf)")
    k.set_defaults(run=_checklist)

    t = sub.add_parser("terms", help="an agreement, verbatim, with our reading of each clause")
    t.add_argument("clause", metavar="CLAUSE", nargs="?", help="one clause, e.g. 3.5")
    t.add_argument("--db", metavar="ID", help="the database (default: casme3)")
    t.set_defaults(run=_terms)

    n = sub.add_parser("scan", help="check a manuscript or a repository against the LA")
    n.add_argument(
        "paths",
        metavar="PATH",
        nargs="*",
        default=["."],
        help="files or folders (default: the current folder)",
    )
    n.add_argument(
        "--format",
        "-f",
        default="text",
        metavar="FORMAT",
        help="text (default), json, sarif or lines",
    )
    n.add_argument("--select", metavar="CODES", help="only these rules, e.g. CM301,CM4")
    n.add_argument("--ignore", metavar="CODES", help="skip these rules")
    n.add_argument(
        "--all", action="store_true", help="scan every file, not only what git would publish"
    )
    n.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    n.add_argument(
        "--db",
        metavar="IDS",
        help="check against these databases only, taken as used (e.g. casme2,casme3); "
        "by default every database the tree names or uses",
    )
    n.set_defaults(run=_scan)
    return p


# Commands --------------------------------------------------------------------------------------


def _family():
    from casme3_compliance.knowledge.loader import load_family

    return load_family()


def _kb(db: str | None = None):
    """One database (default: the family's); an unknown id is a usage error."""
    family = _family()
    try:
        return family.db(db)
    except KeyError:
        raise _Fail(f"unknown database {db!r} (known: {', '.join(family.ids)})") from None


def _many(ids: str | None) -> list:
    """`--db a,b`: the databases named, in the order given, each once."""
    return [
        _kb(i) for i in dict.fromkeys(i.strip() for i in (ids or "").split(",") if i.strip())
    ] or [_kb()]


EXIT = {"allowed": 0, "restricted": 1, "approval": 1, "invalid": 2, "unknown": 3}
"""`casme3 subject`'s exit status by answer; of several, the first of 1, 2, 3 that occurs."""


def _status(answers: list[str]) -> int:
    codes = {EXIT[a] for a in answers}
    return next((c for c in (1, 2, 3) if c in codes), 0)


def _databases(args: argparse.Namespace) -> int:
    from casme3_compliance.render.catalog import databases

    doc = databases(_family())
    if args.json:
        import json

        output.stdout(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return 0
    out = []
    for d in doc["databases"]:
        default = " (default)" if d["id"] == doc["default"] else ""
        out.append(f"{d['id']}{default}: {d['name']}, {d['issuer']}")
        if d["agreement"] == "public":
            out.append(f"    agreement: {d['agreement_title']}; {d['source']}")
            out.append(f"    subjects: {d['subjects']}")
        else:
            out.append(f"    agreement: not public: {d['ask']}")
        out.append(f"    cite: {d['citation']}")
    output.stdout("\n".join(out) + "\n")
    return 0


def _subject(args: argparse.Namespace) -> int:
    from casme3_compliance.knowledge.verdicts import verdict

    if args.source is not None:
        if args.ref:
            raise _Fail("give references or --from FILE, not both")
        return _subjects_from(args)
    if not args.ref:
        raise _Fail("give a reference, or --from FILE (see `casme3 subject --help`)")
    kb = _kb(args.db)
    try:
        # The words typed without quotes (`Part C 27`) are one reference.
        v = verdict(" ".join(args.ref), kb)
    except RefError as e:
        raise _Fail(str(e)) from None
    if args.json:
        import json

        output.stdout(json.dumps(v.as_dict(), ensure_ascii=False) + "\n")
    else:
        note = f"note: {v.note}\n" if v.note else ""
        output.stdout(f"{v.verdict}: {v.message}\n{note}")
    return EXIT[v.verdict]


def _subjects_from(args: argparse.Namespace) -> int:
    """Every row of a list or a composite label file; the rows that may not appear are shown."""
    from casme3_compliance.knowledge.lists import answer

    name = "standard input" if args.source == "-" else args.source
    text = _read_text(args.source)
    family = _family()
    rows = answer(text, family, _kb(args.db).id)
    if args.json:
        import json

        doc = [r.as_dict() for r in rows]
        output.stdout(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        out = []
        for r in rows:
            if r.answer != "allowed":
                said = r.verdict.message if r.verdict else r.error
                out.append(f"{escape(name)}:{r.line}: {r.answer}: {escape(said or '')}")
        counts = {a: sum(r.answer == a for r in rows) for a in EXIT}
        summary = ", ".join(f"{n} {a}" for a, n in counts.items() if n)
        out.append(f"{len(rows)} rows: {summary or 'none'}.")
        output.stdout("\n".join(out) + "\n")
    return _status([r.answer for r in rows])


def _read_text(source: str) -> str:
    """A list's text: standard input, or a file read as UTF-8 (one line of error if not)."""
    try:
        if source == "-":
            return sys.stdin.read()
        with open(source, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        why = getattr(e, "strerror", None) or str(e)
        raise _Fail(f"cannot read {source}: {why}") from None


def _cite(args: argparse.Namespace) -> int:
    from casme3_compliance.render import citation

    if args.format not in citation.FORMATS:
        raise _Fail(_unknown("citation format", args.format, citation.FORMATS))
    dbs = _many(args.db)
    cited = [db.citation for db in dbs]
    _emit(citation.render(cited[0] if len(cited) == 1 else cited, args.format), args.output)
    return 0


_CHECKLIST_EXTENSIONS = {".txt": "text", ".md": "md", ".json": "json", ".pdf": "pdf"}


def _checklist(args: argparse.Namespace) -> int:
    from casme3_compliance.render import checklist

    fmt = args.format or _checklist_format(args.output)
    if fmt not in checklist.FORMATS:
        raise _Fail(_unknown("checklist format", fmt, checklist.FORMATS))
    if fmt == "pdf" and args.output in (None, "-"):
        raise _Fail("a PDF is binary and is not written to a terminal or stdout: add -o FILE.pdf")
    dbs = [db for db in _many(args.db) if db.checklists]
    if not dbs:
        raise _Fail("no checklist: the agreements of these databases are not public")
    _emit(checklist.render(dbs[0] if len(dbs) == 1 else dbs, fmt), args.output)
    return 0


def _checklist_format(target: str | None) -> str:
    """Without --format: plain text on stdout, else what the output file's extension says."""
    if target in (None, "-"):
        return "text"
    ext = os.path.splitext(target)[1].lower()
    if ext not in _CHECKLIST_EXTENSIONS:
        known = ", ".join(_CHECKLIST_EXTENSIONS)
        raise _Fail(
            f"cannot tell a checklist format from {target!r} (extensions: {known}): "
            "add --format text, md, json or pdf"
        )
    return _CHECKLIST_EXTENSIONS[ext]


def _terms(args: argparse.Namespace) -> int:
    kb = _kb(args.db)
    la = kb.agreement
    if la is None:
        raise _Fail(f"{kb.name}'s agreement is not public: {kb.ask}")
    if args.clause is None:
        out = [la.title, f"Owner: {la.owner}", f"{la.provenance.line()}.", la.numbering, ""]
        for section in la.parts:
            out += [section.heading, "=" * len(section.heading), ""]
            for clause in section.clauses:
                out += _clause(kb, clause)
        out.append(kb.disclaimer)
        output.stdout("\n".join(out) + "\n")
        return 0
    try:
        clause = la.clause(args.clause)
    except KeyError:
        ids = ", ".join(c.id for c in la.clauses())
        raise _Fail(f"no clause {args.clause!r} in {la.short_title} (clauses: {ids})") from None
    section = la.part_of(clause)
    lines = [f"{la.short_title}, {section.heading}", "", *_clause(kb, clause)]
    output.stdout("\n".join(lines) + "\n")
    return 0


def _clause(kb, clause) -> list[str]:
    lines = [f"[{clause.id}] ({clause.where}) {clause.text}"]
    lines += [f"    - {item}" for item in clause.items]
    part = kb.subjects.part(clause.subjects) if clause.subjects else None
    if part is not None and part.list:
        lines.append(f"    {part.numbering.split('<')[0]} {', '.join(map(str, part.list))}")
    if clause.readings:
        lines += [f"    Two readings: {clause.readings.why}"]
        lines += [f"      {i}. {option}" for i, option in enumerate(clause.readings.options, 1)]
        lines += [f"    Our reading: {clause.readings.ours}"]
    lines += [f"    Our reading, not the LA: {clause.summary}", ""]
    return lines


def _scan(args: argparse.Namespace) -> int:
    from casme3_compliance.knowledge.loader import load_family
    from casme3_compliance.scan import ScanError, scan
    from casme3_compliance.scan.report import FORMATS, render, shown

    if args.format not in FORMATS:
        raise _Fail(_unknown("report format", args.format, FORMATS))
    kb = load_family()  # the scan judges every database of the family (or --db's)
    try:
        report = scan(
            args.paths,
            kb,
            select=args.select,
            ignore=args.ignore,
            all_files=args.all,
            exclude=[] if args.output in (None, "-") else [args.output],  # never our own report
            databases=args.db,
        )
    except ScanError as e:  # names a path or a value the user gave: escaped by _error
        raise _Fail(shown(str(e))) from None
    color = (
        args.format == "text"
        and args.output in (None, "-")
        and not os.environ.get("NO_COLOR")
        and sys.stdout.isatty()
    )
    if args.format == "lines":
        for note in report.notes:
            where, why = escape(shown(note.path)), escape(note.message)
            print(f"{PROG}: note: {where}: {why}", file=sys.stderr)
    _emit(render(report, args.format, kb, __version__, color), args.output)
    return 1 if report.findings else 0


# Output ----------------------------------------------------------------------------------------


def _unknown(what: str, value: str, choices: tuple[str, ...]) -> str:
    return f"unknown {what} {value!r} (choose from {', '.join(choices)})"


def _emit(data: str | bytes, target: str | None) -> None:
    if target in (None, "-"):
        output.stdout(data if isinstance(data, str) else data.decode("utf-8"))
    else:
        output.write(target, data.encode("utf-8") if isinstance(data, str) else data)


def _safe_stdout() -> None:
    """Never fail on a character the terminal's encoding lacks (³, –): escape it instead."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
