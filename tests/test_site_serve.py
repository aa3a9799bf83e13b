"""`mkdocs serve`: an edit to one data file shows on the next rebuild, and that rebuild is a
plain build (the data read and validated once, nothing written where serve watches).

A serve rebuild loads the config again and builds in the same process, so the hooks module,
the macros module and the package's in-process caches live on between builds: that is what
is tested here, with two builds in one process and an edit in between.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, FAMILY, ROOT
from mkdocs.commands.build import build
from mkdocs.config import load_config

import casme3_compliance as c3
from casme3_compliance.knowledge import loader
from casme3_compliance.render.markdown import url


def test_serve_watches_the_data_the_code_and_the_pages():
    config = load_config(str(ROOT / "mkdocs.yml"))
    watched = {Path(p).resolve() for p in config.watch}
    assert {DATA.resolve(), (ROOT / "src").resolve(), (ROOT / "macros").resolve()} <= watched
    # docs/ is watched by MkDocs itself.
    assert Path(config.docs_dir).resolve() == (ROOT / "docs").resolve()


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_a_data_edit_shows_in_the_next_rebuild_of_the_same_process(tmp_path, monkeypatch):
    data = shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.setenv("CASME3_DATA_DIR", str(data))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    site = tmp_path / "site"
    db = FAMILY.db()
    terms = site / url(db, "terms") / "index.html"

    def rebuild() -> str:
        config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site), strict=True)
        build(config)
        return terms.read_text("utf-8")

    before = rebuild()
    old = "site.heading.terms: "
    messages = data / "i18n" / FAMILY.lang / "messages" / "site.yaml"
    text = messages.read_text("utf-8")
    assert old in text
    messages.write_text(text.replace(old, old + '"{name}: edited while serving" #', 1), "utf-8")
    assert "edited while serving" not in before

    reads = []
    real_read = loader._read

    def counted(*args, **kwargs):
        reads.append(args)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(loader, "_read", counted)
    watched_before = {"data": _stamps(data), "docs": _stamps(ROOT / "docs")}
    after = rebuild()
    assert f"{db.name}: edited while serving" in after  # a generated page, no macro pass
    # One read and validation of the edited data for the whole build (every language, every
    # page, the macros and the hooks), and nothing written where serve watches (which would
    # start another rebuild).
    assert len(reads) == 1, reads
    assert {"data": _stamps(data), "docs": _stamps(ROOT / "docs")} == watched_before


@pytest.fixture(autouse=True)
def _fresh_loader():
    """The builds here load the copy; later tests load the project's data again."""
    yield
    loader.forget()


def test_every_generated_page_comes_rendered_without_the_macro_pass():
    """The hooks write each generated page already rendered by the package, marked for
    mkdocs-macros to leave alone; a page whose renderer they do not know would be written as
    its macro call, which the built site's own test (no `{{` left) then covers."""
    import importlib.util

    from casme3_compliance.render import croissant, pages

    spec = importlib.util.spec_from_file_location("site_hooks", ROOT / "macros" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    every = [FAMILY] + [
        c3.load_family(DATA, lang=x["code"]) for x in FAMILY.shipped if x["code"] != FAMILY.lang
    ]
    site = FAMILY.profile["site_url"]
    documents = {
        db.id: croissant.document(every, db.id, site)
        for db in FAMILY.databases
        if pages.has_policy(db)
    }
    docs, _ = hooks.generated(FAMILY, "", "", documents)
    assert len(docs) > len(FAMILY.databases) * 3
    for path, text in docs.items():
        assert text.startswith("---\nrender_macros: false\n"), path
    # A slug whose renderer is nowhere known: its macro call, for mkdocs-macros.
    db = FAMILY.db()
    assert pages.page_markdown(db, "terms", pages.linker("casme3/terms.md")) is not None
    unknown = dict(pages._MACROS, terms="no_such_renderer")
    original = pages._MACROS
    try:
        pages._MACROS = unknown
        assert pages.page_markdown(db, "terms", pages.linker("casme3/terms.md")) is None
    finally:
        pages._MACROS = original
