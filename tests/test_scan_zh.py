"""The scanner in Chinese: the family loaded with `lang="zh"` reports in Chinese, every word of
ours from data/i18n/zh/messages/scan.yaml, while what a program reads (rule codes, ids, paths,
lines, JSON and SARIF keys, `database`, `clause`) is the same as in English.

The trees are the scanner's fixtures (tests/fixtures/scan) and one that makes the scanner say
most of what it can say (archives, encodings, comments, bibliographies, the files it skips).
What a database's data says (a verdict, a rule's texts) is translated through data/i18n/zh/
data/, not here: these tests hold the scanner's own words to Chinese, whatever the data says.
"""

# Chinese is written with full-width punctuation: in these strings it is meant, not confused.
# ruff: noqa: RUF001

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tarfile
import zipfile

import pytest
import yaml
from conftest import DATA, ROOT
from family_support import with_family
from test_scan_support import FAKE, tree

import casme3_compliance as c3
from casme3_compliance.knowledge.i18n import placeholders
from casme3_compliance.render import citation
from casme3_compliance.scan import ScanError, scan
from casme3_compliance.scan.report import render

FIXTURES = ROOT / "tests" / "fixtures" / "scan"
EN = yaml.safe_load((DATA / "i18n" / "en" / "messages" / "scan.yaml").read_text("utf-8"))
ZH = yaml.safe_load((DATA / "i18n" / "zh" / "messages" / "scan.yaml").read_text("utf-8"))
TERMS = yaml.safe_load((DATA / "i18n" / "zh" / "glossary.yaml").read_text("utf-8"))["terms"]
CJK = re.compile("[\u4e00-\u9fff]")
SLOT = re.compile(r"\{[a-z_]*\}")
FORMATS = ("text", "lines", "json", "sarif")


def english_of_ours() -> set[str]:
    """Each run of our English between two slots that holds two words or more: none of them
    may be in a Chinese report. (scan.release.forbids is the default of a field of the data,
    `files/forbids`, which the data's translations translate.)"""
    out = set()
    for key, text in EN.items():
        if key == "scan.release.forbids":
            continue
        for piece in SLOT.split(text):
            if len(re.findall(r"[A-Za-z]{2,}", piece)) >= 2:
                out.add(piece.strip())
    return out


ENGLISH = english_of_ours()


# The catalogue ------------------------------------------------------------------------------


def test_every_english_text_has_its_chinese_with_the_same_slots():
    assert all(key.startswith("scan.") for key in EN)
    assert set(ZH) == set(EN)
    for key, text in EN.items():
        assert placeholders(ZH[key]) == placeholders(text), key


def test_the_chinese_family_says_the_chinese_not_the_english_fallback(zh):
    for key, text in ZH.items():
        assert zh.texts[key] == text, key


def test_the_chinese_follows_the_glossary():
    for key, text in ZH.items():
        english = SLOT.sub(" ", EN[key]).lower()
        for term in TERMS:
            for avoid in term.get("avoid", ()):
                assert avoid not in text, (key, avoid)
            if term.get("required") and re.search(rf"\b{re.escape(term['en'])}\b", english):
                assert term["zh"] in text, (key, term["en"])


def test_the_chinese_uses_chinese_punctuation():
    """After a Chinese character, a full-width comma, colon, semicolon or parenthesis."""
    for key, text in ZH.items():
        assert not re.search(r"[\u4e00-\u9fff][,:;?!()]", text), key
        assert not re.search(r"[,;:]\s*[\u4e00-\u9fff]", text.replace("casme3: ", "")), key


# The trees ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return with_family(tmp_path_factory.mktemp("family"), synthetic=True)


@pytest.fixture(scope="module")
def en(data):
    return c3.load_family(data, cache=False)


@pytest.fixture(scope="module")
def zh(data):
    return c3.load_family(data, cache=False, lang="zh")


def _everything(root, en):
    """A tree on which the scanner says most of what it can say."""
    db = en.db()
    bib = citation.render(db.citation, "bibtex")
    tree(
        root,
        {
            "data/part_A/spNO.1/a/color/1.jpg": FAKE,
            "data/part_A/spNO.131/a/color/1.jpg": FAKE,
            "data/part_A/spNO.2/b/depth/1.png": FAKE,
            "data/part_A/spNO.3/b/depth/1.png": FAKE,
            "data/part_A/spNO.4/b/depth/1.png": FAKE,
            "clips/spNO.131_a_1203/1.jpg": FAKE,
            "CAS(ME)3_part_A_v1.xls": FAKE,
            "casme3.zip": FAKE,
            "part_C/sub12/x.jpg": FAKE,
            "bom16.txt": b"\xff\xfe" + "spNO.131\n".encode("utf-16-le"),
            "latin.tex": b"caf\xe9 spNO.131\n",
            "nul.txt": b"spNO.131\x00\x00\n",
            "sup.txt": "spNO.131 # casme3: ignore[CM301] -- drawn, not a photo\n"
            "spNO.131 # casme3: ignore[CM999] -- x\n"
            "spNO.131 # casme3: ignore[] -- x\n"
            "spNO.131 # casme3: ignore[CM301]\n",
            "many.txt": "spNO.131 " * 150,
            "paper.tex": "We use CASME-3 and CASME II here.\n\\bibliography{refs,other,gone}\n",
            "refs.bib": "@article{x, title={Other}}\n@misc{y, doi={" + db.citation.doi + "},\n",
            "real.bib": bib,
            "notes.md": "We use CAS(ME)³; ![a](figs/spNO.131.png) and MMEW S03.\n",
        },
    )
    os.symlink("real.bib", root / "other.bib")
    os.symlink("loop", root / "loop")
    with zipfile.ZipFile(root / "figs.zip", "w") as z:
        z.writestr("spNO.131/apex.png", "x")
        z.writestr("inner.zip", "x")
    (root / "bad.zip").write_bytes(b"PK\x03\x04garbage")
    (root / "bad.tar").write_bytes(b"x" * 1024)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo("part_C/sub5/f.png")
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
    (root / "frames.tar.gz").write_bytes(buf.getvalue())
    return root


@pytest.fixture(scope="module")
def trees(tmp_path_factory, en):
    """Each tree, and the options of its scan."""
    base = tmp_path_factory.mktemp("trees")
    shutil.copytree(FIXTURES / "paper", base / "paper")
    shutil.copytree(FIXTURES / "megc", base / "megc")
    examples = tree(base / "examples", {})
    for r in en.rules:
        tree(examples / r.code, {r.bad.file: r.bad.content or FAKE})
    return {
        "paper": (base / "paper", {}),
        "megc": (base / "megc", {}),
        "examples": (examples, {}),
        "everything": (_everything(base / "everything", en), {}),
        "forced": (tree(base / "forced", {"p.md": PAPER}), {"databases": "samm,casme3"}),
    }


PAPER = "---\ntitle: Faces\n---\nWe study faces.\n"  # a paper that names no database


def _scan(root, kb, **options):
    here = os.getcwd()
    os.chdir(root)
    try:
        return scan(["."], kb, all_files=True, **options)
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def runs(trees, en, zh):
    """Each tree scanned with each family: (report, its text in each format)."""
    out = {}
    for name, (root, options) in trees.items():
        for lang, kb in (("en", en), ("zh", zh)):
            report = _scan(root, kb, **options)
            out[name, lang] = report, {f: render(report, f, kb, "1.0") for f in FORMATS}
    return out


TREES = ["paper", "megc", "examples", "everything", "forced"]


def test_the_trees_make_the_scanner_say_much(runs):
    report = runs["everything", "zh"][0]
    codes = {f.code for f in report.findings}
    assert {"CM001", "CM301", "CM302", "CM303", "CM401", "CM402"} <= codes
    kinds = {n.kind for n in report.notes}
    assert {"encoding", "not-utf8", "suppression", "capped", "archive", "symlink-loop"} <= kinds
    forced = runs["forced", "zh"][0]
    assert [f.message.split("，")[0] for f in forced.findings if f.code == "CM401"] == [
        "CAS(ME)³：稿件使用了该数据库（--db）"
    ]
    assert [n.kind for n in forced.notes] == ["citation"]
    said = {f.code for name in TREES for f in runs[name, "zh"][0].findings}
    assert said == {r.code for r in c3.load_family().rules}


# What a person reads: Chinese ----------------------------------------------------------------


@pytest.mark.parametrize("name", TREES)
def test_no_english_of_ours_in_a_chinese_report(name, runs):
    report, out = runs[name, "zh"]
    texts = [f.message for f in report.every_finding()] + [n.message for n in report.notes]
    texts += out["text"].splitlines() + out["lines"].splitlines()
    for text in texts:
        for english in ENGLISH:
            assert english not in text, (english, text)


@pytest.mark.parametrize("name", TREES)
def test_every_message_is_said_in_chinese(name, runs):
    """Each finding's message differs from the English one; what is ours alone (what could
    not be checked, the notes, the text report's own lines) holds Chinese."""
    (report, out), (english, _) = runs[name, "zh"], runs[name, "en"]
    for zh_f, en_f in zip(report.every_finding(), english.every_finding(), strict=True):
        assert zh_f.message != en_f.message
        if zh_f.database is None:  # CM001: the scanner's own words only
            assert zh_f.message.startswith("未检查：") and CJK.search(zh_f.message[4:])
    for note in report.notes:
        assert CJK.search(note.message), note
    lines = out["text"].splitlines()
    assert lines[-1].startswith("扫描了 ") and lines[-1].endswith("。")
    for line in lines:
        if line.startswith("  "):
            assert line.startswith("  参见 https://")
        elif not re.match(r"\S+:\d+:\d+: CM\d{3} ", line):
            assert line.startswith(("提示：", "扫描了 ")), line
    for line in out["lines"].splitlines():
        assert re.match(r"\S+:\d+:\d+: CM\d{3} \S", line)


def test_the_summary_counts_in_chinese(zh, tmp_path):
    tree(tmp_path, {"a.txt": "spNO.131\nspNO.131 # casme3: ignore[CM301] -- drawn\n"})
    tree(tmp_path, {"b.tex": b"caf\xe9\n", "c.md": "nothing\n"})
    report = _scan(tmp_path, zh)
    assert render(report, "text", zh, "1.0").splitlines()[-1] == (
        "扫描了 3 个文件：发现 1 个问题（1 个错误，0 个警告），1 条提示，1 个问题已抑制。"
    )
    clean = _scan(tree(tmp_path / "clean", {"c.md": "nothing\n"}), zh)
    assert render(clean, "text", zh, "1.0").splitlines() == ["扫描了 1 个文件：未发现问题。"]


def test_lists_and_counts_are_written_as_chinese_writes_them(runs):
    report = runs["everything", "zh"][0]
    [release] = [f for f in report.findings if f.code == "CM303" and f.path.endswith("part_A/")]
    assert "（spNO.1、spNO.2、spNO.3 等）" in release.message
    assert "共 5 个文件；" in release.message
    assert "，且 spNO.1、spNO.2、spNO.3、spNO.4、spNO.131 受限（" in release.message
    [nested] = [n for n in report.notes if n.kind == "archive"]
    assert nested.message == "其中有 1 个压缩包，仅按名称检查"
    [capped] = [n for n in report.notes if n.kind == "capped"]
    assert capped.message == "CM301：此文件中另有 50 个问题未显示（只显示前 100 个）"


def test_sarif_help_in_chinese(runs):
    sarif = json.loads(runs["everything", "zh"][1]["sarif"])
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]:
        text, markdown = rule["help"]["text"], rule["help"]["markdown"]
        assert "\n\n原因：" in text and "\n\n修正方法：" in text
        assert "**原因**：" in markdown and f"[规则页面]({rule['helpUri']})" in markdown
        if rule["properties"]["clauses"]:
            assert "条款：" in text
        for english in ("Why:", "Fix:", "Rule page", "LA clauses", "Clauses:"):
            assert english not in text + markdown


def test_a_scan_that_cannot_start_says_so_in_chinese(zh, tmp_path):
    with pytest.raises(ScanError) as e:
        scan([str(tmp_path)], zh, select="CM9")
    assert str(e.value).startswith("--select 中有未知的规则代码 'CM9'（已知：CM001、")
    with pytest.raises(ScanError) as e:
        scan([str(tmp_path)], zh, databases="nope")
    assert str(e.value).startswith("--db 中有未知的数据库 'nope'（已知：casme3、")
    with pytest.raises(ScanError) as e:
        scan([str(tmp_path / "absent")], zh)
    assert str(e.value) == f"{tmp_path / 'absent'}：文件或目录不存在"
    with pytest.raises(ScanError) as e:
        scan([str(tmp_path)], zh, all_files=True)
    assert str(e.value).endswith("：没有可扫描的内容（此处没有文件）")


def test_one_database_in_chinese(tmp_path):
    kb = c3.load(lang="zh")
    tree(tmp_path, {"a.md": "CASME3 and spNO.131\n", "b.txt": b"\x00"})
    report = scan([str(tmp_path)], kb, all_files=True)
    assert {f.code for f in report.findings} == {"CM001", "CM301", "CM401", "CM402"}
    for f in report.findings:
        assert all(english not in f.message for english in ENGLISH), f.message
    assert render(report, "text", kb, "1.0").splitlines()[-1].startswith("扫描了 2 个文件：发现 ")


# What a program reads: the same ------------------------------------------------------------


def _without_words(doc):
    """A JSON or SARIF document without what a person reads (messages, help, descriptions)."""
    if isinstance(doc, dict):
        skip = {"message", "help", "shortDescription", "fullDescription"}
        return {k: _without_words(v) for k, v in doc.items() if k not in skip}
    if isinstance(doc, list):
        return [_without_words(v) for v in doc]
    return doc


@pytest.mark.parametrize("name", TREES)
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_and_sarif_keep_their_keys_codes_and_ids(name, fmt, runs):
    zh_doc = json.loads(runs[name, "zh"][1][fmt])
    en_doc = json.loads(runs[name, "en"][1][fmt])
    assert _without_words(zh_doc) == _without_words(en_doc)
    assert zh_doc != en_doc  # the words differ
    if fmt == "json":
        for zh_f, en_f in zip(zh_doc["findings"], en_doc["findings"], strict=True):
            assert list(zh_f) == list(en_f)
            assert (zh_f["code"], zh_f["database"], zh_f["clause"]) == (
                en_f["code"],
                en_f["database"],
                en_f["clause"],
            )


@pytest.mark.parametrize("name", TREES)
def test_lines_keep_where_and_code(name, runs):
    def heads(out):
        return [re.match(r"\S+:\d+:\d+: CM\d{3} ", line).group() for line in out.splitlines()]

    assert heads(runs[name, "zh"][1]["lines"]) == heads(runs[name, "en"][1]["lines"])


# Escaping and reports ------------------------------------------------------------------------

NASTY = "\x1b]0;pwned\x07\r\x1b[2J\u202e\x9b31m\x7f\u2066"
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)


def test_what_a_chinese_report_prints_is_escaped(zh, tmp_path):
    with open(os.path.join(os.fsencode(tmp_path), f"spNO.131{NASTY}.png".encode()), "wb") as f:
        f.write(FAKE)
    os.symlink(f"loop{NASTY}", tmp_path / f"loop{NASTY}")
    report = scan([str(tmp_path)], zh, all_files=True)
    for fmt in ("text", "lines"):
        out = render(report, fmt, zh, "1.0")
        for line in out.split("\n"):
            assert not RAW_CONTROL.search(line), repr(line)
        assert "\\x1b]0;pwned\\x07" in out and "\\u202e" in out and "\\x9b" in out
        assert "文件名：" in out
    assert "提示：" in render(report, "text", zh, "1.0")


@pytest.mark.parametrize(("written", "read"), [("zh", "zh"), ("zh", "en"), ("en", "zh")])
def test_a_report_in_either_language_is_recognised(written, read, en, zh, tmp_path):
    """A casme3 report in the tree is not read for subjects, whatever the language it was
    written in and the language of the run that finds it."""
    kb = {"en": en, "zh": zh}
    tree(tmp_path, {"a.md": "spNO.131\n", "b.md": "CASME3\n"})
    (tmp_path / "sub").mkdir()
    os.symlink("loop", tmp_path / "loop")
    first = scan([str(tmp_path)], kb[written], all_files=True)
    assert first.notes
    for fmt in ("text", "lines"):
        (tmp_path / "sub" / f"old-{fmt}.txt").write_text(render(first, fmt, kb[written], "1.0"))
    again = scan([str(tmp_path)], kb[read], all_files=True)
    reports = sorted(n.path.rsplit("/", 1)[-1] for n in again.notes if n.kind == "report")
    assert reports == ["old-lines.txt", "old-text.txt"]
    assert [f.path for f in again.findings if "old-" in f.path] == []
    assert {n.message for n in again.notes if n.kind == "report"} == {
        kb[read].t("scan.text.report")
    }


def test_prose_quoting_a_chinese_report_line_is_still_read(zh, tmp_path):
    text = "扫描了 1 个文件：未发现问题。\n但这一行是正文：spNO.131\n"
    tree(tmp_path, {"notes.txt": text})
    assert [f.line for f in scan([str(tmp_path)], zh, all_files=True).findings] == [2]
