"""The breakpoint-conditions dialog: phase breakpoints and the conditions that stop training.

Thresholds are typed as people write numbers ("1e-6", "0,01"); OK stays disabled while one
is not a positive number, and the message names the field.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.breakpoints import LOSS_SCOPES, BreakpointSettings
from backprop_gui.core.formatting import format_number
from backprop_gui.core.quiz import parse_number
from backprop_gui.core.stepper import PhaseStep

ERROR_STYLE = "QLabel { color: #a12a1a; }"


def _typed(value: float) -> str:
    return format_number(value, 6).replace("−", "-")


class BreakpointDialog(QDialog):
    """Edit ``settings`` for a network whose pass has ``phases``; ``has_relu`` enables the dead-ReLU check."""

    def __init__(
        self, settings: BreakpointSettings, phases: list[PhaseStep], has_relu: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Breakpoints")
        self.original = settings

        self.phase_list = QListWidget()
        for index, phase in enumerate(phases):
            item = QListWidgetItem(f"{index + 1}. {phase.label}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if index in settings.phases else Qt.CheckState.Unchecked)
            self.phase_list.addItem(item)
        phase_box = QGroupBox("Stop at phase (F9)")
        phase_box.setMinimumWidth(self.fontMetrics().horizontalAdvance("Continue stops there; training") + 40)
        phase_layout = QVBoxLayout(phase_box)
        phase_layout.addWidget(self.phase_list)
        explain = QLabel("Continue stops there; training stops after the step in progress and shows the phase.")
        explain.setWordWrap(True)
        phase_layout.addWidget(explain)

        grid = QGridLayout()
        self.loss_below = QCheckBox("Loss below")
        self.loss_below.setChecked(settings.loss_below)
        self.loss_target = QLineEdit(_typed(settings.loss_target))
        self.loss_scope = QComboBox()
        self.loss_scope.addItem("mean of an epoch", "epoch")
        self.loss_scope.addItem("one step", "step")
        self.loss_scope.setCurrentIndex(LOSS_SCOPES.index(settings.loss_scope))
        grid.addWidget(self.loss_below, 0, 0)
        grid.addWidget(self.loss_target, 0, 1)
        grid.addWidget(self.loss_scope, 0, 2)

        self.non_finite = QCheckBox("A NaN or ±∞ anywhere (z, a, C, δ, gradients or new weights)")
        self.non_finite.setChecked(settings.non_finite)
        grid.addWidget(self.non_finite, 1, 0, 1, 3)

        self.vanishing = QCheckBox("Vanishing: max |δˡ| of a layer below")
        self.vanishing.setChecked(settings.vanishing)
        self.vanishing_threshold = QLineEdit(_typed(settings.vanishing_threshold))
        grid.addWidget(self.vanishing, 2, 0)
        grid.addWidget(self.vanishing_threshold, 2, 1)
        grid.addWidget(QLabel("for a whole epoch"), 2, 2)

        self.exploding = QCheckBox("Exploding: max |δˡ| of a layer above")
        self.exploding.setChecked(settings.exploding)
        self.exploding_threshold = QLineEdit(_typed(settings.exploding_threshold))
        grid.addWidget(self.exploding, 3, 0)
        grid.addWidget(self.exploding_threshold, 3, 1)
        grid.addWidget(QLabel("at any step"), 3, 2)

        self.dead_relu = QCheckBox("Dead ReLU: a neuron with aⱼˡ = 0 for every sample of an epoch")
        self.dead_relu.setChecked(settings.dead_relu)
        if not has_relu:
            self.dead_relu.setToolTip("This network has no ReLU layer: the check never fires")
        grid.addWidget(self.dead_relu, 4, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        conditions = QGroupBox("Stop training when")
        conditions.setLayout(grid)

        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        columns = QHBoxLayout()
        columns.addWidget(phase_box)
        columns.addWidget(conditions, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._fields = {
            "Loss target": (self.loss_below, self.loss_target),
            "Vanishing threshold": (self.vanishing, self.vanishing_threshold),
            "Exploding threshold": (self.exploding, self.exploding_threshold),
        }
        width = self.fontMetrics().horizontalAdvance("0.000001") + 24
        for box, field in self._fields.values():
            field.setMinimumWidth(width)
            box.toggled.connect(self._validate)
            field.textChanged.connect(self._validate)
        self._validate()

    def _validate(self) -> None:
        problems = []
        for name, (box, field) in self._fields.items():
            field.setEnabled(box.isChecked())
            if not box.isChecked():
                continue
            try:
                if parse_number(field.text()) <= 0:
                    problems.append(f"{name}: must be a positive number")
            except ValueError as error:
                problems.append(f"{name}: {error}")
        self.loss_scope.setEnabled(self.loss_below.isChecked())
        self.error.setText("\n".join(problems))
        self.error.setVisible(bool(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)

    def _number(self, field: QLineEdit, default: float) -> float:
        try:
            value = parse_number(field.text())
        except ValueError:
            return default  # only for a condition left off: its field is not checked
        return value if value > 0 else default

    def result_settings(self) -> BreakpointSettings:
        """The settings as chosen (call after the dialog was accepted)."""
        o = self.original
        phases = {
            i for i in range(self.phase_list.count()) if self.phase_list.item(i).checkState() == Qt.CheckState.Checked
        }
        return BreakpointSettings(
            phases=phases,
            loss_below=self.loss_below.isChecked(),
            loss_target=self._number(self.loss_target, o.loss_target),
            loss_scope=self.loss_scope.currentData(),
            non_finite=self.non_finite.isChecked(),
            vanishing=self.vanishing.isChecked(),
            vanishing_threshold=self._number(self.vanishing_threshold, o.vanishing_threshold),
            exploding=self.exploding.isChecked(),
            exploding_threshold=self._number(self.exploding_threshold, o.exploding_threshold),
            dead_relu=self.dead_relu.isChecked(),
        )
