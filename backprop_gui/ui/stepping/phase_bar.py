"""The phase bar: Start, Forward 1 … Forward L, Loss, Backward L … Backward 1, Update.

Completed phases are tinted, the current one is filled with the accent colour, a phase
stepped into neuron by neuron shows how far it got, phases still to come are muted. A
click runs the pass forward or back to that phase. A phase with a breakpoint carries a red
dot. Buttons never take keyboard focus, so the window's arrow-key shortcuts keep working.
"""

from __future__ import annotations

import html
import re
from enum import StrEnum

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen
from PySide6.QtWidgets import QAbstractButton, QHBoxLayout, QSizePolicy, QWidget

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.stepper import Phase, PhaseStep, Stepper
from backprop_gui.ui.common.colors import mix
from backprop_gui.ui.common.session_model import SessionModel

START = -1  # the index of the leading Start button: nothing computed yet
BREAKPOINT_COLOR = QColor(210, 30, 30)
BREAKPOINT_TIP = "breakpoint (F9 to remove)"


class PhaseState(StrEnum):
    DONE = "done"  # completed earlier in this pass
    CURRENT = "current"  # the phase being shown (the last one completed)
    PARTIAL = "partial"  # stepped into: some of its neurons are known
    PENDING = "pending"  # not reached yet


def _sup(n: int | str) -> str:
    return f"<sup>{n}</sup>"


def phase_tooltip(step: PhaseStep | None, stepper: Stepper) -> str:
    """Rich text explaining what ``step`` computes (None: the Start state), in the course's notation."""
    network = stepper.network
    depth = network.depth
    if step is None:
        return (
            "<b>Start</b><br>Only the input x = a<sup>0</sup> is known.<br>Click to go back to the start of the pass."
        )
    if step.phase is Phase.FORWARD:
        l = step.layer
        f = html.escape(network.layer(l).activation)
        body = f"z{_sup(l)} = w{_sup(l)} a{_sup(l - 1)} + b{_sup(l)},&nbsp; a{_sup(l)} = {f}(z{_sup(l)})"
    elif step.phase is Phase.LOSS:
        formula = re.sub(r"_(\w)", r"<sub>\1</sub>", html.escape(LOSSES[network.loss].formula))
        body = f"{formula},&nbsp; ∂C/∂a^L&nbsp; (L = {depth})".replace("^L", _sup("L"))
    elif step.phase is Phase.BACKWARD:
        l = step.layer
        f = html.escape(network.layer(l).activation)
        if l == depth:
            delta = f"δ{_sup(l)} = ∂C/∂a{_sup(l)} ⊙ {f}′(z{_sup(l)})"
            if ACTIVATIONS[network.layer(l).activation].derivative is None:
                delta = f"δ{_sup(l)} = (∂a{_sup(l)}/∂z{_sup(l)})ᵀ ∂C/∂a{_sup(l)}"
        else:
            delta = f"δ{_sup(l)} = ((w{_sup(l + 1)})ᵀ δ{_sup(l + 1)}) ⊙ {f}′(z{_sup(l)})"
        body = f"{delta},<br>∂C/∂w{_sup(l)} = δ{_sup(l)} (a{_sup(l - 1)})ᵀ,&nbsp; ∂C/∂b{_sup(l)} = δ{_sup(l)}"
    else:
        eta = f"{stepper.learning_rate:g}"
        body = f"w ← w − η ∂C/∂w,&nbsp; b ← b − η ∂C/∂b&nbsp; (η = {eta})"
    return f"<b>{step.label}</b><br>{body}<br>Click to run the pass to here."


def short_label(step: PhaseStep | None) -> str:
    """A compact label for narrow bars: S, F1, L, B1, U."""
    if step is None:
        return "S"
    if step.phase in (Phase.FORWARD, Phase.BACKWARD):
        return f"{step.phase.value[0].upper()}{step.layer}"
    return step.phase.value[0].upper()


class PhaseButton(QAbstractButton):
    """One phase (or Start), painted according to its ``state``; ``progress`` is (known, total)."""

    def __init__(self, index: int, step: PhaseStep | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.step = step
        self.state = PhaseState.PENDING
        self.progress = (0, 1)
        self.breakpoint = False
        self.setText(step.label if step is not None else "Start")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        # The window's colour around the rounded corners, painted here: a button whose state changed
        # repaints alone, not the bar and the window behind it.
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.setAutoFillBackground(True)

    def set_state(self, state: PhaseState, progress: tuple[int, int]) -> None:
        if (state, progress) != (self.state, self.progress):
            self.state, self.progress = state, progress
            self.update()

    def set_breakpoint(self, on: bool) -> None:
        """Draw (or remove) the red breakpoint dot."""
        if on != self.breakpoint:
            self.breakpoint = on
            self.update()

    def _dot(self, rect: QRectF) -> QRectF:
        """The breakpoint dot: a circle a third of the button's height, inside its left end."""
        d = max(6.0, rect.height() / 3)
        return QRectF(rect.left() + d * 0.5, rect.center().y() - d / 2, d, d)

    def shown_text(self) -> str:
        """The label as painted (``label``)."""
        return self.label()[1]

    def label(self) -> tuple[QFont, str]:
        """The font and text painted, with "k/n" while stepped into: the first of these that fits — on one
        line; the current phase's on one line in the regular weight (its fill marks it already), rather
        than broken; on two lines ("Backward" over "2"); short on one ("B2 3/16"); short on two ("B2"
        over "3/16")."""
        font = self._font()
        regular = QFont(font)
        regular.setBold(False)
        progress = f" {self.progress[0]}/{self.progress[1]}" if self.state is PhaseState.PARTIAL else ""
        room = self.width() - 16 - (2 * self._dot(QRectF(self.rect())).width() if self.breakpoint else 0)
        whole, short = self.text() + progress, short_label(self.step) + progress
        for face, text in ((font, whole), (regular, whole), (font, whole.replace(" ", "\n", 1)), (font, short)):
            fm = QFontMetricsF(face)
            lines = text.split("\n")
            fits_height = len(lines) == 1 or self.height() - 4 >= 2 * fm.lineSpacing()
            if fits_height and all(fm.horizontalAdvance(line) <= room for line in lines):
                return face, text
        two_lines = self.height() - 4 >= 2 * QFontMetricsF(font).lineSpacing()
        return font, short.replace(" ", "\n", 1) if two_lines else short

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(self.state in (PhaseState.CURRENT, PhaseState.PARTIAL))
        return font

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        fm = QFontMetricsF(self._font())
        return QSize(round(fm.horizontalAdvance(self.text()) + 28), self._height(fm))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Room for the short label over its progress ("B2" over "3/16"): a deep network's bar fits
        a 1024-px window beside the docks."""
        fm = QFontMetricsF(self._font())
        return QSize(round(max(fm.horizontalAdvance("B00"), fm.horizontalAdvance("00/00")) + 16), self._height(fm))

    @staticmethod
    def _height(fm: QFontMetricsF) -> int:
        """Room for a label on two lines, with a margin."""
        return round(2 * fm.lineSpacing() + 6)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        palette = self.palette()
        accent = palette.color(QPalette.ColorRole.Highlight)
        text_color = palette.color(QPalette.ColorRole.Text)
        base = palette.color(QPalette.ColorRole.Base)
        hovered = self.underMouse()

        def tinted(alpha: int) -> QColor:
            color = QColor(accent)
            color.setAlpha(alpha)
            return color

        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        border = QPen(tinted(110), 1)
        if self.state is PhaseState.CURRENT:
            fill, text_color, border = accent, palette.color(QPalette.ColorRole.HighlightedText), QPen(accent, 1)
        elif self.state is PhaseState.DONE:
            fill = tinted(60)
        elif self.state is PhaseState.PARTIAL:
            fill, border = base, QPen(accent, 2)
        else:  # muted, mixed from base and text so it reads on light and dark palettes alike
            fill = base
            text_color = mix(base, text_color, 0.6)
            border = QPen(mix(base, text_color, 0.45), 1)
        if hovered:
            border = QPen(accent, 2)
        painter.setPen(border)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 5, 5)
        if self.state is PhaseState.PARTIAL:
            known, total = self.progress
            done = QRectF(rect.left(), rect.top(), rect.width() * known / max(total, 1), rect.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tinted(120))
            painter.setClipRect(done)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 4, 4)
            painter.setClipping(False)
        text_rect = rect
        if self.breakpoint:
            dot = self._dot(rect)
            painter.setPen(QPen(QColor(Qt.GlobalColor.white), 1.5))
            painter.setBrush(BREAKPOINT_COLOR)
            painter.drawEllipse(dot)
            text_rect = rect.adjusted(dot.right() - rect.left(), 0, 0, 0)  # the label centred beside the dot
        font, text = self.label()
        painter.setFont(font)
        painter.setPen(text_color)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class PhaseBar(QWidget):
    """One button per phase of ``model``'s pass; the current phase is marked, a click runs to it."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.buttons: list[PhaseButton] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 6, 8, 6)
        self._layout.setSpacing(4)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        model.changed.connect(self._on_changed)
        self._build()

    def button(self, index: int) -> PhaseButton:
        """The button of ``phases[index]`` (``START`` for the Start button)."""
        return self.buttons[index + 1]

    def current_index(self) -> int:
        """The index of the phase being shown, or ``START`` when nothing is computed yet."""
        current = self.model.stepper.current
        return self.model.stepper.phases.index(current) if current is not None else START

    def _build(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        stepper = self.model.stepper
        self.buttons = [PhaseButton(START, None, self)]
        self.buttons += [PhaseButton(i, step, self) for i, step in enumerate(stepper.phases)]
        previous: Phase | None = None
        for button in self.buttons:
            phase = button.step.phase if button.step is not None else None
            if previous is not None and phase is not previous:
                self._layout.addSpacing(8)
            previous = phase
            self._layout.addWidget(button)
            button.clicked.connect(lambda _=False, index=button.index: self._run_to(index))
        self._update()

    def _run_to(self, index: int) -> None:
        if index == START:
            self.model.reset_pass()
        else:
            self.model.run_to(index)

    def _update(self) -> None:
        stepper = self.model.stepper
        position, revealed = stepper.position, stepper.revealed
        breakpoints = self.model.state.breakpoints.phases
        current = self.current_index()
        for button in self.buttons:
            i = button.index
            total = stepper.neuron_count(button.step) if button.step is not None else 1
            if i == current and revealed:
                state = PhaseState.PARTIAL
            elif i == current:
                state = PhaseState.CURRENT
            elif i < position:
                state = PhaseState.DONE
            else:
                state = PhaseState.PENDING
            button.set_state(state, (revealed if state is PhaseState.PARTIAL else total, total))
            button.set_breakpoint(i in breakpoints)
            tip = phase_tooltip(button.step, stepper)
            if button.breakpoint:
                tip += f'<br><b style="color:{BREAKPOINT_COLOR.name()}">● {BREAKPOINT_TIP}</b>'
            if tip != button.toolTip():  # η or the network may have changed; most steps change nothing
                button.setToolTip(tip)

    def _on_changed(self, event: Event) -> None:
        if event.field in (Field.SESSION, Field.NETWORK):
            if [b.step for b in self.buttons[1:]] != self.model.stepper.phases:
                self._build()
                return
        if event.field in (Field.PASS, Field.SESSION, Field.NETWORK, Field.BREAKPOINTS):
            self._update()
