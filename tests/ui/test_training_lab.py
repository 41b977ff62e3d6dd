"""The training lab in the window: a train/test split set in the Data dock and drawn hollow on the
decision map, test loss and accuracy on the loss plot and in the status bar, the confusion matrix,
and runs compared side by side (Train ▸ Compare, Clear References)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from backprop_gui.core.decision import target_classes
from backprop_gui.core.metrics import outputs
from backprop_gui.core.presets import load_example
from backprop_gui.core.training import data_split
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.training.controller import FINISHED, TRAINING
from backprop_gui.ui.training.data_view import CLASS_COLORS
from backprop_gui.ui.training.decision_map import TEST_FILL
from backprop_gui.ui.window.layouts import LayoutName

from window_helpers import open_window, press_undo

pytestmark = pytest.mark.usefixtures("private_places")
TIMEOUT = 30_000


def train_window(qtbot, name: str):
    window = open_window(qtbot, load_example(name))
    window.layout_controller.set_layout(LayoutName.TRAIN)
    return window


def type_into(qtbot, box, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def train(qtbot, controller, epochs: int) -> None:
    controller.train_epochs(epochs)
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=TIMEOUT)


def split_moons(qtbot, fraction: str = "0.25"):
    window = train_window(qtbot, "moons")
    type_into(qtbot, window.training_controller.data_view.test_fraction, fraction)
    return window


# --- the split -----------------------------------------------------------------------------------


def test_the_test_fraction_and_seed_are_undoable_and_test_samples_are_drawn_hollow(qtbot):
    window = split_moons(qtbot)
    model, controller = window.model, window.training_controller
    view, decision = controller.data_view, controller.decision_map
    data = model.session.data
    assert data.test_fraction == 0.25
    assert window.session_controller.actions["undo"].text() == "Undo set test fraction = 0.25"
    test_rows = data.split()[1]
    assert len(test_rows) == 50 and len(decision.test_scatter.data) == 50 and len(decision.scatter.data) == 150
    hollow = decision.test_scatter.points()[0]
    row = test_rows[0]
    assert hollow.brush().color() == TEST_FILL.color()
    assert hollow.pen().color().getRgb()[:3] == CLASS_COLORS[int(data.targets[row, 0])]
    np.testing.assert_allclose(sorted(decision.test_scatter.data["x"]), sorted(data.inputs[test_rows, 0]))
    assert "50 test (drawn hollow)" in view.summary.text()
    window.training_controller.docks["data"].raise_()  # the Data dock's scatter draws them hollow too
    qtbot.waitUntil(lambda: len(view.test_scatter.data) == 50 and len(view.scatter.data) == 150)
    np.testing.assert_allclose(sorted(view.test_scatter.data["y"]), sorted(data.inputs[test_rows, 1]))
    type_into(qtbot, view.split_seed, "3")
    moved = model.session.data.split()[1]
    assert model.session.data.split_seed == 3 and not np.array_equal(moved, test_rows)
    np.testing.assert_allclose(sorted(decision.test_scatter.data["x"]), sorted(data.inputs[moved, 0]))
    press_undo(qtbot, window)
    assert view.split_seed.value() == 0 and np.array_equal(model.session.data.split()[1], test_rows)
    press_undo(qtbot, window)
    assert view.test_fraction.value() == 0 and len(decision.test_scatter.data) == 0
    assert len(decision.scatter.data) == 200


def test_the_split_comes_back_with_the_session_file(qtbot, tmp_path):
    window = split_moons(qtbot)
    type_into(qtbot, window.training_controller.data_view.split_seed, "7")
    test_rows = window.model.session.data.split()[1]
    path = str(tmp_path / "split.json")
    assert window.session_controller.save_as(path)
    again = train_window(qtbot, "xor")
    again.session_controller.open_file(path)
    view, decision = again.training_controller.data_view, again.training_controller.decision_map
    assert (view.test_fraction.value(), view.split_seed.value()) == (0.25, 7)
    np.testing.assert_array_equal(again.model.session.data.split()[1], test_rows)
    inputs = again.model.session.data.inputs
    np.testing.assert_allclose(sorted(decision.test_scatter.data["x"]), sorted(inputs[test_rows, 0]))


def test_a_running_training_goes_on_with_a_new_split_and_a_new_noise(qtbot):
    window = train_window(qtbot, "moons")
    model, controller = window.model, window.training_controller
    view, history = controller.data_view, model.session.history
    controller.panel.epochs.setValue(100_000)
    controller.continue_training()
    qtbot.waitUntil(lambda: history.steps > 20, timeout=TIMEOUT)
    assert not history.test_losses
    type_into(qtbot, view.test_fraction, "0.25")
    assert model.session.data.test_fraction == 0.25
    assert controller.running and controller.state == TRAINING  # paused for the edit, then went on
    qtbot.waitUntil(lambda: len(model.session.history.test_losses) >= 2, timeout=TIMEOUT)  # measured from then on
    view.noise.setValue(0.3)
    assert model.session.data.generator["noise"] == 0.3 and controller.state == TRAINING
    assert controller.worker._sent_data[0] is model.session.data.inputs  # the run trains on the new samples
    assert window.session_controller.actions["undo"].text() == "Undo set the moons noise = 0.3"
    controller.pause()


# --- test loss and accuracy ------------------------------------------------------------------------


def test_training_with_a_split_plots_test_loss_and_accuracy_and_reports_accuracy(qtbot):
    window = split_moons(qtbot)
    controller = window.training_controller
    plot = controller.loss_plot
    assert not plot.plot.getPlotItem().getAxis("right").isVisible() and not controller.accuracy.isVisible()
    train(qtbot, controller, 3)
    history = window.model.session.history
    assert len(history.test_losses) == len(history.test_accuracies) == 3
    xs, ys = plot.test_curve.getData()
    np.testing.assert_array_equal(xs, history.epoch_ends)
    np.testing.assert_allclose(ys, np.log10(history.test_losses))  # the loss axis is logarithmic
    for curve, values in ((plot.train_accuracy_curve, history.train_accuracies),
                          (plot.test_accuracy_curve, history.test_accuracies)):  # fmt: skip
        np.testing.assert_allclose(curve.getData()[1], 100 * np.asarray(values))
    assert plot.plot.getPlotItem().getAxis("right").isVisible()
    legend = [label.text for _, label in plot.legend.items]
    assert {"test C", "training accuracy", "test accuracy"} <= set(legend)
    train_share, test_share = history.train_accuracies[-1], history.test_accuracies[-1]
    assert controller.accuracy.isVisible()
    assert controller.accuracy.text() == f"accuracy {100 * train_share:.1f} % / {100 * test_share:.1f} %"
    assert "training / test" in controller.accuracy.toolTip()
    step = history.epoch_ends[-1]
    assert f"test accuracy {100 * test_share:.1f} %" in plot.describe_step(step)


def test_without_a_split_there_is_no_test_curve_and_no_accuracy(qtbot):
    window = train_window(qtbot, "xor")
    controller = window.training_controller
    train(qtbot, controller, 2)
    assert len(controller.loss_plot.test_curve.getData()[0] or []) == 0
    assert not controller.accuracy.isVisible()
    assert "test C" not in [label.text for _, label in controller.loss_plot.legend.items]


def test_the_confusion_matrix_counts_each_set_as_a_direct_count_does(qtbot):
    window = split_moons(qtbot)
    controller, session = window.training_controller, window.model.session
    train(qtbot, controller, 2)
    window.action(ActionId.CONFUSION_MATRIX).trigger()
    dialog = controller.confusion
    qtbot.waitExposed(dialog)
    assert dialog.choice.currentData() == "test"
    split = data_split(session.data, session.training.seed)
    for key, rows in (("test", split.test), ("train", split.train)):
        dialog.show_set(key)
        true = target_classes(session.data.targets[rows])
        predicted = (outputs(session.network, session.data.inputs[rows])[:, 0] >= 0.5).astype(int)
        table = dialog.table
        assert [table.horizontalHeaderItem(j).text() for j in range(2)] == ["predicted t = 0", "predicted t = 1"]
        assert [table.verticalHeaderItem(i).text() for i in range(2)] == ["true t = 0", "true t = 1"]
        for i in range(2):
            for j in range(2):
                assert int(table.item(i, j).text()) == np.count_nonzero((true == i) & (predicted == j))
        right = np.count_nonzero(true == predicted)
        assert f"{len(rows)} samples, {right} classified right" in dialog.summary.text()
    dialog.show_set("test")  # the weights are those the last epoch's end measured

    assert dialog.summary.text().endswith(f"{100 * session.history.test_accuracies[-1]:.1f} %")


def test_the_confusion_matrix_says_why_it_has_nothing_to_show(qtbot):
    window = train_window(qtbot, "moons")
    controller = window.training_controller
    dialog = controller.show_confusion_matrix()
    qtbot.waitExposed(dialog)
    assert dialog.choice.currentData() == "train" and dialog.table.rowCount() == 2
    dialog.show_set("test")
    assert dialog.table.isHidden() and "No test set" in dialog.summary.text()
    regression = open_window(qtbot, load_example("sine_regression")).training_controller.show_confusion_matrix()
    assert "does not classify" in regression.summary.text()


# --- runs side by side -------------------------------------------------------------------------------


def parameters(window) -> list[np.ndarray]:
    return [a for layer in window.model.session.network.layers for a in (layer.weights, layer.biases)]


def test_compare_keeps_the_curves_and_trains_again_from_the_same_starting_weights(qtbot):
    window = train_window(qtbot, "xor")
    model, controller = window.model, window.training_controller
    start = [a.copy() for a in parameters(window)]
    train(qtbot, controller, 3)
    losses = list(model.session.history.epoch_losses)
    window.action(ActionId.COMPARE).trigger()
    session = model.session
    assert [r.name for r in session.references] == ["run 1"] and session.references[0].train_losses == losses
    assert session.history.steps == 0 and session.epoch == 0
    for mine, first in zip(parameters(window), start, strict=True):
        np.testing.assert_array_equal(mine, first)
    plot = controller.loss_plot
    assert "run 1" in [label.text for _, label in plot.legend.items]
    xs, ys = plot._reference_curves[0].getData()
    np.testing.assert_array_equal(xs, [4, 8, 12])  # epoch e where the settings end it: 4 steps an epoch
    np.testing.assert_allclose(ys, np.log10(losses))
    controller.set_learning_rate(0.5)
    legend = [label.text for _, label in plot.legend.items]
    assert legend[:2] == ["C per step", "now: η 2 → 0.5"] and legend[-1] == "run 1"  # compared runs last
    train(qtbot, controller, 3)
    controller.compare()
    assert session.references[1].label == "η 2 → 0.5"
    assert "run 2: η 2 → 0.5" in [label.text for _, label in plot.legend.items]
    assert window.session_controller.actions["undo"].text() == (
        "Undo keep run 2 for comparison and start again from its starting weights"
    )
    press_undo(qtbot, window)
    assert len(session.references) == 1 and model.session.history.steps == 12
    assert len(plot._reference_curves) == 2  # run 1: its mean C (dashed) and test C (dotted) curves


def test_a_fifth_compare_is_refused_with_a_message_and_clear_references_is_undoable(qtbot):
    window = train_window(qtbot, "xor")
    controller, session = window.training_controller, window.model.session
    for _ in range(4):
        train(qtbot, controller, 1)
        assert controller.compare()
    train(qtbot, controller, 1)
    assert not controller.compare()
    assert len(session.references) == 4 and "At most 4 runs can be compared" in controller.last_message
    assert session.history.steps == 4  # the run is still there
    window.findChild(QMessageBox, "training_message").close()
    window.action(ActionId.CLEAR_REFERENCES).trigger()
    assert session.references == [] and controller.loss_plot._reference_curves == []
    assert window.session_controller.actions["undo"].text() == "Undo clear the compared runs"
    press_undo(qtbot, window)
    assert [r.name for r in session.references] == ["run 1", "run 2", "run 3", "run 4"]
    assert len(controller.loss_plot._reference_curves) == 8


def test_compared_runs_come_back_with_the_session_file(qtbot, tmp_path):
    window = train_window(qtbot, "xor")
    controller = window.training_controller
    train(qtbot, controller, 2)
    controller.compare()
    controller.set_learning_rate(0.5)
    train(qtbot, controller, 2)
    controller.compare()
    path = str(tmp_path / "compared.json")
    assert window.session_controller.save_as(path)
    again = train_window(qtbot, "moons")
    again.session_controller.open_file(path)
    references = again.model.session.references
    assert [(r.name, r.label) for r in references] == [("run 1", ""), ("run 2", "η 2 → 0.5")]
    assert references[1].train_losses == window.model.session.references[1].train_losses
    legend = [label.text for _, label in again.training_controller.loss_plot.legend.items]
    assert {"run 1", "run 2: η 2 → 0.5"} <= set(legend)
