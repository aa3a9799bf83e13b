"""`casme3` in Chinese: `--lang zh` or the locale chooses it, every word of ours comes from the zh
catalogue, ids, codes, JSON keys and SARIF stay as they are; the checklists in Chinese as
Markdown, JSON and a fillable PDF whose Chinese text reads back.

The command-line tests take zh as shipped (`status: complete` in data/i18n/languages.yaml, as
the integration sets it): a draft is refused by `--lang` and ignored in the locale, which the
synthetic draft language below shows.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from conftest import DATA, FAMILY, ROOT
from test_cli import cli, one_line_error

import casme3_compliance as c3
from casme3_compliance import cli as cli_module
from casme3_compliance.knowledge.model import Checklist, ChecklistItem
from casme3_compliance.knowledge.verdicts import place
from casme3_compliance.render import checklist as cl
from casme3_compliance.terminal import columns, wrap

ZH = c3.load_family(DATA, cache=False, lang="zh")
EN = FAMILY
MESSAGES = {
    lang: {
        area: yaml.safe_load(
            (DATA / "i18n" / lang / "messages" / f"{area}.yaml").read_text("utf-8")
        )
        for area in ("cli", "checklist")
    }
    for lang in ("en", "zh")
}
PAPER = ROOT / "tests" / "fixtures" / "scan" / "paper"
SLOT = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sr]|%[sr]")


@pytest.fixture(autouse=True)
def neutral_locale(monkeypatch):
    """No language from the machine running the tests: each test sets its own."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("COLUMNS", "80")


RESTRICTED = {
    f.lang: f.t("cli.subject.answer", answer=f.t("cli.answer.restricted"), message="")
    for f in (EN, ZH)
}
"""How a restricted subject's answer begins, in each language."""


def _english_fragments() -> list[str]:
    """The English of our messages as it would show in output: each message's text between its
    slots, where it holds two words or more (a lone word or a colon is no sentence of ours)."""
    texts = [t for area in MESSAGES["en"].values() for t in area.values()]
    texts += [EN.texts["disclaimer"]]
    out = set()
    for text in texts:
        for piece in SLOT.split(text):
            piece = piece.strip(" :;,.()'\"`")
            if len(piece) >= 12 and re.search(r"[A-Za-z]+ [A-Za-z]+", piece):
                out.add(piece)
    return sorted(out)


FRAGMENTS = _english_fragments()


def no_english_of_ours(text: str) -> None:
    found = [f for f in FRAGMENTS if f in text]
    assert not found, found


def _cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def _flat(text: str) -> str:
    return "".join(text.split())


# --- The catalogues -------------------------------------------------------------------------------


@pytest.mark.parametrize("area", ["cli", "checklist"])
def test_every_message_of_ours_has_its_chinese(area):
    en, zh = MESSAGES["en"][area], MESSAGES["zh"][area]
    assert set(zh) == set(en)
    assert all(key.startswith(f"{area}.") for key in en)
    for key, text in en.items():
        words = re.sub(r"[^A-Za-z]", "", SLOT.sub("", text))
        if words and key not in ("cli.argparse.options",):
            assert zh[key] != text, key  # a text with English words of ours is translated
        assert sorted(SLOT.findall(zh[key])) == sorted(SLOT.findall(text)), key


def test_the_chinese_messages_hold_no_english_prose():
    """Between the slots, only what is not ours to translate: commands, options, metavars,
    formats, file names, codes, ids; never two English words of ours in a row."""
    keep = re.compile(r"`[^`]*`|--?[a-z]+|[A-Z][A-Z.]+|\S*[./,:]\S*|\b(?:Part|C|subject)\b")
    for area in MESSAGES["zh"].values():
        for key, text in area.items():
            rest = keep.sub(" ", SLOT.sub(" ", text))
            assert not re.search(r"\b[a-z]{2,} +[a-z]{2,}\b", rest), (key, text)
            assert _cjk(text) or not re.search(r"[A-Za-z]{3,}", rest), (key, text)


def _literals() -> set[str]:
    ours = ["cli.py", "output.py", "knowledge/verdicts.py", "knowledge/lists.py"]
    ours += ["scan/progress.py"]
    ours += [f"render/{name}.py" for name in ("catalog", "checklist", "checklist_pdf", "citation")]
    found = set()
    for name in ours:
        text = (ROOT / "src" / "casme3_compliance" / name).read_text("utf-8")
        found |= set(re.findall(r"\"((?:cli|checklist)\.[a-z0-9_.]+[a-z0-9_])\"", text))
    return found


def _enum(schema: str, key: str) -> list[str]:
    """The values a data file's schema allows for `key` (where an agreement's part is, the shape
    of a subject rule): the code builds a message id from each."""

    def walk(node: object) -> list[str]:
        if isinstance(node, dict):
            if isinstance(node.get(key), dict) and "enum" in node[key]:
                return list(node[key]["enum"])
            return [v for child in node.values() for v in walk(child)]
        if isinstance(node, list):
            return [v for child in node for v in walk(child)]
        return []

    found = walk(json.loads((DATA / "schema" / f"{schema}.schema.json").read_text("utf-8")))
    assert found, (schema, key)
    return found


def test_every_message_the_code_names_exists_and_every_message_is_used():
    english = {**MESSAGES["en"]["cli"], **MESSAGES["en"]["checklist"]}
    named = _literals()
    assert named - set(english) == set()
    # Ids the code builds from data: an answer, the part of an agreement outside its sections,
    # the shape of a subject rule, a command.
    built = {f"cli.answer.{a}" for a in cli_module.EXIT}
    built |= {f"cli.where.part.{p}" for p in _enum("agreement", "part")}
    built |= {f"cli.rule.{r}" for r in _enum("subjects", "rule")}
    built |= {f"cli.where.{k}" for k in ("condition", "paragraph", "sentence")}
    sub = next(a for a in cli_module._parser()._actions if a.dest == "command")
    built |= {f"cli.help.{c}" for c in sub.choices}
    assert built - set(english) == set()
    assert set(english) - named - built == set()


# --- Choosing the language ------------------------------------------------------------------------


def test_lang_zh_answers_in_chinese_with_the_same_exit_status(capsys):
    zh, en = ZH.db(), EN.db()
    for ref in ("131", "spNO.21", "C27"):
        v = c3.verdict(ref, zh)
        code, out, err = cli(capsys, "--lang", "zh", "subject", ref)
        assert (code, err) == (cli(capsys, "subject", ref)[0], "")
        answer = zh.t(
            "cli.subject.answer", answer=zh.t(f"cli.answer.{v.verdict}"), message=v.message
        )
        assert out.splitlines()[0] == answer
        assert v.where in out and zh.t("checklist.clause", clauses=v.clause) in out
        no_english_of_ours(out)
    assert c3.verdict("131", en).message != c3.verdict("131", zh).message


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "zh", "subject", "131"],
        ["subject", "--lang", "zh", "131"],
        ["subject", "131", "--lang=zh"],
        ["--la", "zh", "subject", "131"],
        ["--lang", "zh", "subject", "--db", "casme3", "131"],
    ],
)
def test_lang_stands_before_or_after_the_command(argv, capsys):
    code, out, _ = cli(capsys, *argv)
    assert code == 1 and out.startswith(RESTRICTED["zh"])


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_SG.UTF-8"}, "zh"),
        ({"LANG": "C.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "fr:en"}, "en"),  # LANGUAGE's list comes first
        ({"LC_ALL": "C", "LANGUAGE": "zh_CN"}, "en"),  # gettext ignores LANGUAGE in the C locale
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # not shipped: the default, silently
        ({"LANG": "POSIX"}, "en"),
    ],
)
def test_the_locale_chooses_the_language(env, lang, capsys, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = cli(capsys, "subject", "131")
    kb = (ZH if lang == "zh" else EN).db()
    message = c3.verdict("131", kb).message
    answer = kb.t("cli.subject.answer", answer=kb.t("cli.answer.restricted"), message=message)
    assert (code, err, out.splitlines()[0]) == (1, "", answer)


def test_lang_wins_over_the_locale(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli(capsys, "--lang", "en", "subject", "131")[1].startswith(RESTRICTED["en"])
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert cli(capsys, "--lang", "zh", "subject", "131")[1].startswith(RESTRICTED["zh"])


@pytest.mark.parametrize(
    ("argv", "asked"),
    [(["--lang", "xx", "subject", "131"], "xx"), (["databases", "--lang=zh-TW"], "zh-TW")],
)
def test_an_unknown_language_is_one_line_and_exit_2(argv, asked, capsys):
    code, out, err = cli(capsys, *argv)
    line = one_line_error(err)
    assert (code, out) == (2, "")
    assert repr(asked) in line and all(x["code"] in line for x in EN.shipped)


def _with_draft(tmp_path: Path) -> Path:
    """The project's data with a third language, `fr`, as a draft of one message."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    langs = data / "i18n" / "languages.yaml"
    line = "  - {code: fr, name: Français, html: fr, theme: fr, search: fr, status: draft}\n"
    langs.write_text(langs.read_text("utf-8") + line, "utf-8")
    (data / "i18n" / "fr" / "messages").mkdir(parents=True)
    (data / "i18n" / "fr" / "messages" / "cli.yaml").write_text(
        "cli.answer.restricted: restreint\n"
    )
    return data


def test_a_draft_language_is_not_offered(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CASME3_DATA_DIR", str(_with_draft(tmp_path)))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, out, err = cli(capsys, "--lang", "fr", "subject", "131")
    assert (code, out) == (2, "") and "'fr'" in one_line_error(err)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")  # the locale asks for it: English, no error
    code, out, err = cli(capsys, "subject", "131")
    assert (code, err) == (1, "") and out.startswith(RESTRICTED["en"])


# --- Ids, codes and keys stay ---------------------------------------------------------------------


def _same_shape(en: object, zh: object, where: str = "") -> None:
    """The same keys and lengths everywhere, and the same value wherever the English is an id,
    a code, a number or a path (a string without a space); only sentences may differ."""
    assert type(en) is type(zh), where
    if isinstance(en, dict):
        assert list(en) == list(zh), where
        for key in en:
            _same_shape(en[key], zh[key], f"{where}/{key}")
    elif isinstance(en, list):
        assert len(en) == len(zh), where
        for i, (a, b) in enumerate(zip(en, zh, strict=True)):
            _same_shape(a, b, f"{where}/{i}")
    elif not (isinstance(en, str) and " " in en):
        assert en == zh, where


@pytest.mark.parametrize(
    "argv",
    [
        ["subject", "--json", "131"],
        ["subject", "--json", "C27"],
        ["subject", "--json", "--db", "casme2", "sub12"],
        ["subject", "--json", "--db", "samm", "6"],
        ["databases", "--json"],
        ["checklist", "-f", "json"],
        ["checklist", "-f", "json", "--db", "casme3,casme2"],
        ["cite", "-f", "csl-json", "--db", "casme3,mmew"],
    ],
)
def test_json_keeps_its_keys_codes_and_ids(argv, capsys):
    en_code, en, _ = cli(capsys, *argv)
    zh_code, zh, _ = cli(capsys, "--lang", "zh", *argv)
    assert en_code == zh_code
    _same_shape(json.loads(en), json.loads(zh))
    if argv[0] in ("subject", "checklist", "databases"):
        assert _cjk(zh)


def test_a_list_in_json_keeps_its_keys(capsys, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("131\ncasme2,sub12,EP01_02,0\nnope\nfoo,bar,1,2\nsamm,6,006_1_2,0\n27\n")
    en = cli(capsys, "subject", "--json", "--from", str(rows))
    zh = cli(capsys, "subject", "--json", "--lang", "zh", "--from", str(rows))
    assert en[0] == zh[0] == 1
    _same_shape(json.loads(en[1]), json.loads(zh[1]))
    text = cli(capsys, "--lang", "zh", "subject", "--from", str(rows))[1]
    assert text.splitlines()[-1].startswith(ZH.t("cli.rows.summary", rows=6, counts="|")[:-2])
    no_english_of_ours(text)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_scan_reports_keep_their_keys_codes_and_ids(fmt, capsys, monkeypatch, tmp_path):
    import shutil

    shutil.copytree(PAPER, tmp_path / "paper")
    monkeypatch.chdir(tmp_path / "paper")
    en_code, en, _ = cli(capsys, "scan", "--format", fmt)
    zh_code, zh, _ = cli(capsys, "scan", "--lang", "zh", "--format", fmt)
    assert en_code == zh_code == 1
    _same_shape(json.loads(en), json.loads(zh))


# --- Help, errors and every other output ----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["--help"]]
    + [[name, "--help"] for name in ("databases", "subject", "cite", "checklist", "terms", "scan")],
)
def test_help_in_chinese_fits_the_terminal(argv, capsys):
    code, out, _ = cli(capsys, "--lang", "zh", *argv)
    assert code == 0 and out.startswith(ZH.t("cli.argparse.usage") + "casme3")
    no_english_of_ours(out)
    for english in ("usage:", "positional arguments", "show this help message"):
        assert english not in out
    for line in out.splitlines():
        assert columns(line) <= 80, line


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nope"],
        ["subject"],
        ["subject", "nope"],
        ["subject", "spNO.250"],
        ["subject", "1234567890"],
        ["subject", "--db", "nope", "1"],
        ["subject", "--db", "samm", "??"],
        ["subject", "1", "--from", "x"],
        ["subject", "--from", "/no/such/file"],
        ["subject", "--db"],
        ["cite", "-f", "nope"],
        ["checklist", "-f", "nope"],
        ["checklist", "-o", "x.doc"],
        ["checklist", "-f", "pdf"],
        ["checklist", "--db", "samm"],
        ["checklist", "-f", "json", "-o", "/no/such/x.json"],
        ["terms", "9.9"],
        ["terms", "--db", "samm"],
        ["scan", "--format", "nope"],
    ],
)
def test_errors_in_chinese_are_one_line_and_exit_2(argv, capsys):
    code, out, err = cli(capsys, "--lang", "zh", *argv)
    line = one_line_error(err)
    assert (code, out) == (2, "")
    assert _cjk(line), line
    no_english_of_ours(line)


@pytest.mark.parametrize(
    "argv",
    [
        ["databases"],
        ["subject", "27"],
        ["subject", "--db", "casme2", "sub05"],
        ["subject", "--db", "mmew", "S03"],
        ["subject", "--db", "smic", "s01"],
        ["terms"],
        ["terms", "2.3"],
        ["terms", "--db", "mmew"],
        ["checklist"],
        ["checklist", "-f", "md", "--db", "casme3,casme2"],
        ["cite", "-f", "cff", "--db", "casme3,casme2"],
    ],
)
def test_no_english_of_ours_in_chinese_output(argv, capsys):
    code, out, err = cli(capsys, "--lang", "zh", *argv)
    assert code in (0, 1, 3) and err == "" and _cjk(out)
    no_english_of_ours(out)


def test_terms_keep_the_agreement_verbatim_and_give_our_reading_in_chinese(capsys):
    kb = ZH.db()
    out = cli(capsys, "--lang", "zh", "terms")[1]
    for clause in kb.agreement.clauses():
        assert clause.text == EN.db().agreement.clause(clause.id).text  # never translated
        where = place(kb, clause.where)
        assert kb.t("cli.terms.clause", id=clause.id, where=where, text=clause.text) in out
        assert kb.t("cli.terms.summary", summary=clause.summary) in out
    assert kb.disclaimer in out


def test_an_underline_is_as_wide_as_its_heading(capsys):
    lines = cli(capsys, "--lang", "zh", "checklist")[1].splitlines()
    ruled = [i for i, line in enumerate(lines) if line and set(line) <= {"=", "-"}]
    assert len(ruled) == 1 + len(ZH.db().checklists)
    for i in ruled:
        assert len(lines[i]) == columns(lines[i - 1]) > len(lines[i - 1])


# --- The checklists in Chinese --------------------------------------------------------------------


def _items(kb):
    return [item for checklist in kb.checklists for item in checklist.items]


def test_chinese_checklists_as_text_markdown_and_json(capsys):
    kb = ZH.db()
    assert _cjk(cl.title(kb)) and _cjk(cl.version_line(kb))
    text, md = cl.render_text(kb), cl.render_markdown(kb)
    assert cli(capsys, "--lang", "zh", "checklist")[1] == text
    assert cli(capsys, "--lang", "zh", "checklist", "-f", "md")[1] == md
    for item in _items(kb):
        refs = cl.clause_refs(item, kb)
        assert "[ ] " + kb.t("checklist.item", text=item.text, refs=refs) in text.splitlines()
        escaped = kb.t("checklist.item", text=cl.md_escape(item.text), refs=cl.md_escape(refs))
        assert f"- [ ] {escaped}" in md.splitlines()
    doc = json.loads(cl.render_json(kb))
    english = json.loads(cl.render_json(EN.db()))
    _same_shape(english, doc)
    assert [i["text"] for c in doc["checklists"] for i in c["items"]] == [
        i.text for i in _items(kb)
    ]
    assert all(_cjk(i.text) for i in _items(kb))


def _read(pdf: bytes):
    from pypdf import PdfReader

    assert pdf.startswith(b"%PDF-")
    return PdfReader(BytesIO(pdf))


def _fonts(reader) -> dict[str, dict]:
    fonts = {}
    for page in reader.pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            font = ref.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


@pytest.mark.parametrize("which", ["one", "merged"])
def test_the_chinese_pdf_reads_back_with_one_box_per_item(which):
    dbs = [ZH.db()] if which == "one" else [ZH.db(), ZH.db("casme2")]
    reader = _read(cl.render_pdf(dbs if which == "merged" else dbs[0]))
    text = _flat("".join(page.extract_text() for page in reader.pages))
    assert _flat(cl.title(dbs if which == "merged" else dbs[0])) in text
    assert _flat(dbs[0].disclaimer) in text
    entries = [e for s in cl.sections(dbs) for e in s.entries]
    for entry in entries:
        assert _flat(entry.text) in text, entry.id  # the Chinese item, extracted back
        assert _cjk(entry.text)
    fields = reader.get_fields()
    assert len(fields) == len(entries) == len({e.id for e in entries})
    assert all(f["/FT"] == "/Btn" and f.get("/V") == "/Off" for f in fields.values())
    assert _cjk(str(next(iter(fields.values()))["/TU"]))  # the box's tooltip says it too
    last = len(reader.pages)
    assert _flat(ZH.t("checklist.pdf.page", number=last, total=last)) in text
    # The Chinese is in the reader's own CID font: named, never embedded, no file shipped.
    fonts = _fonts(reader)
    assert "/STSong-Light" in fonts and "/Helvetica" in fonts
    for font in fonts.values():
        for descendant in font.get("/DescendantFonts") or ():
            descriptor = descendant.get_object().get("/FontDescriptor")
            assert descriptor is None or not {"/FontFile", "/FontFile2", "/FontFile3"} & set(
                descriptor.get_object()
            )


def test_an_english_pdf_has_no_cjk_font():
    assert "/STSong-Light" not in _fonts(_read(cl.render_pdf(EN.db())))


def _long_chinese(kb):
    """Forty items of our Chinese, one to four of the data's items each, after a long intro."""
    texts = [i.text for i in _items(kb)]
    items = tuple(
        ChecklistItem(f"zh-{n}", "".join(texts[n % 7 : n % 7 + 1 + n % 4]), ("3.1", "3.2"))
        for n in range(40)
    )
    intro = "".join(c.intro for c in kb.checklists) * 5
    return kb.replace(checklists=(Checklist("zh", kb.checklists[0].title, intro, items),))


def test_chinese_lines_fit_the_page_and_break_where_chinese_typesetting_allows():
    from casme3_compliance.render import checklist_pdf as drawing
    from casme3_compliance.terminal import _NO_END, _NO_START

    kb = _long_chinese(ZH.db())
    blocks = drawing._blocks(drawing.Sheet.from_dict(cl.sheet(kb)))
    assert sum(len(block.lines) for block in blocks) > 100
    for block in blocks:
        width = drawing._WIDTH - (2 * drawing._PAD if block.shaded else 0)
        for line in block.lines:
            used = drawing._measure(line.text, line.font, line.size)
            assert used <= width - line.indent + 0.01, line.text
            assert line.text[:1] not in _NO_START and line.text[-1:] not in _NO_END, line.text
    reader = _read(cl.render_pdf(kb))
    text = _flat("".join(p.extract_text() for p in reader.pages))
    assert all(_flat(i.text) in text for i in _items(kb))
    assert len(reader.get_fields()) == len(_items(kb)) and len(reader.pages) > 3
    continued = ZH.t("checklist.pdf.continued", title=kb.checklists[0].title)
    assert any(p.extract_text().startswith(continued) for p in reader.pages[1:])


@pytest.mark.parametrize("width", [10, 17, 24, 40, 79])
def test_wrap_breaks_cjk_between_characters_by_the_rules(width):
    text = c3.verdict("spNO.21", ZH.db()).message + ZH.db().checklists[0].items[-1].text
    lines = wrap(text, width)
    assert _flat("".join(lines)) == _flat(text)
    assert all(columns(line) <= width for line in lines)
    from casme3_compliance.terminal import _NO_END, _NO_START

    if width >= 17:  # narrower, a file name and the closing marks after it must be cut
        assert all(line[0] not in _NO_START and line[-1] not in _NO_END for line in lines)
    assert wrap("a https://example.org/a/very/long/path/indeed b", 12)[1] == "https://exam"


# --- Speed: the locale check costs nothing on the common path -------------------------------------


@pytest.mark.parametrize("lang", [None, "zh"])
def test_the_common_path_imports_nothing_heavy(lang, tmp_path):
    argv = ["subject", "131"] if lang is None else ["--lang", lang, "subject", "131"]
    code = (
        "import sys\n"
        "from casme3_compliance.cli import main\n"
        f"status = main({argv!r})\n"
        "heavy = ('argparse', 'yaml', 'jsonschema', 'reportlab', 'unicodedata', 'gettext')\n"
        "print(status, [m for m in heavy if m in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**_env(), "LANG": "zh_CN.UTF-8" if lang else "C.UTF-8"},
        timeout=60,
    )
    assert done.stderr.strip().splitlines()[-1] == "1 []", done.stderr


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
