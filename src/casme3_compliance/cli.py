"""`casme3`: subject look-up, citation, checklists, the LA's terms and the tree scanner.

A thin face over the package: it parses arguments, asks the package and prints. Every error a
user can cause (a bad reference, a missing path, an unknown format, a broken data/) is one line
on stderr and exit status 2. Heavy modules are imported by the command that needs them, so
`casme3 subject` starts fast.

It speaks the languages the data ships (data/i18n/languages.yaml, `status: complete`): the one
`--lang` names, else the locale's (LANGUAGE, then LC_ALL, LC_MESSAGES, LANG, as gettext reads
them), else the data's default. Every word it says is a message of
data/i18n/<lang>/messages/cli.yaml, argparse's own words ("usage:", "options") included; ids,
codes, JSON keys and SARIF stay the same in every language.
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from casme3_compliance import __version__, output
from casme3_compliance.knowledge.errors import DataError, RefError
from casme3_compliance.terminal import escape

PROG = "casme3"
LOCALE = ("LC_ALL", "LC_MESSAGES", "LANG")
"""The variables that name the locale, the first set one winning (LANGUAGE comes before them)."""

# Said when the data itself cannot be read, so that no catalogue can be either.
_BROKEN = "the knowledge base is broken: {error}"
# Said on a signal before the catalogue was read (reading data then would only delay the exit).
_SIGNALS = {"cli.error.interrupted": "interrupted", "cli.error.terminated": "terminated"}


class _Fail(Exception):
    """A user error, already in the output's language: printed as one line, exit status 2."""


TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from casme3_compliance.knowledge.model import Family
    from casme3_compliance.knowledge.verdicts import Texts


class _Run:
    """What one call of main() has settled: the language asked for, the family in it."""

    def __init__(self, asked: str | None = None) -> None:
        self.asked = asked
        self.family: Family | None = None
        self.answer_key: str | None = None  # where `subject`'s answer is stored (answers.py)
        self.answer_state: str | None = None  # the state it is stored for
        self.words: list[str] = []  # the command line


_run = _Run()


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status: 0 fine, 1 restricted or findings, 2 bad input."""
    _safe_stdout()
    output.catch_termination()
    words = sys.argv[1:] if argv is None else list(argv)
    global _run
    _run = _Run(_asked(words))
    try:
        quick = _quick(words)
        if argv is None and quick is not None and quick.run is _subject:
            # The same question on the same data and code as before: its answer, as printed.
            from casme3_compliance.knowledge import answers

            _run.words, _run.answer_state = words, answers.state()
            _run.answer_key = answers.key(words, _run.answer_state)
            found = answers.lookup(_run.answer_key) if _run.answer_key else None
            if found is not None:
                output.stdout(found[0])
                return found[1]
        args = quick or _parser().parse_args(words)
        return args.run(args)
    except _Fail as e:
        return _error(str(e))
    except output.OutputError as e:
        try:
            return _error(e.say(_family()))
        except (DataError, _Fail):
            return _error(e.key)
    except DataError as e:
        return _error(_BROKEN.format(error=e))
    except SystemExit as e:  # --help and --version
        return e.code if isinstance(e.code, int) else 0
    except KeyboardInterrupt:
        _error(_said("cli.error.interrupted"))
        return 130
    except output.Terminated as e:
        _error(_said("cli.error.terminated"))
        return 128 + e.signum
    finally:
        if _run.answer_state is not None:
            from casme3_compliance.knowledge import answers

            answers.take_stamp("")  # nothing of this command is taken for the next one
        _run = _Run()  # the next call (a test, a script in the same process) starts afresh


def _error(message: str) -> int:
    """One line on stderr, with whatever the user typed made harmless; exit status 2."""
    print(f"{PROG}: {escape(message)}", file=sys.stderr)
    return 2


def _said(key: str) -> str:
    return _run.family.t(key) if _run.family is not None else _SIGNALS[key]


# The language ---------------------------------------------------------------------------------


def _asked(words: list[str]) -> str | None:
    """The value of `--lang` (or `--lang=`, or a prefix argparse would take for it) wherever it
    stands, before `--`; the last one wins, as argparse's. Read before parsing, because the
    help itself is in that language."""
    asked = None
    for i, word in enumerate(words):
        if word == "--":
            break
        name, eq, value = word.partition("=")
        if name.startswith("--l") and "--lang".startswith(name):
            if eq:
                asked = value
            elif i + 1 < len(words):
                asked = words[i + 1]
    return asked


def _code(value: str) -> str:
    """`zh_CN.UTF-8` -> `zh`: a locale's (or a language tag's) language."""
    for sep in "_.@-":
        value = value.split(sep, 1)[0]
    return value.strip().lower()


def _locale() -> list[str]:
    """The languages the environment asks for, in order: LANGUAGE's list (which gettext ignores
    when the locale is C or POSIX), then the locale's own."""
    env = os.environ
    locale = next((env[name] for name in LOCALE if env.get(name)), "")
    if locale in ("C", "POSIX"):
        return []
    wanted = [_code(x) for x in env.get("LANGUAGE", "").split(":") if x]
    return [c for c in [*wanted, _code(locale)] if c not in ("", "c", "posix")]


def _family() -> Family:
    """The family, in the language of this run (loaded once)."""
    if _run.family is None:
        _run.family = _in_language(_run.asked)
    return _run.family


def _in_language(asked: str | None) -> Family:
    if asked is None:
        return _from_locale()
    family = _shipped(asked)
    if family is None:
        said = _from_locale()
        known = _join(said, [x["code"] for x in said.shipped])
        raise _Fail(said.t("cli.error.language", lang=repr(asked), known=known))
    return family


def _default_language(family: Family) -> str:
    """The data's default language: the family's own unless --lang or the locale chose it."""
    if _run.asked is None and not _locale():
        return family.lang
    from casme3_compliance.knowledge.loader import load_family

    return load_family().lang


def _from_locale() -> Family:
    from casme3_compliance.knowledge.loader import load_family

    for code in _locale():
        family = _shipped(code)
        if family is not None:
            return family
    return load_family()


def _shipped(code: str) -> Family | None:
    """The family in language `code` if the data ships it (a draft is not shipped), else None;
    the folders of data/i18n/ are listed first, so an unknown code costs no load."""
    from casme3_compliance.knowledge.answers import data_dir  # a str: pathlib costs 3 ms
    from casme3_compliance.knowledge.loader import load_family

    code = code.strip().lower()
    try:
        with os.scandir(os.path.join(data_dir(), "i18n")) as entries:
            folders = {e.name for e in entries if e.is_dir()}
    except OSError:
        return None
    if code not in folders:
        return None
    family = load_family(lang=code)
    return family if any(x["code"] == code for x in family.shipped) else None


def _join(texts: Texts, items: list[str] | tuple[str, ...]) -> str:
    """`a, b, c` in `texts`' language (a plain list: no "and")."""
    from casme3_compliance.knowledge.verdicts import join

    return join(texts, items, "cli.list.comma")


# Parsing ----------------------------------------------------------------------------------------


def _quick(words: list[str]) -> SimpleNamespace | None:
    """`casme3 --version`, and `casme3 subject` with references and --json, without argparse."""
    if words == ["--version"]:
        return SimpleNamespace(run=_version)
    rest: list[str] = []
    i = 0
    while i < len(words):  # `--lang X` anywhere: already read by _asked
        if words[i] == "--lang" and i + 1 < len(words) and not words[i + 1].startswith("-"):
            i += 2
        elif words[i].startswith("--lang="):
            i += 1
        else:
            rest.append(words[i])
            i += 1
    return _quick_subject(rest)


def _version(args: SimpleNamespace) -> int:
    output.stdout(f"{PROG} {__version__}\n")
    return 0


def _quick_subject(argv: list[str] | None) -> SimpleNamespace | None:
    """`casme3 subject [--db ID] [--json] REF...` without building the argparse parser.

    Scripts call it once per subject; argparse's set-up (help formatters, gettext look-ups)
    would be most of its run time. Only what argparse reads the same way is taken here (each
    option once, the references together); anything else, `--help` included, goes to argparse.
    """
    words = sys.argv[1:] if argv is None else argv
    if not words or words[0] != "subject":
        return None
    refs: list[str] = []
    db, as_json, ended, i = None, False, False, 1
    while i < len(words):
        w = words[i]
        if w == "--json" and not as_json:
            as_json = True
        elif w == "--db" and db is None and words[i + 1 : i + 2] and words[i + 1][:1] != "-":
            db, i = words[i + 1], i + 1
        elif w.startswith("--db=") and db is None and len(w) > 5:
            db = w[5:]
        elif w.startswith("-") or ended:
            return None
        else:
            refs.append(w)
            ended = i + 1 < len(words) and words[i + 1].startswith("-")
        i += 1
    if not refs:
        return None
    return SimpleNamespace(ref=refs, json=as_json, db=db, source=None, run=_subject)


# argparse's own words (its gettext message ids, as Python 3.11 writes them) -> our ids. One that
# another Python words otherwise passes through as argparse says it.
_ARGPARSE = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positionals",
    "options": "cli.argparse.options",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "the following arguments are required: %s": "cli.argparse.required",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "expected one argument": "cli.argparse.expected_one",
    "expected at least one argument": "cli.argparse.expected_some",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.choice",
    "ignored explicit argument %r": "cli.argparse.explicit",
    "show this help message and exit": "cli.help.help",
}


def _in_our_words(run):
    """`run()` with argparse's own words taken from our messages, in the run's language."""
    import argparse

    texts = _family()
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = lambda m: texts.t(_ARGPARSE[m]) if m in _ARGPARSE else saved(m)  # type: ignore[attr-defined]
    try:
        return run()
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


def _parser() -> argparse.ArgumentParser:
    return _in_our_words(_build_parser)


def _build_parser() -> argparse.ArgumentParser:
    import argparse

    from casme3_compliance.terminal import columns, has_wide, wrap

    family = _family()
    t = family.t

    class _Formatter(argparse.HelpFormatter):
        """Help text in any script: a line of CJK text breaks between characters, and a wide
        character takes two columns (textwrap would break only at spaces, and count one)."""

        def _split_lines(self, text: str, width: int) -> list[str]:
            if not has_wide(text):
                return super()._split_lines(text, width)
            return wrap(text, width)

        def _fill_text(self, text: str, width: int, indent: str) -> str:
            if not has_wide(text):
                return super()._fill_text(text, width, indent)
            return "\n".join(indent + line for line in wrap(text, width - columns(indent)))

        def _format_usage(self, usage, actions, groups, prefix):
            """A wide "usage:" is measured as the columns it takes, so that a usage line
            continued on the next is indented under the first."""
            if prefix is None:
                prefix = argparse._("usage: ")  # type: ignore[attr-defined]
            if not has_wide(prefix):
                return super()._format_usage(usage, actions, groups, prefix)
            stand_in = "\x00" * columns(prefix)
            text = super()._format_usage(usage, actions, groups, stand_in)
            return text.replace(stand_in, prefix, 1)

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str):  # type: ignore[override]
            raise _Fail(t("cli.help.see", message=message, prog=self.prog))

        def parse_known_args(self, args=None, namespace=None):
            parse = super().parse_known_args
            return _in_our_words(lambda: parse(args, namespace))

    default = family.default
    shipped = _join(family, [x["code"] for x in family.shipped])

    languages = t("cli.help.lang", languages=shipped, default=_default_language(family))

    def lang(p: argparse.ArgumentParser, top: bool = False) -> None:
        """--lang before the command and after it; the subcommand's leaves the global's be."""
        suppress = None if top else argparse.SUPPRESS
        p.add_argument("--lang", metavar="LANG", default=suppress, help=languages)

    p = _Parser(
        prog=PROG,
        description=t("cli.help.description", name=family.db().name),
        epilog=t("cli.help.epilog"),
        formatter_class=_Formatter,
    )
    version = f"{PROG} {__version__}"
    p.add_argument("--version", action="version", version=version, help=t("cli.help.version"))
    lang(p, top=True)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, run) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=t(f"cli.help.{name}"), formatter_class=_Formatter)
        lang(c)
        c.set_defaults(run=run)
        return c

    d = command("databases", _databases)
    d.add_argument("--json", action="store_true", help=t("cli.help.databases.json"))

    s = command("subject", _subject)
    s.add_argument("ref", metavar="REF", nargs="*", help=t("cli.help.subject.ref"))
    s.add_argument("--db", metavar="ID", help=t("cli.help.subject.db", default=default))
    s.add_argument("--from", dest="source", metavar="FILE", help=t("cli.help.subject.from"))
    s.add_argument("--json", action="store_true", help=t("cli.help.subject.json"))

    c = command("cite", _cite)
    c.add_argument("--db", metavar="IDS", help=t("cli.help.cite.db", default=default))
    c.add_argument(
        "--format", "-f", default="bibtex", metavar="FORMAT", help=t("cli.help.cite.format")
    )
    c.add_argument("-o", "--output", metavar="FILE", help=t("cli.help.cite.output"))

    k = command("checklist", _checklist)
    k.add_argument("--db", metavar="IDS", help=t("cli.help.checklist.db", default=default))
    k.add_argument("--format", "-f", metavar="FORMAT", help=t("cli.help.checklist.format"))
    k.add_argument("-o", "--output", metavar="FILE", help=t("cli.help.checklist.output"))

    x = command("export", _export)
    x.add_argument("--db", metavar="ID", help=t("cli.help.export.db", default=default))
    x.add_argument(
        "--format", "-f", default="croissant", metavar="FORMAT", help=t("cli.help.export.format")
    )
    x.add_argument("-o", "--output", metavar="FILE", help=t("cli.help.export.output"))

    m = command("terms", _terms)
    m.add_argument("clause", metavar="CLAUSE", nargs="?", help=t("cli.help.terms.clause"))
    m.add_argument("--db", metavar="ID", help=t("cli.help.terms.db", default=default))

    n = command("scan", _scan)
    n.add_argument("paths", metavar="PATH", nargs="*", default=["."], help=t("cli.help.scan.paths"))
    n.add_argument(
        "--format", "-f", default="text", metavar="FORMAT", help=t("cli.help.scan.format")
    )
    n.add_argument("--select", metavar="CODES", help=t("cli.help.scan.select"))
    n.add_argument("--ignore", metavar="CODES", help=t("cli.help.scan.ignore"))
    n.add_argument("--all", action="store_true", help=t("cli.help.scan.all"))
    n.add_argument("-o", "--output", metavar="FILE", help=t("cli.help.scan.output"))
    n.add_argument("--db", metavar="IDS", help=t("cli.help.scan.db"))
    return p


# Commands --------------------------------------------------------------------------------------


def _kb(db: str | None = None):
    """One database (default: the family's); an unknown id is a usage error."""
    family = _family()
    try:
        return family.db(db)
    except KeyError:
        known = _join(family, family.ids)
        raise _Fail(family.t("cli.error.database", db=repr(db), known=known)) from None


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

    family = _family()
    t = family.t
    doc = databases(family)
    if args.json:
        import json

        output.stdout(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return 0
    out = []
    for d in doc["databases"]:
        head = "cli.databases.head_default" if d["id"] == doc["default"] else "cli.databases.head"
        out.append(t(head, id=d["id"], name=d["name"], issuer=d["issuer"]))
        if d["agreement"] == "public":
            agreement = t("cli.databases.agreement", title=d["agreement_title"], source=d["source"])
            out.append(f"    {agreement}")
            out.append("    " + t("cli.databases.subjects", subjects=d["subjects"]))
        else:
            out.append("    " + t("cli.databases.not_public", ask=d["ask"]))
        out.append("    " + t("cli.databases.cite", citation=d["citation"]))
    output.stdout("\n".join(out) + "\n")
    return 0


def _subject(args: argparse.Namespace) -> int:
    from casme3_compliance.knowledge.verdicts import verdict

    if args.source is not None:
        if args.ref:
            raise _Fail(_family().t("cli.error.refs_and_file"))
        return _subjects_from(args)
    if not args.ref:
        raise _Fail(_family().t("cli.error.no_ref", prog=PROG))
    kb = _kb(args.db)
    try:
        # The words typed without quotes (`Part C 27`) are one reference.
        v = verdict(" ".join(args.ref), kb)
    except RefError as e:
        raise _Fail(str(e)) from None
    text = _answer(v, kb, args.json)
    output.stdout(text)
    if _run.answer_key is not None:
        from casme3_compliance.knowledge import answers

        answers.remember(_run.answer_key, text, EXIT[v.verdict])
        _answer_the_list(args, kb)
    return EXIT[v.verdict]


def _answer(v, kb, as_json: bool) -> str:
    """What `casme3 subject` prints for verdict `v`."""
    if as_json:
        return output.json_text(v.as_dict()) + "\n"
    answer = kb.t(f"cli.answer.{v.verdict}")
    note = kb.t("cli.subject.note", note=v.note) + "\n" if v.note else ""
    return kb.t("cli.subject.answer", answer=answer, message=v.message) + "\n" + note


LIST_LIMIT = 9_999
"""The highest number answered ahead (from 1 up to the first that is no subject)."""


def _answer_the_list(args: argparse.Namespace, kb) -> None:
    """A number asked alone, the first time in this command line (`--json`, `--db`, `--lang`
    the same) on this data, code and environment: store the answers to the same command line with
    every number from 1 up (to the first that is no subject), as a script that asks subject after
    subject will. Each is made as the question would be answered."""
    from casme3_compliance.knowledge import answers
    from casme3_compliance.knowledge.verdicts import verdict

    (ref,) = args.ref if len(args.ref) == 1 else (None,)
    now, words = _run.answer_state, _run.words
    if ref is None or not (ref.isascii() and ref.isdigit()) or words.count(ref) != 1 or not now:
        return
    at = words.index(ref)
    shape = answers.key([*words[:at], "", *words[at + 1 :]], now)
    if shape is None or not answers.first_time(shape):
        return
    for n in range(1, LIST_LIMIT + 1):
        try:
            v = verdict(str(n), kb)
        except RefError:
            break
        asked = [*words[:at], str(n), *words[at + 1 :]]
        key = answers.key(asked, now)
        if key is not None:
            answers.remember(key, _answer(v, kb, args.json), EXIT[v.verdict], tidy=False)
    answers.prune()


def _subjects_from(args: argparse.Namespace) -> int:
    """Every row of a list or a composite label file; the rows that may not appear are shown."""
    from casme3_compliance.knowledge.lists import answer

    family = _family()
    t = family.t
    name = t("cli.stdin") if args.source == "-" else args.source
    text = _read_text(args.source)
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
                word = t(f"cli.answer.{r.answer}")
                out.append(
                    t(
                        "cli.rows.row",
                        file=escape(name),
                        line=r.line,
                        answer=word,
                        message=escape(said or ""),
                    )
                )
        counts = {a: sum(r.answer == a for r in rows) for a in EXIT}
        shown = [
            t("cli.rows.count", n=n, answer=t(f"cli.answer.{a}")) for a, n in counts.items() if n
        ]
        from casme3_compliance.knowledge.verdicts import join

        summary = join(family, shown, "cli.rows.counts", "cli.rows.counts") or t("cli.rows.none")
        out.append(t("cli.rows.summary", rows=len(rows), counts=summary))
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
        raise _Fail(_family().t("cli.error.read", file=source, why=why)) from None


def _known(value: str, formats: tuple[str, ...], error: str) -> None:
    """A format the command writes, or a usage error naming the ones it does."""
    if value not in formats:
        family = _family()
        raise _Fail(family.t(error, value=repr(value), choices=_join(family, formats)))


def _cite(args: argparse.Namespace) -> int:
    from casme3_compliance.render import citation

    family = _family()
    _known(args.format, citation.FORMATS, "cli.error.cite_format")
    dbs = _many(args.db)
    cited = [db.citation for db in dbs]
    text = citation.render(cited[0] if len(cited) == 1 else cited, args.format, family)
    _emit(text, args.output)
    return 0


def _export(args: argparse.Namespace) -> int:
    """The same JSON-LD as the site's download, whatever the language of the run."""
    from casme3_compliance.render import croissant, pages

    family = _family()
    _known(args.format, croissant.FORMATS, "cli.error.export_format")
    db = _kb(args.db)
    if not pages.has_policy(db):
        raise _Fail(family.t("cli.error.no_policy", name=db.name))
    documents = croissant.documents(os.environ.get("CASME3_SITE_URL"))
    _emit(croissant.dumps(documents[db.id]), args.output)
    return 0


_CHECKLIST_EXTENSIONS = {".txt": "text", ".md": "md", ".json": "json", ".pdf": "pdf"}


def _checklist(args: argparse.Namespace) -> int:
    from casme3_compliance.render import checklist

    family = _family()
    fmt = args.format or _checklist_format(args.output)
    _known(fmt, checklist.FORMATS, "cli.error.checklist_format")
    if fmt == "pdf" and args.output in (None, "-"):
        raise _Fail(family.t("cli.error.pdf_to_stdout"))
    dbs = [db for db in _many(args.db) if db.checklists]
    if not dbs:
        raise _Fail(family.t("cli.error.no_checklist"))
    _emit(checklist.render(dbs[0] if len(dbs) == 1 else dbs, fmt), args.output)
    return 0


def _checklist_format(target: str | None) -> str:
    """Without --format: plain text on stdout, else what the output file's extension says."""
    if target in (None, "-"):
        return "text"
    ext = os.path.splitext(target)[1].lower()
    if ext not in _CHECKLIST_EXTENSIONS:
        family = _family()
        known = _join(family, list(_CHECKLIST_EXTENSIONS))
        raise _Fail(family.t("cli.error.extension", target=repr(target), known=known))
    return _CHECKLIST_EXTENSIONS[ext]


def _terms(args: argparse.Namespace) -> int:
    from casme3_compliance.knowledge.verdicts import provenance_line
    from casme3_compliance.terminal import columns

    kb = _kb(args.db)
    la = kb.agreement
    if la is None:
        raise _Fail(kb.t("cli.error.not_public", name=kb.name, ask=kb.ask))
    if args.clause is None:
        out = [
            la.title,
            kb.t("cli.terms.owner", owner=la.owner),
            kb.t("cli.terms.source", line=provenance_line(kb, la.provenance)),
            la.numbering,
            "",
        ]
        for section in la.parts:
            out += [section.heading, "=" * columns(section.heading), ""]
            for clause in section.clauses:
                out += _clause(kb, clause)
        out.append(kb.disclaimer)
        output.stdout("\n".join(out) + "\n")
        return 0
    try:
        clause = la.clause(args.clause)
    except KeyError:
        ids = _join(kb, [c.id for c in la.clauses()])
        said = kb.t("cli.error.clause", clause=repr(args.clause), title=la.short_title, ids=ids)
        raise _Fail(said) from None
    section = la.part_of(clause)
    heading = kb.t("cli.terms.heading", title=la.short_title, heading=section.heading)
    output.stdout("\n".join([heading, "", *_clause(kb, clause)]) + "\n")
    return 0


def _clause(kb, clause) -> list[str]:
    from casme3_compliance.knowledge.verdicts import place

    where = place(kb, clause.where)
    lines = [kb.t("cli.terms.clause", id=clause.id, where=where, text=clause.text)]
    lines += [f"    - {item}" for item in clause.items]
    part = kb.subjects.part(clause.subjects) if clause.subjects else None
    if part is not None and part.list:
        lines.append(f"    {part.numbering.split('<')[0]} {', '.join(map(str, part.list))}")
    if clause.readings:
        lines += ["    " + kb.t("cli.terms.readings", why=clause.readings.why)]
        lines += [f"      {i}. {option}" for i, option in enumerate(clause.readings.options, 1)]
        lines += ["    " + kb.t("cli.terms.ours", ours=clause.readings.ours)]
    lines += ["    " + kb.t("cli.terms.summary", summary=clause.summary), ""]
    return lines


def _scan(args: argparse.Namespace) -> int:
    from casme3_compliance.scan import ScanError, scan
    from casme3_compliance.scan.report import FORMATS, render, shown

    family = _family()  # the scan judges every database of the family (or --db's)
    if args.format not in FORMATS:
        choices = _join(family, FORMATS)
        raise _Fail(family.t("cli.error.report_format", value=repr(args.format), choices=choices))
    progress = _progress(family)
    try:
        report = scan(
            args.paths,
            family,
            select=args.select,
            ignore=args.ignore,
            all_files=args.all,
            exclude=[] if args.output in (None, "-") else [args.output],  # never our own report
            databases=args.db,
            progress=progress,
        )
    except ScanError as e:  # names a path or a value the user gave: escaped by _error
        raise _Fail(shown(str(e))) from None
    finally:
        if progress is not None:
            progress.close()
    color = (
        args.format == "text"
        and args.output in (None, "-")
        and not os.environ.get("NO_COLOR")
        and sys.stdout.isatty()
    )
    if args.format == "lines":
        for note in report.notes:
            where, why = escape(shown(note.path)), escape(note.message)
            print(f"{PROG}: " + family.t("cli.scan.note", where=where, why=why), file=sys.stderr)
    _emit(render(report, args.format, family, __version__, color), args.output)
    return 1 if report.findings else 0


def _progress(family: Family):
    """The progress line of a scan, when stderr is a terminal (scan/progress.py); else None."""
    from casme3_compliance.scan import progress as P

    after = P.delay()
    if after is None:
        value = repr(os.environ.get(P.ENV, ""))
        raise _Fail(family.t("cli.error.progress_after", name=P.ENV, value=value))
    isatty = getattr(sys.stderr, "isatty", None)
    if isatty is None or not isatty():
        return None
    return P.Progress(sys.stderr, family.t, after)


# Output ----------------------------------------------------------------------------------------


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
