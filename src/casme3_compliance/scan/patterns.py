"""The byte patterns the rules look for, in one place so the benchmark can mirror them.

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

# lower: spNO.<n> / spNo.<n>: a dot, space, tab or underscore (or nothing) before the number.
SPNO = re.compile(rb"sp ?no(?:\.[ \t]?|[ \t_])?0*(\d{1,6})(?!\d)")
SPNO_SEGMENT = re.compile(r"sp ?no(?:\.[ \t]?|[ \t_])?0*(\d{1,6})", re.IGNORECASE)

# lower: a path holding part_C / partC / part-C followed by a subject segment (12, sub12, s12).
PART_C_PATH = re.compile(
    rb"part[_-]?c[/\\](?:sub(?:ject)?|s)?[_-]?0*(\d{1,4})(?=$|[/\\._\-\s)\]}\"'>,;])"
)
# lower: any "part c"; when a chunk has none, the three Part C patterns are not run.
PART_C_GATE = re.compile(rb"part[\s~_-]?c(?![a-z0-9])")
# lower: "Part C subject 12", "Part C, subject no. 12".
PART_C_TEXT = re.compile(rb"part[\s~_-]?c,?[\s~]+subject[\s~]*(?:no\.?[\s~]*|#)?0*(\d{1,4})(?!\d)")
# lower: "subject 12 of Part C".
SUBJECT_OF_PART_C = re.compile(
    rb"subject[\s~]*(?:no\.?[\s~]*|#)?0*(\d{1,4})[\s~]+(?:of|in|from)[\s~]+part[\s~_-]?c"
    + rb"(?![a-z0-9])"
)

# lower: the database named as CAS(ME) with a superscript 3 in any notation. Group 1 is set
# when the 3 is written with a bare caret (CAS(ME)^3), right only inside math; group 2 when
# Pandoc's closing caret makes it a superscript (CAS(ME)^3^); group 3 when the 3 is plain
# (CAS(ME)3), which LaTeX prints on the line, not raised.
_SUPERSCRIPT_3 = (
    rb"(?:\$\s*\^\s*\{?\s*3\s*\}?\s*\$"  # $^3$ $^{3}$
    rb"|\\textsuperscript\s*\{\s*3\s*\}"  # \textsuperscript{3}
    rb"|<sup>\s*3\s*</sup>"  # <sup>3</sup>
    rb"|(\^\s*(?:\{\s*3\s*\}|3))(\^)?"  # ^3 ^{3}; group 2: Pandoc's ^3^
    rb"|\xc2\xb3"  # ³
    rb"|(3))"  # group 3: plain
)
CASME_PAREN = re.compile(rb"cas\s*\(\s*me\s*\)\s*" + _SUPERSCRIPT_3)
# lower: one pass finds both spellings' starts; each candidate is then matched in full.
NAME_GATE = re.compile(rb"cas(?:me|\s*\()")
# original case: CASME3, CASME-3, CASME_3, CASME 3, CASME III, CASME³ (never CASME II).
# Not followed by a letter, digit or underscore: `CASME3_SITE_URL` is an identifier, not a name.
CASME_PLAIN = re.compile(rb"CASME[ _-]?(?:3|III|\xc2\xb3)(?![A-Za-z0-9_])")

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

# Paths: the release layout of the database, as public loaders of CAS(ME)³ read it.
TASK_SEGMENT = re.compile(r"[a-m]", re.IGNORECASE)
FRAME_KIND = frozenset({"color", "depth"})
CLIP_SEGMENT = re.compile(r"sp ?no(?:\.[ \t]?|[ \t_])?0*(\d{1,6})_([a-m])_(\d+)", re.IGNORECASE)
WORKBOOK = re.compile(
    r"cas\(?me\)?(?:3|\u00b3|\^3|_?iii)[ _-]*part[ _-]*[abc](?![a-z0-9]).*\.(?:xlsx|xlsm|xls|csv)",
    re.IGNORECASE,
)
ARCHIVE = re.compile(
    r"cas\(?me\)?(?:3|\u00b3|\^3|_?iii)(?![a-z0-9]).*\.(?:zip|rar|7z|tar|tar\.gz|tgz|tar\.xz)",
    re.IGNORECASE,
)
PART_C_SEGMENT = re.compile(r"part[_-]?c", re.IGNORECASE)
SUBJECT_SEGMENT = re.compile(r"(?:sub(?:ject)?|s)?[_-]?0*(\d{1,4})(?=$|[._-])", re.IGNORECASE)

# Bytes that may not come right before a match of a pattern marked in WORD_START.
WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
CITE_BEFORE = WORD_BYTES | frozenset(b"_@")
# After a plain CAS(ME)3, these bytes (or LaTeX's \_) make it part of a file name
# (CAS(ME)3_part_A_v2.xls), not the name of the database in a sentence.
FILE_NAME_BYTES = WORD_BYTES | frozenset(b"_")
