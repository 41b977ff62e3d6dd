"""A read-only rich-text page over the pass, the base of the Worked Solution and Chain Rule docks.

It redraws (``refresh``, each page's own) when the pass, the selection or the display change,
catches up when a hidden dock shows again, follows font and palette changes, and knows the
formula panel whose held-back numbers ("numbers on request") it hides too.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPalette, QShowEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTextBrowser, QWidget

from backprop_gui.ui.common.colors import is_dark, mix
from backprop_gui.ui.common.session_model import Change, SessionModel
from backprop_gui.ui.common.window_menus import window_menu
from backprop_gui.ui.stepping.formula_view import FormulaView

REDRAWN_ON = (Change.PASS, Change.NETWORK, Change.SELECTION, Change.DISPLAY, Change.SESSION)


@dataclass(frozen=True)
class PageColours:
    """Colours of a page, as CSS names: numbers, muted text, text, the newest lines' background, rules."""

    number: str
    muted: str
    text: str
    newest: str
    rule: str


class PassPage(QTextBrowser):
    """The page of ``model``'s pass; ``reveal`` is the formula panel whose held-back numbers it hides
    (None: every number at once). Subclasses draw it in ``refresh`` and call it once set up."""

    def __init__(self, model: SessionModel, reveal: FormulaView | None, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.reveal = reveal
        self.setObjectName(name)
        self.setOpenLinks(False)
        self.setReadOnly(True)
        self.document().setDocumentMargin(10)
        self._stale = False
        self._apply_font()
        model.changed.connect(self._on_changed)
        if reveal is not None:
            reveal.revealChanged.connect(lambda _pending: self._on_changed(Change.DISPLAY))

    def refresh(self) -> None:
        """Draw the page from the model (each page its own)."""
        raise NotImplementedError

    def held(self) -> bool:
        """Whether the current phase's numbers wait for the formula panel's reveal."""
        return self.reveal is not None and self.reveal.reveal_pending

    def press_hint(self) -> str:
        """ " (press R)" naming the reveal key, or "" when there is none."""
        key = self.reveal.reveal_shortcut if self.reveal is not None else ""
        return f" (press {key})" if key else ""

    def colours(self) -> PageColours:
        """The page's colours for the palette; links take the text colour, without underline."""
        palette = self.palette()
        dark = is_dark(palette)
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        self.document().setDefaultStyleSheet(f"a {{ color: {text.name()}; text-decoration: none; }}")
        return PageColours(
            number="#8cc4ff" if dark else "#0b5cad",
            muted=mix(base, text, 0.62).name(),
            text=text.name(),
            newest=mix(base, palette.color(QPalette.ColorRole.Highlight), 0.25 if dark else 0.12).name(),
            rule=mix(base, text, 0.25).name(),
        )

    def _on_changed(self, what: str) -> None:
        if what not in REDRAWN_ON:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True  # a closed dock catches up when it is shown again

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        if self._stale:
            self.refresh()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_font()
            self.refresh()
        elif event.type() == QEvent.Type.PaletteChange:
            self.refresh()

    def _apply_font(self) -> None:
        """The document's font: 1.15 × the widget's (at least 10 pt), so scripts stay legible."""
        font = QFont(self.font())
        font.setPointSizeF(max(10.0, font.pointSizeF() * 1.15))
        self.document().setDefaultFont(font)


def add_view_dock(window: QMainWindow, key: str, title: str, widget: QWidget) -> QDockWidget:
    """``widget`` in a new bottom dock of ``window``, registered as ``window.docks[key]`` when the
    window keeps such a map, with its show/hide toggle in the View menu."""
    dock = QDockWidget(title, window)
    dock.setObjectName(f"{key}Dock")
    dock.setWidget(widget)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    docks = getattr(window, "docks", None)
    if isinstance(docks, dict):
        docks[key] = dock
    window_menu(window, "View").addAction(dock.toggleViewAction())
    return dock
