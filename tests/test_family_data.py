"""Every database of the family says what its agreement says, held to the agreement's own text.

The agreements of the family are stored as the issuers' blank PDFs give them (pypdf's text, line
breaks and list marks included). These tests read that text on their own, without the YAML, and
hold the data to it: the stored text is the one recorded, the clauses put back together are the
text, each clause stands where its `where` says, each subject rule's list is the subjects the
agreement names, every verdict sentence carries the words of the clauses it cites and nothing
stronger, the citation is the agreement's own reference. CAS(ME)³'s own stored text (Markdown, a
copy distributed with its application) is held the same way by test_fidelity.py and
test_subjects.py; its verdicts and checklists are held here too.
"""

from __future__ import annotations

import hashlib
import itertools
import re

import pytest
from conftest import DATA, FAMILY

import casme3_compliance as c3

# The SHA-256 and size of each PDF's text as pypdf extracts it, pinned here so that a change
# to a stored text and to its recorded hash together still fails.
SOURCES = {
    "casme": ("8398df90a24dd0ae6d8299c0f2deecf5c26d6fe356aad21557897650ff09ca90", 1004),
    "casme2": ("cc8e6b0eb570f102f7131cdc1dc3d870796aa75072bc1f43572d882ad4734c52", 649),
    "casmesq": ("94f794051ad9bd2e384fc124af2ef3797aa3ca66f1526a651b0201ee723317e4", 934),
    "casmemg": ("0b4b11f11bd51a245dc7b739ac9eb05bb0cc3586ddba5320c4c577b1123eeee7", 3910),
    "mmew": ("6de6328e5439c9ed57d2c4fe6d661fad3a87f246eadcc1f1fe2a834d9998e890", 2944),
}
ORDER = ("casme3", "casme2", "casmesq", "casme", "casmemg", "mmew", "samm", "smic")

PUBLIC = [d for d in FAMILY.databases if d.public]
NOT_PUBLIC = [d for d in FAMILY.databases if not d.public]
# The agreements whose stored text is the issuer's PDF as extracted (no second, extracted copy).
EXTRACTED = [d for d in PUBLIC if d.agreement.provenance.pdf.extracted is None]
WITH_SUBJECTS = [d for d in FAMILY.databases if d.subjects is not None]
PARTS = [(d, p) for d in WITH_SUBJECTS for p in d.subjects.parts]
EXTRACTED_PARTS = [(d, p) for d, p in PARTS if d in EXTRACTED]


def ids(value: object) -> str:
    if isinstance(value, tuple):
        return "-".join(ids(v) for v in value)
    return getattr(value, "id", None) or getattr(value, "key", None) or str(value)


def source_of(db) -> str:
    return (DATA / db.id / db.agreement.provenance.text.file).read_text("utf-8")


# --- How the extracted text is read -----------------------------------------------------------

ROW_OF_ASTERISKS = re.compile(r"\*{5,}")
MARK = re.compile(r"^[•●*]\s*")  # a bullet, a list mark, a note's mark


def _lines(text: str) -> list[str]:
    """The text's lines; a word broken after its hyphen at a line's end (a line with no
    trailing space, unlike every other) is joined again."""
    return re.sub(r"(?<=\w-)\n(?=\w)", "", text).split("\n")


def normalise(text: str) -> str:
    """Every word and punctuation mark, without layout: rows of asterisks, list and note marks,
    line breaks and runs of spaces."""
    kept = []
    for line in _lines(text):
        s = line.strip()
        if ROW_OF_ASTERISKS.fullmatch(s):
            continue
        kept.append(MARK.sub("", s))
    return " ".join(" ".join(kept).split())


def reassembled(db) -> str:
    """The agreement put back together from the data: its title, the headings it prints (a
    numbered part's "<n>. <title>", run in with a colon where the source writes one; an
    unnumbered part's title only where the source prints it as a line of its own), then every
    clause's text and items."""
    a, source = db.agreement, source_of(db)
    lines = {ln.strip() for ln in source.splitlines()}
    flat = normalise(source)
    out = [a.title]
    for part in a.parts:
        if part.number:
            heading = f"{part.number}. {part.title}"
            out.append(heading + ":" if f"{heading}:" in flat else heading)
        elif part.title in lines:
            out.append(part.title)
        for clause in part.clauses:
            out.append(clause.text)
            out.extend(clause.items)
    return normalise("\n".join(out))


class Place:
    """A place of the agreement (its opening, a section, a bullet, the form, ...) as the
    extracted text shows it: paragraphs of lines, and conditions A, B, ... of their own."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = []
        self.conditions: dict[str, list[str]] = {}


def places(db) -> dict[tuple[str, str], Place]:
    """The extracted text cut into its places, read from the text itself; the data only says
    which line a numbered or unnumbered heading is (its part's title) and where the form begins
    (its first field). A paragraph ends at a blank line, or at a line ending in two spaces (the
    sentence's space and the line's: pypdf's mark of a paragraph's end); in the form and its
    notes, neither ends one."""
    a = db.agreement
    numbered = {p.number: p.title for p in a.parts if p.number}
    headings = {p.title for p in a.parts if not p.number}
    form = next(c.fields[0] for c in a.clauses() if c.where.part == "form")
    out: dict[tuple[str, str], Place] = {}
    key, bullets = ("part", "opening"), 0
    current: list[str] = []
    condition: str | None = None

    def flush() -> None:
        nonlocal current
        if current:
            place = out.setdefault(key, Place())
            if condition:
                place.conditions[condition] = current
            else:
                place.paragraphs.append(current)
        current = []

    def move(to: tuple[str, str]) -> None:
        nonlocal key, condition
        flush()
        key, condition = to, None

    lines = _lines(source_of(db))
    start = next(i for i, ln in enumerate(lines) if not ln.strip())  # after the title's lines
    for line in lines[start:]:
        s = line.strip()
        if not s:
            if key[1] not in ("form", "notes"):
                flush()
            continue
        heading = re.match(r"(\d+)\. (.*)", s)
        if ROW_OF_ASTERISKS.fullmatch(s):
            move(("part", "closing"))
            continue
        if heading and heading[1] in numbered and heading[2].startswith(numbered[heading[1]]):
            move(("section", heading[1]))
            s = heading[2][len(numbered[heading[1]]) :].removeprefix(":").strip()
            if not s:
                continue
        elif s in headings:
            move(("part", s.lower()))
            continue
        elif s == form:
            move(("part", "form"))
        elif s.startswith("*"):
            if key != ("part", "notes"):
                move(("part", "notes"))
        elif s.startswith("•"):
            bullets += 1
            move(("bullet", str(bullets)))
        elif key[0] == "section" and re.match(r"[A-Z]\. ", s):
            flush()
            condition = s[0]
        current.append(" ".join(MARK.sub("", s).split()))
        if line.endswith("  ") and key[0] != "bullet" and key[1] not in ("form", "notes"):
            flush()
            condition = None
    flush()
    return out


def _where_key(where) -> tuple[str, str]:
    if where.part:
        return ("part", where.part)
    if where.bullet:
        return ("bullet", str(where.bullet))
    return ("section", where.section)


def _offsets(pieces: list[str]) -> tuple[str, set[int]]:
    """The pieces joined by spaces, and the offsets where a piece begins (but the first)."""
    text, cuts = "", set()
    for piece in pieces:
        if text:
            text += " "
            cuts.add(len(text))
        text += piece
    return text, cuts


# --- The tests ----------------------------------------------------------------------------------


def test_the_family_is_listed_in_the_sites_order():
    assert FAMILY.ids == ORDER and FAMILY.default == "casme3"
    listing = (DATA / "databases.yaml").read_text("utf-8")
    assert f"databases: [{', '.join(ORDER)}]\n" in listing
    assert {d.id for d in EXTRACTED} == set(SOURCES)


@pytest.mark.parametrize("db", EXTRACTED, ids=ids)
def test_the_stored_text_is_the_issuers_pdf_text(db):
    text = db.agreement.provenance.text
    content = (DATA / db.id / text.file).read_bytes()
    sha, size = SOURCES[db.id]
    assert (hashlib.sha256(content).hexdigest(), len(content)) == (sha, size)
    assert (text.sha256, text.bytes) == (sha, size)
    assert text.file.startswith("source/") and text.file.endswith("-agreement.txt")


@pytest.mark.parametrize("db", EXTRACTED, ids=ids)
def test_the_clauses_put_back_together_are_the_agreement(db):
    assert reassembled(db) == normalise(source_of(db))


@pytest.mark.parametrize("db", EXTRACTED, ids=ids)
def test_each_clause_stands_where_it_says(db):
    """Per place, the clauses in order are its text. A paragraph the text shows (blank line, or
    two trailing spaces) is one in the data; the data may start a paragraph the text cannot
    show, but only at a line break. Sentences are numbered 1, 2, ... and cut where a sentence
    ends; a clause without a sentence number is its whole paragraph; a condition's clause is
    the condition, lettered as in the text."""
    found = places(db)
    groups: dict[tuple[str, str], dict[int, list]] = {}
    for clause in db.agreement.clauses():
        w, key = clause.where, _where_key(clause.where)
        assert key in found, (clause.id, key)
        if w.condition:
            assert clause.label == w.condition, clause.id
            text = normalise(clause.text)
            assert text.startswith(f"{w.condition}. "), clause.id
            assert text == " ".join(found[key].conditions[w.condition]), clause.id
            continue
        groups.setdefault(key, {}).setdefault(w.paragraph or 1, []).append(clause)
    assert set(groups) == {k for k, p in found.items() if p.paragraphs}
    for key, paragraphs in groups.items():
        assert sorted(paragraphs) == list(range(1, len(paragraphs) + 1)), key
        pieces = []
        for n in sorted(paragraphs):
            clauses = paragraphs[n]
            numbers = [c.where.sentence for c in clauses]
            if None in numbers:
                assert len(clauses) == 1, (key, n)
            else:
                assert numbers == list(range(1, len(clauses) + 1)), (key, n)
            texts = [normalise(" ".join([c.text, *c.items])) for c in clauses]
            for before, after in itertools.pairwise(texts):
                assert before[-1] in ".?!:" and after[0].isupper(), (key, n, after)
            pieces.append(" ".join(texts))
        data, data_cuts = _offsets(pieces)
        source, shown = _offsets([" ".join(p) for p in found[key].paragraphs])
        _, line_breaks = _offsets([ln for p in found[key].paragraphs for ln in p])
        assert data == source, key
        assert shown <= data_cuts <= line_breaks, key


@pytest.mark.parametrize("db", EXTRACTED, ids=ids)
def test_section_titles_and_fields_are_the_agreements(db):
    flat = normalise(source_of(db))
    for part in db.agreement.sections:
        assert f"{part.number}. {part.title}" in flat, part.number
    for clause in db.agreement.clauses():
        for piece in (*clause.steps, *clause.fields):
            assert piece in clause.text, (clause.id, piece)
    app = db.agreement.application
    if app.la_url:
        clause = db.agreement.clause(app.la_clause)
        assert app.la_url in clause.text
        assert app.filename is not None and app.filename.text in clause.text
    for step in app.current_steps:
        assert step.url is None or step.url.startswith("https://"), step


def _label_pattern(part) -> re.Pattern[str]:
    """How the agreement writes this part's subjects: the label's words before the number."""
    words = part.label.split("{n}")[0].strip()
    return re.compile(rf"\b{re.escape(words)}\s*0*([0-9]+)", re.IGNORECASE)


@pytest.mark.parametrize(("db", "part"), EXTRACTED_PARTS, ids=ids)
def test_each_subject_rule_is_the_agreements_wording(db, part):
    """A list is exactly the subjects the agreement names, in its order, in the clause that
    makes the rule, and no other clause names a subject; the rule's shape is the clause's: a
    deny-list says "not", an allow-list "only" or "except", an approval rule "approval", and an
    agreement that names no subject has the rule `all`."""
    a, pattern = db.agreement, _label_pattern(part)
    clause = a.clause(part.clause)
    named = [int(n) for n in pattern.findall(clause.text)]
    elsewhere = [c.id for c in a.clauses() if c is not clause and pattern.search(c.text)]
    assert elsewhere == []
    text = clause.text.lower()
    if part.rule in ("deny", "allow"):
        assert list(part.list) == named
        assert clause.subjects == part.key
        assert (" not " in text) if part.rule == "deny" else ("only" in text or "except" in text)
    else:
        assert named == [] and not part.list and clause.subjects is None
        assert ("approval" in text) == (part.rule == "approval")
    for n in part.list:
        assert c3.parse_ref(part.name_of(n), db) == c3.SubjectRef(part.key, n)


# Words a verdict must carry when the clauses it cites say them, by answer.
CARRIED = {
    "restricted": ("should not be published", "only from", "except for"),
    "allowed": (
        "only in scientific journals",
        "©xiaolan fu",
        "paper writing and academic presentation",
    ),
    "approval": ("prior approval", "embarrassment or mental anguish"),
}
# Words no verdict may say unless a clause it cites says them.
STRONGER = ("may be published", "may appear", "must not", "forbidden", "prohibited", "never")


def _numbers(part) -> list[int]:
    """The list, the known range, and a few numbers besides where no range is known."""
    extra = (n for n in (1, 2, 3, 50) if part.in_range(n))
    return sorted({*part.list, *part.numbers(), *extra})


def _cited(db, part, answer: str) -> list[str]:
    if answer == "restricted":
        ids_ = [part.clause]
    elif answer == "allowed":
        ids_ = [part.permission or part.allowed_clause or part.clause, *part.conditions]
    else:
        ids_ = [part.clause, *part.conditions]
    return [db.agreement.clause(i).text.lower() for i in ids_]


@pytest.mark.parametrize(("db", "part"), PARTS, ids=ids)
def test_every_verdict_says_what_its_clauses_say(db, part):
    """Each sentence names its clause and the agreement's place for it, carries the clauses'
    own limits (where images may appear, the notice, the approval), and says nothing stronger:
    never "may be published" or "may appear" where the clause does not."""
    answers = set()
    for n in _numbers(part):
        v = c3.verdict(c3.SubjectRef(part.key, n), db)
        answers.add(v.verdict)
        where = db.agreement.clause(v.clause).where
        assert v.subject == part.name_of(n) and v.subject in v.message
        assert v.clause in v.message and f"; {where}" in v.message and v.where == str(where)
        assert v.verdict == part.verdict(n)
        message, cited = v.message.lower(), _cited(db, part, v.verdict)
        for words in CARRIED[v.verdict]:
            if any(words in t for t in cited):
                assert words in message, (n, words)
        for words in STRONGER:
            if words in message:
                assert any(words in t for t in cited), (n, words)
    expected = {"deny": {"restricted", "allowed"}, "allow": {"restricted", "allowed"}}
    assert answers == expected.get(part.rule, {"allowed" if part.rule == "all" else "approval"})


@pytest.mark.parametrize(("db", "part"), EXTRACTED_PARTS, ids=ids)
def test_a_range_is_only_where_a_public_record_shows_it(db, part):
    if part.max is None:
        assert part.range_source is None
        return
    assert part.range_source is not None and part.range_source.where and part.range_source.note
    assert all(part.min <= n <= part.max for n in part.list)
    with pytest.raises(c3.RefError, match="not a subject"):
        c3.parse_ref(part.name_of(part.max + 1), db)


@pytest.mark.parametrize("db", FAMILY.databases, ids=ids)
def test_the_citation_is_the_agreements_or_says_it_is_customary(db):
    cit = db.citation
    assert cit.checked and all(c.fields and c.where for c in cit.checked)
    if cit.clause is None:
        assert cit.obligation is None and cit.la_sentence is None
        assert "customary" in cit.basis.lower()
        asked = [c.id for c in db.agreement.with_topic("citation")] if db.agreement else []
        assert asked == []
        return
    clause = db.agreement.clause(cit.clause)
    said = normalise(clause.text)
    assert normalise(cit.la_sentence) in said
    assert "citation" in clause.topics and "citation" in db.agreement.clause(cit.obligation).topics
    sentence = normalise(cit.la_sentence).replace("³", "3").lower()
    assert normalise(cit.title).replace("³", "3").lower() in sentence
    named = cit.authors[:1] if "et al" in sentence else cit.authors
    assert all(a.family.lower() in sentence for a in named)
    if "doi" in sentence:
        assert cit.doi.lower() in sentence
    if cit.name_clause:
        assert cit.name_forms["unicode"] in db.agreement.clause(cit.name_clause).text
    if cit.acknowledgement:
        ack = db.agreement.clause(cit.acknowledgement_clause)
        assert f'"{cit.acknowledgement}' in ack.text and "acknowledgement" in ack.topics


@pytest.mark.parametrize("db", PUBLIC, ids=ids)
def test_checklists_name_the_clauses_they_come_from(db):
    """Every clause about images is on the publish checklist, and an item that names subjects
    names only the agreement's own and cites the clause that lists them."""
    assert {c.id for c in db.checklists} == {"apply", "keep", "publish"}
    publish = {i for item in db.checklist("publish").items for i in item.clauses}
    assert {c.id for c in db.agreement.with_topic("images")} <= publish
    for part in db.subjects.parts if db.subjects else ():
        pattern = _label_pattern(part)
        for checklist in db.checklists:
            for item in checklist.items:
                named = {int(n) for n in pattern.findall(item.text)}
                if named and part.list:
                    assert named <= set(part.list) and part.clause in item.clauses, item.id


@pytest.mark.parametrize("db", NOT_PUBLIC, ids=ids)
def test_an_agreement_we_have_not_read_says_nothing(db):
    assert db.agreement is None and db.subjects is None and db.checklists == ()
    assert db.ask and db.about
    folder = DATA / db.id
    for kind in ("agreement.yaml", "subjects.yaml", "checklists.yaml", "source"):
        assert not (folder / kind).exists(), kind
    for ref in ("6", "006", "s01", "1"):
        v = c3.verdict(ref, db)
        assert v.verdict == "unknown" and v.clause is None and db.ask in v.message


def test_samm_is_unknown(family):
    assert c3.verdict("6", family.db("samm")).verdict == "unknown"
    assert c3.verdict("s01", family.db("smic")).verdict == "unknown"
