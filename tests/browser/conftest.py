"""The built site served on 127.0.0.1 under a sub-path, and one headless Chromium per session.

The site is built from a copy of data/ that adds two databases the code has never seen
(test_site.with_site_family: a synthetic public one and one whose agreement is not public), so
that every page, tool and redirect is tried with the project's databases and with those; and
in every language of data/i18n/languages.yaml, a draft too (CASME3_PREVIEW_LANGUAGES), so that
each edition is served beside the default one as it will be once shipped.

This folder is a package so that its conftest does not shadow tests/conftest.py, which the
modules here import as `conftest` (ROOT, VECTORS, require_program).
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, missing, require_program
from test_site import with_site_family

import casme3_compliance as c3

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

# Quiet Chromium, and no name but 127.0.0.1 resolves: a request to any other host fails loudly.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=AutofillServerCommunication",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SUB_PATH = "project/"  # served below a sub-path, as on a project's GitHub Pages


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_data(tmp_path_factory):
    """The data the served site is built from: data/ and the two synthetic databases."""
    return with_site_family(tmp_path_factory.mktemp("browser-data"))


@pytest.fixture(scope="session")
def site_family(site_data):
    """The family the served site shows."""
    return c3.load_family(site_data, cache=False)


def other_languages() -> list[dict[str, str]]:
    """Every language of data/i18n/languages.yaml but the default, with its edition's folder."""
    family = c3.load_family(ROOT / "data")
    return [{**x, "prefix": f"{x['code']}/"} for x in family.languages if x["code"] != family.lang]


@pytest.fixture(scope="session")
def base_url(tmp_path_factory, site_data) -> Iterator[str]:
    """The site's root URL, e.g. http://127.0.0.1:40123/casme3/.

    The server starts first so the build can be told its address: Material's instant navigation
    only takes over links that the sitemap (written from `site_url`) lists.
    """
    root = tmp_path_factory.mktemp("served")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    url = f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / SUB_PATH)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "CASME3_SITE_URL": url,
            "CASME3_DATA_DIR": str(site_data),
            "CASME3_PREVIEW_LANGUAGES": ",".join(x["code"] for x in other_languages()),
        },
        timeout=300,
    )
    if result.returncode != 0:
        server.server_close()
        pytest.fail(f"mkdocs build --strict failed:\n{result.stderr}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="session")
def axe() -> str:
    """Path of axe-core's browser build, injected into each page."""
    if not AXE.is_file():
        missing(f"{AXE.relative_to(ROOT)} not found: run `npm ci` (or `make test`)")
    return str(AXE)


@pytest.fixture(scope="session")
def browser():
    executable = require_program("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A page with what it logged and fetched since `clear()`."""

    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.errors.clear()
        self.requests.clear()

    def goto(self, path: str = "") -> Response | None:
        """Open a page of the site and wait until its tools have their data."""
        response = self.page.goto(self.base_url + path)
        self.wait_for_tools()
        return response

    def wait_for_tools(self) -> None:
        """Wait until every tool of the page has started, turn to each (a tool fetches the data
        it answers from then, as for a reader's focus), and wait until each can answer."""
        self.page.wait_for_function(
            """() => [...document.querySelectorAll('[data-la-widget]')]
              .every((w) => !w.hidden || w.classList.contains('la-failed'))"""
        )
        self.page.evaluate(
            """() => document.querySelectorAll('[data-la-widget]')
              .forEach((w) => w.dispatchEvent(new FocusEvent('focusin')))"""
        )
        self.page.wait_for_function(
            """() => [...document.querySelectorAll('[data-la-widget]')]
              .every((w) => w.dataset.laReady || w.classList.contains('la-failed'))"""
        )

    def foreign_requests(self) -> list[str]:
        host = urlsplit(self.base_url).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != host
        ]


def open_tab(context, base_url: str) -> Tab:
    page = context.new_page()
    tab = Tab(page, base_url)
    page.on(
        "console",
        lambda m: (
            tab.errors.append(f"console: {m.text} ({m.location})") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: tab.errors.append(f"pageerror: {e}"))
    page.on("request", lambda r: tab.requests.append(r.url))
    return tab


@pytest.fixture
def context(browser, base_url):
    """A fresh profile per test (empty storage), allowed to use the clipboard on the site."""
    context = browser.new_context(accept_downloads=True)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    yield context
    context.close()


@pytest.fixture
def tab(context, base_url) -> Iterator[Tab]:
    """A page of the site; the test fails if anything logged an error or left 127.0.0.1."""
    tab = open_tab(context, base_url)
    yield tab
    assert tab.errors == [], tab.errors
    assert tab.foreign_requests() == []
