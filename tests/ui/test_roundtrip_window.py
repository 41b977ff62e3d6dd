"""Save → open gives back exactly what was shown: for random sessions and stepper positions through the
session model and the phase bar, and for a whole window saved with Save As and opened in a new one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.presets import load_example
from backprop_gui.core.quiz import QuizSettings
from backprop_gui.core.session import NeuronValue
from backprop_gui.core.session_format import dumps, load_session, loads
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping.phase_bar import PhaseBar

from helpers import small_sessions
from window_helpers import open_window

DISPLAY = Qt.ItemDataRole.DisplayRole
MOVES = ("step", "step_into", "step_back", "run_to_end", "reset_pass", "next_sample", "finish_phase")


pytestmark = pytest.mark.usefixtures("private_places")


def every_value(model: SessionModel) -> list[bytes]:
    """Each quantity of each layer as the stepper shows it (NaN where unknown), bit for bit."""
    stepper, depth = model.stepper, model.session.network.depth
    shown = [stepper.value(q).values.tobytes() for q in (Quantity.INPUT, Quantity.TARGET, Quantity.LOSS)]
    shown.append(stepper.value(Quantity.OUTPUT_GRADIENT).values.tobytes())
    per_layer = set(Quantity) - {Quantity.INPUT, Quantity.TARGET, Quantity.LOSS, Quantity.OUTPUT_GRADIENT}
    for l in range(1, depth + 1):
        shown += [stepper.value(q, l).values.tobytes() for q in sorted(per_layer)]
        shown += [array.tobytes() for array in stepper.weights_before(l)]
        layer = model.session.network.layer(l)
        shown += [layer.weights.tobytes(), layer.biases.tobytes()]
    return shown


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(session=small_sessions(rates=(0.3, 2.0)), moves=st.lists(st.sampled_from(MOVES), max_size=12), data=st.data())
def test_random_sessions_and_positions_reopen_exactly(qapp, session, moves, data) -> None:
    model = SessionModel(session)
    for move in moves:
        getattr(model, move)()
    sizes = session.network.sizes
    layer = data.draw(st.integers(0, session.network.depth))
    j = data.draw(st.integers(0, sizes[layer] - 1))
    k = data.draw(st.none() | st.integers(0, sizes[layer - 1] - 1)) if layer else None
    model.set_selection(Selection(layer, j, k))
    model.set_precision(data.draw(st.integers(2, 8)))
    model.set_neuron_value(data.draw(st.sampled_from(list(NeuronValue))))
    bar = PhaseBar(model)

    text = dumps(model.snapshot())
    reopened = SessionModel(loads(text))
    reopened_bar = PhaseBar(reopened)
    assert every_value(reopened) == every_value(model)
    assert reopened.selection == model.selection
    assert (reopened.precision, reopened.neuron_value) == (model.precision, model.neuron_value)
    assert reopened_bar.current_index() == bar.current_index()
    assert dumps(reopened.snapshot()) == text
    bar.deleteLater()
    reopened_bar.deleteLater()


# --- a whole window ---------------------------------------------------------------------------------


def table_texts(window) -> list[list[list[str]]]:
    """Every cell of every value table on every tab, as shown."""
    panel, tables = window.values_panel, []
    for page in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(page)
        for table in panel._pages[page]:
            model = table.model()
            tables.append(
                [[model.data(model.index(r, c), DISPLAY) for c in range(model.columnCount())]
                 for r in range(model.rowCount())]
            )  # fmt: skip
    return tables


def save_as_with_dialog(qtbot, window, path: str, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (path, "")))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.session_controller.file_path == path and not window.session_controller.modified


@pytest.mark.parametrize("at_update", [False, True])
def test_a_window_saved_with_save_as_reopens_in_a_new_window_as_it_was(qtbot, tmp_path, monkeypatch, at_update):
    window = open_window(qtbot, load_example("xor"))
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.keyClick(window, Qt.Key.Key_F11)  # Backward 2, neuron 1
    if at_update:
        qtbot.keyClick(window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)
    window.model.set_selection(Selection(1, 1, 0))
    window.action(ActionId.PRECISION, 6).trigger()
    window.action(ActionId.EDGE_MODE, "gradients").trigger()
    diagnostics = window.diagnostics_controller
    diagnostics.toggle_breakpoint(4)
    diagnostics.quiz_panel.set_settings(QuizSettings(tolerance_mode="absolute", tolerance=0.005))
    shown, index = table_texts(window), window.phase_bar.current_index()
    status = window.status_labels["phase"].text()
    path = str(tmp_path / "lecture.json")
    save_as_with_dialog(qtbot, window, path, monkeypatch)
    first = open(path, encoding="utf-8").read()

    again = open_window(qtbot, load_session(path), path)
    assert again.phase_bar.current_index() == index and again.status_labels["phase"].text() == status
    assert table_texts(again) == shown
    if at_update:
        assert "→" in shown[3][0][0]  # w^1 shows old → new
    assert again.model.selection == Selection(1, 1, 0) and again.model.precision == 6
    assert again.action(ActionId.PRECISION, 6).isChecked() and again.model.edge_mode == "gradients"
    assert again.diagnostics_controller.settings.phases == {4}
    assert again.diagnostics_controller.quiz_settings == QuizSettings(tolerance_mode="absolute", tolerance=0.005)
    assert not again.session_controller.modified
    assert again.windowTitle().startswith("XOR")
    assert again.session_controller.save()
    assert open(path, encoding="utf-8").read() == first  # save → open → save: the same bytes


def test_quiz_mode_and_breakpoint_conditions_come_back_through_open(qtbot, tmp_path) -> None:
    window = open_window(qtbot, load_example("xor"))
    diagnostics = window.diagnostics_controller
    diagnostics.set_settings(BreakpointSettings(vanishing=True, vanishing_threshold=1e-5))
    diagnostics.set_quiz_mode(True)
    path = str(tmp_path / "quiz.json")
    assert window.session_controller.save_as(path)
    diagnostics.set_quiz_mode(False)
    diagnostics.set_settings(BreakpointSettings())
    window.session_controller.open_file(path)
    assert diagnostics.quiz_panel.active and diagnostics.actions["quiz"].isChecked()
    assert diagnostics.settings.vanishing and diagnostics.settings.vanishing_threshold == 1e-5


def test_presentation_mode_is_saved_and_reopened(qtbot, tmp_path) -> None:
    window = open_window(qtbot, load_example("xor"))
    window.presentation.set_active(True)
    path = str(tmp_path / "lecture.json")
    assert window.session_controller.save_as(path)
    window.presentation.set_active(False)
    assert loads(open(path, encoding="utf-8").read()).view.presentation is True
    again = open_window(qtbot, load_session(path), path)
    assert again.presentation.active
    again.presentation.set_active(False)
