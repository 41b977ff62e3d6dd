"""The training dock: run buttons, speed, the settings η, batch size, epochs, shuffle, seed,
validation fraction, and live figures (epoch, step, loss, steps per second)."""

from __future__ import annotations

import math
from typing import Protocol

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QAction, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.datasets import MAX_SAMPLES, MAX_VALIDATION_FRACTION
from backprop_gui.core.network import MAX_SEED
from backprop_gui.core.training import MAX_EPOCHS, MAX_LEARNING_RATE, MIN_LEARNING_RATE
from backprop_gui.core.training_worker import MAX_DELAY
from backprop_gui.ui.common.session_model import Change, SessionModel


class TrainingControls(Protocol):
    """What the training panel uses of the training controller."""

    model: SessionModel
    actions: dict[str, QAction]
    state: str
    steps_per_second: float

    @property
    def state_changed(self) -> SignalInstance: ...
    @property
    def progressed(self) -> SignalInstance: ...
    def set_learning_rate(self, learning_rate: float) -> bool: ...
    def set_setting(self, name: str, value: float | int | bool) -> bool: ...
    def set_delay(self, seconds: float) -> None: ...
    def batches_per_epoch(self) -> int: ...


SPEED_STEPS = 100  # the speed slider's top position: as fast as possible


def delay_for_speed(position: int) -> float:
    """Seconds to wait per step for slider ``position`` 0..SPEED_STEPS (log scale; the top is 0)."""
    if position >= SPEED_STEPS:
        return 0.0
    return MAX_DELAY * 10 ** (-3 * position / SPEED_STEPS)  # 2 s … 2 ms per step


def speed_text(delay: float) -> str:
    if delay == 0:
        return "as fast as possible"
    per_second = 1 / delay
    return f"≤ {per_second:.2g} steps/s" if per_second < 10 else f"≤ {per_second:,.0f} steps/s"


class LogSpinBox(QDoubleSpinBox):
    """A spin box for η: steps through 1, 2, 5, 10, … and shows values like 0.5 or 1e-05."""

    def __init__(self, low: float, high: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(low, high)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            value = self._next(value, up=steps > 0)
        self.setValue(value)

    @staticmethod
    def _next(value: float, up: bool) -> float:
        exponent = math.floor(math.log10(value))
        ladder = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
        if up:
            return next(v for v in ladder if v > value * (1 + 1e-9))
        return next(v for v in reversed(ladder) if v < value * (1 - 1e-9))

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        return float(text.replace("−", "-"))

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        try:
            value = float(text.replace("−", "-"))
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos


class TrainingPanel(QWidget):
    """Controls and live figures of ``controller``; reads the settings from its model's session."""

    def __init__(self, controller: TrainingControls, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = controller.model

        buttons = QGridLayout()
        buttons.setSpacing(4)
        self.buttons: dict[str, QToolButton] = {}
        for i, name in enumerate(("train", "pause", "one_epoch", "n_epochs", "reset")):
            button = QToolButton()
            button.setDefaultAction(controller.actions[name])  # shows the action's short icon text
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button, i // 3, i % 3)
            self.buttons[name] = button

        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, SPEED_STEPS)
        self.speed.setValue(SPEED_STEPS)
        self.speed.setToolTip("From one step at a time, slowly enough to watch, to as fast as possible")
        self.speed_label = QLabel(speed_text(0.0))
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance("as fast as possible"))
        speed = QHBoxLayout()
        speed.addWidget(QLabel("Speed"))
        speed.addWidget(self.speed, 1)
        speed.addWidget(self.speed_label)

        self.learning_rate = LogSpinBox(MIN_LEARNING_RATE, MAX_LEARNING_RATE)
        self.learning_rate.setToolTip(
            f"η, the learning rate of SGD: w ← w − η ∂C/∂w ({MIN_LEARNING_RATE:g} to {MAX_LEARNING_RATE:g}). "
            "A change during training takes effect from the next step."
        )
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, MAX_SAMPLES)
        self.batch_size.setToolTip("Samples per SGD step (1: the course's per-sample SGD)")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, MAX_EPOCHS)
        self.epochs.setToolTip("Epochs one press of Train runs")
        self.shuffle = QCheckBox("Shuffle each epoch")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setToolTip("Seed of the shuffling order and of the validation split")
        self.validation = QDoubleSpinBox()
        self.validation.setRange(0.0, MAX_VALIDATION_FRACTION)
        self.validation.setSingleStep(0.05)
        self.validation.setDecimals(2)
        self.validation.setToolTip("Fraction of the samples held out to measure validation loss each epoch")
        for box in (self.batch_size, self.epochs, self.seed, self.validation):
            box.setKeyboardTracking(False)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Learning rate η", self.learning_rate)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Epochs per run", self.epochs)
        form.addRow("", self.shuffle)
        form.addRow("Seed", self.seed)
        form.addRow("Validation fraction", self.validation)
        settings = QGroupBox("Settings")
        settings.setLayout(form)

        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        names = ("State", "Epoch", "Step", "Loss C", "Epoch mean", "Validation", "Speed")
        for row, name in enumerate(names):
            value = QLabel("—")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(value, row, 1)
            self.figures[name] = value
        grid.setColumnStretch(1, 1)
        progress = QGroupBox("Progress")
        progress.setLayout(grid)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(speed)
        layout.addWidget(settings)
        layout.addWidget(progress)
        layout.addStretch(1)

        self.speed.valueChanged.connect(self._speed_moved)
        self.learning_rate.valueChanged.connect(controller.set_learning_rate)
        self.batch_size.valueChanged.connect(lambda v: controller.set_setting("batch_size", v))
        self.epochs.valueChanged.connect(lambda v: controller.set_setting("epochs", v))
        self.shuffle.toggled.connect(lambda v: controller.set_setting("shuffle", v))
        self.seed.valueChanged.connect(lambda v: controller.set_setting("seed", v))
        self.validation.valueChanged.connect(lambda v: controller.set_setting("validation_fraction", v))
        controller.state_changed.connect(self._state_changed)
        controller.progressed.connect(self.show_figures)
        self.model.changed.connect(self._model_changed)
        self.show_settings()
        self._state_changed(controller.state)

    def show_settings(self) -> None:
        """Put the session's settings into the controls (without echoing them back)."""
        session = self.model.session
        s = session.training
        values = (
            (self.learning_rate, s.learning_rate),
            (self.batch_size, s.batch_size),
            (self.epochs, s.epochs),
            (self.shuffle, s.shuffle),
            (self.seed, s.seed),
            (self.validation, session.data.validation_fraction),
        )
        for widget, value in values:
            widget.blockSignals(True)
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            else:
                widget.setValue(float(value))
            widget.blockSignals(False)
        self.batch_size.setMaximum(max(1, len(session.data)))
        self.show_figures()

    def show_figures(self) -> None:
        session, c = self.model.session, self.controller
        h = session.history
        fmt = self.model.format
        self.figures["Epoch"].setText(f"{session.epoch:,} done · batch {session.batch:,} of {c.batches_per_epoch():,}")
        self.figures["Step"].setText(f"{h.steps:,}")
        self.figures["Loss C"].setText(fmt(h.step_losses[-1]) if h.step_losses else "—")
        self.figures["Epoch mean"].setText(fmt(h.epoch_losses[-1]) if h.epoch_losses else "—")
        self.figures["Validation"].setText(fmt(h.validation_losses[-1]) if h.validation_losses else "—")
        rate = c.steps_per_second
        self.figures["Speed"].setText(f"{rate:,.0f} steps/s" if rate else "—")

    def _state_changed(self, state: str) -> None:
        self.figures["State"].setText(state.capitalize())
        running = state == "training"
        for box in (self.batch_size, self.shuffle, self.seed, self.validation):
            box.setEnabled(not running)
        self.show_figures()

    def _speed_moved(self, position: int) -> None:
        delay = delay_for_speed(position)
        self.speed_label.setText(speed_text(delay))
        self.controller.set_delay(delay)

    def _model_changed(self, what: str) -> None:
        if what == Change.SESSION:
            self.show_settings()
        elif what == Change.DISPLAY:
            self.show_figures()
