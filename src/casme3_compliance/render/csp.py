"""The Content-Security-Policy every built page carries, as a <meta> tag.

Our own code needs no inline script; the theme's few inline scripts (palette, tabs, the base
URL) are allowed by their SHA-256, computed from the page itself, so the policy can say
`script-src 'self'` and nothing else runs. Everything else comes from the site's own host.
"""

from __future__ import annotations

import base64
import hashlib
import re

# Inline <script> elements that run: no src, and no data type such as application/json.
_INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:json|ld\+json)\")[^>]*>"
    r"(?P<body>.*?)</script>",
    re.S,
)
POLICY = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def policy(html: str) -> str:
    """The policy for one page: its own inline scripts allowed by hash, nothing else inline."""
    hashes = sorted(
        {
            "'sha256-"
            + base64.b64encode(hashlib.sha256(m["body"].encode("utf-8")).digest()).decode()
            + "'"
            for m in _INLINE.finditer(html)
        }
    )
    return POLICY.format(hashes=" ".join(hashes)).replace("'self' ;", "'self';")


def add_meta(html: str) -> str:
    """`html` with the policy as the first element of <head>, before anything it governs."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    return re.sub(r"<head>", "<head>\n  " + meta, html, count=1)
