"""The Worked Solution dock: the whole pass so far as one page, in the order it was computed.

It renders ``core.worked.solution_so_far`` — the same sections the Markdown and LaTeX exports
write — as rich text: a heading per phase, its general form, then every equation with its
numbers and result. The newest lines are highlighted and scrolled into view; clicking a line
selects its neuron or edge. Numbers held back for "numbers on request" show as "?" here too.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from backprop_gui.core.debugger_state import Event, Selection
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import Sym, index
from backprop_gui.core.notes import inline
from backprop_gui.core.stepper import Quantity
from backprop_gui.core.worked import WIDE, Given, WorkedLine, WorkedSection, WorkedSolution, solution_so_far
from backprop_gui.ui.common.colors import is_dark, mix
from backprop_gui.ui.common.rich_text import sym_html, tokens_html
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import ShownRefresh
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.pass_page import PASS_CHANGES, PassPage

SCHEME = "select"  # links "select:layer:j:k" (k empty for a neuron) choose a neuron or edge


class WorkedSolutionView(PassPage):
    """The pass so far of ``model``'s stepper, redrawn when the pass, selection or display change.

    ``reveal`` is the formula panel whose held-back numbers ("numbers on request") this view
    hides too; None shows every number at once.
    """

    def __init__(self, model: SessionModel, reveal: FormulaView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.reveal = reveal
        self.setObjectName("workedSolutionView")
        self.setOpenLinks(False)
        self.setReadOnly(True)
        self.document().setDocumentMargin(10)
        self.anchorClicked.connect(self._clicked)
        self._shown = ShownRefresh(self, self.refresh)
        self._lines: list[tuple[str, WorkedLine]] = []
        self._kept: dict[tuple, tuple[WorkedSection, str]] = {}  # a section's HTML by the section, how shown
        self._style: tuple = ()  # the colours and precision of the pieces ``_chunks`` made last
        self._given_pass: object = None  # the pass (its record) and how the piece of what is given was made
        self._given: tuple = ()
        self._given_piece = ""
        self._newest: tuple[int, int] | None = None  # (piece, paragraphs before its lines) of the newest section
        self._apply_font()
        model.changed.connect(self._on_changed)
        if reveal is not None:
            reveal.revealChanged.connect(lambda _pending: self._shown.request())
        self.refresh()

    # --- what it shows -------------------------------------------------------------------

    def solution(self) -> WorkedSolution:
        """What is shown: the pass so far, a wide layer by its selected or last computed neuron."""
        selection = self.model.selection
        chosen = None if selection is None else (selection.layer, selection.j, selection.k)
        return solution_so_far(self.model.stepper, self.model.session.name, chosen, WIDE)

    def lines(self) -> list[tuple[str, WorkedLine]]:
        """(section title, line) of every line shown, in order."""
        return list(self._lines)

    def refresh(self) -> None:
        """Show the pass so far: only the sections that changed are written again (a step forward adds
        the new one); the newest lines' background is painted behind the text, so moving it to the new
        section leaves the section before as it was written."""
        self.write(self._chunks(), self._style)
        self.viewport().update()  # the background, where the newest lines are now
        self._show_newest()

    def _show_newest(self) -> None:
        span = self.newest_span()
        if span is not None:  # the newest lines' top, or the very end when they fit: context above
            self.verticalScrollBar().setValue(round(span.top()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._show_newest()  # rewrapped to the new width, the page moved under the reader

    def page_html(self) -> str:
        """The page as one piece of HTML: what ``refresh`` writes section by section."""
        return "".join(self._chunks())

    def newest_span(self) -> QRectF | None:
        """Where the newest lines are in the document (the rectangle their background fills), or None."""
        if self._newest is None:
            return None
        piece, header = self._newest
        blocks = self.piece_blocks(piece)[header:]
        if not blocks:
            return None
        layout = self.document().documentLayout()
        return layout.blockBoundingRect(blocks[0]).united(layout.blockBoundingRect(blocks[-1]))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        span = self.newest_span()
        if span is not None:
            painter = QPainter(self.viewport())
            scrolled = span.translated(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())
            painter.fillRect(scrolled, QColor(self._style[2]))
            painter.end()
        super().paintEvent(event)

    # --- keeping up ----------------------------------------------------------------------

    def _on_changed(self, event: Event) -> None:
        if event.field not in PASS_CHANGES:
            return
        self._shown.request()  # now if seen, else once it is

    def _clicked(self, url: QUrl) -> None:
        if url.scheme() != SCHEME:
            return
        layer, j, k = url.path().split(":")
        self.model.set_selection(Selection(int(layer), int(j), int(k) if k else None))

    # --- rich text -------------------------------------------------------------------------

    def _chunks(self) -> list[str]:
        """The page in pieces: what is given, then one piece per section. A section's piece is kept
        while it is the same section (``core.worked`` keeps a complete phase's) shown the same way.
        Sets ``_newest`` to (piece, paragraphs before its lines) of the newest section, or None."""
        palette = self.palette()
        dark = is_dark(palette)
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        number = "#8cc4ff" if dark else "#0b5cad"
        muted = mix(base, text, 0.62).name()
        newest_bg = mix(base, palette.color(QPalette.ColorRole.Highlight), 0.25 if dark else 0.12).name()
        self.document().setDefaultStyleSheet(f"a {{ color: {text.name()}; text-decoration: none; }}")
        stepper = self.model.stepper
        self._lines = []
        self._newest = None
        self._style = (number, muted, newest_bg, text.name(), self.model.precision)
        if stepper.current is None:
            return [
                f'<p style="color:{muted}">Nothing computed yet. Step (F10): each phase adds its equations '
                "here, with the numbers put in, in the order they are computed.</p>"
            ]
        digits = self.model.precision
        solution = self.solution()
        given = (stepper.learning_rate, digits, muted, repr(solution.given))  # with the pass: what is given
        if self._given_pass is not stepper.record or self._given != given:
            self._given_pass, self._given = stepper.record, given
            self._given_piece = self._given_html(solution.given, digits, muted)
        out = [self._given_piece]
        held = self.reveal is not None and self.reveal.reveal_pending
        colours = (number, muted, text.name())
        if len(self._kept) > 256:
            self._kept.clear()
        for section in solution.sections:
            newest = section.step == stepper.current
            self._lines += [(section.title, line) for line in section.lines]
            if newest and self._newest is None:
                self._newest = (len(out), 2 + len(section.notes))  # after the title, general form and notes
            key = (id(section), held and newest, digits, colours)  # by identity: a section hashes slowly
            kept = self._kept.get(key)
            if kept is None or kept[0] is not section:
                kept = self._kept[key] = (section, self._section_html(section, digits, colours, held and newest))
            out.append(kept[1])
        return out

    def _section_html(self, section: WorkedSection, digits: int, colours: tuple[str, ...], hidden: bool) -> str:
        number, muted, _ = colours
        out = [f'<p style="margin-top:10px; margin-bottom:2px"><b>{html.escape(section.title)}</b></p>']
        general = ", ".join(tokens_html(d, digits) for d in section.definitions)
        out.append(f'<p style="color:{muted}; margin:0px">General form: {general}.</p>')
        out += [f'<p style="margin:0px"><i>{inline(note)}</i></p>' for note in section.notes]
        out += [self._line_html(line, digits, number, muted, hidden) for line in section.lines]
        return "".join(out)

    def _given_html(self, given: Given, digits: int, muted: str) -> str:
        stepper = self.model.stepper
        x = stepper.value(Quantity.INPUT).values[:, 0]
        t = stepper.value(Quantity.TARGET).values[:, 0]

        def values(symbol: str, numbers, shown: tuple[int, ...]) -> str:
            parts = [f"{sym_html(Sym(symbol, index(j)))} = {format_number(float(numbers[j]), digits)}" for j in shown]
            more = len(numbers) - len(shown)
            return ", ".join(parts) + (f'<span style="color:{muted}"> … {more} more</span>' if more else "")

        rows = [
            "<p style='margin:0px'><b>Given</b></p>",
            f"<p style='margin:0px'>Input: {values('x', x, given.inputs)}; target: {values('t', t, given.outputs)}; "
            f"η = {format_number(stepper.learning_rate, digits)}</p>",
        ]
        for l in range(1, stepper.network.depth + 1):
            weights, biases = stepper.weights_before(l)
            layer = stepper.network.layer(l)
            parts = []
            for j in given.rows[l]:
                parts += [
                    f"{sym_html(Sym('w', index(j, k), str(l)))} = {format_number(float(weights[j, k]), digits)}"
                    for k in given.columns[l]
                ]
                if layer.has_bias:
                    parts.append(f"{sym_html(Sym('b', index(j), str(l)))} = {format_number(float(biases[j]), digits)}")
            more = weights.size - len(given.rows[l]) * len(given.columns[l])
            tail = f'<span style="color:{muted}"> … {more} more weights</span>' if more else ""
            rows.append(f"<p style='margin:0px'>Layer {l}: {', '.join(parts)}{tail}</p>")
        return "".join(rows)

    def _line_html(
        self,
        line: WorkedLine,
        digits: int,
        number: str,
        muted: str,
        hidden: bool,
    ) -> str:
        if line.equation is None:
            return f'<p style="margin:0px; color:{muted}">{html.escape(line.summary)}</p>'
        eq = line.equation
        parts = [tokens_html(eq.lhs, digits)]
        if eq.general:
            parts.append(tokens_html(eq.general, digits))
        if hidden:
            key = self.reveal.reveal_shortcut if self.reveal is not None else ""
            parts.append(f'<i style="color:{muted}">?{" (press " + html.escape(key) + ")" if key else ""}</i>')
        else:
            if eq.numbers is not None:
                parts.append(tokens_html(eq.numbers, digits, number))
            if eq.result is not None:
                parts.append(f'<b style="color:{number}">{html.escape(format_number(eq.result, digits))}</b>')
        body = f"&nbsp;{html.escape(eq.relation)}&nbsp;".join(parts[:2]) + "".join(f" = {p}" for p in parts[2:])
        target = "" if line.layer is None else f"{SCHEME}:{line.layer}:{line.j}:{'' if line.k is None else line.k}"
        title = f'<span style="color:{muted}">{html.escape(eq.title)}:</span> '
        if target:
            body = f'<a href="{target}">{body}</a>'
        return f'<p style="margin:0px">{title}{body}</p>'


def install_worked_solution(window: QMainWindow, model: SessionModel, reveal: FormulaView | None) -> QDockWidget:
    """Add the Worked Solution dock (key "worked") to ``window``; returns the dock."""
    view = WorkedSolutionView(model, reveal)
    dock = add_view_dock(window, "worked", "Worked Solution", view)
    dock.toggleViewAction().setText("&Worked Solution")
    return dock


def add_view_dock(window: QMainWindow, key: str, title: str, widget: QWidget) -> QDockWidget:
    """``widget`` in a new bottom dock of ``window`` (object name ``key`` + "Dock")."""
    dock = QDockWidget(title, window)
    dock.setObjectName(f"{key}Dock")
    dock.setWidget(widget)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    return dock
