"""Dialogs on a 1024×768 screen: each one inside the screen, its texts whole (wrapped, not cut)."""

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel
from test_layout_matrix import button_problem, label_problem, on_screen, screen_named

from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.presets import load_example
from backprop_gui.core.quiz import QuizSettings
from backprop_gui.ui.diagnostics.breakpoint_dialog import BreakpointDialog
from backprop_gui.ui.diagnostics.quiz_panel import QuizSettingsDialog
from backprop_gui.ui.sessions.edit_dialogs import (
    ActivationDialog,
    AddLayerDialog,
    LossDialog,
    ParameterDialog,
    ReinitialiseDialog,
)
from backprop_gui.ui.sessions.new_session_dialog import NewSessionDialog
from backprop_gui.ui.training.csv_import_dialog import CsvImportDialog
from backprop_gui.ui.window.main_window import ShortcutsDialog

from window_helpers import open_window

pytestmark = pytest.mark.usefixtures("private_places")


def dialog_problems(dialog) -> list[str]:
    """What is off screen or cut in ``dialog`` (shown)."""
    owner = dialog.parentWidget().window() if dialog.parentWidget() is not None else dialog
    screen = owner.screen().availableGeometry()
    found = [] if screen.contains(dialog.frameGeometry()) else [f"{dialog.frameGeometry()} off {screen}"]
    for widget in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton):
        if on_screen(widget):
            found.append(label_problem(widget) if isinstance(widget, QLabel) else button_problem(widget))
    return [problem for problem in found if problem]


@pytest.fixture
def window(qtbot):
    window = open_window(qtbot, load_example("blobs_softmax"))
    window.setScreen(screen_named("1024x768"))
    window.setGeometry(screen_named("1024x768").availableGeometry())
    return window


def dialogs(window):
    session, model = window.model.session, window.model
    phases = list(model.stepper.phases)
    return {
        "new session": NewSessionDialog(model.session.data, window),
        "breakpoints": BreakpointDialog(BreakpointSettings(), phases, False, window),
        "quiz settings": QuizSettingsDialog(QuizSettings(), window),
        "csv import": CsvImportDialog(model, window),
        "weight": ParameterDialog(session, 1, 0, 1, window),
        "activation": ActivationDialog(session, 1, window),
        "loss": LossDialog(session, window),
        "add layer": AddLayerDialog(session, 1, window),
        "reinitialise": ReinitialiseDialog(session, parent=window),
        "shortcuts": ShortcutsDialog(window.registered_actions(), window),
    }


def test_every_dialog_fits_a_1024_screen_with_its_texts_whole(qtbot, window):
    found = []
    for name, dialog in dialogs(window).items():
        with qtbot.waitExposed(dialog):
            dialog.show()
        found += [f"{name}: {problem}" for problem in dialog_problems(dialog)]
        dialog.close()
    assert not found, "\n".join(found)


def test_a_dialog_larger_than_the_screen_is_brought_inside(qtbot, window):
    dialog = QuizSettingsDialog(QuizSettings(), window)
    dialog.resize(3000, 2000)
    dialog.move(-500, -500)
    with qtbot.waitExposed(dialog):
        dialog.show()
    assert window.screen().availableGeometry().contains(dialog.frameGeometry())
