"""The formula panel: the equation of the selected neuron or edge, then its numbers, then its result.

The tokens come from ``core.formulas``; this module only turns them into rich text with
true sub- and superscripts. Every name is escaped, so no session file can inject markup.
"""

from __future__ import annotations

import html
import re

from PySide6.QtGui import QColor, QFont, QPalette, QShowEvent
from PySide6.QtWidgets import QTextBrowser, QWidget

from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import Equation, Fn, Num, Op, Sym, Token, equations, focus, spaced
from backprop_gui.core.stepper import Stepper
from backprop_gui.ui.colors import is_dark
from backprop_gui.ui.session_model import Change, Selection, SessionModel

_VARIABLE = re.compile(r"[A-Za-zδη]")


def sym_html(sym: Sym) -> str:
    """``sym`` as rich text: letters in italics, then <sub> and <sup>; every part escaped."""
    italic = sym.base != "Σ"
    base = "".join(f"<i>{c}</i>" if italic and _VARIABLE.fullmatch(c) else html.escape(c) for c in sym.base)
    sub = f"<sub>{html.escape(sym.sub)}</sub>" if sym.sub else ""
    sup = f"<sup>{html.escape(sym.sup)}</sup>" if sym.sup else ""
    return base + sub + sup


def tokens_html(tokens: tuple[Token, ...], digits: int, number_color: str | None = None) -> str:
    """Tokens as rich text; numbers at ``digits`` significant digits, in ``number_color`` if given."""
    parts = []
    for sep, tok in spaced(tokens):
        if isinstance(tok, Num):
            text = html.escape(format_number(tok.value, digits))
            text = f'<span style="color:{number_color}">{text}</span>' if number_color else text
        elif isinstance(tok, Sym):
            text = sym_html(tok)
        elif isinstance(tok, Fn):
            text = html.escape(tok.name)
        else:
            text = html.escape(tok.text)
        parts.append(("&nbsp;" if sep and isinstance(tok, Op) and tok.text in ("=", "←") else sep) + text)
    return "".join(parts)


def selection_title(stepper: Stepper, layer: int, j: int, k: int | None) -> str:
    """What the panel explains, in words: "Neuron 2 of layer 1 (hidden, sigmoid)"; plain text."""
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


def _mix(base: QColor, other: QColor, amount: float) -> str:
    """The colour ``amount`` of the way from ``base`` to ``other``, as #rrggbb."""
    channels = zip(base.getRgbF()[:3], other.getRgbF()[:3], strict=True)
    return QColor.fromRgbF(*(b + amount * (o - b) for b, o in channels)).name()


class FormulaView(QTextBrowser):
    """Shows ``equations`` of ``model.selection`` (or of the neuron computed last) and redraws on change."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("formulaView")
        self.setOpenLinks(False)
        self.setReadOnly(True)
        font = QFont(self.font())
        font.setPointSizeF(max(11.0, font.pointSizeF() * 1.3))
        self.document().setDefaultFont(font)
        self.document().setDocumentMargin(10)
        self._stale = False
        model.changed.connect(self._on_changed)
        self.refresh()

    def target(self) -> Selection | None:
        """The selection explained: the model's (if it exists), else the neuron computed last, else None."""
        selection = self.model.selection
        if selection is not None and _exists(self.model.stepper, selection):
            return selection
        found = focus(self.model.stepper)
        return Selection(*found) if found else None

    def equations(self) -> list[Equation]:
        target = self.target()
        if target is None:
            return []
        return equations(self.model.stepper, target.layer, target.j, target.k)

    def refresh(self) -> None:
        self._stale = False
        found = self.equations()
        self.setHtml(self._html(found))
        if any(eq.phase is not None and eq.phase == self.model.stepper.current for eq in found):
            self.scrollToAnchor("current")

    def _on_changed(self, what: str) -> None:
        if what not in (Change.PASS, Change.NETWORK, Change.SELECTION, Change.DISPLAY, Change.SESSION):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True  # a closed dock catches up when it is shown again

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        if self._stale:
            self.refresh()
        super().showEvent(event)

    # --- rich text ----------------------------------------------------------------

    def _colors(self) -> tuple[str, str, str]:
        """(number, muted text, current-phase background) suited to the palette."""
        palette = self.palette()
        dark = is_dark(palette)
        number = "#8cc4ff" if dark else "#0b5cad"
        base = palette.color(QPalette.ColorRole.Base)
        muted = _mix(base, palette.color(QPalette.ColorRole.Text), 0.62)
        current = _mix(base, palette.color(QPalette.ColorRole.Highlight), 0.25 if dark else 0.12)
        return number, muted, current

    def _html(self, found: list[Equation]) -> str:
        stepper = self.model.stepper
        target = self.target()
        number, muted, current_bg = self._colors()
        if target is None:
            return (
                f'<p style="color:{muted}">Nothing computed yet. Step (F10) to run the first phase, '
                "or click a neuron or an edge to see how its values are computed.</p>"
            )
        title = html.escape(selection_title(stepper, target.layer, target.j, target.k))
        hint = "" if target == self.model.selection else " — the neuron computed last; click one to choose"
        out = [f'<p style="margin-bottom:6px"><b>{title}</b><span style="color:{muted}">{html.escape(hint)}</span></p>']
        digits = self.model.precision
        for eq in found:
            is_current = eq.phase is not None and eq.phase == stepper.current
            out.append(self._equation_html(eq, digits, number, muted, current_bg if is_current else None))
        return "".join(out)

    def _equation_html(self, eq: Equation, digits: int, number: str, muted: str, background: str | None) -> str:
        anchor = '<a name="current"></a>' if background else ""
        lhs = tokens_html(eq.lhs, digits)
        rows = []
        rel = html.escape(eq.relation)
        if eq.general:
            rows.append((lhs, rel, tokens_html(eq.general, digits)))
        if eq.numbers is not None:
            rows.append(("", "=", tokens_html(eq.numbers, digits, number)))
        if eq.result is not None:
            result = html.escape(format_number(eq.result, digits))
            rows.append(
                ("" if eq.general else lhs, "=" if eq.general else rel, f'<b style="color:{number}">{result}</b>')
            )
        elif eq.pending:
            rows.append(("", "", f'<i style="color:{muted}">not yet known — {html.escape(eq.pending)}</i>'))
        caption = html.escape(eq.title)
        if eq.definition:
            caption += "&nbsp;&nbsp;" + tokens_html(eq.definition, digits)
        if eq.note:
            caption += f"&nbsp;&nbsp;&nbsp;({html.escape(eq.note)})"
        cell = '<td align="right" style="white-space:nowrap">{}</td><td align="center">&nbsp;{}&nbsp;</td><td>{}</td>'
        body = "".join(f"<tr>{cell.format(a, r, b)}</tr>" for a, r, b in rows)
        bg = f' bgcolor="{background}"' if background else ""
        return (
            f'<table width="100%" cellspacing="0" cellpadding="6"{bg}><tr><td>{anchor}'
            f'<span style="color:{muted}; font-size:small">{caption}</span>'
            f'<table cellspacing="0" cellpadding="1">{body}</table></td></tr></table>'
        )
