"""The session features on a bare QMainWindow: menus, title and modified mark, undo/redo by keyboard,
save / open / revert, the unsaved-changes prompt, failed saves, recent files, drag-and-drop."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QSaveFile, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFileDialog, QMainWindow, QMenu, QMessageBox

from backprop_gui.core.datasets import generate
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.editing import AddLayer, RemoveNeuron, SetParameter
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import dumps, load_session, save_session
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.sessions.controller import SessionController

from window_helpers import answer_box, bare_session_window, discard_changes


def make_session(name: str = "XOR lecture", seed: int = 1) -> Session:
    return Session(name, build_network(2, [3, 1], ["tanh", "sigmoid"], seed=seed), generate("xor"))


def make_window(
    qtbot, tmp_path, window: QMainWindow | None = None, file_menu: QMenu | None = None
) -> SessionController:
    window = window or QMainWindow()
    window.resize(800, 600)
    controller = bare_session_window(tmp_path, make_session(), window, file_menu)
    window.show()
    window.activateWindow()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)  # shortcuts reach the active window only
    return controller


@pytest.fixture
def controller(qtbot, tmp_path) -> Iterator[SessionController]:
    controller = make_window(qtbot, tmp_path)
    yield controller
    discard_changes(controller)
    controller.window.close()


@pytest.fixture
def saved(tmp_path) -> str:
    path = str(tmp_path / "other.json")
    save_session(make_session("Other session", seed=5), path)
    return path


@pytest.fixture
def messages(monkeypatch) -> list[tuple[str, str]]:
    """Record critical/warning/information boxes instead of showing them: (title, text)."""
    shown: list[tuple[str, str]] = []

    def record(_parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    for name in ("critical", "warning", "information"):
        monkeypatch.setattr(plain_messages, name, record)
    return shown


def weight(controller: SessionController, layer: int, j: int, k: int) -> float:
    return float(controller.session.network.layer(layer).weights[j, k])


# --- menus and title ------------------------------------------------------------------


def test_items_join_the_file_menu_they_are_given_before_what_it_holds(qtbot, tmp_path) -> None:
    window = QMainWindow()
    file_menu = window.menuBar().addMenu("&File")
    quit_action = file_menu.addAction("&Quit")
    controller = make_window(qtbot, tmp_path, window, file_menu)
    assert [action.text() for action in window.menuBar().actions()] == ["&File", "&Edit"]
    texts = [action.text() for action in file_menu.actions()]
    assert texts[:8] == ["&New…", "&Open…", "Open &Example", "Open &Recent", "", "&Save", "Save &As…", "Re&vert"]
    assert texts[-1] == "&Quit" and file_menu.actions()[-1] is quit_action
    assert controller.actions["save_as"].shortcut().toString() == "Ctrl+Shift+S"
    assert controller.actions["open"].shortcut().toString() == "Ctrl+O"
    assert [s.toString() for s in controller.actions["redo"].shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    window.close()


def test_title_shows_the_name_and_the_modified_mark(controller: SessionController) -> None:
    window = controller.window
    assert window.windowTitle() == "XOR lecture[*] — backprop-gui" and not window.isWindowModified()
    assert not controller.actions["revert"].isEnabled()
    controller.push(SetParameter(2, 0, 1, 0.5))
    assert window.isWindowModified() and controller.modified
    controller.undo_stack.undo()
    assert not window.isWindowModified()  # back where the file was


def test_a_name_with_the_placeholder_is_shown_literally(controller: SessionController) -> None:
    controller.open_session(make_session("a [*] b"))
    assert controller.window.windowTitle() == "a [*][*] b[*] — backprop-gui"


# --- editing and undo -----------------------------------------------------------------


def test_undo_names_the_edit_and_keys_undo_and_redo(controller: SessionController, qtbot) -> None:
    window = controller.window
    old = weight(controller, 2, 0, 1)
    controller.model.set_selection(Selection(2, 0, 1))
    controller.push(SetParameter(2, 0, 1, 0.5))
    assert controller.actions["undo"].text() == "Undo set w_12^2 = 0.5"
    assert controller.actions["set_value"].text() == "Set &Value of w_12^2…"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert weight(controller, 2, 0, 1) == old
    assert controller.actions["redo"].text() == "Redo set w_12^2 = 0.5"
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert weight(controller, 2, 0, 1) == 0.5
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_Z, modifiers)
    assert weight(controller, 2, 0, 1) == 0.5


def test_an_edit_restarts_the_pass_on_the_same_sample(controller: SessionController) -> None:
    model = controller.model
    model.select_sample(3)
    model.run_to_end()
    controller.push(SetParameter(1, 0, 0, 2.0))
    assert model.stepper.position == 0 and model.stepper.batch == 3


def test_an_invalid_edit_is_refused_with_a_message(controller: SessionController, messages) -> None:
    before = dumps(controller.session)
    assert not controller.push(RemoveNeuron(2, 0))
    assert messages and "output layer" in messages[0][1]
    assert dumps(controller.session) == before and controller.undo_stack.count() == 0


def test_edit_parameter_dialog_sets_the_value(controller: SessionController, qtbot) -> None:
    def type_value() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, type_value)
            return
        dialog.value.setText("0.75")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, type_value)
    assert controller.edit_parameter(Selection(1, 2, None))
    assert controller.session.network.layer(1).biases[2] == 0.75
    assert controller.undo_stack.undoText() == "set b_3^1 = 0.75"


def test_edit_menu_follows_the_selection(controller: SessionController) -> None:
    model, actions = controller.model, controller.actions
    assert not actions["remove_layer"].isEnabled() and not actions["set_value"].isEnabled()
    model.set_selection(Selection(1, 1))
    assert actions["remove_neuron"].text() == "Remove Ne&uron 2 of Layer 1" and actions["remove_neuron"].isEnabled()
    assert actions["toggle_bias"].isChecked()
    model.set_selection(Selection(2, 0))
    assert not actions["add_neuron"].isEnabled()
    assert "output layer" in actions["add_neuron"].toolTip()
    model.set_selection(Selection(1, 2))
    actions["remove_neuron"].trigger()
    assert controller.session.network.sizes == [2, 2, 1]
    assert model.selection is None  # neuron 3 of layer 1 no longer exists
    model.set_selection(Selection(1, 0))
    actions["toggle_bias"].trigger()
    assert not controller.session.network.layer(1).has_bias and not actions["toggle_bias"].isChecked()
    actions["add_neuron"].trigger()
    assert controller.session.network.sizes == [2, 3, 1]
    assert controller.actions["undo"].text() == "Undo add a neuron to layer 1"


def test_training_marks_the_session_modified(controller: SessionController) -> None:
    controller.model.network_changed()
    assert controller.modified and controller.window.isWindowModified()


def test_applying_the_update_step_marks_the_session_modified(controller: SessionController) -> None:
    controller.model.run_to_end()
    assert controller.modified


def test_a_running_trainer_is_asked_to_pause_before_an_edit_or_a_new_session(controller, saved) -> None:
    pauses: list[str] = []
    controller.model.about_to_move.connect(lambda: pauses.append(str(controller.session.network.layer(1).size)))
    controller.push(RemoveNeuron(1, 0))
    assert pauses == ["3"]  # before the edit changed the network
    controller.undo_stack.undo()
    assert pauses == ["3", "2"]
    controller.undo_stack.setClean()
    controller.open_file(saved)
    assert len(pauses) == 3


# --- saving ---------------------------------------------------------------------------


def test_save_as_writes_the_core_file_and_clears_the_mark(controller: SessionController, tmp_path) -> None:
    controller.push(AddLayer(1, 2, "relu"))
    path = str(tmp_path / "lecture.json")
    assert controller.save_as(path)
    assert open(path, encoding="utf-8").read() == dumps(controller.model.snapshot())
    assert dumps(load_session(path)) == open(path, encoding="utf-8").read()
    assert not controller.modified and controller.file_path == path
    assert controller.window.windowTitle() == "XOR lecture (lecture.json)[*] — backprop-gui"
    assert controller.recent.paths() == [path]
    controller.push(SetParameter(1, 0, 0, 1.0))
    assert controller.save() and json.load(open(path))["network"]["layers"][0]["weights"][0][0] == 1.0


def test_save_as_asks_for_a_file_and_adds_the_extension(controller: SessionController, tmp_path, monkeypatch) -> None:
    chosen = str(tmp_path / "picked")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (chosen, "")))
    assert controller.save()  # no file yet: Save asks where
    assert controller.file_path == chosen + ".json" and os.path.exists(chosen + ".json")


def test_a_failed_save_says_why_and_keeps_the_changes(controller: SessionController, tmp_path, messages) -> None:
    controller.push(SetParameter(1, 0, 0, 1.0))
    path = str(tmp_path / "missing-folder" / "x.json")
    assert not controller.save_as(path)
    assert messages[0][0] == "Cannot save session" and path in messages[0][1]
    assert controller.modified and controller.window.isWindowModified() and controller.file_path is None


def test_a_failed_commit_leaves_the_old_file_whole(controller, saved, messages, monkeypatch) -> None:
    old = open(saved, "rb").read()
    controller.push(SetParameter(1, 0, 0, 1.0))
    monkeypatch.setattr(QSaveFile, "commit", lambda self: False)
    assert not controller.save_as(saved)
    assert open(saved, "rb").read() == old
    assert controller.modified and messages[0][0] == "Cannot save session"
    assert [name for name in os.listdir(os.path.dirname(saved)) if name.endswith(".json")] == ["other.json"]


# --- opening --------------------------------------------------------------------------


def test_open_replaces_the_session_and_clears_the_undo_history(controller: SessionController, saved) -> None:
    controller.push(SetParameter(1, 0, 0, 1.0))
    controller.undo_stack.setClean()
    assert controller.open_file(saved)
    assert controller.session.name == "Other session" and controller.file_path == saved
    assert controller.undo_stack.count() == 0 and not controller.modified
    assert controller.recent.paths()[0] == saved


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b'{"format": "backprop-gui-session", "version": 99}', "newer version of backprop-gui"),
        (b"\x89PNG\x00\x01", "not a session file"),
        (b'{"format": "backprop-gui-session", "version": 1, "network": {', "truncated"),
    ],
)
def test_a_bad_file_is_refused_with_the_cores_message(controller, tmp_path, messages, content, expected) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    before = dumps(controller.session)
    assert not controller.open_file(str(path))
    title, text = messages[0]
    assert title == "Cannot open session" and expected in text and str(path) in text
    assert dumps(controller.session) == before


def test_unsaved_changes_cancel_keeps_everything(controller: SessionController, saved) -> None:
    controller.push(SetParameter(1, 0, 0, 1.0))
    seen = answer_box(QMessageBox.StandardButton.Cancel)
    assert not controller.open_file(saved)
    assert "“XOR lecture” has unsaved changes" in seen[0] and "before opening another session" in seen[0]
    assert controller.session.name == "XOR lecture" and controller.modified


def test_unsaved_changes_discard_goes_on(controller: SessionController, saved) -> None:
    controller.push(SetParameter(1, 0, 0, 1.0))
    answer_box(QMessageBox.StandardButton.Discard)
    assert controller.open_file(saved)
    assert controller.session.name == "Other session" and not controller.modified


def test_unsaved_changes_save_saves_first(controller: SessionController, saved, tmp_path) -> None:
    first = str(tmp_path / "first.json")
    controller.save_as(first)
    controller.push(SetParameter(1, 0, 0, 1.0))
    answer_box(QMessageBox.StandardButton.Save)
    assert controller.open_file(saved)
    assert load_session(first).network.layer(1).weights[0, 0] == 1.0


def test_closing_with_unsaved_changes_asks(controller: SessionController, qtbot) -> None:
    window = controller.window
    controller.push(SetParameter(1, 0, 0, 1.0))
    answer_box(QMessageBox.StandardButton.Cancel)
    window.close()
    assert window.isVisible()
    seen = answer_box(QMessageBox.StandardButton.Discard)
    window.close()
    assert not window.isVisible() and "before closing" in seen[0]


def test_revert_reloads_the_file_as_saved(controller: SessionController, saved) -> None:
    controller.open_file(saved)
    original = dumps(controller.session)
    controller.push(SetParameter(1, 0, 0, 9.0))
    assert controller.actions["revert"].isEnabled()
    answer_box(QMessageBox.StandardButton.Discard)
    assert controller.revert()
    assert dumps(controller.session) == original and not controller.modified


def test_recent_menu_lists_files_and_opens_them(controller: SessionController, saved, tmp_path) -> None:
    controller.recent.add(saved)
    missing = str(tmp_path / "gone.json")
    controller.recent.add(missing)
    menu = controller.recent_menu
    menu.aboutToShow.emit()
    texts = [action.text() for action in menu.actions()]
    assert texts == ["&1  gone.json", "&2  other.json", "", "Clear Menu"]
    assert menu.actions()[1].toolTip() == saved
    menu.actions()[1].trigger()
    assert controller.session.name == "Other session"
    controller.recent.add(missing)
    menu.aboutToShow.emit()
    assert menu.actions()[0].text() == "&1  gone.json"


def test_a_recent_file_that_vanished_is_dropped_from_the_list(controller, tmp_path, messages) -> None:
    missing = str(tmp_path / "gone.json")
    controller.recent.add(missing)
    assert not controller.open_file(missing)
    assert "no such file" in messages[0][1] and controller.recent.paths() == []


def test_clear_menu_empties_the_list(controller: SessionController, saved) -> None:
    controller.recent.add(saved)
    controller.recent_menu.aboutToShow.emit()
    controller.recent_menu.actions()[-1].trigger()
    assert controller.recent.paths() == []
    controller.recent_menu.aboutToShow.emit()
    assert [a.text() for a in controller.recent_menu.actions()] == ["No Recent Files", "", "Clear Menu"]


def test_dropping_a_session_file_opens_it(controller: SessionController, saved, qtbot) -> None:
    window = controller.window
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(saved)])
    enter = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, drop)
    qtbot.waitUntil(lambda: controller.session.name == "Other session", timeout=2000)
    assert controller.file_path == saved


def test_dragging_text_is_not_accepted(controller: SessionController) -> None:
    mime = QMimeData()
    mime.setText("hello")
    enter = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    enter.ignore()
    QApplication.sendEvent(controller.window, enter)
    assert not enter.isAccepted()


def test_a_session_put_in_the_model_elsewhere_starts_clean(controller: SessionController, saved) -> None:
    controller.open_file(saved)
    controller.push(SetParameter(1, 0, 0, 1.0))
    controller.model.set_session(make_session("Example"))  # e.g. File ▸ Open Example
    assert controller.file_path is None and controller.undo_stack.count() == 0 and not controller.modified
    assert controller.window.windowTitle() == "Example[*] — backprop-gui"


def test_new_session_builds_from_the_dialog(controller: SessionController, qtbot) -> None:
    def create() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, create)
            return
        dialog.name.setText("Fresh")
        dialog.data.setCurrentIndex(dialog.data.findData("moons"))
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, create)
    assert controller.new_session()
    assert controller.session.name == "Fresh" and len(controller.session.data) == 200
    assert controller.file_path is None and not controller.modified
    assert np.all(np.isfinite(controller.session.network.layer(1).weights))
