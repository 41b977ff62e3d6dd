"""The text page the formula, worked-solution and chain-rule views share: its document font is scaled
from the widget's, it renders again when the font or the palette changes, it rewrites only the
pieces of the page that changed (``write``), and ``PASS_CHANGES`` names the model changes that
move what a page of the pass shows."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QTextBlock, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextBrowser

from backprop_gui.core.debugger_state import DISPLAY, Field

PASS_CHANGES = frozenset({Field.PASS, Field.NETWORK, Field.SELECTION, Field.SESSION, *DISPLAY})


class PassPage(QTextBrowser):
    """A page of the pass in rich text; a subclass renders it in ``refresh`` and calls ``_apply_font``
    once it is built. Its document font is ``FONT_SCALE`` × the widget's, at least ``MIN_POINT_SIZE``
    points, so sub- and superscripts stay legible."""

    FONT_SCALE = 1.15
    MIN_POINT_SIZE = 10.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._written: list[str] = []  # the pieces of HTML on the page now, in order
        self._starts: list[int] = []  # where each begins in the document (the end of the one before)
        self._written_style: Hashable = None  # what the pieces were made for (colours, precision)
        self._first_formats: dict[str, QTextBlockFormat] = {}  # a piece's first paragraph's format
        self.document().setUndoRedoEnabled(False)  # read only: the edits ``write`` makes need no undo
        # A scroll bar that came and went with the page's length would reflow the text under the reader
        # and lay out the window twice a pass (the page is short at Start, long from Forward 1).
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)

    def refresh(self) -> None:
        raise NotImplementedError

    def write(self, pieces: list[str], style: Hashable) -> None:
        """Show ``pieces`` (each whole HTML paragraphs; one page when joined), made for ``style``.

        Only what changed is written again: the pieces between those the page already starts with
        and those it already ends with. The page is written whole when ``style`` changed (rich text
        written before keeps the style it was parsed with). A step usually changes a few pieces of
        many, and Qt parses and lays out only those."""
        if style != self._written_style:
            self.setHtml("")
            self._written, self._starts, self._written_style = [], [], style
        old, new = self._written, pieces
        shorter = min(len(old), len(new))
        head = next((i for i in range(shorter) if old[i] != new[i]), shorter)
        if head == len(old) == len(new):
            return
        tail = 0
        limit = shorter - head - (1 if head == 0 and old else 0)  # a new first piece replaces the old one
        while tail < limit and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        kept_from = len(old) - tail  # the first piece kept at the end
        cursor = QTextCursor(self.document())
        if head < len(old):
            cursor.setPosition(self._starts[head])
        else:
            cursor.movePosition(QTextCursor.MoveOperation.End)
        if kept_from < len(old):
            cursor.setPosition(self._starts[kept_from], QTextCursor.MoveMode.KeepAnchor)
        else:
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()  # one change for the layout: the page is never laid out emptied or half written
        cursor.removeSelectedText()
        starts = self._starts[:head]
        middle = new[head : len(new) - tail]
        if middle:  # one insertion for them all: each is whole paragraphs, so block counts find their starts
            starts.append(cursor.position())
            if head == 0:  # the document's first paragraph, left empty: it becomes the piece's first
                cursor.setBlockFormat(self._first_format(middle[0]))
                cursor.setBlockCharFormat(QTextCharFormat())
            else:
                cursor.insertBlock(self._first_format(middle[0]), QTextCharFormat())
            block = cursor.block().blockNumber()
            cursor.insertHtml("".join(middle))
            for piece in middle[:-1]:
                block += _paragraphs(piece)
                starts.append(self.document().findBlockByNumber(block).position() - 1)
        cursor.endEditBlock()
        if kept_from < len(old):
            shift = cursor.position() - self._starts[kept_from]
            starts += [start + shift for start in self._starts[kept_from:]]
        self._written, self._starts = list(new), starts
        if self.document().blockCount() != sum(map(_paragraphs, new)):  # a piece not made of paragraphs
            self.setHtml("".join(new))
            self._written, self._starts, self._written_style = [], [], None  # written whole from now on

    def piece_blocks(self, piece: int) -> list[QTextBlock]:
        """The paragraphs (document blocks) of piece ``piece`` as ``write`` last wrote it."""
        if not self._starts:  # written whole: not in pieces
            return []
        block = self.document().findBlock(self._starts[piece] + (1 if piece else 0))
        blocks = []
        for _ in range(_paragraphs(self._written[piece])):
            blocks.append(block)
            block = block.next()
        return blocks

    def _first_format(self, piece: str) -> QTextBlockFormat:
        """The block format of ``piece``'s first paragraph, as Qt parses it (inserted HTML would merge
        it into the paragraph it is inserted in)."""
        first = piece[: piece.find("</p>") + 4]  # every piece opens with a paragraph
        found = self._first_formats.get(first)
        if found is None:
            if len(self._first_formats) > 1024:
                self._first_formats.clear()
            parsed = QTextDocument()
            parsed.setHtml(first)
            found = self._first_formats[first] = parsed.begin().blockFormat()
        return found

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_font()
            self.refresh()
        elif event.type() == QEvent.Type.PaletteChange:
            self.refresh()

    def _apply_font(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(self.MIN_POINT_SIZE, font.pointSizeF() * self.FONT_SCALE))
        self.document().setDefaultFont(font)


def _paragraphs(piece: str) -> int:
    """How many paragraphs (document blocks) the HTML ``piece`` makes."""
    return piece.count("<p ") + piece.count("<p>")
