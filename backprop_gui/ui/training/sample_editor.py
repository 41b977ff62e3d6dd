"""Editing the data by hand on the decision map: clicks add and remove samples.

A click adds a sample of the class chosen in the editor's "Add" box (or, for regression, of
the target value t set there); Shift+click adds one of the next class; with the Brush button
down, a click adds a small cluster (``core.sample_edits.BRUSH_SAMPLES`` samples) instead of one
sample; a right-click removes the sample nearest to it (within PICK_PIXELS on screen). Every
change is one undoable data edit (``core.editing.SetData``), made through ``SampleTarget``.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.formatting import format_number
from backprop_gui.core.sample_edits import (
    BRUSH_SAMPLES,
    brush_cluster,
    class_count,
    class_target,
    nearest_sample,
    with_samples,
    without_sample,
)
from backprop_gui.ui.common.number_boxes import ExactSpinBox
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training.data_view import CLASS_COLORS

PICK_PIXELS = 12.0  # a right-click removes the nearest sample within this many pixels
MAX_TARGET = 1e6  # the regression target box's range is ±MAX_TARGET


class SampleTarget(Protocol):
    """What the editor uses of the training controller."""

    def edit_samples(self, data: Dataset, label: str) -> bool: ...


def class_name(data: Dataset, c: int) -> str:
    """Class ``c`` (0-based) as users see it: "t = 1" for one 0/1 target, else its label or "class 2"."""
    if data.target_size == 1:
        name = data.target_labels[0] if len(data.target_labels) == 1 else "t"
        return f"{name} = {c}"
    if len(data.target_labels) == data.target_size:
        return data.target_labels[c]
    return f"class {c + 1}"


def class_icon(c: int) -> QIcon:
    """A small disc in class ``c``'s colour, as the samples are drawn."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(*CLASS_COLORS[c % len(CLASS_COLORS)]))
    painter.setPen(QColor(255, 255, 255))
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


class SampleEditor(QWidget):
    """The map's editing controls (what a click adds, the brush) and its mouse clicks on ``plot``."""

    def __init__(self, model: SessionModel, target: SampleTarget, plot: pg.PlotWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.target = target
        self.plot = plot

        self.classes = QComboBox()
        self.classes.setToolTip("The class a click adds; Shift+click adds one of the next class")
        self.target_value = ExactSpinBox(-MAX_TARGET, MAX_TARGET, step=0.1)
        self.target_value.setPrefix("t = ")
        self.target_value.setToolTip("The target value t a click adds")
        self.choice = QStackedWidget()
        self.choice.addWidget(self.classes)
        self.choice.addWidget(self.target_value)
        self.brush = QToolButton()
        self.brush.setText("Brush")
        self.brush.setCheckable(True)
        self.brush.setToolTip(f"Brush: a click adds a cluster of {BRUSH_SAMPLES} samples instead of one")
        self.add_label = QLabel("Add")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.add_label)
        layout.addWidget(self.choice)
        layout.addWidget(self.brush)
        self.setToolTip(
            "Edit the data on the map: click adds a sample, Shift+click one of the next class, "
            "right-click removes the nearest; Brush adds clusters. Undo with Ctrl+Z."
        )
        plot.scene().sigMouseClicked.connect(self._clicked)
        model.changed.connect(self._model_changed)
        self.refresh()

    def refresh(self) -> None:
        """Offer the session's classes (or a target value for regression); disabled when there are
        several regression targets, which one value cannot set."""
        data = self.model.session.data
        classes = class_count(data)
        self.choice.setCurrentWidget(self.target_value if classes == 0 else self.classes)
        can_add = classes > 0 or data.target_size == 1
        self.choice.setEnabled(can_add)
        self.brush.setEnabled(can_add)
        self.add_label.setToolTip("" if can_add else "Samples with several regression targets cannot be added here")
        names = [class_name(data, c) for c in range(classes)]
        if names == [self.classes.itemText(i) for i in range(self.classes.count())]:
            return
        chosen = self.classes.currentIndex()
        self.classes.blockSignals(True)
        self.classes.clear()
        for c, name in enumerate(names):
            self.classes.addItem(class_icon(c), name, c)
        self.classes.setCurrentIndex(min(max(chosen, 0), classes - 1) if classes else -1)
        self.classes.blockSignals(False)

    def _model_changed(self, event: Event) -> None:
        if event.field in (Field.SESSION, Field.NETWORK):
            self.refresh()

    # --- the edits ---------------------------------------------------------------------------

    def add_at(self, x1: float, x2: float, next_class: bool = False) -> bool:
        """Add a sample at (x1, x2) (a cluster with the brush) of the chosen class, or the next one;
        True if the data was changed."""
        data = self.model.session.data
        classes = class_count(data)
        if classes:
            c = (self.classes.currentIndex() + (1 if next_class else 0)) % classes
            target, name = class_target(data, c), class_name(data, c)
        elif data.target_size == 1:
            value = self.target_value.value()
            target, name = np.array([value]), f"t = {format_number(value, 4)}"
        else:
            self._status("Samples with several regression targets cannot be added on the map")
            return False
        where = f"({format_number(x1, 3)}, {format_number(x2, 3)})"
        if self.brush.isChecked():
            (x_lo, x_hi), (y_lo, y_hi) = self.plot.getPlotItem().getViewBox().viewRange()
            points = brush_cluster(np.array([x1, x2]), np.array([x_hi - x_lo, y_hi - y_lo]), seed=len(data))
            label = f"add {len(points)} samples ({name}) around {where}"
        else:
            points, label = np.array([[x1, x2]]), f"add a sample ({name}) at {where}"
        return self.target.edit_samples(with_samples(data, points, np.tile(target, (len(points), 1))), label)

    def remove_near(self, x1: float, x2: float) -> bool:
        """Remove the sample nearest to (x1, x2) if one is drawn within PICK_PIXELS; True if removed."""
        data = self.model.session.data
        scale = np.abs(np.array(self.plot.getPlotItem().getViewBox().viewPixelSize()))
        index, distance = nearest_sample(data.inputs, np.array([x1, x2]), scale)
        if distance > PICK_PIXELS:
            self._status("No sample near the right-click to remove")
            return False
        if len(data) == 1:
            self._status("Cannot remove the only sample: the data needs at least one")
            return False
        x = data.inputs[index]
        label = f"remove sample {index + 1} at ({format_number(x[0], 3)}, {format_number(x[1], 3)})"
        return self.target.edit_samples(without_sample(data, index), label)

    def _status(self, text: str) -> None:
        """Say ``text`` in the window's status bar (when the editor sits in a main window)."""
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(text, 5000)

    def _clicked(self, event) -> None:
        """A click on the map's plot: left adds (Shift: the next class), right removes."""
        if event.double() or not self.isEnabled() or not self.isVisible():
            return
        box = self.plot.getPlotItem().getViewBox()
        scene_pos: QPointF = event.scenePos()
        if not box.sceneBoundingRect().contains(scene_pos):
            return
        point = box.mapSceneToView(scene_pos)
        if event.button() == Qt.MouseButton.LeftButton and self.choice.isEnabled():
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.add_at(point.x(), point.y(), next_class=shift)
            event.accept()
        elif event.button() == Qt.MouseButton.RightButton:
            self.remove_near(point.x(), point.y())
            event.accept()
