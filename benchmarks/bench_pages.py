"""Page weight and Lighthouse scores of this site against a plain Material twin (issue 12).

Why: every widget, stylesheet and `/api` file we add is paid for by each reader on a phone. Both
our built site and its plain Material twin (`baseline/bare_site.py`: Material with the search
plugin, same pages, same text, no features, no extensions, none of our own code) are served
the way GitHub Pages serves them (gzip, from 127.0.0.1) and measured in the same run:

(a) bytes a first visit transfers (compressed, every request the page makes, workers included),
    from Chromium's own network log, for `/`, the default database's `/<id>/subjects/`,
    `/self-check/` and `/compare/` of each edition (`--weight-all`: every page); budget: ours at
    most 5% more than the plain twin of the same page;
(b) Lighthouse 12.8.2 (mobile preset) on every page of ours (`--sample`: one of each kind per
    edition) and on the bare home page (`--twins`: each page's twin); budget: accessibility,
    best practices and SEO 100, performance 100 (99 when the twin also scored below 100 in the
    same run). Failing audits are listed with Lighthouse's own details so they can be fixed.

A report, not a test: it exits 0 whether budgets are met or not, and non-zero only when it could
not measure (no browser, a build failure, Lighthouse crashing).
"""

from __future__ import annotations

import argparse
import gzip
import json
import mimetypes
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from baseline import bare_site

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Flags that keep Chromium from calling home (field notes); only 127.0.0.1 resolves.
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=AutofillServerCommunication",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def _default() -> str:
    """The default database's id: its pages are where the site's were before the family."""
    from casme3_compliance import load_family

    return load_family().default


def _editions() -> list[str]:
    """The folders of the editions other than the default one (`zh/`), as the data ships them."""
    from casme3_compliance import load_family

    family = load_family()  # in the default language
    return [f"{x['code']}/" for x in family.shipped if x["code"] != family.lang]


def _shape(path: str) -> str:
    """A page's kind: its path with a database's id and a rule's code left out
    (`/zh/casme2/terms/` -> `/zh/<db>/terms/`), so one page of each kind can stand for all."""
    from casme3_compliance import load_family

    family = load_family()
    names = {**{i: "<db>" for i in family.ids}, **{r.code: "<rule>" for r in family.rules}}
    return "/".join(names.get(part, part) for part in path.split("/"))


def sample(pages: list[str]) -> list[str]:
    """One page of each kind (_shape) in each edition, the default database's where it has one."""
    chosen: dict[str, str] = {}
    for path in sorted(pages, key=lambda p: f"/{DEFAULT}/" not in p):
        chosen.setdefault(_shape(path), path)
    return sorted(chosen.values())


DEFAULT = _default()
EDITIONS = _editions()
_EACH = ["/", f"/{DEFAULT}/subjects/", "/self-check/", "/compare/"]
WEIGHT_PAGES = _EACH + [f"/{e}{p.lstrip('/')}" for e in EDITIONS for p in _EACH[:3]]
QUICK_PAGES = [*WEIGHT_PAGES, f"/{DEFAULT}/terms/"]
WEIGHT_BUDGET = 1.05
SCORE_BUDGET = {"performance": 1.0, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
PERF_EXCUSED = 0.99
"""Performance 99 counts as met when the bare twin scored below 100 in the same run (the page's
own twin with --twins, else the bare home page): the machine was slower then, not the page."""
CATEGORIES = list(SCORE_BUDGET)

# What GitHub Pages compresses; images and fonts are sent as they are.
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")
COMPRESSIBLE_EXTRA = ("application/xml", "application/manifest+json")


# --------------------------------------------------------------------------- gzip server


class GzipHandler(BaseHTTPRequestHandler):
    """Static files from `root` as GitHub Pages sends them: gzip, index.html, 404.html."""

    root: Path
    cache: dict[tuple[Path, float], bytes]
    lock: threading.Lock
    sent: list[tuple[str, int]]  # (path, bytes incl. status line and headers), for cross-checks
    aliases: dict[str, str]  # a path served from another (the twin's edition index, per visit)
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # Quiet: the tables are the output.
        pass

    def end_headers(self) -> None:
        self._head_bytes = sum(len(line) for line in getattr(self, "_headers_buffer", [])) + 2
        super().end_headers()

    def _log_sent(self, body: int) -> None:
        with self.lock:
            self.sent.append((urlsplit(self.path).path, self._head_bytes + body))

    def _resolve(self) -> tuple[HTTPStatus, Path | None, str | None]:
        path = unquote(urlsplit(self.path).path)
        path = self.aliases.get(path, path)
        target = (self.root / path.lstrip("/")).resolve()
        if self.root not in (target, *target.parents):
            return HTTPStatus.NOT_FOUND, self.root / "404.html", None
        if target.is_dir():
            if not path.endswith("/"):
                return HTTPStatus.MOVED_PERMANENTLY, None, path + "/"
            target = target / "index.html"
        if target.is_file():
            return HTTPStatus.OK, target, None
        return HTTPStatus.NOT_FOUND, self.root / "404.html", None

    def _body(self, file: Path, compress: bool) -> bytes:
        data = file.read_bytes()
        if not compress:
            return data
        key = (file, file.stat().st_mtime)
        with self.lock:
            cached = self.cache.get(key)
        if cached is None:
            cached = gzip.compress(data, compresslevel=6, mtime=0)
            with self.lock:
                self.cache[key] = cached
        return cached

    def _respond(self, head_only: bool) -> None:
        status, file, location = self._resolve()
        if location is not None:
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self._log_sent(0)
            return
        if file is None or not file.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        compress = ctype.startswith(COMPRESSIBLE + COMPRESSIBLE_EXTRA) and "gzip" in (
            self.headers.get("Accept-Encoding") or ""
        )
        body = self._body(file, compress)
        self.send_response(status)
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        self.send_header("Content-Type", ctype)
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Last-Modified", formatdate(file.stat().st_mtime, usegmt=True))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)
        self._log_sent(0 if head_only else len(body))

    def do_GET(self) -> None:
        self._respond(head_only=False)

    def do_HEAD(self) -> None:
        self._respond(head_only=True)


@dataclass
class Served:
    base: str  # http://127.0.0.1:<port>
    sent: list[tuple[str, int]]  # what the server sent, in order; cleared per visit
    aliases: dict[str, str]  # paths served from other paths, set per visit


@contextmanager
def serve(root: Path):
    """Serve `root` on 127.0.0.1 (a free port) in a thread; yields its URL and send log."""
    sent: list[tuple[str, int]] = []
    aliases: dict[str, str] = {}
    handler = type(
        "Handler",
        (GzipHandler,),
        {
            "root": root.resolve(),
            "cache": {},
            "lock": threading.Lock(),
            "sent": sent,
            "aliases": aliases,
        },
    )
    server = _QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}", sent, aliases)
    finally:
        server.shutdown()
        server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser closing its connection early (Lighthouse does, at the end of a run) is
        not an error of the site; anything else is printed as usual."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


# --------------------------------------------------------------------------- (a) page weight


@dataclass
class Visit:
    """Every response of one first visit, with the bytes that crossed the wire."""

    url: str
    resources: dict[str, tuple[str, int]] = field(default_factory=dict)  # path -> (type, bytes)
    failed: list[str] = field(default_factory=list)
    server_total: int = 0  # what the server says it sent, as a cross-check

    @property
    def total(self) -> int:
        return sum(size for _, size in self.resources.values())

    def by_type(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for kind, size in self.resources.values():
            out[kind] += size
        return out


def first_visit(browser: Any, served: Served, path: str, settle_ms: int) -> Visit:
    """Load a page in a fresh context (empty cache) and record every transfer.

    Bytes come from CDP `Network.loadingFinished.encodedDataLength` (compressed body plus
    headers, as DevTools' "transferred"). A dedicated worker's own requests (Material's search
    worker script) are not in the page's CDP log in current Chromium; those are taken from the
    server's log of what it sent, typed "Worker", so nothing the visit downloads is missed.
    """
    context = browser.new_context()
    page = context.new_page()
    visit = Visit(served.base + path)
    pending: dict[str, tuple[str, str]] = {}

    def on_response(ev: dict[str, Any]) -> None:
        pending[ev["requestId"]] = (ev["response"]["url"], ev.get("type", "Other"))

    def on_finished(ev: dict[str, Any]) -> None:
        url_kind = pending.pop(ev["requestId"], None)
        if url_kind:
            u, kind = url_kind
            res = urlsplit(u).path or "/"
            old = visit.resources.get(res, (kind, 0))[1]
            visit.resources[res] = (kind, old + int(ev["encodedDataLength"]))

    def on_failed(ev: dict[str, Any]) -> None:
        url_kind = pending.pop(ev["requestId"], None)
        visit.failed.append(url_kind[0] if url_kind else ev.get("errorText", "?"))

    cdp = context.new_cdp_session(page)
    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.loadingFailed", on_failed)
    cdp.send("Network.enable")
    served.sent.clear()
    page.goto(visit.url, wait_until="networkidle")
    page.wait_for_timeout(settle_ms)
    page.wait_for_load_state("networkidle")
    context.close()
    sent = list(served.sent)
    visit.server_total = sum(n for _, n in sent)
    for res, n in sent:
        if res not in visit.resources:
            visit.resources[res] = ("Worker", n)
    return visit


def measure_weight(
    ours: Served, bare: Served, runs: int, settle_ms: int, paths: list[str]
) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, tuple[Visit, Visit]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=QUIET_FLAGS)
        for path in paths:
            o = [first_visit(browser, ours, path, settle_ms) for _ in range(runs)]
            # Ours has a search index per edition; the twin's pages all ask for the root's, so
            # it is served the index of the edition the page is in (bare_site.split_search).
            bare.aliases.clear()
            prefix = next((e for e in EDITIONS if path.startswith(f"/{e}")), "")
            if prefix:
                bare.aliases[f"/{bare_site.INDEX}"] = f"/{prefix}{bare_site.INDEX}"
            b = [first_visit(browser, bare, path, settle_ms) for _ in range(runs)]
            # Same bytes every time unless something is lazy; keep the largest, the worst case.
            results[path] = (max(o, key=lambda v: v.total), max(b, key=lambda v: v.total))
        browser.close()
    return results


def kb(n: float) -> str:
    return f"{n / 1024:.1f}"


def print_weight(results: dict[str, tuple[Visit, Visit]], detail: bool = True) -> list[str]:
    """The table, then for each page (only the pages over budget unless `detail`) its bytes by
    type and every request that differs."""
    misses = []
    print("(a) First-visit transfer, gzip, compressed bytes incl. headers (KiB)")
    print(f"  {'page':<28} {'ours':>7} {'bare':>7} {'ratio':>6}  budget <= {WEIGHT_BUDGET:.2f}")
    for path, (ours, bare) in results.items():
        ratio = ours.total / bare.total
        verdict = "PASS" if ratio <= WEIGHT_BUDGET else "MISS"
        if verdict == "MISS":
            misses.append(path)
        print(f"  {path:<28} {kb(ours.total):>7} {kb(bare.total):>7} {ratio:>6.3f}  {verdict}")
    ratios = [o.total / b.total for o, b in results.values()]
    print(f"  {len(ratios)} pages: ratio {min(ratios):.3f} to {max(ratios):.3f}")
    for path, (ours, bare) in results.items():
        if not detail and path not in misses:
            continue
        print(f"\n  {path}: by type (KiB)  ours / bare / difference")
        ours_t, bare_t = ours.by_type(), bare.by_type()
        for kind in sorted(set(ours_t) | set(bare_t), key=lambda k: -ours_t.get(k, 0)):
            o, b = ours_t.get(kind, 0), bare_t.get(kind, 0)
            print(f"    {kind:<12} {kb(o):>7} {kb(b):>7} {(o - b) / 1024:>+7.1f}")
        print("    requests: ours / bare / difference (bytes)")
        for res in sorted(set(ours.resources) | set(bare.resources)):
            o = ours.resources.get(res, ("", 0))[1]
            b = bare.resources.get(res, ("", 0))[1]
            if o != b:
                print(f"    {res:<44} {o:>7} {b:>7} {o - b:>+7}")
        for v, name in ((ours, "ours"), (bare, "bare")):
            for f in v.failed:
                print(f"    FAILED ({name}): {f}")
            print(f"    check ({name}): browser+worker {v.total} B, server sent {v.server_total} B")
    print()
    return misses


# --------------------------------------------------------------------------- (b) Lighthouse


def lighthouse_bin() -> Path:
    """Lighthouse from benchmarks/node_modules, installed from the lock file when missing."""
    binary = HERE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        npm = shutil.which("npm")
        if not npm:
            raise SystemExit("npm not found: Lighthouse needs Node.js 18+ and npm")
        print("benchmarks/node_modules missing: npm ci ...", flush=True)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True)
    return binary


def _quote_flag(flag: str) -> str:
    """Lighthouse splits --chrome-flags with yargs-parser: quote a value that has spaces."""
    name, eq, value = flag.partition("=")
    return f'{name}="{value}"' if eq and " " in value else flag


def lighthouse(url: str, out: Path, timeout: int) -> dict[str, Any]:
    flags = " ".join(["--headless", *map(_quote_flag, QUIET_FLAGS)])
    cmd = [
        str(lighthouse_bin()),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={flags}",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode or not out.exists():
        raise RuntimeError(f"lighthouse {url} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse {url}: {report['runtimeError']}")
    return report


METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}


# Metric -> the audit that names its cause (element or script).
DIAGNOSE = {
    "cumulative-layout-shift": "layout-shifts",
    "total-blocking-time": "bootup-time",
    "largest-contentful-paint": "largest-contentful-paint-element",
}


def _short(url: str) -> str:
    """A served URL without its throw-away origin."""
    parts = urlsplit(url)
    return (parts.path + ("#" + parts.fragment if parts.fragment else "")) if parts.port else url


def _evidence(audit: dict[str, Any], limit: int) -> list[str]:
    """Lighthouse's own evidence for a failing audit: elements (with why) or URLs."""
    items = [i for i in ((audit.get("details") or {}).get("items") or []) if isinstance(i, dict)]
    lines: list[str] = []
    why: list[str] = []
    for item in items[:limit]:
        node = item.get("node")
        if node:
            snippet = " ".join(str(node.get("snippet", "")).split())
            lines.append(f"{node.get('selector', '')}  {_short(snippet)}"[:220])
            expl = " ".join(str(node.get("explanation", "")).split())
            if expl and expl not in why:
                why.append(expl)
        elif item.get("url"):
            extra = [
                f"{k}={round(item[k])}" for k in ("wastedBytes", "wastedMs", "total") if k in item
            ]
            lines.append(" ".join([_short(str(item["url"])), *extra]))
        elif item.get("groupLabel"):
            lines.append(f"{item['groupLabel']}: {round(item.get('duration') or 0)} ms")
        else:
            text = item.get("description") or item.get("label") or item.get("value")
            if isinstance(text, str):
                lines.append(text[:200])
    if len(items) > limit:
        lines.append(f"... {len(items) - limit} more ({len(items)} in all)")
    return lines + [f"why: {w[:400]}" for w in why]


def failing_audits(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Audits that cost points: weighted a11y/BP/SEO audits not passed; for performance the
    metrics below 0.9 and the opportunities with estimated savings (insight duplicates left out).
    """
    out: dict[str, dict[str, Any]] = {}
    for cid in CATEGORIES:
        for ref in report["categories"][cid]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            score = audit.get("score")
            if score is None or audit.get("scoreDisplayMode") in ("notApplicable", "manual"):
                continue
            if cid == "performance":
                savings = any((v or 0) > 0 for v in (audit.get("metricSavings") or {}).values())
                metric = ref.get("weight", 0) > 0
                if (metric and score < 0.9) or (
                    not metric and savings and score < 1 and not ref["id"].endswith("-insight")
                ):
                    out[ref["id"]] = audit | {"category": cid}
            elif ref.get("weight", 0) > 0 and score < 1:
                out[ref["id"]] = audit | {"category": cid}
    # A weak metric: add the diagnostic that says which element or script causes it.
    audits = report["audits"]
    for metric, diagnostic in DIAGNOSE.items():
        m, d = audits.get(metric) or {}, audits.get(diagnostic) or {}
        weak = (m.get("score") or 0) < 0.9 or (
            metric == "cumulative-layout-shift" and (m.get("numericValue") or 0) > 0
        )
        if weak and m.get("score") is not None and (d.get("details") or {}).get("items"):
            out.setdefault(diagnostic, d | {"category": "performance"})
    return out


def _perf(report: dict[str, Any]) -> float:
    return report["categories"]["performance"]["score"] or 0.0


def run_lighthouse(
    targets: list[tuple[str, str]], out_dir: Path, timeout: int, runs: int
) -> list[tuple[str, dict[str, Any]]]:
    """Lighthouse on each target, keeping the run with the best performance score.

    Best of up to `runs`, as for build times: other load on the machine only ever lengthens
    the main-thread tasks Lighthouse multiplies into TBT, so the best run is the closest to the
    page's own cost. A page stops early once it meets the performance budget. The other
    categories do not depend on timing.
    """
    reports = []
    for label, url in targets:
        path = label.removeprefix("bare ")
        slug = ("bare-" if path != label else "") + (path.strip("/").replace("/", "_") or "home")
        done: list[dict[str, Any]] = []
        for n in range(runs):
            start = time.perf_counter()
            done.append(lighthouse(url, out_dir / f"{slug}.{n + 1}.json", timeout))
            took = time.perf_counter() - start
            perf = round(_perf(done[-1]) * 100)
            print(
                f"  lighthouse {label:<26} run {n + 1}: perf {perf:>3}  {took:4.0f} s", flush=True
            )
            if _perf(done[-1]) >= SCORE_BUDGET["performance"]:
                break
        reports.append((label, max(done, key=_perf)))
    return reports


def print_scores(reports: list[tuple[str, dict[str, Any]]], runs: int) -> list[str]:
    best = f", best performance of up to {runs} runs" if runs > 1 else ""
    print(f"\n(b) Lighthouse 12.8.2, mobile, served with gzip (scores x100{best})")
    print(
        f"  {'page':<26} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4}  "
        f"{'FCP':>6} {'LCP':>6} {'TBT':>7} {'CLS':>5} {'SI':>6} {'KiB':>6}"
    )
    misses: list[str] = []
    ours: dict[str, dict[str, Any]] = {}  # audit id -> {pages: {label: audit}}
    bare_fails: set[str] = set()
    twins = {
        label.removeprefix("bare "): _perf(r)
        for label, r in reports
        if label != label.removeprefix("bare ")
    }
    for label, report in reports:
        scores = [report["categories"][c]["score"] for c in CATEGORIES]
        cells = " ".join(f"{'-' if v is None else round(v * 100):>4}" for v in scores)
        metrics = " ".join(
            f"{report['audits'][m].get('displayValue', '-').replace(chr(160), ''):>{w}}"
            for m, w in zip(METRICS, (6, 6, 7, 5, 6), strict=True)
        )
        weight = report["audits"].get("total-byte-weight", {}).get("numericValue") or 0
        ok = all(
            v is not None and v >= SCORE_BUDGET[c] for c, v in zip(CATEGORIES, scores, strict=True)
        )
        twin = twins.get(label, twins.get("/"))
        excused = (
            not ok
            and all(
                v is not None and v >= SCORE_BUDGET[c]
                for c, v in zip(CATEGORIES[1:], scores[1:], strict=True)
            )
            and _perf(report) >= PERF_EXCUSED
            and twin is not None
            and twin < SCORE_BUDGET["performance"]
        )
        bare = label.startswith("bare ")
        verdict = "" if bare else ("PASS" if ok else "PASS (twin < 100)" if excused else "MISS")
        ok = ok or excused
        print(f"  {label:<26} {cells}  {metrics} {kb(weight):>6}  {verdict}")
        fails = failing_audits(report)
        if bare:
            bare_fails.update(fails)
            continue
        if not ok:
            misses.append(label)
        for aid, audit in fails.items():
            cat = report["categories"][audit["category"]]["score"] or 0
            if cat >= SCORE_BUDGET[audit["category"]]:
                continue  # Only explain categories below budget on that page.
            ours.setdefault(aid, {"audit": audit, "pages": {}})["pages"][label] = audit
    print(
        f"  budget: perf {SCORE_BUDGET['performance'] * 100:.0f} ({PERF_EXCUSED * 100:.0f} when "
        "the bare twin is below 100 in the same run), a11y/bp/seo 100"
    )
    bare_perf = [_perf(r) for label, r in reports if label == "bare /"]
    if bare_perf and bare_perf[0] < SCORE_BUDGET["performance"]:
        print(
            f"  note: the bare page itself scored {bare_perf[0] * 100:.0f} on performance: the "
            "machine was busy, so\n  performance misses above may be load, not the page "
            "(rerun with more --lh-runs)."
        )
    if ours:
        print("\n  What costs points on our pages (categories below budget on that page):")
    order = sorted(
        ours.items(), key=lambda kv: (CATEGORIES.index(kv[1]["audit"]["category"]), kv[0])
    )
    for aid, entry in order:
        audit = entry["audit"]
        also = "  (fails on the bare page too)" if aid in bare_fails else ""
        print(f"\n  [{audit['category']}] {aid}: {audit['title']}{also}")
        print(f"    pages ({len(entry['pages'])}): {', '.join(entry['pages'])}")
        seen: dict[str, str] = {}  # evidence -> first page that showed it
        limit = 3 if audit["category"] == "performance" else 5
        for label, a in entry["pages"].items():
            lines = _evidence(a, limit)
            value = a.get("displayValue") or ""
            print(f"    {label}: score {a.get('score')}{'; ' + value if value else ''}")
            key = "\n".join(lines)
            if key and key in seen:
                print(f"      (same evidence as {seen[key]})")
                continue
            seen.setdefault(key, label)
            for line in lines:
                print(f"      {line}")
    print()
    return misses


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=f"Lighthouse on {QUICK_PAGES} only")
    ap.add_argument(
        "--page", action="append", default=[], help="Lighthouse on this page only (repeatable)"
    )
    ap.add_argument(
        "--sample", action="store_true", help="Lighthouse on one page of each kind per edition"
    )
    ap.add_argument(
        "--twins", action="store_true", help="Lighthouse on each chosen page's bare twin too"
    )
    ap.add_argument("--no-lighthouse", action="store_true", help="page weight only")
    ap.add_argument(
        "--weight-all", action="store_true", help="first-visit bytes of every page, not a sample"
    )
    ap.add_argument("--no-weight", action="store_true", help="Lighthouse only")
    ap.add_argument("--runs", type=int, default=2, help="first visits per page, worst kept (2)")
    ap.add_argument("--settle-ms", type=int, default=1500, help="wait after network idle (1500)")
    ap.add_argument(
        "--lh-runs", type=int, default=3, help="Lighthouse runs per page at most, best kept (3)"
    )
    ap.add_argument("--timeout", type=int, default=180, help="seconds per Lighthouse run (180)")
    ap.add_argument("--keep", type=Path, help="copy the Lighthouse JSON reports into this dir")
    ap.add_argument(
        "--rich-twin",
        action="store_true",
        help="against the earlier twin with our features, palette and Markdown extensions",
    )
    ap.add_argument("--site", type=Path, help="measure this built site instead of building one")
    args = ap.parse_args(argv)

    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="casme3-bench-pages-") as tmp:
        root = Path(tmp)
        ours = args.site.resolve() if args.site else bare_site.build_ours(root / "ours")
        bare_cfg = bare_site.write_bare_project(ours, root / "bare", args.rich_twin)
        bare = root / "bare-site"
        bare_site.build(bare_cfg, bare)
        bare_site.split_search(bare, EDITIONS, ours)
        pages = ["/" + p.removesuffix("index.html") for p in bare_site.pages(ours)]
        print(f"Our site: {len(pages)} pages; bare twin built from the same text.\n")

        weight_misses: list[str] = []
        score_misses: list[str] = []
        with serve(ours) as our_srv, serve(bare) as bare_srv:
            our_base, bare_base = our_srv.base, bare_srv.base
            if not args.no_weight:
                chosen = pages if args.weight_all else WEIGHT_PAGES
                results = measure_weight(our_srv, bare_srv, args.runs, args.settle_ms, chosen)
                weight_misses = print_weight(results, detail=not args.weight_all)
            if not args.no_lighthouse:
                chosen = [p for p in pages if p in QUICK_PAGES] if args.quick else pages
                if args.sample:
                    chosen = sample(pages)
                if args.page:
                    chosen = [p for p in pages if p in args.page]
                targets = [(p, our_base + p) for p in chosen]
                twins = chosen if args.twins else ["/"]
                targets += [(f"bare {p}", bare_base + p) for p in twins]
                reports_dir = root / "lighthouse"
                reports_dir.mkdir()
                reports = run_lighthouse(targets, reports_dir, args.timeout, args.lh_runs)
                score_misses = print_scores(reports, args.lh_runs)
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    for f in reports_dir.iterdir():
                        shutil.copy2(f, args.keep / f.name)

    print("Summary")
    if not args.no_weight:
        print(f"  page weight: {'MISS ' + ', '.join(weight_misses) if weight_misses else 'PASS'}")
    if not args.no_lighthouse:
        print(f"  Lighthouse:  {'MISS ' + ', '.join(score_misses) if score_misses else 'PASS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
