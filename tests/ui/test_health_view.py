"""The layer-health plot draws one labelled log-scale curve per layer from the recorder."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.health import HealthRecorder
from backprop_gui.core.network import build_network
from backprop_gui.core.training import Trainer, TrainingSettings
from backprop_gui.ui.common.shown import is_shown
from backprop_gui.ui.diagnostics.health_view import EMPTY_STEPS, REFRESH_MS, HealthView


def trained_recorder(depth: int = 3, epochs: int = 3) -> HealthRecorder:
    network = build_network(2, [3] * (depth - 1) + [1], ["sigmoid"] * depth, seed=1)
    rng = np.random.default_rng(2)
    trainer = Trainer(network, Dataset(rng.normal(size=(8, 2)), rng.uniform(size=(8, 1))), TrainingSettings())
    recorder = HealthRecorder(depth)
    recorder.attach(trainer)
    trainer.train(epochs)
    return recorder


@pytest.fixture
def view(qtbot):
    widget = HealthView(trained_recorder())
    qtbot.addWidget(widget)
    widget.resize(600, 360)
    widget.show()
    return widget


def test_one_labelled_curve_per_layer_on_a_log_axis(view):
    assert view.plot.getPlotItem().ctrl.logYCheck.isChecked()
    labels = [label.text for _, label in view.legend.items]
    assert labels == ["layer 1", "layer 2", "layer 3"]
    steps, delta, _ = view.recorder.snapshot()
    for l, curve in enumerate(view.curves, start=1):
        x, y = curve.getOriginalDataset()
        assert np.array_equal(x, steps) and np.allclose(y, delta[:, l - 1])
    assert "over 24 steps (every step)" in view.note.text()


def test_switching_to_the_weight_gradient_per_epoch(qtbot, view):
    view.quantity.setCurrentIndex(1)
    view.scale.setCurrentIndex(1)
    epochs, _, grad_w = view.recorder.snapshot(per_epoch=True)
    x, y = view.curves[1].getOriginalDataset()
    assert list(x) == [1, 2, 3] and np.allclose(y, grad_w[:, 1])
    assert view.plot.getAxis("bottom").labelText == "epoch"
    assert "∂C/∂wˡ of each layer: the RMS over each of 3 epochs" in view.note.text()


def test_an_empty_recorder_says_what_to_do(qtbot, view):
    view.set_recorder(HealthRecorder(depth=2))
    assert len(view.curves) == 2 and [label.text for _, label in view.legend.items] == ["layer 1", "layer 2"]
    assert view.note.text().startswith("Train the network")


def test_an_empty_plot_shows_whole_decades_and_the_first_points_bring_the_data_into_view(qtbot):
    recorder = HealthRecorder(depth=3)
    view = HealthView(recorder)
    qtbot.addWidget(view)
    view.resize(600, 360)
    view.show()
    box = view.plot.getViewBox()
    assert np.allclose(box.viewRange()[1], [-4, 0])  # log10: 10⁻⁴ … 1, not 1 … 10 with a label at every unit
    major = view.plot.getAxis("left").tickValues(-4, 0, 300)[0][1]
    assert list(np.round(major, 9)) == [-4, -3, -2, -1, 0]  # the labelled ticks: 10⁻⁴, 10⁻³, … 1
    trained = trained_recorder()
    recorder.apply(trained.changes_since(0))
    qtbot.waitUntil(lambda: view.note.text().startswith("δˡ of each layer over 24 steps"))
    sizes = np.log10(trained.snapshot()[1])

    def data_in_view() -> bool:  # the view follows the data (its range is applied when next drawn)
        (_, right), (low, high) = box.viewRange()
        return right < EMPTY_STEPS[1] and low <= sizes.min() and sizes.max() <= high

    qtbot.waitUntil(data_in_view)


def test_new_steps_are_drawn_when_the_recorder_moves_on(qtbot, view):
    recorder = HealthRecorder(depth=3)
    view.set_recorder(recorder)
    network = build_network(2, [3, 3, 1], ["sigmoid"] * 3, seed=1)
    trainer = Trainer(network, Dataset(np.ones((4, 2)), np.zeros((4, 1))), TrainingSettings())
    recorder.attach(trainer)
    trainer.train(1)
    assert view.curves[0].getOriginalDataset()[0] is None  # nothing drawn yet
    qtbot.waitUntil(lambda: view.curves[0].getOriginalDataset()[0] is not None)  # the poll redraws
    assert list(view.curves[0].getOriginalDataset()[0]) == [1, 2, 3, 4]


def test_a_plot_tabbed_away_is_drawn_once_its_tab_is_raised(qtbot):
    """Behind another dock's tab the plot is not redrawn as the recorder grows; raised, it catches up."""
    window = QMainWindow()
    qtbot.addWidget(window)
    recorder = HealthRecorder(depth=3)
    view = HealthView(recorder)
    health, other = QDockWidget("Layer Health"), QDockWidget("Other")
    health.setWidget(view)
    other.setWidget(QLabel("in front"))
    for dock in (health, other):
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.tabifyDockWidget(health, other)
    window.resize(700, 500)
    window.show()
    other.raise_()
    qtbot.waitUntil(lambda: not is_shown(view))
    recorder.apply(trained_recorder().changes_since(0))
    qtbot.wait(3 * REFRESH_MS)
    assert view.note.text().startswith("Train the network")  # not drawn out of sight
    health.raise_()
    qtbot.waitUntil(lambda: view.note.text().startswith("δˡ of each layer over 24 steps"))
