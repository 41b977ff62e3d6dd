"""The Note panel: shows the session's note, edits go through the model as one undoable step that
marks the session modified, an empty note shows a hint, and a session with a note brings the panel up."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from backprop_gui.core.debugger_state import Field
from backprop_gui.core.editing import SetNote
from backprop_gui.core.presets import load_example
from backprop_gui.core.session_format import dumps, loads
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.sessions.note_panel import EMPTY_STYLE, HINT, NotePanel

from window_helpers import open_window

pytestmark = pytest.mark.usefixtures("private_places")


def without_note(name: str = "xor"):
    session = load_example(name)
    session.note = ""
    return session


@pytest.fixture
def window(qtbot):
    return open_window(qtbot, without_note())


def test_an_empty_note_shows_a_muted_hint_and_the_panel_starts_hidden(window, qtbot) -> None:
    panel, dock = window.note_panel, window.docks["note"]
    qtbot.waitUntil(lambda: window.layout_controller.ready)  # arranged once shown
    assert not dock.isVisible()
    assert panel.editor.placeholderText() == HINT and panel.editor.styleSheet() == EMPTY_STYLE
    assert not panel.editor.isReadOnly()


def test_typing_edits_the_note_marks_the_session_modified_and_undo_takes_it_back(window, qtbot) -> None:
    window.docks["note"].show()
    editor = window.note_panel.editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, "Bring a ruler")  # B and R are window shortcuts elsewhere; here they are text
    controller = window.session_controller
    assert window.model.session.note == "Bring a ruler"
    assert controller.modified and window.isWindowModified()
    assert editor.styleSheet() == ""
    assert controller.undo_stack.count() == 1 and controller.undo_stack.undoText() == "edit note"
    controller.actions["undo"].trigger()
    assert window.model.session.note == "" and editor.toPlainText() == ""
    assert not controller.modified and editor.styleSheet() == EMPTY_STYLE
    controller.actions["redo"].trigger()
    assert editor.toPlainText() == "Bring a ruler"


def test_the_note_is_saved_with_the_session(window, qtbot, tmp_path) -> None:
    window.note_panel.editor.setPlainText("Exercise 3:\ncompute δ¹ by hand first.")
    path = str(tmp_path / "exercise.json")
    assert window.session_controller.save_as(path)
    assert loads(open(path, encoding="utf-8").read()).note == "Exercise 3:\ncompute δ¹ by hand first."


def test_opening_a_session_with_a_note_shows_the_panel_with_it(window, qtbot) -> None:
    dock = window.docks["note"]
    qtbot.waitUntil(lambda: window.layout_controller.ready)  # arranged once shown
    assert not dock.isVisible()
    window.session_controller.open_session(load_example("dead_relu"))
    assert dock.isVisible() and not dock.visibleRegion().isEmpty()
    assert window.note_panel.text == load_example("dead_relu").note != ""
    assert window.session_controller.undo_stack.count() == 0 and not window.session_controller.modified


def test_a_panel_on_a_bare_model_sets_the_note_directly(qtbot) -> None:
    model = SessionModel(without_note())
    panel = NotePanel(model)
    qtbot.addWidget(panel)
    changes: list[str] = []
    model.changed.connect(lambda event: changes.append(event.value) if event.field == Field.NOTE else None)
    qtbot.keyClicks(panel.editor, "ab")
    assert changes == ["a", "ab"]


def test_consecutive_edits_merge_into_one_undo_step(window, qtbot) -> None:
    model, panel, stack = window.model, window.note_panel, window.session_controller.undo_stack
    window.docks["note"].show()
    qtbot.keyClicks(panel.editor, "one")
    panel.editor.setPlainText("")
    assert stack.count() == 0  # typed and deleted again: nothing left to undo
    qtbot.keyClicks(panel.editor, "two")
    model.push_edit(SetNote("changed elsewhere"), model.state.note_changed)
    assert panel.text == "changed elsewhere" and stack.count() == 1
    stack.undo()
    assert model.session.note == "" and panel.text == ""
    assert dumps(model.session) == dumps(without_note())
    panel.editor.setFocus()
    qtbot.keyClick(panel.editor, Qt.Key.Key_X)
    assert model.session.note == "x"


def test_a_note_shows_rendered_and_edit_switches_to_the_text(qtbot) -> None:
    session = without_note()
    session.note = "# Task\n\nCompute $\\delta_j^l$ and z^1 = w^1 x."
    panel = NotePanel(SessionModel(session))
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.editing and panel.edit_button.text() == "Edit"
    shown = panel.view.toHtml()
    assert "vertical-align:super" in shown and "vertical-align:sub" in shown
    assert "^" not in panel.view.toPlainText() and "$" not in panel.view.toPlainText()
    assert panel.view.toPlainText().startswith("Task")
    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    assert panel.editing and panel.edit_button.text() == "Done"
    qtbot.keyClicks(panel.editor, "!")
    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    assert not panel.editing and panel.view.toPlainText().endswith("x.!")


def test_double_click_on_the_rendered_note_edits_it(qtbot) -> None:
    panel = NotePanel(SessionModel(load_example("course_simple")))
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.editing
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton)
    assert panel.editing
