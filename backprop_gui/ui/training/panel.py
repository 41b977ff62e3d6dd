"""The training dock: run buttons, speed, the settings η, batch size, epochs, shuffle, seed,
validation fraction, the update rule (optimizer, penalty, clipping, schedule), and live figures
(epoch, step, loss, steps per second)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Protocol

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from backprop_gui.core.debugger_state import DISPLAY, Event, Field
from backprop_gui.core.optimizers import (
    HYPERPARAMETERS,
    MAX_STEP_SIZE,
    MAX_STRENGTH,
    OPTIMIZERS,
    OptimizerSettings,
    Regularization,
    Schedule,
    UpdateRule,
)
from backprop_gui.core.training import MAX_EPOCHS, MAX_LEARNING_RATE, MIN_LEARNING_RATE
from backprop_gui.core.training_worker import MAX_DELAY
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.common.number_boxes import ExactSpinBox, LogSpinBox, SeedBox
from backprop_gui.ui.common.reflow import FlowGrid, narrow_combos, reflowing_form
from backprop_gui.ui.common.session_model import SessionModel


class TrainingControls(Protocol):
    """What the training panel uses of the training controller."""

    model: SessionModel
    state: str
    steps_per_second: float

    @property
    def actions(self) -> Mapping[ActionId, QAction]: ...
    @property
    def state_changed(self) -> SignalInstance: ...
    @property
    def progressed(self) -> SignalInstance: ...
    def set_learning_rate(self, learning_rate: float) -> bool: ...
    def set_setting(self, name: str, value: float | int | bool) -> bool: ...
    def set_rule(self, rule: UpdateRule) -> bool: ...
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


PENALTIES = {"none": "None", "l1": "L1: + λ‖w‖₁", "l2": "L2: + (λ/2)‖w‖²"}
SCHEDULE_NAMES = {"constant": "Constant η", "step": "Step decay", "exponential": "Exponential decay"}


def closed_range(low: float, high: float, low_in: bool = True, high_in: bool = True) -> tuple[float, float]:
    """The closed range of floats a spin box can hold for an interval that may be open at either end."""
    return low if low_in else math.nextafter(low, math.inf), high if high_in else math.nextafter(high, -math.inf)


def _hyperparameter_box(name: str, tip: str) -> ExactSpinBox:
    """A spin box for the optimiser's hyperparameter ``name``, with the range the core allows it."""
    _, low, high, low_in, high_in = HYPERPARAMETERS[name]
    kind = LogSpinBox if name == "epsilon" else ExactSpinBox
    box = kind(*closed_range(low, high, low_in, high_in))
    box.setToolTip(tip)
    return box


class UpdateRuleBox(QGroupBox):
    """The update rule's controls: optimizer and the hyperparameters it has, regularisation and λ,
    clipping, and η's schedule. Each change calls ``on_change`` with the whole new rule; controls a
    choice does not use are hidden."""

    def __init__(self, on_change: Callable[[UpdateRule], object], parent: QWidget | None = None) -> None:
        super().__init__("Optimizer", parent)
        self.on_change = on_change
        self._shown = UpdateRule()
        self.optimizer = QComboBox()
        for key, rule in OPTIMIZERS.items():
            self.optimizer.addItem(rule.title, key)
        self.optimizer.setToolTip("How the gradient becomes a step, as torch.optim defines each rule")
        self.momentum = _hyperparameter_box("momentum", "μ of v ← μ v + g, w ← w − η v (torch.optim.SGD's momentum)")
        self.nesterov = QCheckBox("Nesterov: w ← w − η (g + μ v)")
        self.alpha = _hyperparameter_box("alpha", "α of v ← α v + (1 − α) g², w ← w − η g / (√v + ε)")
        self.beta1 = _hyperparameter_box("beta1", "β₁ of the first moment m ← β₁ m + (1 − β₁) g")
        self.beta2 = _hyperparameter_box("beta2", "β₂ of the second moment v ← β₂ v + (1 − β₂) g²")
        self.epsilon = _hyperparameter_box("epsilon", "ε, added to √v so the step never divides by 0")
        self.penalty = QComboBox()
        for key, text in PENALTIES.items():
            self.penalty.addItem(text, key)
        self.penalty.setToolTip("Regularisation: a penalty on the weights added to the loss C₀")
        self.strength = LogSpinBox(*closed_range(0.0, MAX_STRENGTH, low_in=False))
        self.strength.setToolTip("λ, the strength of the penalty: ∂C/∂w = ∂C₀/∂w + λw (L2) or + λ sign(w) (L1)")
        self.penalise_biases = QCheckBox("Biases too")
        self.penalise_biases.setToolTip("Let the penalty include the biases (left out by default)")
        self.clip = QCheckBox("Clip ‖g‖ to")
        self.clip.setToolTip("Scale the whole gradient down when its norm over all parameters exceeds this")
        self.clip_norm = LogSpinBox(*closed_range(0.0, math.inf, False, False))
        self.schedule = QComboBox()
        for key, text in SCHEDULE_NAMES.items():
            self.schedule.addItem(text, key)
        self.schedule.setToolTip("How η changes with the number t of updates made: η γ^⌊t/N⌋ or η γᵗ")
        self.step_size = QSpinBox()
        self.step_size.setRange(1, MAX_STEP_SIZE)
        self.step_size.setKeyboardTracking(False)
        self.step_size.setToolTip("N: multiply η by γ every N updates")
        self.gamma = ExactSpinBox(*closed_range(0.0, 1.0, low_in=False), step=0.05)
        self.gamma.setToolTip("γ, the factor of the schedule")

        clip = QHBoxLayout()
        clip.setContentsMargins(0, 0, 0, 0)
        clip.addWidget(self.clip)
        clip.addWidget(self.clip_norm, 1)
        clip_row = QWidget()
        clip_row.setLayout(clip)
        narrow_combos(self.optimizer, self.penalty, self.schedule)
        self.form = form = reflowing_form(self)
        form.addRow("Optimizer", self.optimizer)
        form.addRow(f"Momentum {HYPERPARAMETERS['momentum'][0].split()[-1]}", self.momentum)
        form.addRow("", self.nesterov)
        for key in ("alpha", "beta1", "beta2", "epsilon"):  # α, β₁, β₂, ε: the names the messages use
            form.addRow(HYPERPARAMETERS[key][0], getattr(self, key))
        form.addRow("Regularization", self.penalty)
        form.addRow("λ", self.strength)
        form.addRow("", self.penalise_biases)
        form.addRow("", clip_row)
        form.addRow("η schedule", self.schedule)
        form.addRow("Every N updates", self.step_size)
        form.addRow("γ", self.gamma)
        for combo in (self.optimizer, self.penalty, self.schedule):
            combo.currentIndexChanged.connect(self._changed)
        for check in (self.nesterov, self.penalise_biases, self.clip):
            check.toggled.connect(self._changed)
        for box in (self.momentum, self.alpha, self.beta1, self.beta2, self.epsilon, self.strength, self.clip_norm,
                    self.step_size, self.gamma):  # fmt: skip
            box.valueChanged.connect(self._changed)

    def rule(self) -> UpdateRule:
        """The rule the controls show."""
        optimizer = OptimizerSettings(
            self.optimizer.currentData(), self.momentum.value(), self.nesterov.isChecked(), self.alpha.value(),
            self.beta1.value(), self.beta2.value(), self.epsilon.value(),
        )  # fmt: skip
        kind = self.penalty.currentData()
        penalty = Regularization(kind, self.strength.value(), self.penalise_biases.isChecked())
        if kind == "none":  # λ and biases are hidden then: keep them as they were
            penalty = replace(self._shown.regularization, kind="none")
        schedule = Schedule(self.schedule.currentData(), self.step_size.value(), self.gamma.value())
        return UpdateRule(optimizer, penalty, schedule, self.clip_norm.value() if self.clip.isChecked() else None)

    def show_rule(self, rule: UpdateRule) -> None:
        """Put ``rule`` into the controls without calling ``on_change``."""
        self._shown = rule
        widgets = [self.optimizer, self.momentum, self.nesterov, self.alpha, self.beta1, self.beta2, self.epsilon,
                   self.penalty, self.strength, self.penalise_biases, self.clip, self.clip_norm, self.schedule,
                   self.step_size, self.gamma]  # fmt: skip
        for widget in widgets:
            widget.blockSignals(True)
        opt, reg, schedule = rule.optimizer, rule.regularization, rule.schedule
        self.optimizer.setCurrentIndex(self.optimizer.findData(opt.name))
        for box, value in ((self.momentum, opt.momentum), (self.alpha, opt.alpha), (self.beta1, opt.beta1),
                           (self.beta2, opt.beta2), (self.epsilon, opt.epsilon)):  # fmt: skip
            box.setValue(value)
        self.nesterov.setChecked(opt.nesterov)
        self.penalty.setCurrentIndex(self.penalty.findData(reg.kind))
        self.strength.setValue(reg.strength if reg.strength > 0 else 1e-4)
        self.penalise_biases.setChecked(reg.biases)
        self.clip.setChecked(rule.clip_norm is not None)
        self.clip_norm.setValue(rule.clip_norm if rule.clip_norm is not None else 1.0)
        self.schedule.setCurrentIndex(self.schedule.findData(schedule.kind))
        self.step_size.setValue(schedule.step_size)
        self.gamma.setValue(schedule.gamma)
        for widget in widgets:
            widget.blockSignals(False)
        self._show_rows(rule)

    def _show_rows(self, rule: UpdateRule) -> None:
        used = set(rule.optimizer.rule.hyperparameters)
        for name in ("momentum", "nesterov", "alpha", "beta1", "beta2", "epsilon"):
            self.form.setRowVisible(getattr(self, name), name in used)
        penalised = rule.regularization.kind != "none"
        self.form.setRowVisible(self.strength, penalised)
        self.form.setRowVisible(self.penalise_biases, penalised)
        self.clip_norm.setEnabled(rule.clip_norm is not None)
        self.form.setRowVisible(self.step_size, rule.schedule.kind == "step")
        self.form.setRowVisible(self.gamma, rule.schedule.kind != "constant")

    def _changed(self) -> None:
        rule = self.rule()
        self._show_rows(rule)
        self.on_change(rule)


class TrainingPanel(QWidget):
    """Controls and live figures of ``controller``; reads the settings from its model's session."""

    def __init__(self, controller: TrainingControls, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = controller.model

        buttons = FlowGrid(3)  # three abreast where there is room, fewer in a narrow dock
        buttons.setSpacing(4)
        self.buttons: dict[ActionId, QToolButton] = {}
        ids = (ActionId.TRAIN, ActionId.PAUSE, ActionId.ONE_EPOCH, ActionId.N_EPOCHS, ActionId.RESET_HISTORY)
        for key in ids:
            button = QToolButton()
            button.setDefaultAction(controller.actions[key])  # shows the action's short icon text
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button)
            self.buttons[key] = button

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
        self.seed = SeedBox()
        self.seed.setToolTip("Seed of the shuffling order and of the validation split")
        self.validation = ExactSpinBox(0.0, MAX_VALIDATION_FRACTION, step=0.05)
        self.validation.setToolTip("Fraction of the samples held out to measure validation loss each epoch")
        for box in (self.batch_size, self.epochs, self.seed, self.validation):
            box.setKeyboardTracking(False)

        form = reflowing_form()
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
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(value, row, 1)
            self.figures[name] = value
        grid.setColumnStretch(1, 1)
        progress = QGroupBox("Progress")
        progress.setLayout(grid)
        self.update_rule = UpdateRuleBox(controller.set_rule)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(speed)
        layout.addWidget(settings)
        layout.addWidget(self.update_rule)
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
            elif isinstance(widget, QSpinBox | SeedBox):
                widget.setValue(int(value))
            else:
                widget.setValue(float(value))
            widget.blockSignals(False)
        self.batch_size.setMaximum(max(1, len(session.data)))
        self.update_rule.show_rule(s.rule)
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

    def _model_changed(self, event: Event) -> None:
        if event.field == Field.SESSION:
            self.show_settings()
        elif event.field in DISPLAY:
            self.show_figures()
