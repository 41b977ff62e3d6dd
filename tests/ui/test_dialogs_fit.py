"""Dialogs on a 1024×768 screen: each one inside the screen, its texts whole (wrapped, not cut)."""

import pytest
from PySide6.QtWidgets import QAbstractButton, QDialog, QLabel, QLineEdit, QVBoxLayout
from test_layout_matrix import button_problem, label_problem, on_screen

from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.colour_scale import ScaleMode
from backprop_gui.core.presets import load_example
from backprop_gui.core.quiz import QuizSettings
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.diagnostics.breakpoint_dialog import BreakpointDialog
from backprop_gui.ui.diagnostics.quiz_panel import QuizSettingsDialog
from backprop_gui.ui.sessions.edit_dialogs import (
    ActivationDialog,
    AddLayerDialog,
    FeaturesDialog,
    LossDialog,
    ParameterDialog,
    ReinitialiseDialog,
)
from backprop_gui.ui.sessions.new_session_dialog import NewSessionDialog
from backprop_gui.ui.training.confusion_matrix import ConfusionDialog
from backprop_gui.ui.training.csv_import_dialog import CsvImportDialog
from backprop_gui.ui.training.data_view import GenerateDialog
from backprop_gui.ui.window.main_window import ShortcutsDialog

from window_helpers import open_window, screen_named, when_modal

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
        "input features": FeaturesDialog(session, window),
        "built-in data set": GenerateDialog(model, window),
        "shortcuts": ShortcutsDialog(window.registered_actions(), window),
        "confusion matrix": ConfusionDialog(model, window.training_controller.progressed, window),
    }


def test_every_dialog_fits_a_1024_screen_with_its_texts_whole(qtbot, window):
    found = []
    for name, dialog in dialogs(window).items():
        with qtbot.waitExposed(dialog):
            dialog.show()
        found += [f"{name}: {problem}" for problem in dialog_problems(dialog)]
        dialog.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("nested", [False, True])
def test_a_dialog_opened_over_a_panel_or_another_dialog_is_brought_inside(qtbot, window, nested):
    parent = window.training_controller.panel  # a widget inside the window, not the window
    if nested:
        parent = QuizSettingsDialog(QuizSettings(), window)
        with qtbot.waitExposed(parent):
            parent.show()
    dialog = QDialog(parent)
    QVBoxLayout(dialog).addWidget(QLineEdit())  # takes the keyboard focus as it shows
    dialog.resize(3000, 2000)
    dialog.move(-500, -500)
    with qtbot.waitExposed(dialog):
        dialog.show()
    qtbot.waitUntil(lambda: window.screen().availableGeometry().contains(dialog.frameGeometry()))
    dialog.close()
    if nested:
        parent.close()


def test_a_dialog_larger_than_the_screen_is_brought_inside(qtbot, window):
    dialog = QuizSettingsDialog(QuizSettings(), window)
    dialog.resize(3000, 2000)
    dialog.move(-500, -500)
    with qtbot.waitExposed(dialog):
        dialog.show()
    assert window.screen().availableGeometry().contains(dialog.frameGeometry())


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("about", (ActionId.ABOUT,)),
        ("train N epochs", (ActionId.N_EPOCHS,)),
        ("fixed colour scale", (ActionId.COLOUR_SCALE, ScaleMode.FIXED)),
    ],
)
def test_the_windows_own_question_and_message_boxes_fit_a_1024_screen(qtbot, window, name, action):
    """The boxes the window opens and waits on (exec), checked while they are open."""
    found: list[list[str]] = []

    def check(box: QDialog) -> None:
        found.append(dialog_problems(box))
        box.reject()

    when_modal(check)
    window.action(*action).trigger()
    assert found == [[]], f"{name}: {found}"
