"""The site's own words in every language: every page pages.py renders, for every database (the
project's and the two synthetic ones of tests/family_support.py), says in Chinese what it says
in English, with the same anchors and links.

The data's fields of ours (summaries, checklist items, verdict sentences, rule texts) are
translated in other files, some not yet: these tests give each field of ours that has no
translation yet a stand-in Chinese one (`TRANSLATED`, loaded as a data/i18n/zh/data/ file, so it
passes the same validation), so that what stays English on a page can only be the agreements'
own words, names, ids, code, URLs, or a word of the code's that is not a message.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import DATA
from family_support import with_synthetic

import casme3_compliance as c3
from casme3_compliance.knowledge.i18n import fields, placeholders
from casme3_compliance.knowledge.paths import DATABASE_FILES, FAMILY_FILES
from casme3_compliance.knowledge.verdicts import templates
from casme3_compliance.render import api, pages, widgets
from casme3_compliance.render.markdown import md_escape, provenance_line, where

TRANSLATED = "此处为译文"
"""The stand-in translation of a field of ours the Chinese data does not translate yet."""

NAMES = {
    *("BibTeX", "BibLaTeX", "RIS", "APA", "IEEE", "JSON", "PDF", "HTML", "LaTeX", "Markdown"),
    *("Croissant", "ODRL", "SPARQL", "Dublin", "Core"),
}
"""Names of formats, the only Latin words a Chinese page of ours says (code and ids aside)."""

WORD = re.compile(r"(?<![A-Za-z0-9_./\\-])[A-Za-z]+(?:['’][A-Za-z]+)*(?![A-Za-z0-9_./\\-])")
"""A Latin word standing alone: not part of a file name, an id, a path or a number."""


def link(target: str) -> str:
    return target


# --- The families -----------------------------------------------------------------------------


CODES = {"kind", "severity", "rule", "column", "applies", "topics", "agreement", "part"}
"""Keys of the data whose values are for the code (`kind: prohibition`), never shown as such."""
CODE_FILES = {"profile", "policy"}
"""Files whose values are for the code: terms of the JSON-LD, shown only as code (`mep:text`)."""


def _data_texts(data: Path) -> list[str]:
    """Every string of the data's files (not i18n/) but the values for the code (CODES)."""
    out: list[str] = []

    def walk(node: object, key: object = None) -> None:
        if isinstance(node, dict):
            for k, value in node.items():
                walk(value, k)
        elif isinstance(node, list):
            for value in node:
                walk(value, key)
        elif isinstance(node, str) and key not in CODES:
            out.append(node)

    for path in sorted(data.rglob("*.yaml")):
        if path.relative_to(data).parts[0] in ("i18n", "schema"):
            continue
        # The ODRL profile and policies: terms and values for the JSON-LD, shown only as code.
        if path.stem in (*DATABASE_FILES, *FAMILY_FILES) and path.stem not in CODE_FILES:
            walk(yaml.safe_load(path.read_text("utf-8")))
    return out


def _ours(data: Path) -> set[str]:
    """Every field of ours in the data (data/i18n/fields.yaml), as validation finds them."""
    patterns = yaml.safe_load((data / "i18n" / "fields.yaml").read_text("utf-8"))
    out: set[str] = set()
    for path in sorted(data.rglob("*.yaml")):
        if path.relative_to(data).parts[0] in ("i18n", "schema") or path.stem not in patterns:
            continue
        doc = yaml.safe_load(path.read_text("utf-8"))
        for pattern in patterns[path.stem]:
            out.update(text for _, text in fields(doc, pattern))
    return out


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """The data with the synthetic databases, every field of ours translated into Chinese:
    by data/i18n/zh/data/ where it is, by a stand-in (`TRANSLATED`) where it is not yet."""
    data = with_synthetic(tmp_path_factory.mktemp("zh-site-text"))
    done = c3.load_family(data, cache=False, lang="zh").memory
    stand_in = [
        {"en": en, "zh": TRANSLATED + "".join(placeholders(en))}
        for en in sorted(_ours(data))
        if en not in done
    ]
    if stand_in:
        folder = data / "i18n" / "zh" / "data"
        folder.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(stand_in, allow_unicode=True)
        (folder / "zz-stand-in.yaml").write_text(text, "utf-8")
    return data


@pytest.fixture(scope="module")
def zh(data):
    return c3.load_family(data, cache=False, lang="zh")


@pytest.fixture(scope="module")
def en(data):
    return c3.load_family(data, cache=False, lang="en")


# --- Every page, rendered ---------------------------------------------------------------------


def _said(notice: dict[str, str]) -> str:
    """The words of a notice (its other keys are where it links)."""
    return " ".join(notice.get(k, "") for k in ("title", "text", "provenance", "terms", "source"))


def rendered(family) -> dict[str, str]:
    """Every page and piece of a page that pages.py renders, by a name; the tools of widgets.py
    (another file's words) are taken out of the pages that hold them."""
    out: dict[str, str] = {}
    nav = [{"Databases": []}, {"Scan rules": []}]
    out["nav"] = json.dumps(pages.site_nav(family, nav), ensure_ascii=False)
    out["hub"] = pages.hub(family, link, link)
    out["compare"] = pages.compare(family, link)
    out["rules index"] = pages.rules_index(family, link)
    out["family notice"] = _said(pages.family_notice(family))
    for rule in family.rules:
        out[f"rule {rule.code}"] = pages.rule_page(family, rule, link)
    default = family.db()
    for old, new in pages.redirects(family).items():
        title = pages.page_heading(default, new.rstrip("/").rsplit("/", 1)[-1])
        out[f"moved {old}"] = pages.redirect_page(old, new, title, "", family)
    for db in family.databases:
        at = f"{db.id} "
        out[at + "notice"] = _said(pages.notice(db))
        out[at + "nav titles"] = " | ".join(t for _, t in pages.page_set(db))
        out[at + "downloads"] = " | ".join(pages.downloads(db).values())
        for slug, _ in pages.page_set(db):
            out[at + "source " + slug] = pages.page_source(db, slug)
        out[at + "home"] = pages.database_home(db, link)
        out[at + "cite"] = pages.cite(db, link)
        if db.checklists:
            out[at + "checklist"] = pages.checklists(db, link)
        if db.agreement is not None:
            out[at + "terms"] = pages.terms(db, link)
            out[at + "at a glance"] = pages.at_a_glance(db, link)
            for clause in db.agreement.clauses():
                out[at + "quote " + clause.id] = pages.quote(db, clause.id, link)
            if pages.has_apply(db):
                tool = widgets.apply_helper(db, link)
                out[at + "apply"] = pages.apply_page(db, link).replace(tool, "")
        if db.subjects is not None:
            tool = widgets.subject_lookup(db, link)
            out[at + "subjects"] = pages.subjects_page(db, link).replace(tool, "")
    return out


@pytest.fixture(scope="module")
def zh_pages(zh) -> dict[str, str]:
    return rendered(zh)


@pytest.fixture(scope="module")
def en_pages(en) -> dict[str, str]:
    return rendered(en)


# --- What is left once the data's words, code, ids and URLs are taken out ---------------------


def _squash(text: str) -> str:
    return " ".join(text.split())


def _verbatim(data: Path, family):
    """A pattern for every string of the data that is shown as it is (names, the agreements'
    words, ids): whole, a single word never inside a longer one; a label's `{n}` is any
    number."""
    texts = {_shown(md_escape(t)) for t in _data_texts(data)}
    # The data's own translations (a summary may quote the agreement's English).
    texts.update(_shown(md_escape(t)) for t in family.memory.values())
    # The verdict sentences, as knowledge/verdicts.py fills them (its words, not this file's).
    for db in family.databases:
        for part in db.subjects.parts if db.subjects else ():
            for sentence in templates(db, part).values():
                texts.update(_shown(md_escape(p)) for p in sentence.split("{label}"))
            # A grid shows a subject's number; the rest of its label (`sub`) is read out.
            texts.update(p.strip() for p in part.label.split("{n}"))
    alternatives = []
    for text in sorted((t for t in texts if re.search("[A-Za-z]", t)), key=len, reverse=True):
        pattern = re.escape(text)
        if "{n}" in text:
            pattern = pattern.replace(re.escape("{n}"), r"\d+")
        if not re.search(r"\s", text):  # a name or id: never a piece of a longer word
            pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"
        alternatives.append(pattern)
    return re.compile("|".join(alternatives))


def _shown(markdown: str) -> str:
    """What a reader reads of a page's Markdown or HTML, as plain text: no code, no URL, no tag,
    no anchor; the titles and labels in attributes and the texts a tool is given kept."""
    text = re.sub(r"<script>.*?</script>", " ", markdown, flags=re.S)
    text = re.sub(r"(`{3,}).*?\1", " ", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"\{\{.*?\}\}", " ", text)
    said = []
    for value in re.findall(r'data-la-text="([^"]*)"', text):
        # The script fills their `{slots}`.
        said += [
            re.sub(r"\{[a-z_]*\}", " ", str(v)) for v in json.loads(html.unescape(value)).values()
        ]
    text = re.sub(r'data-la-text="[^"]*"', " ", text)
    text = re.sub(r'\b(?:title|aria-label)="([^"]*)"', r" \1 ", text)
    text = re.sub(r"<(?:!|/|https?://)?[A-Za-z][^<>]*>", " ", text)
    text = re.sub(r"\]\([^)\s]*(?: \"([^\"]*)\")?\)", r"] \1 ", text)
    text = re.sub(r"\{[:#.][^}]*\}|\{ #[^}]*\}", " ", text)
    text = html.unescape(re.sub(r"\\([\\`*_\[\]#|])", r"\1", text))
    text = re.sub(r"<https?://[^>\s]*>|https?://[^\s<>]+", " ", text)
    return _squash(text + " " + " ".join(said))


def _latin_words(text: str) -> set[str]:
    return set(WORD.findall(text))


def test_no_english_of_ours_is_left_on_any_page_in_chinese(data, zh, zh_pages):
    """Once the data's verbatim strings, code, ids and URLs are out, no Latin word remains but
    the names of formats: every heading, label, sentence and joiner the code writes is a
    message of site.yaml, and no Chinese message says English (nor does a draft's English
    fallback stand in for one)."""
    verbatim = _verbatim(data, zh)
    assert len(zh_pages) > 100
    for name, page in zh_pages.items():
        left = verbatim.sub(" ", _shown(page))
        stray = sorted(_latin_words(left) - NAMES)
        assert not stray, (name, stray, left[:400])
        assert not re.search(r"\b[A-Za-z]+(?:\s+[A-Za-z]+\b){2}", left), (name, left[:400])


def test_the_check_finds_an_english_sentence_of_the_code(data, zh, zh_pages):
    """The check above is not blind: a sentence of the code's left in English is found."""
    verbatim = _verbatim(data, zh)
    page = zh_pages["casme3 terms"].replace("## 所据文本", "## Which text this is")
    assert {"Which", "text", "this"} <= _latin_words(verbatim.sub(" ", _shown(page))) - NAMES


def test_every_page_says_its_headings_and_sentences_in_chinese(zh, zh_pages):
    """The pages hold the Chinese of site.yaml: each message's words around its slots."""

    def says(page: str, key: str, heading: bool = False) -> bool:
        pieces = [p for p in re.split(r"\{[a-z_]*\}", zh.t(key)) if p.strip()]
        text = page if not heading else "\n".join(x for x in page.splitlines() if x[:1] == "#")
        return all(p in text for p in pieces)

    db = zh.db()
    expected = {
        f"{db.id} terms": ["site.terms.provenance", "site.terms.intro", "site.terms.numbering"],
        f"{db.id} at a glance": ["site.glance.permissions", "site.glance.limitations"],
        f"{db.id} subjects": ["site.subjects.lookup", "site.subjects.sources"],
        f"{db.id} cite": ["site.cite.other", "site.cite.downloads", "site.cite.name.heading"],
        f"{db.id} apply": ["site.apply.who", "site.apply.today", "site.apply.filename"],
        f"{db.id} home": ["site.home.pages", "site.home.data", "site.home.agreement.heading"],
        "compare": [f"site.compare.{topic}" for topic in pages.COMPARE],
    }
    for rule in zh.rules:
        expected[f"rule {rule.code}"] = ["site.rule.detects", "site.rule.why", "site.rule.fix"]
    for name, keys in expected.items():
        for key in keys:
            heading = not key.endswith(("intro", "numbering"))
            assert says(zh_pages[name], key, heading), (name, key, zh.t(key))
    assert zh.t("site.hub.legend") in zh_pages["hub"]
    assert zh.t("site.rules.code") in zh_pages["rules index"]
    for db in zh.databases:
        assert zh.t("site.page.home") in zh_pages[f"{db.id} nav titles"], db.id
        assert html.escape(zh.t("site.notice.title")) in zh_pages[f"{db.id} notice"], db.id
        if db.checklists:
            assert says(zh_pages[f"{db.id} checklist"], "site.checklists.intro"), db.id
    moved = next(v for k, v in zh_pages.items() if k.startswith("moved "))
    assert '<html lang="zh-Hans">' in moved and says(moved, "site.redirect.moved")


def _places(page: str) -> list[str]:
    """Every anchor and link target of a page: what a language switch must find again."""
    anchors = re.findall(r"\{ ?#([^}\s]+) ?\}|\bid=\"([^\"]+)\"|\bid='([^']+)'", page)
    targets = re.findall(r"\]\(([^)\s]+)|\bhref=\"([^\"]+)\"|\baction=\"([^\"]+)\"", page)
    return ["".join(x) for x in anchors] + ["".join(x) for x in targets]


def test_anchors_and_links_are_the_same_in_every_language(en_pages, zh_pages):
    assert en_pages.keys() == zh_pages.keys()
    for name, page in zh_pages.items():
        assert _places(page) == _places(en_pages[name]), name
    assert _places(zh_pages["casme3 terms"])  # the check compares something


def test_every_site_message_is_used_and_every_message_used_exists(data):
    """Each id of site.yaml is said by some page (none is dead), in every language; and the
    code asks for none that English lacks (a KeyError while rendering)."""
    family = c3.load_family(data, cache=False, lang="zh")
    asked: set[str] = set()

    class Asked(dict):
        def __getitem__(self, key: str) -> str:
            asked.add(key)
            return super().__getitem__(key)

    rendered(family.replace(texts=Asked(family.texts), built={}))
    english = yaml.safe_load((DATA / "i18n" / "en" / "messages" / "site.yaml").read_text("utf-8"))
    # A word for each value the schema allows, whether or not today's data uses it.
    schema = json.loads((DATA / "schema" / "agreement.schema.json").read_text("utf-8"))
    clause = schema["$defs"]["clause"]["properties"]
    for prefix, values in (
        ("site.kind.", clause["kind"]["enum"]),
        ("site.where.part.", clause["where"]["properties"]["part"]["enum"]),
    ):
        assert {k for k in english if k.startswith(prefix)} == {prefix + v for v in values}
        asked |= {prefix + v for v in values}
    assert set(english) - asked == set()


def test_the_chinese_site_texts_keep_the_glossary():
    """Each term of data/i18n/zh/glossary.yaml: never one of its `avoid` variants; where the
    English of a message says a `required` term (outside its slots), the Chinese says it too."""
    folder = DATA / "i18n"
    glossary = yaml.safe_load((folder / "zh" / "glossary.yaml").read_text("utf-8"))["terms"]
    english = yaml.safe_load((folder / "en" / "messages" / "site.yaml").read_text("utf-8"))
    chinese = yaml.safe_load((folder / "zh" / "messages" / "site.yaml").read_text("utf-8"))
    assert set(chinese) == set(english)
    for key, text in chinese.items():
        said = re.sub(r"\{[a-z_]*\}", " ", english[key]).lower()
        for term in glossary:
            for avoid in term.get("avoid", ()):
                assert avoid not in text, (key, avoid)
            if term.get("required") and re.search(rf"\b{re.escape(term['en'])}s?\b", said):
                assert term["zh"] in text, (key, term["en"], text)
        assert not re.search(r"[\u4e00-\u9fff][,.;:?!]|[,;:?!]$", text), (key, text)


def test_the_escaped_data_is_found_as_the_reader_reads_it():
    """_shown undoes the Markdown escapes, so a name with `_` or `*` is matched as written."""
    assert _shown(md_escape("CASME3_License*") + " `x`") == "CASME3_License*"


def test_a_sentence_set_inside_another_keeps_an_acronym_and_a_caseless_script():
    """`The text on this page is {description}`: `The LA text` reads `the LA text` there; a
    translation that starts with `LA`, or with a Chinese character, is left as it is."""
    assert pages._within("The LA text as distributed.") == "the LA text as distributed."
    assert pages._within("LA 文本随申请材料分发。") == "LA 文本随申请材料分发。"
    assert pages._within("随申请材料分发的 LA 文本。") == "随申请材料分发的 LA 文本。"


def test_the_api_keeps_its_ids_and_says_its_lines_for_people_in_the_family_language(en, zh):
    """/api/<id>/agreement.json: ids, anchors, kinds, topics and the agreement's own words are
    the same in every language; the provenance line and each clause's place are for people."""
    for db_en, db_zh in zip(en.databases, zh.databases, strict=True):
        if db_en.agreement is None:
            continue
        a_en, a_zh = api.agreement(db_en), api.agreement(db_zh)
        line = a_zh["la_source"].pop("line")
        assert line == provenance_line(db_zh) != a_en["la_source"].pop("line")
        assert a_zh["la_source"] == a_en["la_source"]
        fixed = ("id", "anchor", "kind", "topics", "text", "items")
        for s_en, s_zh in zip(a_en["sections"], a_zh["sections"], strict=True):
            for c_en, c_zh in zip(s_en["clauses"], s_zh["clauses"], strict=True):
                assert [c_zh[k] for k in fixed] == [c_en[k] for k in fixed]
                clause = db_zh.agreement.clause(c_zh["id"])
                assert c_zh["where"] == where(db_zh, clause.where) != c_en["where"]
