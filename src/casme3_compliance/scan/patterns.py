"""The byte patterns of the scanner that belong to no database: citations, bibliographies,
suppression comments, image paths. What each database is recognised by (its names, the forms of
its subjects, its layout) is data: data/<id>/scan.yaml, compiled by spec.py.

Text is scanned as bytes: every pattern is ASCII (plus the UTF-8 bytes of ``³``), so a file
that is not valid UTF-8 is still checked, and positions need no decoding until a match is
found. Patterns marked *lower* run on ``bytes.lower()`` of the text (ASCII-only lowering keeps
every offset); the others run on the original bytes because case matters to them.
"""

from __future__ import annotations

import re

# The longest match any text pattern can make; the stream reader keeps this much overlap.
MAX_MATCH = 4096

# Patterns begin with a literal, never with a look-behind: Python's re then finds candidates
# with a fast substring search (a leading look-behind makes it try every byte, ~50x slower).
# The "no letter or digit before" check is done by the caller: see WORD_START below.

# original case: LaTeX citation commands (natbib, biblatex: \cite, \citep, \citet*, \parencite,
# \footcite, \cites, ...): group 1 the command, group 2 the first key list. Optional arguments
# in brackets, and biblatex's multicite arguments in parentheses, are skipped.
TEX_CITE = re.compile(
    rb"\\([A-Za-z]*cite[A-Za-z]*)\*?\s*(?:\([^()]{0,300}\)\s*){0,2}"
    rb"(?:\[[^\]]{0,300}\]\s*){0,2}\{([^{}]{0,2000})\}"
)
# original case: each further key list of a multicite command (\cites[see][3]{a}[][]{b}).
TEX_CITE_MORE = re.compile(rb"\s*(?:\[[^\]]{0,300}\]\s*){0,2}\{([^{}]{0,2000})\}")
# original case: the bibliography files a LaTeX manuscript declares (bibtex, biblatex).
TEX_BIBLIOGRAPHY = re.compile(
    rb"\\(?:bibliography|addbibresource|addglobalbib|addsectionbib)\s*"
    rb"(?:\[[^\]]{0,300}\]\s*)?\{([^{}]{0,2000})\}"
)
# original case: Pandoc citations, [@key], [see @key, p. 3; @other], @key in running text.
PANDOC_CITE = re.compile(rb"@\{?([A-Za-z0-9_][\w:.#$%&+?<>~/-]{0,300})")

# lower: an inline suppression, `casme3: ignore[CM301, CM302] -- reason`, found in a comment
# (the caller checks which); group 1 the codes between the brackets, None when none are given.
DIRECTIVE = re.compile(rb"casme3:[ \t]*ignore(?![a-z0-9_-])(?:[ \t]*\[([^\]\r\n]{0,300})\])?")

# lower: the context of an image path, for messages.
INCLUDEGRAPHICS = re.compile(rb"\\includegraphics\s*(?:\[[^\]]{0,300}\])?\s*\{([^{}]{0,1000})\}")
MD_IMAGE = re.compile(rb"!\[[^\]\n]{0,500}\]\(\s*<?([^)\s>]{1,1000})")

# Bytes that may not come right before a match of a pattern marked in WORD_START.
WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
CITE_BEFORE = WORD_BYTES | frozenset(b"_@")
# After a plain CAS(ME)3, these bytes (or LaTeX's \_) make it part of a file name
# (CAS(ME)3_part_A_v2.xls), not the name of the database in a sentence.
FILE_NAME_BYTES = WORD_BYTES | frozenset(b"_")
