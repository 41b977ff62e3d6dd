"""The full window as ``run`` and ``create_window`` build it: every feature installed once, no shortcut
bound twice, a bad file reported, the crash-restore offer, examples behind the unsaved-changes question,
double-click editing, and training runs watched by breakpoints and autosaved when they end."""

from __future__ import annotations

import gc
import json
import os
import weakref

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QMessageBox

from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.presets import default_session, load_example
from backprop_gui.core.session import SessionView, StepperPosition
from backprop_gui.core.session_format import dumps, session_to_dict
from backprop_gui.ui.sessions.autosave import encode
from backprop_gui.ui.training.controller import TRAINING
from backprop_gui.ui.window import app as app_module
from backprop_gui.ui.window import main_window
from backprop_gui.ui.window.main_window import MainWindow

from window_helpers import answer_box

FILE_MENU = ["New…", "Open…", "Open Example", "Open Recent", "Save", "Save As…", "Revert", "Export", "Import", "Quit"]


pytestmark = pytest.mark.usefixtures("private_places")


@pytest.fixture
def started(qtbot, monkeypatch):
    """Calls ``run`` without entering the event loop; returns (windows made, error boxes shown)."""
    windows: list[MainWindow] = []
    errors: list[tuple[str, str]] = []
    make = app_module.create_window

    def create(*args, **kwargs) -> MainWindow:
        windows.append(make(*args, **kwargs))
        qtbot.addWidget(windows[-1])
        return windows[-1]

    monkeypatch.setattr(app_module, "create_window", create)
    monkeypatch.setattr(app_module, "show_error", lambda _parent, title, text: errors.append((title, text)))
    monkeypatch.setattr(QApplication, "exec", lambda *_args: 0)
    return windows, errors


def test_every_feature_is_installed_once(window: MainWindow) -> None:
    titles = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert titles == ["File", "Edit", "Step", "View", "Train", "Debug", "Help"]
    file_items = [action.text().replace("&", "") for action in window.menus["File"].actions() if action.text()]
    assert file_items == FILE_MENU
    docks = {dock.windowTitle() for dock in window.findChildren(type(window.docks["values"]))}
    assert {"Sample", "Values", "Formula", "Training", "Loss", "Decision map", "Data", "Note", "Quiz"} <= docks
    assert window.session_controller.window is window and window.training_controller.window is window


def test_no_shortcut_is_bound_to_two_actions(window: MainWindow) -> None:
    owners: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for keys in action.shortcuts():
            name = keys.toString()
            assert name not in owners, f"{name} is bound to both {owners[name]!r} and {action.text()!r}"
            owners[name] = action.text()
    assert {"Ctrl+O", "Ctrl+S", "Ctrl+Z", "F5", "F9", "F10", "F7"} <= set(owners)


def test_the_step_layout_keeps_the_note_at_hand_and_the_graph_most_of_the_window(window, qtbot) -> None:
    note = window.docks["note"]
    qtbot.waitUntil(lambda: window.layout_controller.ready)  # arranged once the window shows
    assert window.docks["values"] in window.tabifiedDockWidgets(note)
    assert note.isVisible() and window.docks["formula"].isVisible()
    assert not window.training_controller.docks["loss"].isVisible()
    assert not window.diagnostics_controller.docks["gradcheck"].isVisible()
    graph = window.network_view
    assert graph.width() * graph.height() > 0.3 * window.width() * window.height()


def test_a_bad_file_shows_the_error_and_opens_the_default_session(started, tmp_path, monkeypatch) -> None:
    windows, _ = started
    errors: list[tuple[str, str]] = []

    def shown(box: QMessageBox) -> int:
        errors.append((box.windowTitle(), box.text()))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(app_module, "show_error", main_window.show_error)  # the real error box, shown here
    monkeypatch.setattr(QMessageBox, "exec", shown)
    path = tmp_path / "broken.json"
    path.write_text('{"format": "backprop-gui-session", "version": 1, "network": [')
    assert app_module.run(str(path)) == 0
    assert len(windows) == 1 and len(errors) == 1
    title, text = errors[0]
    assert title == "Cannot open session" and str(path) in text and "looks truncated" in text
    assert dumps(windows[0].model.session) == dumps(default_session())
    assert windows[0].session_controller.file_path is None


def test_a_good_file_is_the_windows_file(started, tmp_path) -> None:
    windows, errors = started
    path = tmp_path / "xor.json"
    path.write_text(dumps(load_example("xor")))
    app_module.run(str(path))
    assert errors == [] and windows[0].session_controller.file_path == str(path)
    assert windows[0].session_controller.recent.paths() == [str(path)]


@pytest.mark.parametrize("choice", ["Restore", "Discard"])
def test_run_offers_an_autosave_left_by_a_crash(started, tmp_path, qtbot, choice) -> None:
    windows, _ = started
    lost = load_example("xor")
    lost.name = "lost work"
    lost.view = SessionView(position=StepperPosition(sample=2, position=3), selection=(1, 1, 0), precision=7)
    folder = tmp_path / "autosave"
    folder.mkdir()
    orphan = folder / "session-999999.json"
    orphan.write_bytes(encode(session_to_dict(lost), "/lectures/week3.json"))
    seen = answer_box(choice)
    app_module.run()
    qtbot.waitUntil(lambda: not orphan.exists())
    model = windows[0].model
    assert "“lost work” had unsaved changes" in seen[0]
    if choice == "Restore":
        assert model.session.name == "lost work" and windows[0].session_controller.modified
        assert (model.stepper.batch, model.stepper.position) == (2, 3)
        assert model.selection == Selection(1, 1, 0) and model.precision == 7
    else:
        assert model.session.name == default_session().name and not windows[0].session_controller.modified


def test_an_example_opens_only_after_the_unsaved_changes_question(window: MainWindow, qtbot) -> None:
    window.model.run_to_end()  # the Update changed the weights: unsaved changes
    assert window.session_controller.modified
    examples = window.menus["Open Example"]
    action = next(a for a in examples.actions() if a.data() == "sine_regression")
    answer_box("Cancel")
    action.trigger()
    assert window.model.session.name == load_example("xor").name
    seen = answer_box("Discard")
    action.trigger()
    assert "unsaved changes" in seen[0] and "opening an example" in seen[0]
    assert window.model.session.name == load_example("sine_regression").name
    assert not window.session_controller.modified and window.session_controller.file_path is None


def test_double_clicking_a_weight_cell_edits_that_weight(window: MainWindow, qtbot) -> None:
    panel = window.values_panel
    panel.tabs.setCurrentIndex(1)
    table = panel.table_for(1, 1)  # w^1
    index = table.model().index(1, 0)

    def type_value() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, type_value)
            return
        dialog.value.setText("0.375")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, type_value)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click's first press
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.model.session.network.layer(1).weights[1, 0] == 0.375
    assert window.session_controller.undo_stack.undoText() == "set w_21^1 = 0.375"
    assert table.model().data(index) == window.model.format(0.375)


def test_a_breakpoint_stops_training_lands_in_the_stepper_and_the_run_is_autosaved(window, qtbot) -> None:
    diagnostics, training = window.diagnostics_controller, window.training_controller
    diagnostics.set_settings(BreakpointSettings(loss_below=True, loss_target=10.0, loss_scope="step"))
    hits = []
    diagnostics.hit.connect(hits.append)
    training.train_epochs(5)
    qtbot.waitUntil(lambda: training.state != TRAINING, timeout=5000)
    assert len(hits) == 1 and hits[0].title and window.model.session.history.steps == 1
    assert diagnostics.message_box is not None
    diagnostics.message_box.close()
    autosave = window.session_controller.autosave.path
    assert window.session_controller.autosave.wait(10) and os.path.exists(autosave)
    assert json.loads(open(autosave, encoding="utf-8").read())["session"]["history"]["step_losses"]


def test_f9_marks_the_phase_bar_and_f9_again_removes_the_mark(window: MainWindow, qtbot) -> None:
    bar = window.phase_bar
    assert not any(bar.button(i).breakpoint for i in range(len(window.model.stepper.phases)))
    qtbot.keyClick(window, Qt.Key.Key_F9)
    marked = window.diagnostics_controller.phase_breakpoints
    assert len(marked) == 1
    (index,) = marked
    assert bar.button(index).breakpoint
    assert "breakpoint (F9 to remove)" in bar.button(index).toolTip()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert not window.diagnostics_controller.phase_breakpoints
    assert not bar.button(index).breakpoint


def test_start_up_objects_are_kept_out_of_the_collectors_walks_and_its_garbage_is_gone():
    class Node:
        pass

    cycle = Node()
    cycle.me = cycle  # garbage only a collection finds
    gone = weakref.ref(cycle)
    del cycle
    kept = Node()
    try:
        app_module.keep_start_up_objects()
        assert gone() is None
        assert gc.get_freeze_count() > 0 and kept not in gc.get_objects()  # frozen: no generation walks it
    finally:
        gc.unfreeze()  # the other tests' objects are collected as usual
