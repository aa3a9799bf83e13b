"""The agreements as Croissant 1.1 metadata with an ODRL policy, checked both ways.

One way: mlcroissant validates every file `casme3 export` writes. The other: an evaluator
written here, that reads nothing but the JSON-LD (rdflib and SPARQL; no code of the package, no
file of data/), answers "may this subject's images be shown?" for every subject reference of
every database, and its answers are `casme3 subject`'s, reference for reference.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
import yaml
from conftest import FAMILY, ROOT

from casme3_compliance.render import croissant, pages

ODRL = rdflib.Namespace("http://www.w3.org/ns/odrl/2/")
PUBLIC = [db.id for db in FAMILY.databases if db.public]
CASME3 = [sys.executable, "-m", "casme3_compliance"]


def export(db_id: str, *more: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CASME3, "export", "--db", db_id, *more],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Each database's file, as `casme3 export -o` writes it."""
    folder = tmp_path_factory.mktemp("croissant")
    out = {}
    for db_id in PUBLIC:
        target = folder / f"{db_id}.croissant.json"
        done = export(db_id, "-o", str(target))
        assert done.returncode == 0, done.stderr
        out[db_id] = target
    return out


def test_every_database_with_a_public_agreement_has_a_policy():
    assert PUBLIC and all(pages.has_policy(FAMILY.db(i)) for i in PUBLIC)


@pytest.mark.parametrize("db_id", PUBLIC)
def test_mlcroissant_validates_the_file_with_no_error(db_id, files):
    import mlcroissant

    dataset = mlcroissant.Dataset(jsonld=str(files[db_id]))
    assert not dataset.metadata.ctx.issues.errors, dataset.metadata.ctx.issues.errors
    meta = dataset.metadata
    assert meta.name == FAMILY.db(db_id).name
    assert "http://mlcommons.org/croissant/1.1" in meta.conforms_to
    assert meta.cite_as and meta.cite_as.lstrip().startswith("@")


def test_mlcroissant_reports_an_error_it_is_given():
    """The check above can fail: a file without its type is refused."""
    import mlcroissant

    doc = json.loads(export(PUBLIC[0]).stdout)
    doc["@type"] = "sc:CreativeWork"
    with pytest.raises(mlcroissant.ValidationError):
        mlcroissant.Dataset(jsonld=doc)


# --- The evaluator: JSON-LD in, an answer out ----------------------------------------------------

RULES = """
SELECT DISTINCT ?kind ?rule WHERE {
  VALUES (?prop ?kind) { (odrl:prohibition "prohibition") (odrl:permission "permission") }
  ?policy ?prop ?rule .
  ?rule odrl:action ?show ; odrl:target ?t .
  ?t odrl:partOf* ?collection .
  FILTER NOT EXISTS {
    ?t odrl:partOf* ?x . ?x odrl:refinement ?r .
    ?r odrl:leftOperand ?number ; odrl:operator ?op .
    FILTER (
      (?op = odrl:gteq && EXISTS { ?r odrl:rightOperand ?v FILTER (?n < ?v) }) ||
      (?op = odrl:lteq && EXISTS { ?r odrl:rightOperand ?v FILTER (?n > ?v) }) ||
      (?op = odrl:isAnyOf && NOT EXISTS { ?r odrl:rightOperand ?v FILTER (?v = ?n) }) ||
      (?op = odrl:isNoneOf && EXISTS { ?r odrl:rightOperand ?v FILTER (?v = ?n) })
    )
  }
}
"""


class Evaluator:
    """What a tool that knows ODRL and the profile's page, and nothing of ours, can tell."""

    def __init__(self, path: Path) -> None:
        self.g = rdflib.Graph()
        self.g.parse(path, format="json-ld")
        (self.policy,) = set(self.g.subjects(ODRL.profile, None))
        (profile,) = set(self.g.objects(self.policy, ODRL.profile))
        self.mep = rdflib.Namespace(f"{profile}#")
        self.parts = sorted(
            (
                int(self.g.value(c, self.mep.patternOrder)),
                str(self.g.value(c, self.mep.referencePattern)),
                c,
            )
            for c in self.g.objects(self.policy, self.mep.subjectParts)
        )
        self.prohibit_wins = (self.policy, ODRL.conflict, ODRL.prohibit) in self.g
        self.known: dict[tuple, str] = {}  # a subject written several ways is asked about once

    def answer(self, reference: str) -> str:
        found = next(
            (
                (c, int(m[1]))
                for _, pattern, c in self.parts
                if (m := re.fullmatch(pattern, reference.strip(), re.IGNORECASE | re.ASCII))
            ),
            None,
        )
        if found is None:
            return "invalid"
        if found not in self.known:
            self.known[found] = self.verdict(*found)
        return self.known[found]

    def verdict(self, collection: rdflib.term.Node, n: int) -> str:
        rows = self.g.query(
            RULES,
            initNs={"odrl": ODRL},
            initBindings={
                "collection": collection,
                "n": rdflib.Literal(n),
                "show": self.mep.showImages,
                "number": self.mep.subjectNumber,
            },
        )
        kinds: dict[str, list] = {}
        for kind, rule in rows:
            kinds.setdefault(str(kind), []).append(rule)
        if "prohibition" in kinds and (self.prohibit_wins or "permission" not in kinds):
            return "restricted"
        if "permission" in kinds:
            approval = any(
                self.g.value(duty, ODRL.action) == self.mep.obtainApproval
                for rule in kinds["permission"]
                for duty in self.g.objects(rule, ODRL.duty)
            )
            return "approval" if approval else "allowed"
        return "invalid"


def references(db_id: str) -> list[str]:
    """Every subject of each part's known range (or, where none is known, up to past its
    list) and one past each end, written as the database labels it and as a number alone."""
    db = FAMILY.db(db_id)
    refs: list[str] = []
    for part in db.subjects.parts:
        top = part.max if part.max is not None else max(part.list, default=0) + 10
        for n in range(max(part.min - 1, 0), top + 2):
            refs.append(part.name_of(n))
            refs.append(part.name_of(n).upper())
            if part.short:
                refs.append(part.short.replace("{n}", str(n)))
            refs.append(str(n).zfill(3))
    return list(dict.fromkeys(refs))


def cli_answers(db_id: str, refs: list[str]) -> list[str]:
    done = subprocess.run(
        [*CASME3, "--lang", "en", "subject", "--db", db_id, "--from", "-", "--json"],
        input="\n".join(refs) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    rows = json.loads(done.stdout)
    assert [r["input"] for r in rows] == refs
    return [r["verdict"] for r in rows]


@pytest.mark.parametrize("db_id", [i for i in PUBLIC if FAMILY.db(i).subjects])
def test_the_json_ld_alone_answers_as_casme3_subject_for_every_reference(db_id, files):
    refs = references(db_id)
    evaluator = Evaluator(files[db_id])
    ours = [evaluator.answer(r) for r in refs]
    theirs = cli_answers(db_id, refs)
    differ = [(r, a, b) for r, a, b in zip(refs, ours, theirs, strict=True) if a != b]
    assert not differ, differ[:10]
    # Every answer the database can give is among them: the comparison is not all "invalid".
    kinds = {v for v in theirs}
    assert kinds - {"invalid"}, kinds


def test_the_evaluator_sees_a_change_to_the_file(files, tmp_path):
    """Take a subject the policy allows, add it to a prohibition's list in the JSON-LD: the
    evaluator now says restricted, so the comparison above can fail."""
    db_id = next(i for i in PUBLIC if any(p.rule == "deny" for p in FAMILY.db(i).subjects.parts))
    part = next(p for p in FAMILY.db(db_id).subjects.parts if p.rule == "deny")
    free = next(n for n in part.numbers() if n not in part.list)
    doc = json.loads(files[db_id].read_text("utf-8"))
    for rule in doc["usageInfo"]["odrl:prohibition"]:
        refinement = rule["odrl:target"].get("odrl:refinement", [])
        for r in refinement:
            if (
                r["odrl:operator"]["@id"] == "odrl:isAnyOf"
                and part.list[0] in r["odrl:rightOperand"]
            ):
                r["odrl:rightOperand"].append(free)
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(doc), "utf-8")
    assert Evaluator(files[db_id]).answer(part.name_of(free)) == "allowed"
    assert Evaluator(changed).answer(part.name_of(free)) == "restricted"


# --- What the file says, against the data ------------------------------------------------------


@pytest.mark.parametrize("db_id", PUBLIC)
def test_each_rule_names_its_clauses_with_their_words_verbatim(db_id, files):
    db = FAMILY.db(db_id)
    doc = json.loads(files[db_id].read_text("utf-8"))
    policy = doc["usageInfo"]
    rules = [
        r
        for key in ("odrl:permission", "odrl:prohibition", "odrl:obligation")
        for r in policy.get(key, [])
    ]
    assert rules
    for rule in rules:
        assert rule["mep:clause"], rule["@id"]
        for clause in rule["mep:clause"]:
            c = db.agreement.clause(clause["dct:identifier"])
            assert clause["mep:text"] == " ".join([c.text, *c.items])
            assert clause["@id"].endswith(f"/{db_id}/terms/#{c.anchor}")
    stated = {c["dct:identifier"] for r in rules for c in r["mep:clause"]}
    for r in rules:
        for duty in r.get("odrl:duty", []):
            if "mep:clause" in duty:
                stated.add(duty["mep:clause"]["dct:identifier"])
    left_out = {c["dct:identifier"] for c in policy["mep:notStated"]}
    for clause in db.agreement.clauses():
        if clause.kind != "notice":
            assert (clause.id in stated) != (clause.id in left_out), clause.id


def test_prohibitions_name_commercial_use_distribution_and_the_restricted_subjects(files):
    doc = json.loads(files[FAMILY.default].read_text("utf-8"))
    prohibited = doc["usageInfo"]["odrl:prohibition"]
    actions = {r["odrl:action"]["@id"] for r in prohibited}
    assert {"odrl:use", "odrl:distribute", "mep:showImages"} <= actions
    commercial = [r for r in prohibited if r.get("odrl:constraint")]
    assert any(
        c["odrl:leftOperand"]["@id"] == "odrl:purpose"
        and {"@id": "mep:commercialPurpose"} in c["odrl:rightOperand"]
        for r in commercial
        for c in r["odrl:constraint"]
    )


def test_the_file_cites_with_the_bibtex_the_site_serves_and_licenses_the_terms_page(files):
    from casme3_compliance.render import citation

    for db_id, path in files.items():
        doc = json.loads(path.read_text("utf-8"))
        db = FAMILY.db(db_id)
        assert doc["citeAs"] == citation.render(db.citation, "bibtex")
        assert doc["license"]["url"].endswith(f"/{db_id}/terms/")
        assert doc["usageInfo"]["odrl:assigner"]["name"] == db.issuer


def test_the_site_url_of_the_profile_is_mkdocs_yml_s_default():
    text = (ROOT / "mkdocs.yml").read_text("utf-8")
    default = re.search(r"^site_url: !ENV \[CASME3_SITE_URL, (\S+)\]$", text, re.M)[1]
    profile = yaml.safe_load((ROOT / "data" / "profile.yaml").read_text("utf-8"))
    assert profile["site_url"] == default


def test_export_refuses_a_database_without_a_public_agreement_and_an_unknown_format():
    closed = next(db.id for db in FAMILY.databases if not db.public)
    done = export(closed)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and FAMILY.db(closed).name in done.stderr
    done = export(PUBLIC[0], "--format", "odrl-xml")
    assert done.returncode == 2 and "croissant" in done.stderr and "Traceback" not in done.stderr


def test_export_is_the_same_in_every_language_and_honours_the_site_url():
    english = export(PUBLIC[0]).stdout
    chinese = subprocess.run(
        [*CASME3, "--lang", "zh", "export", "--db", PUBLIC[0]],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    ).stdout
    assert english == chinese
    doc = json.loads(english)
    assert set(doc["description"]) == {x["code"] for x in FAMILY.shipped}
    moved = subprocess.run(
        [*CASME3, "export", "--db", PUBLIC[0]],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env={**os.environ, "CASME3_SITE_URL": "https://example.org/me/"},
    ).stdout
    assert "https://example.org/me/policy/#" in moved and "casme3-compliance.github.io" not in moved


def documented(path: Path) -> Evaluator:
    """The evaluator, asking the query the profile's page documents instead of its own."""
    evaluator = Evaluator(path)
    query = yaml.safe_load((ROOT / "data" / "profile.yaml").read_text("utf-8"))["query"]
    prefix = f"PREFIX mep: <{evaluator.mep}>\n"

    def verdict(collection: rdflib.term.Node, n: int) -> str:
        rows = evaluator.g.query(
            prefix + query, initBindings={"collection": collection, "n": rdflib.Literal(n)}
        )
        kinds = {(str(kind), approval is not None) for kind, _, approval in rows}
        if any(k == "prohibition" for k, _ in kinds):
            return "restricted"
        if kinds:
            return "approval" if any(a for _, a in kinds) else "allowed"
        return "invalid"

    evaluator.verdict = verdict  # type: ignore[method-assign]
    return evaluator


@pytest.mark.parametrize("db_id", [i for i in PUBLIC if FAMILY.db(i).subjects])
def test_the_query_the_profile_page_documents_gives_the_same_answers(db_id, files):
    refs = references(db_id)
    evaluator = documented(files[db_id])
    assert [evaluator.answer(r) for r in refs] == cli_answers(db_id, refs)


# --- Bad data fails the load with file:line ------------------------------------------------------


def _broken(tmp_path: Path, db_id: str, edit) -> str:
    import shutil

    import casme3_compliance as c3

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / db_id / "policy.yaml"
    path.write_text(edit(path.read_text("utf-8")), "utf-8")
    with pytest.raises(c3.DataError) as e:
        c3.load_family(data, cache=False)
    return str(e.value)


def test_a_term_that_is_neither_odrl_s_nor_the_profile_s_fails_with_its_line(tmp_path):
    said = _broken(tmp_path, "casme3", lambda t: t.replace("odrl:distribute", "odrl:broadcast"))
    assert re.search(r"casme3/policy\.yaml:\d+: .*'odrl:broadcast' is no action", said), said


def test_a_clause_neither_stated_nor_left_out_fails(tmp_path):
    said = _broken(tmp_path, "casme3", lambda t: t.replace('["2.2", "2.3", ', "["))
    assert "policy.yaml:" in said and "clause 2.2 (obligation)" in said and "\n" not in said


def test_a_notice_not_in_its_clause_verbatim_fails(tmp_path):
    db_id = next(i for i in PUBLIC if "notice:" in (ROOT / "data" / i / "policy.yaml").read_text())
    said = _broken(tmp_path, db_id, lambda t: re.sub(r"notice: ([^}]+)\}", r"notice: \1x}", t))
    assert re.search(rf"{db_id}/policy\.yaml:\d+: .*is not in the words of clause", said)


def test_a_clause_both_stated_and_left_out_fails(tmp_path):
    said = _broken(
        tmp_path, "casme3", lambda t: t.replace('clauses: ["2.2"', 'clauses: ["3.4", "2.2"')
    )
    assert "clause 3.4 is stated as a rule" in said


# --- The site serves the same files, linked from each database's pages ---------------------------


def _editions() -> list[str]:
    return ["" if x["code"] == FAMILY.lang else f"{x['code']}/" for x in FAMILY.shipped]


@pytest.mark.build
def test_the_site_serves_each_file_as_casme3_export_writes_it(site, files):
    for db_id, path in files.items():
        written = path.read_text("utf-8")
        for prefix in _editions():
            assert (site / prefix / pages.policy_file(FAMILY.db(db_id))).read_text(
                "utf-8"
            ) == written
            assert (site / prefix / "api" / db_id / "croissant.json").read_text("utf-8") == written


def _html(site: Path, page: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup((site / page / "index.html").read_text("utf-8"), "html.parser")


def _hrefs(site: Path, page: str) -> set[str]:
    from urllib.parse import urljoin, urlsplit

    soup = _html(site, page)
    article = soup.select_one("article")
    return {
        urlsplit(urljoin(f"/{page}/", a["href"])).path for a in article.find_all("a", href=True)
    }


@pytest.mark.build
def test_the_cite_and_terms_pages_link_the_file_and_the_policy_page(site):
    for prefix in _editions():
        for db_id in PUBLIC:
            file = f"/{prefix}{pages.policy_file(FAMILY.db(db_id))}"
            for page in ("cite", "terms"):
                assert file in _hrefs(site, f"{prefix}{db_id}/{page}"), (prefix, db_id, page)
            assert f"/{prefix}{db_id}/policy/" in _hrefs(site, f"{prefix}{db_id}/terms")


@pytest.mark.build
def test_every_iri_of_a_page_of_ours_names_an_anchor_the_page_has(site, files):
    """The rules, the clauses and the profile's terms: each IRI leads to where it is said."""
    base = "https://casme3-compliance.github.io/"
    for path in files.values():
        g = rdflib.Graph()
        g.parse(path, format="json-ld")
        iris = {str(x) for t in g for x in t if isinstance(x, rdflib.URIRef)}
        ours = sorted(i for i in iris if i.startswith(base) and "#" in i)
        assert any("#rule-" in i for i in ours) and any("/terms/#clause-" in i for i in ours)
        for iri in ours:
            page, anchor = iri.removeprefix(base).split("#")
            if page.endswith("/policy/") and not anchor.startswith("rule-"):
                continue  # an asset collection of the policy: an IRI, not a place on the page
            if anchor in ("database", "issuer", "policy"):
                continue
            ids = {el["id"] for el in _html(site, page.rstrip("/")).find_all(id=True)}
            assert anchor in ids, iri


@pytest.mark.build
def test_each_rule_is_shown_in_plain_words_beside_its_json_ld(site, files):
    for prefix in _editions():
        for db_id, path in files.items():
            db = FAMILY.db(db_id) if not prefix else croissant_family(prefix).db(db_id)
            doc = json.loads(path.read_text("utf-8"))
            nodes = {
                n["@id"].rsplit("#", 1)[1]: n
                for key in ("odrl:permission", "odrl:prohibition", "odrl:obligation")
                for n in doc["usageInfo"].get(key, [])
            }
            soup = _html(site, f"{prefix}{db_id}/policy")
            for rule in croissant.rules(db, db.profile):
                heading = soup.find(id=rule.id)
                box = heading.find_next_sibling("div", class_="la-policy")
                plain, code = box.select_one(".la-policy-plain"), box.select_one(".la-policy-json")
                assert json.loads(code.find("code").get_text()) == nodes[rule.id]
                for clause in rule.clauses:
                    summary = " ".join(db.agreement.clause(clause).summary.split())
                    assert summary in " ".join(plain.get_text().split()), (db_id, rule.id)


def croissant_family(prefix: str):
    import casme3_compliance as c3

    return c3.load_family(lang=prefix.rstrip("/"))
