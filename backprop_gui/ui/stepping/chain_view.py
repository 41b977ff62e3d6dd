"""The Chain Rule dock: the selected gradient as a sum over every path to the loss, factor by factor.

It renders ``core.chain.chain_rule`` for the selected edge (∂C/∂w_jk^l) or neuron (δ_j^l, which is
also ∂C/∂b_j^l), or for the neuron computed last when nothing is selected: one row per path with
each local derivative's symbol and number and the path's product, the largest 8 first and one
row for the rest, the total beside backprop's own value, and how the δ recursion factors the sum.
Hovering a row emits ``pathHovered`` with the edges of that path, for the graph to highlight.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from backprop_gui.core.chain import ChainPath, ChainRule, chain_rule
from backprop_gui.core.debugger_state import Event
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import Sym, focus, index
from backprop_gui.core.notes import caret_html
from backprop_gui.core.phase_display import computed_in
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.common.colors import is_dark, mix
from backprop_gui.ui.common.rich_text import sym_html, tokens_html
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import ShownRefresh
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.pass_page import PASS_CHANGES, PassPage
from backprop_gui.ui.stepping.worked_view import add_view_dock

SCHEME = "path"  # row links "path:i" (i into ChainRule.paths)


class ChainRuleView(PassPage):
    """The paths of the selected gradient in ``model``'s pass; ``reveal`` as for the worked solution."""

    pathHovered = Signal(object)  # noqa: N815 (Qt's naming) — the hovered path's ChainPath, or None

    def __init__(self, model: SessionModel, reveal: FormulaView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.reveal = reveal
        self.setObjectName("chainRuleView")
        self.setOpenLinks(False)
        self.setReadOnly(True)
        self.document().setDocumentMargin(10)
        self.highlighted.connect(self._hovered)
        self.rule: ChainRule | None = None
        self._page = ""  # the rich text shown
        self._shown = ShownRefresh(self, self.refresh)
        self._apply_font()
        model.changed.connect(self._on_changed)
        if reveal is not None:
            reveal.revealChanged.connect(lambda _pending: self._shown.request())
        self.refresh()

    def target(self) -> tuple[str, int, int, int | None] | None:
        """(kind, layer, j, k) explained: the selected edge or neuron of layers 1..L, else the neuron
        computed last; None when there is none (or the input layer is selected)."""
        selection = self.model.selection
        sizes = self.model.stepper.network.sizes
        if selection is not None:
            l, j, k = selection.layer, selection.j, selection.k
            if not (1 <= l < len(sizes) and 0 <= j < sizes[l] and (k is None or 0 <= k < sizes[l - 1])):
                return None
            return ("delta" if k is None else "weight"), l, j, k
        found = focus(self.model.stepper)
        return ("delta", found[0], found[1], None) if found else None

    def refresh(self) -> None:
        target = self.target()
        self.rule = None if target is None else chain_rule(self.model.stepper, *target)
        page = self._html(target)
        if page != self._page:  # a step often leaves the chain rule as it was: not parsed and laid out again
            self._page = page
            self.setHtml(page)

    def path_at(self, row: int) -> ChainPath | None:
        rule = self.rule
        return rule.paths[row] if rule is not None and 0 <= row < len(rule.paths) else None

    # --- keeping up ----------------------------------------------------------------------

    def _on_changed(self, event: Event) -> None:
        if event.field not in PASS_CHANGES:
            return
        self._shown.request()  # now if seen, else once it is

    def _hovered(self, url: QUrl) -> None:
        path = self.path_at(int(url.path())) if url.scheme() == SCHEME else None
        self.pathHovered.emit(path)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        self.pathHovered.emit(None)
        super().leaveEvent(event)

    # --- rich text -------------------------------------------------------------------------

    def _held(self, kind: str, layer: int) -> bool:
        quantity = Quantity.GRAD_WEIGHTS if kind == "weight" else Quantity.DELTA
        return self.reveal is not None and self.reveal.holds_back(quantity, layer)

    def _html(self, target: tuple[str, int, int, int | None] | None) -> str:
        palette = self.palette()
        dark = is_dark(palette)
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        number = "#8cc4ff" if dark else "#0b5cad"
        muted = mix(base, text, 0.62).name()
        grid = mix(base, text, 0.25).name()
        self.document().setDefaultStyleSheet(f"a {{ color: {text.name()}; text-decoration: none; }}")
        if target is None:
            return (
                f'<p style="color:{muted}">Select an edge w<sub>jk</sub><sup>l</sup> or a neuron of layers 1…L to '
                "see its gradient as a sum over every path to the loss, the derivation done by hand.</p>"
            )
        kind, l, j, k = target
        name = sym_html(Sym("∂C/∂w", index(j, k), str(l)) if k is not None else Sym("δ", index(j), str(l)))
        rule = self.rule
        if rule is None:
            step = computed_in(Quantity.GRAD_WEIGHTS if kind == "weight" else Quantity.DELTA, l)
            return (
                f"<p><b>{name}</b></p><p style='color:{muted}'>Not known yet: it is computed in "
                f"{html.escape(step.label if step else '')}. Step there to see it as a sum over paths.</p>"
            )
        digits = self.model.precision
        also = ""
        if kind == "delta" and self.model.stepper.network.layer(l).has_bias:
            also = f" = {sym_html(Sym('∂C/∂b', index(j), str(l)))}"
        count = rule.path_count
        out = [
            f"<p style='margin-bottom:2px'><b>{name}{also}</b> = {tokens_html(rule.general, digits)}"
            f"<span style='color:{muted}'> — {count} path{'s' if count != 1 else ''}, "
            f"each the product of its local derivatives</span></p>"
        ]
        if self._held(kind, l):
            key = self.reveal.reveal_shortcut if self.reveal is not None else ""
            press = f" (press {html.escape(key)})" if key else ""
            out.append(f"<p style='color:{muted}'><i>? — numbers not revealed yet{press}</i></p>")
            return "".join(out)
        cell = f"style='padding:2px 6px; border-bottom:1px solid {grid}'"
        rows = []
        for i, path in enumerate(rule.paths):
            link = f"{SCHEME}:{i}"
            factors = "".join(
                f"<td {cell} align='center'><a href='{link}'>{tokens_html(f.symbol, digits)}<br>"
                f"<span style='color:{number}'>{html.escape(format_number(f.value, digits))}</span></a></td>"
                for f in path.factors
            )
            product = html.escape(format_number(path.product, digits))
            rows.append(
                f"<tr><td {cell}><a href='{link}'>{i + 1}</a></td>{factors}"
                f"<td {cell} align='right'><a href='{link}'><b style='color:{number}'>{product}</b></a></td></tr>"
            )
        if rule.rest_count:
            width = len(rule.paths[0].factors) + 1
            rest = html.escape(format_number(rule.rest_sum, digits))
            rows.append(
                f"<tr><td {cell} colspan='{width}' style='color:{muted}'>{_others(rule.rest_count)}</td>"
                f"<td {cell} align='right'><b style='color:{number}'>{rest}</b></td></tr>"
            )
        out.append(f"<table cellspacing='0'>{''.join(rows)}</table>")
        total, backprop = format_number(rule.total, digits), format_number(rule.backprop, digits)
        agree = "agree" if total == backprop else "differ"
        out.append(
            f"<p style='margin-top:6px'>Sum over the paths = <b style='color:{number}'>{html.escape(total)}</b>"
            f"&nbsp;&nbsp;&nbsp;backprop: {name} = <b style='color:{number}'>{html.escape(backprop)}</b>"
            f"<span style='color:{muted}'> (they {agree} to the digits shown)</span></p>"
        )
        out.append(f"<p style='color:{muted}; margin-top:4px'>{caret_html(rule.factoring)}</p>")  # δ^2 with scripts
        return "".join(out)


def _others(count: int) -> str:
    return "the other path" if count == 1 else f"the other {count} paths"


def install_chain_rule(window: QMainWindow, model: SessionModel, reveal: FormulaView | None) -> QDockWidget:
    """Add the Chain Rule dock (key "chain") to ``window``; returns the dock."""
    dock = add_view_dock(window, "chain", "Chain Rule", ChainRuleView(model, reveal))
    dock.toggleViewAction().setText("&Chain Rule")
    return dock
