"""The family is data: a database the code has never seen answers as the data says."""

from __future__ import annotations

import pytest
from family_support import PRIVATE, SYNTHETIC, with_synthetic

import casme3_compliance as c3


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    return c3.load_family(with_synthetic(tmp_path_factory.mktemp("family")), cache=False)


def test_a_synthetic_database_is_loaded_and_answers_by_its_own_rule(family):
    db = family.db(SYNTHETIC)
    assert family.ids[-2:] == (SYNTHETIC, PRIVATE) and family.db().id == family.default
    part = db.subjects.parts[0]
    for n in range(1, 20):
        v = c3.verdict(f"z{n}", db)
        assert v.database == SYNTHETIC and v.subject == f"z{n:02d}"
        assert v.verdict == ("restricted" if n in part.list else "allowed")
        assert v.clause == (part.clause if v.restricted else part.allowed_clause)
        assert str(db.agreement.clause(v.clause).where) in v.message
    assert c3.verdict("Z-011", db).restricted and c3.verdict("7", db).allowed
    with pytest.raises(c3.RefError, match="of ZMED"):
        c3.parse_ref("spNO.131", db)


def test_every_database_of_the_family_answers(family):
    for db in family.databases:
        if db.subjects is None:
            assert c3.verdict("1", db).verdict == "unknown"
            continue
        part = db.subjects.parts[0]
        n = part.list[0] if part.list else part.min or 1
        v = c3.verdict(part.name_of(n), db)
        assert v.verdict in ("restricted", "allowed", "approval") and v.database == db.id
