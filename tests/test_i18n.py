"""Our texts in every language: each translation complete where it is shipped, none stale, one
way for each term of the glossary; a wrong translation file fails the load with its line."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml
from conftest import DATA, FAMILY

import casme3_compliance as c3
from casme3_compliance.knowledge.i18n import SOURCE, fields

LANGUAGES = yaml.safe_load((DATA / "i18n/languages.yaml").read_text("utf-8"))["languages"]
OTHERS = [x["code"] for x in LANGUAGES if x["code"] != SOURCE]


def glossary(lang: str) -> list[dict]:
    path = DATA / "i18n" / lang / "glossary.yaml"
    return yaml.safe_load(path.read_text("utf-8"))["terms"] if path.exists() else []


def pairs(lang: str) -> list[tuple[str, str, str]]:
    """(where, English, translation) for every message and every translated field."""
    en = c3.load_family(DATA, cache=False)
    tr = c3.load_family(DATA, cache=False, lang=lang)
    out = [(f"messages {k}", en.texts[k], tr.texts[k]) for k in en.texts if k in tr.texts]
    out += [(f"data {e[:40]!r}", e, t) for e, t in tr.memory.items()]
    return out


# What our English names without saying it in its own words: a slot the code fills, a URL, a
# title or an agreement's words in quotes. A term there is not ours to translate.
NOT_OURS = re.compile(r"\{[a-z_]*\}|\S*/\S*|“[^”]*”|‘[^’]*’|\"[^\"]*\"|'[^'\s][^']*'|`[^`]*`")


def mentions(text: str, term: str) -> bool:
    text = NOT_OURS.sub(" ", text)
    return re.search(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", text, re.I) is not None


@pytest.mark.parametrize("lang", OTHERS)
def test_no_translation_uses_a_variant_the_glossary_avoids(lang):
    terms = glossary(lang)
    assert terms, f"data/i18n/{lang}/glossary.yaml fixes the terms of every {lang} text"
    for where, _, text in pairs(lang):
        for term in terms:
            for variant in term.get("avoid", ()):
                assert variant not in text, f"{where}: {variant!r} (the glossary: {term[lang]!r})"


@pytest.mark.parametrize("lang", OTHERS)
def test_where_our_english_names_a_term_the_translation_uses_the_glossarys(lang):
    required = [t for t in glossary(lang) if t.get("required")]
    for where, english, text in pairs(lang):
        if text == english:  # a draft's missing text is English, not a translation
            continue
        for term in required:
            if mentions(english, term["en"]):
                assert term[lang] in text, f"{where}: {term['en']!r} is {term[lang]!r}"


def test_a_shipped_language_is_complete_and_a_draft_is_not_shipped():
    shipped = {x["code"] for x in FAMILY.shipped}
    assert SOURCE in shipped
    for x in LANGUAGES:
        family = c3.load_family(DATA, cache=False, lang=x["code"])
        missing = set(FAMILY.texts) - set(family.texts)
        assert not missing  # a draft falls back to English for what it lacks
        if x["code"] in shipped and x["code"] != SOURCE:
            assert family.memory, x["code"]


def test_an_agreements_own_words_are_never_translated():
    """Only fields.yaml's fields change with the language: every clause's text is the same."""
    for lang in OTHERS:
        family = c3.load_family(DATA, cache=False, lang=lang)
        for db in FAMILY.databases:
            if db.agreement is None:
                continue
            other = family.db(db.id)
            assert [c.text for c in other.agreement.clauses()] == [
                c.text for c in db.agreement.clauses()
            ]
            assert (other.citation.title, other.citation.authors) == (
                db.citation.title,
                db.citation.authors,
            )


# --- A wrong translation fails the load, naming its file and line ------------------------------


def _copy(tmp_path, status: str = "draft"):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    langs = data / "i18n/languages.yaml"
    langs.write_text(
        re.sub(r"status: \w+\}", f"status: {status}}}", langs.read_text("utf-8")), "utf-8"
    )
    return data


def _a_field(data):
    """One of our fields of the default database's agreement, and its English."""
    patterns = yaml.safe_load((data / "i18n/fields.yaml").read_text("utf-8"))["agreement"]
    doc = yaml.safe_load((data / FAMILY.default / "agreement.yaml").read_text("utf-8"))
    return next(text for p in patterns for _, text in fields(doc, p))


@pytest.mark.parametrize("lang", OTHERS)
def test_a_stale_translation_names_its_line(tmp_path, lang):
    data = _copy(tmp_path)
    path = data / "i18n" / lang / "data" / "zz-test.yaml"
    path.write_text(f"# a test's\n- {{en: An English sentence nobody wrote., {lang}: x}}\n")
    with pytest.raises(c3.DataError) as info:
        c3.load_family(data, cache=False)
    assert f"{path.relative_to(tmp_path)}:2:" in str(info.value)
    assert "no field of ours" in str(info.value)


@pytest.mark.parametrize("lang", OTHERS)
def test_one_english_sentence_translated_two_ways_names_the_second(tmp_path, lang):
    data = _copy(tmp_path)
    english = _a_field(data)
    path = data / "i18n" / lang / "data" / "zz-test.yaml"
    path.write_text(yaml.safe_dump([{"en": english, lang: "一"}, {"en": english, lang: "二"}]))
    with pytest.raises(c3.DataError) as info:
        c3.load_family(data, cache=False)
    assert "another way" in str(info.value) and "zz-test.yaml:" in str(info.value)


@pytest.mark.parametrize("lang", OTHERS)
def test_a_complete_language_lacking_a_translation_names_the_english_field(tmp_path, lang):
    data = _copy(tmp_path, "complete")
    try:
        c3.load_family(data, cache=False)
    except c3.DataError as e:
        pytest.fail(f"{lang} is not complete: {e}")
    english = _a_field(data)
    for path in (data / "i18n" / lang / "data").glob("*.yaml"):
        items = yaml.safe_load(path.read_text("utf-8")) or []
        kept = [x for x in items if x["en"] != english]
        path.write_text(yaml.safe_dump(kept, allow_unicode=True), "utf-8")
    with pytest.raises(c3.DataError) as info:
        c3.load_family(data, cache=False)
    message = str(info.value)
    assert f"{FAMILY.default}/agreement.yaml:" in message and f"no {lang} translation" in message
