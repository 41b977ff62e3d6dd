"""Data sets in the window: built-in generators, CSV import with each error, the table and scatter."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QMainWindow, QMessageBox

from backprop_gui.core.datasets import Dataset, generate
from backprop_gui.core.formatting import subscript
from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.presets import load_example
from backprop_gui.core.training import data_split
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training import csv_import_dialog
from backprop_gui.ui.training.controller import install_training
from backprop_gui.ui.training.csv_import_dialog import CsvImportDialog
from backprop_gui.ui.training.data_view import GenerateDialog

from helpers import snapshot
from window_helpers import answer_box, open_window, press_undo, window_on_screen


@pytest.fixture
def window(qtbot):
    model = SessionModel(load_example("xor"))
    window = QMainWindow()
    window.setCentralWidget(QLabel("the debugger"))
    controller = install_training(window, model, window.menuBar().addMenu("&Train"))
    qtbot.addWidget(window)
    window.show()
    yield window, model, controller
    controller.stop()


def answer(monkeypatch, button):
    asked = []
    monkeypatch.setattr(plain_messages, "question", lambda *a, **k: asked.append(a[2]) or button)
    return asked


def test_generated_moons_replace_the_data_and_show_in_table_and_scatter(qtbot, window):
    _, model, controller = window
    dialog = GenerateDialog(model)
    qtbot.addWidget(dialog)
    dialog.choice.setCurrentIndex(dialog.choice.findData("moons"))
    assert set(dialog.fields) == {"samples", "noise", "seed"}
    assert dialog.description.text().endswith("<br>n<sub>0</sub> = 2 inputs, n<sub>L</sub> = 1 output")
    dialog.fields["samples"].setValue(60)
    dialog.validation.setValue(0.25)
    dialog.accept()
    assert controller.data_view.use(dialog.result_data)
    data = model.session.data
    assert len(data) == 60 and data.generator["name"] == "moons" and data.validation_fraction == 0.25
    view = controller.data_view
    assert view.samples.rowCount() == 60 and view.samples.columnCount() == 4  # x₁, x₂, t₁, set
    titles = [view.samples.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert titles == ["x₁", "x₂", "t₁", "set"]  # the course's names, as the graph and the scatter write them
    sets = [view.samples.index(r, 3).data() for r in range(60)]
    assert sets.count("validation") == 15
    assert view.samples.index(0, 0).data() == model.format(data.inputs[0, 0])
    target = view.samples.index(7, 2)  # t₁ of sample 8: its number, in full in the tooltip
    assert target.data() == model.format(data.targets[7, 0])
    assert target.data(Qt.ItemDataRole.ToolTipRole) == repr(float(data.targets[7, 0]))
    assert len(view.scatter.data) == 0  # not drawn while tabbed away behind the decision map
    controller.docks["data"].raise_()
    qtbot.waitUntil(lambda: len(view.scatter.data) == 60)
    assert "60 samples (moons)" in view.summary.text() and "15 held out" in view.summary.text()
    assert model.stepper.batch == 0 and model.stepper.inputs.shape == (60, 2)


def test_the_table_follows_a_change_of_the_test_split(qtbot, window):
    _, model, controller = window
    generated = generate("moons", samples=40)
    generated.validation_fraction = 0.25
    assert controller.data_view.use(generated)
    view = controller.data_view

    def marked() -> list[int]:
        return [r for r in range(40) if view.samples.index(r, 3).data() == "validation"]

    before = marked()
    assert len(before) == 10
    assert controller.set_setting("test_fraction", 0.5)  # the validation rows are drawn from the other half
    after = marked()
    assert sorted(after) == sorted(
        int(r) for r in data_split(model.session.data, model.session.training.seed).validation
    )
    assert after != before


def test_generator_errors_stay_in_the_dialog(qtbot, window):
    _, model, _ = window
    dialog = GenerateDialog(model)
    qtbot.addWidget(dialog)
    dialog.choice.setCurrentIndex(dialog.choice.findData("blobs"))
    dialog.fields["samples"].setValue(2)
    dialog.fields["classes"].setValue(3)
    dialog.accept()
    assert dialog.result_data is None and "at least classes" in dialog.error.text()


def test_a_wider_data_set_offers_to_resize_the_output_layer(qtbot, window, monkeypatch):
    _, model, controller = window
    dialog = GenerateDialog(model)
    qtbot.addWidget(dialog)
    dialog.choice.setCurrentIndex(dialog.choice.findData("blobs"))
    dialog.accept()
    blobs = dialog.result_data
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    assert not controller.data_view.use(blobs)
    assert "output layer from 1 neuron to 3" in asked[0] and len(model.session.data) == 4  # declined: nothing changed
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert controller.data_view.use(blobs)
    assert model.session.network.sizes == [2, 2, 3] and len(model.session.data) == len(blobs)


# --- CSV import ------------------------------------------------------------------------


def csv_dialog(qtbot, model, tmp_path, text: str, name: str = "data.csv") -> CsvImportDialog:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    dialog = CsvImportDialog(model)
    qtbot.addWidget(dialog)
    dialog.set_path(path)
    return dialog


def test_csv_with_header_and_class_column_imports(qtbot, window, tmp_path, monkeypatch):
    _, model, controller = window
    text = "a,b,kind\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,bird\n"
    dialog = csv_dialog(qtbot, model, tmp_path, text)
    assert dialog.header.isChecked()  # detected from the first row
    assert dialog.preview.horizontalHeaderItem(2).text() == "kind"
    assert dialog.preview.item(1, 0).text() == "1"
    dialog.set_roles(["input", "input", "class (one-hot)"])
    dialog.standardise.setChecked(True)
    dialog.accept()
    data = dialog.result_data
    assert data is not None and data.target_labels == ["bird", "cat", "dog"]
    np.testing.assert_allclose(data.inputs.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_array_equal(data.targets[0], [0, 1, 0])
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert controller.data_view.use(data)
    assert model.session.network.sizes[-1] == 3
    titles = [controller.data_view.samples.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    assert titles == ["a x₁", "b x₂", "bird t₁", "cat t₂", "dog t₃", "set"]  # the file's names, then the course's


def test_csv_without_header_uses_column_numbers(qtbot, window, tmp_path):
    _, model, _ = window
    dialog = csv_dialog(qtbot, model, tmp_path, "0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    assert not dialog.header.isChecked()
    assert [box.currentText() for box in dialog.role_boxes] == ["input", "input", "target"]
    dialog.accept()
    assert dialog.result_data.inputs.shape == (4, 2) and dialog.result_data.targets[:, 0].tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize(
    ("text", "roles", "message"),
    [
        ("x,y,t\n1,2,3\n4,5\n", None, "line 3: expected 3 cells"),
        ("x,y,t\n1,2,3\n4,five,6\n", None, "line 3, column 2 (y): 'five' is not a number"),
        ("\n\n", None, "empty"),
        ("x,y,t\n", None, "header but no rows"),
        ("x,y,t\n1,2,3\n", ["ignore", "ignore", "target"], "at least one input column"),
        ("x,y,t\n1,2,3\n", ["input", "input", "ignore"], "at least one target column"),
        ("x,y,t\n1,2,3\n", ["class (one-hot)", "input", "class (one-hot)"], "only one column"),
        (
            "x,kind\n" + "".join(f"{i},c{i}\n" for i in range(1001)),
            ["input", "class (one-hot)"],
            "1,001 different labels; at most 1,000 classes",
        ),
        ("x,<b>y</b>\n1,<img src=x>\n", ["input", "target"], "'<img src=x>' is not a number"),  # shown literally
    ],
)
def test_csv_errors_are_shown_and_the_dialog_stays_open(qtbot, window, tmp_path, text, roles, message):
    _, model, _ = window
    dialog = csv_dialog(qtbot, model, tmp_path, text)
    if roles:
        dialog.set_roles(roles)
    dialog.accept()
    assert dialog.result_data is None and dialog.result() == 0  # not accepted: the dialog stays
    assert message in dialog.error.text()
    assert dialog.error.textFormat() == Qt.TextFormat.PlainText  # the file's text is never read as HTML


def test_csv_headerless_with_a_text_class_column_keeps_the_first_sample(qtbot, window, tmp_path):
    _, model, _ = window
    dialog = csv_dialog(qtbot, model, tmp_path, "1,2,cat\n3,4,dog\n5,6,cat\n")
    assert not dialog.header.isChecked()
    dialog.set_roles(["input", "input", "class (one-hot)"])
    dialog.accept()
    assert len(dialog.result_data) == 3 and dialog.result_data.inputs[0].tolist() == [1, 2]


def test_csv_out_of_memory_is_a_message_in_the_dialog(qtbot, window, tmp_path, monkeypatch):
    _, model, _ = window
    dialog = csv_dialog(qtbot, model, tmp_path, "x,t\n1,2\n")

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(csv_import_dialog, "read_csv", no_memory)
    dialog.accept()
    assert dialog.result_data is None and "not enough memory" in dialog.error.text()


def test_csv_missing_file_and_no_file(qtbot, window, tmp_path):
    _, model, _ = window
    dialog = CsvImportDialog(model)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert "choose a CSV file" in dialog.error.text()
    dialog.set_path(tmp_path / "nope.csv")
    assert "cannot read the file" in dialog.error.text()


def test_csv_width_mismatch_declined_keeps_the_old_data(qtbot, window, tmp_path, monkeypatch):
    _, model, controller = window
    dialog = csv_dialog(qtbot, model, tmp_path, "a,b,c,t\n1,2,3,0\n4,5,6,1\n")
    dialog.accept()
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    assert not controller.data_view.use(dialog.result_data)
    assert "input layer from n₀ = 2 to 3" in asked[0]
    assert len(model.session.data) == 4 and model.session.network.input_size == 2


def test_three_inputs_have_no_scatter_but_a_reason(qtbot, window, tmp_path, monkeypatch):
    _, model, controller = window
    dialog = csv_dialog(qtbot, model, tmp_path, "a,b,c,t\n1,2,3,0\n4,5,6,1\n")
    dialog.accept()
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    controller.data_view.use(dialog.result_data)
    view = controller.data_view
    assert view.plot.isHidden() and "3 inputs" in view.no_plot.text()
    assert "n₀ = 3" in controller.decision_map.message.text()


# --- data changes through the window's undo stack --------------------------------------------


def choose_in_dialog(qtbot, action, name: str, **fields) -> None:
    """Trigger ``action``, then in the built-in data-set dialog choose ``name``, set ``fields`` and press OK."""

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, GenerateDialog):
            QTimer.singleShot(10, fill)
            return
        dialog.choice.setCurrentIndex(dialog.choice.findData(name))
        for field, value in fields.items():
            dialog.fields[field].setValue(value)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, fill)
    action.trigger()


@pytest.mark.usefixtures("private_places")
def test_a_data_set_chosen_in_the_dialog_is_undone_and_redone(qtbot):
    window = open_window(qtbot, load_example("xor"))
    model, view = window.model, window.training_controller.data_view
    xor = model.session.data
    choose_in_dialog(qtbot, view.generate_action, "moons", samples=40)
    moons = model.session.data
    assert moons.generator["name"] == "moons" and view.samples.rowCount() == 40
    assert window.session_controller.actions["undo"].text() == "Undo load data set moons"
    assert window.isWindowModified()
    press_undo(qtbot, window)
    assert model.session.data is xor and view.samples.rowCount() == 4
    assert not window.isWindowModified()
    press_undo(qtbot, window, redo=True)
    assert model.session.data is moons and view.samples.rowCount() == 40 and "40 samples" in view.summary.text()


@pytest.mark.usefixtures("private_places")
def test_a_resize_for_new_data_is_one_edit_with_the_data(qtbot):
    window = open_window(qtbot, load_example("xor"))
    model = window.model
    network, before, xor = model.session.network, snapshot(model.session.network), model.session.data
    asked = answer_box(QMessageBox.StandardButton.Yes)
    choose_in_dialog(qtbot, window.training_controller.data_view.generate_action, "blobs", classes=3)
    assert "output layer from 1 neuron to 3" in asked[0]
    assert network.sizes == [2, 2, 3] and len(model.session.data) != 4
    resized = snapshot(network)
    press_undo(qtbot, window)
    assert model.session.network is network and snapshot(network) == before and model.session.data is xor
    press_undo(qtbot, window, redo=True)
    assert snapshot(network) == resized and model.stepper.network is network


@pytest.mark.usefixtures("private_places")
def test_declining_the_resize_leaves_nothing_to_undo(qtbot):
    window = open_window(qtbot, load_example("xor"))
    answer_box(QMessageBox.StandardButton.No)
    choose_in_dialog(qtbot, window.training_controller.data_view.generate_action, "blobs", classes=3)
    assert len(window.model.session.data) == 4 and not window.session_controller.undo_stack.count()


# --- the table beside the scatter plot --------------------------------------------------


def data_dock_in_train_layout(qtbot, screen: str):
    """The full window on test screen ``screen`` in the Train layout (Ctrl+2), the Data tab raised."""
    window = window_on_screen(qtbot, load_example("moons"), screen)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.layout_controller.current == LayoutName.TRAIN
    window.docks["data"].raise_()
    view = window.training_controller.data_view
    qtbot.waitUntil(lambda: view.table.isVisible() and len(view.scatter.data) > 0)
    return window, view


@pytest.mark.parametrize("screen", ["1366x768", "1024x768"])
def test_every_column_of_the_samples_shows_beside_the_scatter_plot(qtbot, screen):
    _, view = data_dock_in_train_layout(qtbot, screen)
    table, header = view.table, view.table.horizontalHeader()
    assert view.splitter.orientation() == Qt.Orientation.Horizontal
    assert header.length() <= table.viewport().width()  # x₁, x₂, t₁ and set, none cut at the right
    assert view.plot.width() >= view.plot.minimumWidth()
    metrics = QFontMetrics(table.font())
    for column in range(view.samples.columnCount()):
        widest = max(metrics.horizontalAdvance(view.samples.index(row, column).data()) for row in range(200))
        assert widest < header.sectionSize(column)  # every number whole in its cell


def test_a_splitter_the_user_moved_stays_where_they_put_it(qtbot):
    window, view = data_dock_in_train_layout(qtbot, "1366x768")
    fitted = view.splitter.sizes()
    view.splitter.moveSplitter(fitted[0] + 60, 1)  # as dragging the handle does
    moved = view.splitter.sizes()
    assert moved[0] == fitted[0] + 60
    assert window.training_controller.data_view.use(generate("moons", samples=30, noise=0.3))
    qtbot.wait(20)
    assert view.samples.rowCount() == 30 and view.splitter.sizes() == moved  # new columns, the user's split


def test_the_summary_counts_in_the_singular_too(qtbot, window):
    _, model, controller = window
    data = generate("moons", samples=40)
    assert controller.data_view.use(data)
    assert controller.data_view.summary.text() == "40 samples (moons) · 2 inputs · 1 target"


def test_a_wide_data_set_gets_one_column_width_for_all(qtbot, window, monkeypatch):
    _, model, controller = window
    rng = np.random.default_rng(0)
    answer(monkeypatch, QMessageBox.StandardButton.Yes)  # the network's input layer follows the data
    assert controller.data_view.use(Dataset(rng.uniform(-2, 2, (50, 100)), rng.uniform(0, 1, (50, 1))))
    view = controller.data_view
    header = view.table.horizontalHeader()
    assert view.samples.columnCount() == 102
    assert {header.sectionSize(c) for c in range(102)} == {header.defaultSectionSize()}
    widest = max(QFontMetrics(header.font()).horizontalAdvance(f"x{subscript(k + 1)}") for k in range(100))
    assert header.defaultSectionSize() > widest  # x₁₀₀ whole


def test_a_long_column_name_is_cut_short_in_the_middle_and_whole_in_its_tooltip(qtbot, window, tmp_path):
    _, model, controller = window
    name = "the distance from the sepal's base to its tip in centimetres"
    dialog = csv_dialog(qtbot, model, tmp_path, f"{name},b,t\n1,2,0\n3,4,1\n")
    dialog.accept()
    assert controller.data_view.use(dialog.result_data)
    samples = controller.data_view.samples
    assert samples.headerData(0, Qt.Orientation.Horizontal) == "the distance…centimetres x₁"  # as on the graph
    assert samples.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == f"{name} x₁"
    assert samples.headerData(1, Qt.Orientation.Horizontal) == "b x₂"  # short: whole, with no tooltip
    assert samples.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("a,b,t\n1,2,0\n3,4,1\n", ["input", "input", "target"]),
        ("a,b,kind\n1,2,cat\n3,4,dog\n", ["input", "input", "class (one-hot)"]),  # names: the class
        ("name,a,t\nann,1,0\nbob,2,1\n", ["ignore", "input", "target"]),  # a name cannot be an input
        ("a,b,t\n1,,0\n3,4,1\n", ["input", "input", "target"]),  # a blank is not text
    ],
)
def test_each_column_starts_with_the_role_its_cells_suit(qtbot, window, tmp_path, text, roles):
    _, model, _ = window
    dialog = csv_dialog(qtbot, model, tmp_path, text)
    assert [box.currentText() for box in dialog.role_boxes] == roles
