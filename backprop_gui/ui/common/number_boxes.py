"""Spin boxes that show and keep every value exactly as the session holds it.

A QDoubleSpinBox rounds its value to its ``decimals`` (a noise of 0.0005 from a file became
0.001 with 3 decimals, and was saved so), and a QSpinBox holds at most 2³¹ − 1 (a seed may be
up to 2⁶⁴ − 1). ``ExactSpinBox`` shows the shortest text that reads back as the same float and
never rounds; ``LogSpinBox`` steps it through 1, 2, 5, 10, …; ``SeedBox`` holds any seed the
core accepts. ``param_box`` is the box for one setting of a built-in data set.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox, QWidget

from backprop_gui.core.datasets import Param
from backprop_gui.core.network import MAX_SEED

EXACT_DECIMALS = 323  # the most Qt allows: QDoubleSpinBox then rounds nothing a float64 holds
QSPINBOX_MAX = 2**31 - 1


def number_text(value: float) -> str:
    """The shortest text that reads back as exactly ``value``: 0.0005, 1e-05, 0.30000000000000004."""
    for digits in (15, 16):
        text = f"{value:.{digits}g}"
        if float(text) == value:
            return text
    return f"{value:.17g}"


def _decimals(value: float) -> int:
    """Decimal places ``number_text(value)`` needs: 2 for 0.25, 5 for 1e-05, 0 for 300."""
    mantissa, _, exponent = number_text(abs(value)).partition("e")
    places = len(mantissa.partition(".")[2]) - (int(exponent) if exponent else 0)
    return max(0, places)


class ExactSpinBox(QDoubleSpinBox):
    """A spin box for a real number in ``low``..``high`` that never rounds: a value set or typed is
    kept bit for bit and shown in its shortest exact text. Stepping moves by ``step`` and keeps the
    decimals of the value and the step (0.0005 + 0.01 = 0.0105, not 0.010499999999999999)."""

    def __init__(self, low: float, high: float, step: float = 0.01, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(EXACT_DECIMALS)
        self.setRange(low, high)
        self.setSingleStep(step)
        self.setKeyboardTracking(False)

    def stepBy(self, steps: int) -> None:
        value, step = self.value(), self.singleStep()
        places = max(_decimals(value), _decimals(step))
        self.setValue(round(value + steps * step, places))

    def textFromValue(self, value: float) -> str:
        return number_text(value)

    def sizeHint(self) -> QSize:
        return self._narrowed(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._narrowed(super().minimumSizeHint())

    def _narrowed(self, hint: QSize) -> QSize:
        """``hint`` (Qt sizes the box for its range's texts, up to 18 characters: 1.797…e+308 for
        an open range, "1" for 0..1) with room for 5 to 9 characters; longer values scroll."""
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(number_text(v)[:18] + " ") for v in (self.minimum(), self.maximum()))
        least, most = metrics.horizontalAdvance("0.000 "), metrics.horizontalAdvance("0.0000000 ")
        return QSize(hint.width() + max(0, least - widest) - max(0, widest - most), hint.height())

    def valueFromText(self, text: str) -> float:
        return float(text.replace("−", "-"))

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        try:
            value = float(text.replace("−", "-"))
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = math.isfinite(value) and self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos


class LogSpinBox(ExactSpinBox):
    """A spin box for η, λ, ε and the like: steps through 1, 2, 5, 10, … and shows values like 0.5 or 1e-05."""

    def __init__(self, low: float, high: float, parent: QWidget | None = None) -> None:
        super().__init__(low, high, parent=parent)
        self.setAccelerated(True)

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            value = self._next(value, up=steps > 0)
        self.setValue(value)

    @staticmethod
    def _next(value: float, up: bool) -> float:
        exponent = math.floor(math.log10(value))
        ladder = [float(f"{m}e{e}") for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
        if up:
            return next(v for v in ladder if v > value * (1 + 1e-9))
        return next(v for v in reversed(ladder) if v < value * (1 - 1e-9))


class SeedBox(QAbstractSpinBox):
    """A spin box for a seed in 0..MAX_SEED (2⁶⁴ − 1, more than a QSpinBox holds), with the
    ``value``/``setValue``/``valueChanged`` of a QSpinBox. Typed digits take effect on Enter or
    when the box loses focus; anything else typed is put back to the current seed."""

    valueChanged = Signal(object)  # an int, possibly beyond 64-bit signed

    def __init__(self, value: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = -1
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setValue(value)
        self.editingFinished.connect(self._typed)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:
        """Show ``value`` (clamped to 0..MAX_SEED); emit ``valueChanged`` if it differs."""
        value = min(max(int(value), 0), MAX_SEED)
        self.lineEdit().setText(str(value))
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)

    def minimum(self) -> int:
        return 0

    def maximum(self) -> int:
        return MAX_SEED

    def stepBy(self, steps: int) -> None:
        self.setValue(self._value + steps)
        self.selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self.isReadOnly():
            return flags
        if self._value > 0:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        if self._value < MAX_SEED:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        return flags

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        digits = text.strip()
        if not digits:
            return QValidator.State.Intermediate, text, pos
        if not digits.isascii() or not digits.isdigit():
            return QValidator.State.Invalid, text, pos
        ok = int(digits) <= MAX_SEED
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()  # the frame and the arrows, around no text
        return QSize(hint.width() + self.fontMetrics().horizontalAdvance("0" * 12), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width() + self.fontMetrics().horizontalAdvance("0" * 6), hint.height())

    def _typed(self) -> None:
        text = self.text().strip()
        if self.validate(text, 0)[0] == QValidator.State.Acceptable:
            self.setValue(int(text))
        else:
            self.lineEdit().setText(str(self._value))


NumberBox = QSpinBox | ExactSpinBox | SeedBox


def param_box(param: Param, value: float | int) -> NumberBox:
    """The box for ``param`` (a setting of a built-in data set) showing ``value``, with its help as tooltip."""
    box: NumberBox
    if param.kind is int and param.high > QSPINBOX_MAX:
        box = SeedBox(int(value))
    elif param.kind is int:
        box = QSpinBox()
        box.setRange(int(param.low), int(param.high))
        box.setValue(int(value))
    else:
        box = ExactSpinBox(float(param.low), float(param.high))
        box.setValue(float(value))
    box.setToolTip(param.help)
    return box
