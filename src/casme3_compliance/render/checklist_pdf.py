"""The checklists as a fillable A4 PDF.

Drawn on a plain reportlab canvas (not platypus) because each item needs a real AcroForm check
box placed next to its own wrapped text, and an item must never be split from its box by a page
break. Call it through checklist.render_pdf, which caches the result.

Text in any script is real text, extractable and searchable: Latin in Helvetica, and whatever
Helvetica's encoding lacks (Chinese, Japanese, Korean) in reportlab's built-in CID font
STSong-Light, which every PDF reader knows: no font file is shipped or fetched, the reader
supplies the glyphs. A line of such text breaks between any two ideographs (there are no word
spaces), never before a closing mark (a full stop, a comma, a closing bracket or quote)
nor after an opening one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from casme3_compliance.terminal import wrap


@dataclass(frozen=True)
class Item:
    id: str  # the check box's name
    text: str
    refs: str  # the clauses it comes from, in words


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Sheet:
    """Everything the PDF says, in words: the caller (checklist.render_pdf) decides them, in
    its language. `page` (`{number}`, `{total}`), `continued` (`{title}`) and `box` (`{text}`,
    `{refs}`: a check box's tooltip) are templates."""

    title: str
    version: str
    disclaimer: str
    footer: str
    page: str
    continued: str
    box: str
    sections: tuple[Section, ...]

    @classmethod
    def from_dict(cls, d: dict) -> Sheet:
        sections = tuple(
            Section(s["title"], s["intro"], tuple(Item(**i) for i in s["items"]))
            for s in d["sections"]
        )
        words = (d[k] for k in ("title", "version", "disclaimer", "footer", "page", "continued"))
        return cls(*words, d["box"], sections)


# Helvetica ships with every PDF reader and its WinAnsi encoding covers the data's ³ and curly
# quotes; a character outside WinAnsi would print as a black square, so it is set in the CID
# font instead (registered on first use: loading its metrics costs a tenth of a second).
_REGULAR, _BOLD, _ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
_CJK = "STSong-Light"
_PAGE_W, _PAGE_H = A4
_MARGIN = 56.0  # about 20 mm: prints on any office printer
_TOP = _PAGE_H - _MARGIN
_BOTTOM = _MARGIN + 10.0  # room for the footer below
_WIDTH = _PAGE_W - 2 * _MARGIN
_BOX = 11.0  # check-box size
_INDENT = _BOX + 9.0  # item text starts right of the box
_PAD = 8.0  # padding inside the disclaimer's shaded box
_GREY = HexColor("#555555")
_SHADE = HexColor("#f0f0f0")


@dataclass(frozen=True)
class _Line:
    text: str
    font: str
    size: float
    leading: float
    indent: float = 0.0
    color: Color = black


@dataclass
class _Block:
    """Lines drawn together; a page break may fall between blocks, not inside (see _paginate)."""

    lines: list[_Line]
    space_before: float = 0.0
    item: Item | None = None  # draws a check box beside the first line
    shaded: bool = False
    keep_with_next: bool = False  # a heading is never the last thing on a page
    continues: str | None = None  # "<checklist title> (continued)" when the block opens a page
    rule: bool = False  # a hairline under a checklist heading

    @property
    def height(self) -> float:
        return sum(line.leading for line in self.lines) + (2 * _PAD if self.shaded else 0.0)


def _wrap(
    text: str,
    font: str,
    size: float,
    leading: float,
    indent: float = 0.0,
    color: Color = black,
    width: float = _WIDTH,
) -> list[_Line]:
    """Text broken to fit `width` minus `indent`, measured with the real font metrics: at
    spaces, and in CJK text between characters (terminal.wrap)."""
    flat = " ".join(text.split())
    if _in_base_font(flat):
        parts = simpleSplit(flat, font, size, width - indent)
    else:
        parts = wrap(flat, width - indent, lambda s: _measure(s, font, size))
    return [_Line(part, font, size, leading, indent, color) for part in parts]


# --- Text in more than one font ------------------------------------------------------------------

_cjk_ready = False


def _in_base_font(text: str) -> bool:
    """Whether Helvetica's encoding (WinAnsi, i.e. cp1252) has every character of `text`."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """`text` as runs of one font each: `font` where it has the character, else the CID font;
    curly quotes beside a CJK character are the CID font's, full-width as CJK text sets them."""
    global _cjk_ready
    faces = [font if _in_base_font(ch) else _CJK for ch in text]
    for i, ch in enumerate(text):
        if ch in _QUOTES and _CJK in faces[max(i - 1, 0) : i + 2]:
            faces[i] = _CJK
    runs: list[tuple[str, str]] = []
    for ch, face in zip(text, faces, strict=True):
        if runs and runs[-1][1] == face:
            runs[-1] = (runs[-1][0] + ch, face)
        else:
            runs.append((ch, face))
    if not _cjk_ready and _CJK in faces:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfbase.pdfmetrics import registerFont

        registerFont(UnicodeCIDFont(_CJK))
        _cjk_ready = True
    return runs or [("", font)]


_QUOTES = frozenset("\u201c\u201d\u2018\u2019")


def _measure(text: str, font: str, size: float) -> float:
    return sum(stringWidth(run, face, size) for run, face in _runs(text, font))


def _draw_text(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """`text` from `x`, the canvas's font being `font` already: one string as before where the
    font has every character, else one text object whose font changes from run to run, so that
    a reader extracts and searches the line as one."""
    runs = _runs(text, font)
    if len(runs) == 1 and runs[0][1] == font:
        canvas.drawString(x, y, text)
        return
    line = canvas.beginText(x, y)
    for run, face in runs:
        line.setFont(face, size)
        line.textOut(run)
    canvas.drawText(line)


def _blocks(sheet: Sheet) -> list[_Block]:
    """The document as a flat list of blocks, before it is cut into pages."""
    blocks = [
        _Block(_wrap(sheet.title, _BOLD, 18, 23)),
        _Block(_wrap(sheet.version, _REGULAR, 10, 13, color=_GREY), space_before=4),
        _Block(
            _wrap(sheet.disclaimer, _ITALIC, 9.5, 12.5, width=_WIDTH - 2 * _PAD),
            space_before=10,
            shaded=True,
        ),
    ]
    for section in sheet.sections:
        blocks += _checklist_blocks(section, sheet.continued.format(title=section.title))
    return blocks


def _checklist_blocks(checklist: Section, continued: str) -> list[_Block]:
    blocks = [
        _Block(
            _wrap(checklist.title, _BOLD, 14, 18), space_before=20, keep_with_next=True, rule=True
        ),
        _Block(
            _wrap(checklist.intro, _REGULAR, 10, 13, color=_GREY),
            space_before=5,
            keep_with_next=bool(checklist.items),
        ),
    ]
    for item in checklist.items:
        lines = _wrap(item.text, _REGULAR, 10.5, 13.5, _INDENT)
        lines += _wrap(item.refs, _REGULAR, 8.5, 11.5, _INDENT, _GREY)
        blocks.append(_Block(lines, space_before=8, item=item, continues=continued))
    return blocks


def _continued(heading: str) -> _Block:
    return _Block(_wrap(heading, _BOLD, 10, 16, color=_GREY))


@dataclass
class _Page:
    placed: list[tuple[_Block, float]] = field(default_factory=list)  # block, top y


def _paginate(blocks: list[_Block]) -> list[_Page]:
    """Blocks placed top to bottom; a block that does not fit (with the blocks it must keep
    with) starts a new page, and an item too tall for any page is split between its lines."""
    pages = [_Page()]
    y = _TOP
    pending = list(blocks)
    while pending:
        block = pending.pop(0)
        gap = block.space_before if pages[-1].placed else 0.0
        need = gap + _least(block)
        following = iter(pending)
        chain = block
        while chain.keep_with_next and (chain := next(following, None)) is not None:
            need += chain.space_before + _least(chain)
        if y - need < _BOTTOM and pages[-1].placed:
            pages.append(_Page())
            y, gap = _TOP, 0.0
            if block.continues:
                head = _continued(block.continues)
                pages[-1].placed.append((head, y))
                y -= head.height
        if y - gap - block.height < _BOTTOM and len(block.lines) > 1:
            fit, rest = _split(block, y - gap - _BOTTOM)
            pending.insert(0, rest)
            block = fit
        pages[-1].placed.append((block, y - gap))
        y -= gap + block.height
    return pages


def _least(block: _Block) -> float:
    """The height that must fit on the page a block starts on: all of it, or, for a block no page
    can hold (it will be split), its first line."""
    return block.height if block.height <= _TOP - _BOTTOM else block.lines[0].leading


def _split(block: _Block, room: float) -> tuple[_Block, _Block]:
    """As many lines as fit in `room` (at least one), the rest as a box-less block."""
    used, n = 0.0, 0
    while n < len(block.lines) - 1 and used + block.lines[n].leading <= room:
        used += block.lines[n].leading
        n += 1
    n = max(n, 1)
    head = _Block(block.lines[:n], block.space_before, block.item, continues=block.continues)
    return head, _Block(block.lines[n:], continues=block.continues)


def _draw_block(canvas: Canvas, block: _Block, top: float, box: str) -> None:
    if block.shaded:
        canvas.setFillColor(_SHADE)
        canvas.rect(_MARGIN, top - block.height, _WIDTH, block.height, stroke=0, fill=1)
        top -= _PAD
    x = _MARGIN + (_PAD if block.shaded else 0.0)
    for i, line in enumerate(block.lines):
        # Baseline: the line's box with the glyphs centred, as a word processor sets them.
        baseline = top - line.leading + (line.leading - line.size) / 2 + 0.22 * line.size
        canvas.setFont(line.font, line.size)
        canvas.setFillColor(line.color)
        _draw_text(canvas, x + line.indent, baseline, line.text, line.font, line.size)
        if i == 0 and block.item is not None:
            canvas.acroForm.checkbox(
                name=block.item.id,
                tooltip=box.format(text=block.item.text, refs=block.item.refs),
                x=x,
                y=baseline - 1.5,
                size=_BOX,
                buttonStyle="check",
                borderColor=black,
                fillColor=white,
                textColor=black,
                borderWidth=0.8,
                forceBorder=True,
                checked=False,
            )
        top -= line.leading
    if block.rule:
        canvas.setStrokeColor(_GREY)
        canvas.setLineWidth(0.5)
        canvas.line(_MARGIN, top + 1, _MARGIN + _WIDTH, top + 1)


def _draw_footer(canvas: Canvas, footer: str, page: str) -> None:
    """Version and page on every sheet: loose printed pages still say which text they follow."""
    canvas.setFont(_REGULAR, 8)
    canvas.setFillColor(_GREY)
    y = _MARGIN - 20
    _draw_text(canvas, _MARGIN, y, footer, _REGULAR, 8)
    if not _in_base_font(footer):
        canvas.setFont(_REGULAR, 8)
    if _in_base_font(page):
        canvas.drawRightString(_MARGIN + _WIDTH, y, page)
    else:
        _draw_text(canvas, _MARGIN + _WIDTH - _measure(page, _REGULAR, 8), y, page, _REGULAR, 8)


def draw(content: dict) -> bytes:
    """A4 sheets to print or fill in on screen: one AcroForm check box per item, named by its id.

    Laid out first and drawn second, so the footer can say "page n of m". `invariant=1` makes the
    bytes depend on the data alone (no timestamps or random ids), so a rebuild is a no-op.
    """
    sheet = Sheet.from_dict(content)
    pages = _paginate(_blocks(sheet))
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(sheet.title)
    canvas.setSubject(sheet.disclaimer)
    canvas.setCreator("casme3-compliance")
    for number, page in enumerate(pages, start=1):
        for block, top in page.placed:
            _draw_block(canvas, block, top, sheet.box)
        _draw_footer(canvas, sheet.footer, sheet.page.format(number=number, total=len(pages)))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
