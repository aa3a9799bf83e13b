"""The checklist downloads: each format carries every item of data/checklists.yaml, no more."""

from __future__ import annotations

import html
import json
import re
from io import BytesIO

import markdown
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader, PdfWriter

from casme3_compliance.knowledge.model import Checklist, ChecklistItem, Database
from casme3_compliance.render import checklist as cl

_TASK = re.compile(r"^- \[ \] (?P<text>.*) \((?P<word>clauses?) (?P<refs>[^()]*)\)$")


def _items(kb: Database) -> list[ChecklistItem]:
    return [item for checklist in kb.checklists for item in checklist.items]


def _squash(text: str) -> str:
    """Whitespace-insensitive text, so a line break from wrapping does not matter."""
    return " ".join(text.split())


def _md_unescape(text: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def _with_checklists(kb: Database, *checklists: Checklist) -> Database:
    return kb.replace(checklists=tuple(checklists))


@pytest.fixture(scope="module")
def hostile_kb(kb: Database) -> Database:
    """Texts full of Markdown, HTML and Jinja syntax that must all come out literally."""
    text = "Use {{ x }} and {% y %}, *not* _this_ `code` [link](x) <b>bold</b> &amp; a \\ slash"
    item = ChecklistItem("odd-1", text, ("3.1",))
    return _with_checklists(kb, Checklist("odd", "Odd *title*", "An {{ intro }}.", (item,)))


@pytest.fixture(scope="module")
def long_kb(kb: Database) -> Database:
    """Far more items than fit on a page, of varying length, plus one item taller than a page."""
    items = tuple(
        ChecklistItem(
            f"bulk-{n}", f"Bulk item {n}: " + "lorem ipsum " * (n % 25) + "end.", ("3.1",)
        )
        for n in range(60)
    )
    giant = ChecklistItem("giant", "Giant " + "dolor sit amet " * 400 + "finis.", ("3.2", "3.3"))
    return _with_checklists(
        kb,
        *kb.checklists,
        Checklist("bulk", "Bulk", "Many items.", items),
        Checklist("giant", "Giant", "One very long item.", (giant,)),
    )


# --- dispatch ---------------------------------------------------------------------------------


def test_render_dispatches_to_each_format(kb: Database) -> None:
    assert cl.FORMATS == ("text", "md", "json", "pdf")
    assert cl.render(kb, "text") == cl.render_text(kb)
    assert cl.render(kb, "md") == cl.render_markdown(kb)
    assert cl.render(kb, "json") == cl.render_json(kb)
    assert isinstance(cl.render(kb, "pdf"), bytes)


def test_unknown_format_is_a_value_error(kb: Database) -> None:
    with pytest.raises(
        ValueError, match=r"unknown checklist format 'x' \(choose from text, md, json, pdf\)"
    ):
        cl.render(kb, "x")


# --- Plain text -------------------------------------------------------------------------------

_TICK = re.compile(r"^\[ \] (?P<text>.*) \((?P<word>clauses?) (?P<refs>[^()]*)\)$")


@pytest.mark.parametrize("which", ["kb", "hostile_kb"])
def test_text_round_trips_to_the_model(which: str, request: pytest.FixtureRequest) -> None:
    """Each checklist's title underlined, its intro, then one `[ ] ` line per item, holding the
    data's text exactly: nothing escaped, whatever Markdown or HTML syntax it holds."""
    kb: Database = request.getfixturevalue(which)
    lines = cl.render_text(kb).splitlines()
    parsed: list[tuple[str, str, list[tuple[str, tuple[str, ...]]]]] = []
    for i, line in enumerate(lines):
        if line and set(line) == {"-"} and len(line) == len(lines[i - 1]):
            parsed.append((lines[i - 1], lines[i + 2], []))
        elif line.startswith("[ ] "):
            m = _TICK.match(line)
            assert m, line
            parsed[-1][2].append((m["text"], tuple(m["refs"].split(", "))))
    assert parsed == [
        (c.title, c.intro, [(i.text, i.clauses) for i in c.items]) for c in kb.checklists
    ]


def test_text_has_title_version_and_disclaimer(kb: Database) -> None:
    text = cl.render_text(kb)
    head = cl.title(kb)
    assert text.startswith(f"{head}\n{'=' * len(head)}\n\n{cl.version_line(kb)}\n")
    assert kb.disclaimer in text
    assert "&lt;" not in text and "\\" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


# --- Markdown ---------------------------------------------------------------------------------


def _parse_markdown(md: str) -> list[tuple[str, list[tuple[str, tuple[str, ...]]]]]:
    """(checklist title, [(item text, clause ids)]) back from the `## ` headings and task lines."""
    parsed: list[tuple[str, list[tuple[str, tuple[str, ...]]]]] = []
    for line in md.splitlines():
        if line.startswith("## "):
            parsed.append((_md_unescape(line[3:]), []))
        elif line.startswith("- [ ] "):
            m = _TASK.match(line)
            assert m, line
            refs = tuple(m["refs"].split(", "))
            assert m["word"] == ("clause" if len(refs) == 1 else "clauses"), line
            parsed[-1][1].append((_md_unescape(m["text"]), refs))
    return parsed


def test_markdown_round_trips_to_the_model(kb: Database) -> None:
    md = cl.render_markdown(kb)
    assert _parse_markdown(md) == [
        (c.title, [(i.text, i.clauses) for i in c.items]) for c in kb.checklists
    ]
    assert sum(line.startswith("- [ ] ") for line in md.splitlines()) == len(_items(kb))


def test_markdown_has_title_provenance_disclaimer_and_intros(kb: Database) -> None:
    md = cl.render_markdown(kb)
    assert md.startswith(f"# {cl.title(kb)}\n")
    pdf = kb.agreement.provenance.pdf
    assert pdf.created in md and pdf.sha256[:12] in md
    assert f"> {kb.disclaimer}" in md
    for checklist in kb.checklists:
        assert f"\n{checklist.intro}\n" in md
    assert md.endswith("\n") and not md.endswith("\n\n")


def test_markdown_is_offline_and_jinja_safe(kb: Database, hostile_kb: Database) -> None:
    for md in (cl.render_markdown(kb), cl.render_markdown(hostile_kb)):
        assert "{{" not in md and "{%" not in md and "{#" not in md
    assert "http" not in cl.render_markdown(kb) and "#clause-" not in cl.render_markdown(kb)


@pytest.mark.parametrize("which", ["kb", "hostile_kb"])
def test_markdown_renders_as_task_lists(which: str, request: pytest.FixtureRequest) -> None:
    """The site's renderer (Python-Markdown + pymdownx.tasklist) shows every item as a check box
    with its text intact: `<signer's name>` in the data must not vanish as an HTML tag."""
    kb: Database = request.getfixturevalue(which)
    page = markdown.markdown(cl.render_markdown(kb), extensions=["pymdownx.tasklist"])
    soup = BeautifulSoup(page, "html.parser")
    tasks = soup.select("li.task-list-item")
    assert len(tasks) == len(_items(kb))
    for li, item in zip(tasks, _items(kb), strict=True):
        box = li.find("input")
        assert box is not None and box["type"] == "checkbox" and not box.has_attr("checked")
        assert _squash(li.get_text()) == _squash(f"{item.text} ({cl.clause_refs(item)})")
    assert soup.find("a") is None  # clause references stay plain text
    assert [h.get_text() for h in soup.find_all("h2")] == [c.title for c in kb.checklists]


# --- JSON -------------------------------------------------------------------------------------


def test_json_equals_the_model(kb: Database) -> None:
    text = cl.render_json(kb)
    assert text.endswith("}\n")
    assert "³" in text  # ensure_ascii=False: readable, not \u00b3
    assert text.startswith('{\n  "title"')  # indent 2
    assert json.loads(text) == {
        "title": cl.title(kb),
        "la_source": kb.agreement.provenance.stamp(),
        "sources": {kb.id: kb.agreement.provenance.stamp()},
        "disclaimer": kb.disclaimer,
        "checklists": [
            {
                "id": c.id,
                "title": c.title,
                "intro": c.intro,
                "items": [
                    {
                        "id": i.id,
                        "database": kb.id,
                        "text": i.text,
                        "clauses": list(i.clauses),
                        "done": False,
                    }
                    for i in c.items
                ],
            }
            for c in kb.checklists
        ],
    }


def test_several_databases_merge_by_checklist_each_item_naming_its_database(tmp_path):
    """`casme3 checklist --db a,b`: one list per kind (apply, keep, publish), every item with
    its database and clauses, in every format; the PDF's boxes stay unique."""
    from family_support import SYNTHETIC, with_synthetic

    import casme3_compliance as c3

    family = c3.load_family(with_synthetic(tmp_path), cache=False)
    dbs = [family.db(), family.db(SYNTHETIC)]
    doc = cl.document(dbs)
    assert set(doc["sources"]) == {db.id for db in dbs}
    items = [(i["database"], i["id"]) for c in doc["checklists"] for i in c["items"]]
    expected = [
        (db.id, f"{db.id}:{i.id}")
        for c in doc["checklists"]
        for db in dbs
        for i in next((x.items for x in db.checklists if x.id == c["id"]), ())
    ]
    assert items == expected and len(set(items)) == len(items)
    text = cl.render_text(dbs)
    for db in dbs:
        assert db.name in cl.title(dbs) and db.agreement.provenance.line() in text
        for checklist in db.checklists:
            for item in checklist.items:
                line = f"[ ] [{db.name}] {item.text} ({db.name}, {cl.clause_refs(item)})"
                assert line in text.splitlines()
    boxes = [n for names in _boxes_per_page(_read(cl.render_pdf(dbs))) for n in names]
    assert boxes == [i["id"] for c in doc["checklists"] for i in c["items"]]


# --- PDF --------------------------------------------------------------------------------------


def _read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(BytesIO(pdf))


def _boxes_per_page(reader: PdfReader) -> list[list[str]]:
    """The check-box widget names on each page, in drawing order."""
    pages = []
    for page in reader.pages:
        names = []
        for ref in page.get("/Annots") or ():
            annot = ref.get_object()
            if annot.get("/Subtype") == "/Widget" and annot.get("/FT") == "/Btn":
                names.append(str(annot["/T"]))
        pages.append(names)
    return pages


def _body(page_text: str) -> str:
    """A page's text without its footer and "(continued)" line: what flows on from page to page."""
    lines = page_text.splitlines()[:-2]  # the footer's two strings come last
    if lines and lines[0].endswith("(continued)"):
        lines = lines[1:]
    return _squash(" ".join(lines))


@pytest.fixture(scope="module")
def pdf(kb: Database) -> bytes:
    return cl.render_pdf(kb)


@pytest.fixture(scope="module")
def long_pdf(long_kb: Database) -> bytes:
    return cl.render_pdf(long_kb)


@pytest.mark.parametrize("which", ["pdf", "long_pdf"])
def test_pdf_has_one_unticked_check_box_per_item(
    which: str, request: pytest.FixtureRequest
) -> None:
    kb: Database = request.getfixturevalue("long_kb" if which == "long_pdf" else "kb")
    reader = _read(request.getfixturevalue(which))
    fields = reader.get_fields()
    assert fields is not None
    assert sorted(fields) == sorted(item.id for item in _items(kb))
    for name, f in fields.items():
        assert f["/FT"] == "/Btn", name
        assert f.get("/V") == "/Off", name
        assert "/Yes" in f["/_States_"], name
    # get_fields() merges by name: count the widgets too, in reading order.
    assert [n for names in _boxes_per_page(reader) for n in names] == [i.id for i in _items(kb)]


def test_pdf_is_a4_with_the_texts(kb: Database, pdf: bytes) -> None:
    reader = _read(pdf)
    for page in reader.pages:
        assert [round(float(v)) for v in page.mediabox] == [0, 0, 595, 842]
    text = _squash(" ".join(page.extract_text() for page in reader.pages))
    assert cl.title(kb) in text  # the ³ survives Helvetica's WinAnsi encoding
    assert _squash(kb.disclaimer) in text
    assert kb.agreement.provenance.pdf.created in text
    for checklist in kb.checklists:
        assert _squash(checklist.title) in text
        assert _squash(checklist.intro) in text
        for item in checklist.items:
            assert _squash(f"{item.text} LA {cl.clause_refs(item)}") in text, item.id
    assert "\u25a0" not in text  # no glyph fell back to a black square


@pytest.mark.parametrize("which", ["pdf", "long_pdf"])
def test_pdf_footer_on_every_page(which: str, request: pytest.FixtureRequest, kb: Database) -> None:
    reader = _read(request.getfixturevalue(which))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert kb.agreement.provenance.pdf.created in text
        assert f"Page {number} of {total}" in text


def test_pdf_box_can_be_ticked_and_read_back(kb: Database, pdf: bytes) -> None:
    target = _items(kb)[-1].id
    writer = PdfWriter(clone_from=_read(pdf))
    page = next(
        p for p, names in zip(writer.pages, _boxes_per_page(writer), strict=True) if target in names
    )
    writer.update_page_form_field_values(page, {target: "/Yes"}, auto_regenerate=False)
    out = BytesIO()
    writer.write(out)
    fields = _read(out.getvalue()).get_fields()
    assert fields is not None
    assert fields[target]["/V"] == "/Yes"
    assert {name for name, f in fields.items() if f.get("/V") != "/Off"} == {target}


def test_pdf_paginates_long_checklists(long_kb: Database, long_pdf: bytes) -> None:
    reader = _read(long_pdf)
    boxes = _boxes_per_page(reader)
    assert len(reader.pages) > 3
    assert sum(1 for names in boxes if names) > 2
    pages = [_squash(page.extract_text()) for page in reader.pages]
    text = " ".join(_body(page.extract_text()) for page in reader.pages)
    for item in _items(long_kb):
        assert _squash(f"{item.text} LA {cl.clause_refs(item)}") in text, item.id
    # A page that opens mid-checklist says which checklist it continues.
    assert any(p.startswith("Bulk (continued)") for p in pages)
    # The item taller than a page is split, its box stays with its first line.
    giant = next(i for i, names in enumerate(boxes) if "giant" in names)
    assert "Giant dolor" in pages[giant]
    assert pages[giant + 1].startswith("Giant (continued)")


def test_pdf_heading_is_never_last_on_a_page(long_pdf: bytes, long_kb: Database) -> None:
    """A checklist's title, intro and first item land on the same page."""
    reader = _read(long_pdf)
    boxes = _boxes_per_page(reader)
    for checklist in long_kb.checklists:
        first = checklist.items[0].id
        page = next(i for i, names in enumerate(boxes) if first in names)
        assert _squash(f"{checklist.title} {checklist.intro}") in _squash(
            reader.pages[page].extract_text()
        )


def test_pdf_is_deterministic(kb: Database, pdf: bytes) -> None:
    assert cl.render_pdf(kb) == pdf


def test_pdf_is_drawn_once_per_content_and_redrawn_when_the_data_changes(kb, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = cl.render_pdf(kb)
    (cached,) = tmp_path.rglob("checklist-*.pdf")
    assert cached.read_bytes() == first
    cached.write_bytes(b"%PDF-from-the-cache")  # the next call must read it, not redraw
    assert cl.render_pdf(kb) == b"%PDF-from-the-cache"
    fewer = kb.replace(checklists=kb.checklists[:1])
    assert cl.render_pdf(fewer).startswith(b"%PDF-1.")
    assert len(list(tmp_path.rglob("checklist-*.pdf"))) == 2
