"""The formula panel: every equation of the phase just computed, then those of the selected neuron or edge.

After a step the current phase comes first and is scrolled into view: the whole layer, stacked,
for a layer of up to ``core.worked.WIDE`` neurons (the selected or last computed neuron of a
wider one), its ∂C/∂w and ∂C/∂b at Backward l, and every weight and bias update at Update.
Below it, the selection's own equations from input to update, each with general form, numbers
and result; with nothing selected, a line saying how to choose one (the phase's equations above
are already those of the neuron computed last).

The tokens come from ``core.formulas``; this module only turns them into rich text with
true sub- and superscripts. Every name is escaped, so no session file can inject markup.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontMetricsF, QPalette
from PySide6.QtWidgets import QWidget

from backprop_gui.core.debugger_state import Event, Field, Selection
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import Equation, Sym, Token, equations, spaced
from backprop_gui.core.notes import caret_html
from backprop_gui.core.stepper import Quantity, Stepper
from backprop_gui.core.worked import WIDE, WorkedSection, solution_so_far
from backprop_gui.ui.common.colors import is_dark, mix
from backprop_gui.ui.common.rich_text import tokens_html
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import ShownRefresh
from backprop_gui.ui.stepping.pass_page import PASS_CHANGES, PassPage


def selection_title(stepper: Stepper, layer: int, j: int, k: int | None) -> str:
    """What the panel explains, in words: "Neuron 2 of layer 1 (hidden, sigmoid)"; plain text in the
    caret form (``w_12^2``), which ``core.notes.caret_html`` shows with real scripts."""
    network = stepper.network
    if k is not None:
        return f"Edge w_{j + 1}{k + 1}^{layer}: neuron {k + 1} of layer {layer - 1} → neuron {j + 1} of layer {layer}"
    if layer == 0:
        return f"Input x_{j + 1} (neuron {j + 1} of layer 0)"
    kind = "output" if layer == network.depth else "hidden"
    return f"Neuron {j + 1} of layer {layer} ({kind}, {network.layer(layer).activation})"


def _exists(stepper: Stepper, selection: Selection) -> bool:
    """Whether ``selection`` names a neuron or edge of the stepper's network (an edit may have removed it)."""
    sizes = stepper.network.sizes
    if not 0 <= selection.layer < len(sizes) or not 0 <= selection.j < sizes[selection.layer]:
        return False
    return selection.k is None or (selection.layer >= 1 and 0 <= selection.k < sizes[selection.layer - 1])


class FormulaView(PassPage):
    """Shows the phase's equations and ``equations`` of ``model.selection``, and redraws on change.

    With ``ask_first`` on, the numbers and results of the equations new in this step (all of
    them when none is new) stay hidden until ``reveal()``, so a lecturer can ask the room first.
    While they wait, ``reveal_pending`` is True and other views hide what ``holds_back`` names
    (the current phase's values); ``revealChanged`` says when ``reveal_pending`` changes.
    """

    FONT_SCALE = 1.3
    MIN_POINT_SIZE = 11.0

    revealChanged = Signal(bool)  # noqa: N815 (Qt's naming)

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("formulaView")
        self.setOpenLinks(False)
        self.setReadOnly(True)
        self.document().setDocumentMargin(10)
        self.reveal_shortcut = ""  # the key named in the "hidden" placeholder, set by the window
        self._anchor = "current"  # where a redraw scrolls to: the current phase, or "selected"
        self._kept: dict[tuple, str] = {}  # an equation's HTML by what it shows (``_kept_html``)
        self._shown = ShownRefresh(self, self.refresh)
        self._apply_font()
        model.changed.connect(self._on_changed)
        self.refresh()

    # --- reveal -----------------------------------------------------------------------

    @property
    def ask_first(self) -> bool:
        """Whether new numbers wait for ``reveal()`` (the model's numbers on request)."""
        return self.model.state.numbers_on_request

    def set_ask_first(self, on: bool) -> None:
        self.model.state.set_numbers_on_request(on)

    @property
    def reveal_pending(self) -> bool:
        """Whether this step's new numbers are held back, waiting for ``reveal()`` (``DebuggerState.held_back``)."""
        return self.model.state.held_back

    def holds_back(self, quantity: Quantity, layer: int = 0) -> bool:
        """Whether views must show ``quantity`` of ``layer`` as not yet revealed (``DebuggerState.holds_back``)."""
        return self.model.state.holds_back(quantity, layer)

    def hides_numbers(self) -> bool:
        """Whether some numbers are hidden now, waiting for ``reveal()``."""
        return bool(self._hidden(self.phase_equations() + self.equations()))

    def reveal(self) -> None:
        """Show the hidden numbers and results (until the pass moves on)."""
        self.model.state.reveal()

    def _hidden(self, found: list[Equation]) -> set[int]:
        """Indices into ``found`` of the equations whose numbers are hidden."""
        if not self.reveal_pending:
            return set()
        current = self.model.stepper.current
        known = [i for i, eq in enumerate(found) if eq.known]
        new = {i for i in known if found[i].phase is not None and found[i].phase == current}
        return new or set(known)

    # --- keeping up ----------------------------------------------------------------------

    def target(self) -> Selection | None:
        """The selection explained below the phase: the model's, if it names a neuron or edge, else None."""
        selection = self.model.selection
        return selection if selection is not None and _exists(self.model.stepper, selection) else None

    def equations(self) -> list[Equation]:
        target = self.target()
        if target is None:
            return []
        return equations(self.model.stepper, target.layer, target.j, target.k)

    def phase_section(self) -> WorkedSection | None:
        """The equations of the phase just computed (as the worked solution lists them), or None."""
        stepper = self.model.stepper
        if stepper.current is None:
            return None
        selection = self.model.selection
        chosen = None if selection is None else (selection.layer, selection.j, selection.k)
        sections = solution_so_far(stepper, selection=chosen, widest=WIDE).sections
        return next((section for section in sections if section.step == stepper.current), None)

    def phase_equations(self) -> list[Equation]:
        section = self.phase_section()
        return [line.equation for line in section.lines if line.equation is not None] if section else []

    def refresh(self) -> None:
        """Redraw, scrolled to the current phase, or to the selection when the selection changed last."""
        self.write(self._pieces(self.equations()), self._colors())  # the equations that read the same stay
        self.scrollToAnchor(self._anchor)
        self._show_first_equation()

    def _show_first_equation(self) -> None:
        """If the equation after the anchor is cut off (a short panel, as on a projector), scroll on
        to its start: its caption at the top, its result in view unless it is taller than the panel."""
        marker = f'<a name="{self._anchor}">'
        piece = next((i for i, written in enumerate(self._written) if marker in written), None)
        if piece is None or piece + 1 >= len(self._written):
            return
        blocks = self.piece_blocks(piece + 1)
        if not blocks:
            return
        layout = self.document().documentLayout()
        bar = self.verticalScrollBar()
        if layout.blockBoundingRect(blocks[-1]).bottom() > bar.value() + self.viewport().height():
            bar.setValue(round(layout.blockBoundingRect(blocks[0]).top()))

    def _on_changed(self, event: Event) -> None:
        if event.field in PASS_CHANGES:
            self._anchor = "selected" if event.field == Field.SELECTION else "current"
        # a move redrew already when it starts holding numbers back; a reveal redraws here
        if (
            event.field in PASS_CHANGES
            or event.field == Field.NUMBERS_ON_REQUEST
            or event == Event(Field.HELD_BACK, False)
        ):
            self._shown.request()  # now if seen, else once it is
        if event.field == Field.HELD_BACK:
            self.revealChanged.emit(event.value)

    # --- rich text ----------------------------------------------------------------

    def _colors(self) -> tuple[str, str, str]:
        """(number, muted text, current-phase background) suited to the palette."""
        palette = self.palette()
        dark = is_dark(palette)
        number = "#8cc4ff" if dark else "#0b5cad"
        base = palette.color(QPalette.ColorRole.Base)
        muted = mix(base, palette.color(QPalette.ColorRole.Text), 0.62).name()
        current = mix(base, palette.color(QPalette.ColorRole.Highlight), 0.25 if dark else 0.12).name()
        return number, muted, current

    def _pieces(self, found: list[Equation]) -> list[str]:
        """The page in pieces of whole paragraphs: the phase's heading, each equation, the selection's
        title; ``write`` parses again only the pieces that changed."""
        stepper = self.model.stepper
        target = self.target()
        number, muted, current_bg = self._colors()
        if target is None and stepper.current is None:
            return [
                f'<p style="color:{muted}">Nothing computed yet. Step (F10) to run the first phase, '
                "or click a neuron or an edge to see how its values are computed.</p>"
            ]
        digits = self.model.precision
        metrics = QFontMetricsF(self.document().defaultFont())
        out: list[str] = []
        section = self.phase_section()
        if section is not None:
            phase = section.lines
            equations_ = [line.equation for line in phase if line.equation is not None]
            hidden = self._hidden(equations_)
            out.append(
                f'<p style="background-color:{current_bg}; margin-bottom:0px"><a name="current"></a>'
                f"<b>{html.escape(section.step.label)}</b>"
                f'<span style="color:{muted}"> — what this phase computed</span></p>'
            )
            i, caption = 0, None
            for line in phase:
                if line.equation is None:
                    out.append(f'<p style="color:{muted}; margin:0px">{html.escape(line.summary)}</p>')
                    caption = None
                    continue
                eq = line.equation
                shown = caption != (caption := _caption(eq))
                out.append(self._kept_html(eq, digits, number, muted, current_bg, i in hidden, metrics, shown))
                i += 1
        if target is None:
            out.append(
                f'<p style="color:{muted}; margin-top:14px"><a name="selected"></a>Click a neuron or an edge to '
                "follow its equations here, from input to update.</p>"
            )
            return out
        title = caret_html(selection_title(stepper, target.layer, target.j, target.k))  # w_11^2 with real scripts
        out.append(f'<p style="margin-top:14px; margin-bottom:2px"><a name="selected"></a><b>{title}</b></p>')
        hidden = self._hidden(found)
        caption = None
        for i, eq in enumerate(found):
            is_current = eq.phase is not None and eq.phase == stepper.current
            background = current_bg if is_current else None
            shown = caption != (caption := _caption(eq))
            out.append(self._kept_html(eq, digits, number, muted, background, i in hidden, metrics, shown))
        return out

    def _kept_html(
        self,
        eq: Equation,
        digits: int,
        number: str,
        muted: str,
        background: str | None,
        hidden: bool,
        metrics: QFontMetricsF,
        captioned: bool,
    ) -> str:
        """``_equation_html`` (unanchored), kept while the equation and how it is shown stay the same:
        most of a step's equations are those of the step before."""
        font = self.document().defaultFont().key()
        key = (eq, digits, number, muted, background, hidden, font, self.reveal_shortcut, captioned)
        found = self._kept.get(key)
        if found is None:
            if len(self._kept) > 512:
                self._kept.clear()
            found = self._kept[key] = self._equation_html(
                eq, digits, number, muted, background, hidden, metrics, False, captioned
            )
        return found

    def _equation_html(
        self,
        eq: Equation,
        digits: int,
        number: str,
        muted: str,
        background: str | None,
        hidden: bool,
        metrics: QFontMetricsF,
        anchored: bool = True,
        captioned: bool = True,
    ) -> str:
        """One equation as paragraphs: its caption (unless ``captioned`` is off: the equation before
        has the same one), then ``lhs = general``, ``= numbers``, ``= result`` with the continuation
        lines indented to the relation sign (flat paragraphs lay out far faster than tables)."""
        lhs = tokens_html(eq.lhs, digits)
        rel = html.escape(eq.relation)
        rows: list[tuple[bool, str, str]] = []  # (with the lhs, relation, right-hand side)
        if eq.general:
            rows.append((True, rel, tokens_html(eq.general, digits)))
        if hidden:
            key = f" (press {html.escape(self.reveal_shortcut)})" if self.reveal_shortcut else ""
            rows.append((not eq.general, "=" if eq.general else rel, f'<i style="color:{muted}">?{key}</i>'))
        else:
            if eq.numbers is not None:
                rows.append((False, "=", tokens_html(eq.numbers, digits, number)))
            if eq.result is not None:
                result = html.escape(format_number(eq.result, digits))
                rows.append((not eq.general, "=" if eq.general else rel, f'<b style="color:{number}">{result}</b>'))
            elif eq.pending:
                rows.append(
                    (not eq.general, "", f'<i style="color:{muted}">not yet known — {html.escape(eq.pending)}</i>')
                )
        caption = html.escape(eq.title)
        if eq.definition:
            caption += "&nbsp;&nbsp;" + tokens_html(eq.definition, digits)
        if eq.note:
            caption += f"&nbsp;&nbsp;&nbsp;({caret_html(eq.note)})"
        bg = f"background-color:{background};" if background else ""
        anchor = '<a name="current"></a>' if background and anchored else ""
        # No margins inside an equation, and continuation lines pushed under the relation sign with
        # spaces rather than indents, so the background of the current one is one unbroken block.
        pad = "&nbsp;" * round(_rendered_width(eq.lhs, metrics) / metrics.horizontalAdvance("\u00a0"))
        lines = []
        if captioned or not rows:
            lines.append(
                f'<p style="{bg}margin-top:10px; margin-bottom:0px">{anchor}'
                f'<span style="color:{muted}">{caption}</span></p>'
            )
        for with_lhs, relation, rhs in rows:
            left = f"{lhs}&nbsp;" if with_lhs else pad
            sign = f"{relation}&nbsp;" if relation else "&nbsp;&nbsp;"
            first = not lines  # the equation's first line, under the equation before (same caption): apart
            start = f'margin-top:6px; margin-bottom:0px">{anchor}' if first else 'margin-top:0px; margin-bottom:0px">'
            lines.append(f'<p style="{bg}{start}{left}{sign}{rhs}</p>')
        return "".join(lines)


def _caption(eq: Equation) -> tuple:
    """What an equation's caption shows: an equation with the same caption as the one before it
    goes without (a layer's nine weight gradients under one "Weight gradient ∂C/∂w_jk^l = …")."""
    return eq.title, eq.definition, eq.note


def _rendered_width(tokens: tuple[Token, ...], metrics: QFontMetricsF) -> float:
    """About how wide ``tokens`` render, plus the space before the relation (sub/superscripts are small)."""
    width = metrics.horizontalAdvance("\u00a0")
    for sep, tok in spaced(tokens):
        if isinstance(tok, Sym):
            width += metrics.horizontalAdvance(tok.base)
            width += 0.7 * max(metrics.horizontalAdvance(tok.sub), metrics.horizontalAdvance(tok.sup))
        else:
            width += metrics.horizontalAdvance(sep + getattr(tok, "text", getattr(tok, "name", "")))
    return width
