"""The debugger window driven by real key presses and clicks: what it shows is exactly the core's."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QToolBar

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import equations
from backprop_gui.core.network import Layer, Network, build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Quantity, Stepper
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.window.app import initial_session
from backprop_gui.ui.window.main_window import STEP_ACTIONS

from window_helpers import EventCounter, answer_box, open_window, shown_formula, window_on_screen

DISPLAY = Qt.ItemDataRole.DisplayRole


pytestmark = pytest.mark.usefixtures("private_places")


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window, key, modifier)


def cells(table) -> list[list[str]]:
    model = table.model()
    return [
        [model.data(model.index(r, c), DISPLAY) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]


def expected_layer(reference: Stepper, l: int, fmt) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """What the Layer l tab must show, computed from a separate stepper over the same session."""

    def show(q: Quantity) -> list[str]:
        revealed = reference.value(q, l)
        values = revealed.values[:, 0] if revealed.values.ndim == 2 else revealed.values
        return [fmt(v) if known else "" for v, known in zip(values, revealed.known, strict=True)]

    layer = reference.network.layer(l)
    columns = [show(Quantity.WEIGHTED_INPUT), show(Quantity.ACTIVATION), show(Quantity.DELTA)]
    old_w, old_b = reference.weights_before(l)
    if layer.has_bias:
        columns.append(show(Quantity.GRAD_BIASES))
        new_b = reference.value(Quantity.NEW_BIASES, l).values
        columns.append(
            [f"{fmt(o)} → {fmt(n)}" if reference.at_end else fmt(o) for o, n in zip(old_b, new_b, strict=True)]
        )
    neurons = [list(row) for row in zip(*columns, strict=True)]
    new_w = reference.value(Quantity.NEW_WEIGHTS, l).values
    weights = [
        [f"{fmt(o)} → {fmt(n)}" if reference.at_end else fmt(o) for o, n in zip(old_row, new_row, strict=True)]
        for old_row, new_row in zip(old_w, new_w, strict=True)
    ]
    grads = reference.value(Quantity.GRAD_WEIGHTS, l)
    gradients = [[fmt(v) if grads.known[j] else "" for v in row] for j, row in enumerate(grads.values)]
    return neurons, weights, gradients


def check_window_matches(window, reference: Stepper) -> None:
    model = window.model
    fmt = model.format
    panel = window.values_panel
    for l in range(1, reference.network.depth + 1):
        panel.tabs.setCurrentIndex(l)
        neurons, weights, gradients = expected_layer(reference, l, fmt)
        assert cells(panel.table_for(l, 0)) == neurons
        assert cells(panel.table_for(l, 1)) == weights
        assert cells(panel.table_for(l, 2)) == gradients
    panel.tabs.setCurrentIndex(0)
    out = reference.value(Quantity.ACTIVATION, reference.network.depth)
    assert [row[0] for row in cells(panel.table_for(0, 1))] == [
        fmt(v) if k else "" for v, k in zip(out.values[:, 0], out.known, strict=True)
    ]
    text = shown_formula(window)
    target = window.formula_view.target()
    if target is not None:
        for eq in equations(reference, target.layer, target.j, target.k):
            if eq.known:
                assert f"= {format_number(eq.result, model.precision)}" in text
            else:
                assert f"not yet known — {eq.pending}" in text


def test_f10_through_the_course_example_shows_the_cores_values_and_shift_f10_restores(qtbot):
    window = open_window(qtbot, load_example("course_simple"))
    reference = Stepper(**_stepper_args(load_example("course_simple")))
    window.model.set_selection(Selection(2, 0))
    snapshots = []
    check_window_matches(window, reference)
    for _ in range(len(reference.phases)):
        snapshots.append(_snapshot(window))
        press(qtbot, window, Qt.Key.Key_F10)
        reference.step()
        assert window.model.stepper.position == reference.position
        check_window_matches(window, reference)
    assert window.model.stepper.at_end
    assert "Update" in window.status_labels["phase"].text()
    for snapshot in reversed(snapshots):
        press(qtbot, window, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
        assert _snapshot(window) == snapshot
    assert window.model.stepper.position == 0


def _stepper_args(session: Session) -> dict:
    return {
        "network": session.network,
        "inputs": session.data.inputs,
        "targets": session.data.targets,
        "learning_rate": session.training.learning_rate,
    }


def _snapshot(window) -> tuple:
    panel = window.values_panel
    tables = []
    for page in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(page)
        tables += [cells(table) for table in panel._pages[page]]
    return tuple(map(str, tables)), shown_formula(window), window.status_labels["phase"].text()


def test_every_formula_on_the_selected_neuron_at_every_phase(qtbot):
    window = open_window(qtbot, load_example("xor"))
    reference = Stepper(**_stepper_args(load_example("xor")))
    for selection in (Selection(1, 1), Selection(2, 0), Selection(2, 0, 1), Selection(0, 1)):
        window.model.reset_pass()
        reference.reset_pass()
        window.model.set_selection(selection)
        for _ in range(len(reference.phases)):
            press(qtbot, window, Qt.Key.Key_PageDown)
            reference.step()
            check_window_matches(window, reference)


def test_f11_steps_into_one_neuron_at_a_time(qtbot):
    window = open_window(qtbot, load_example("xor"))
    panel = window.values_panel
    panel.tabs.setCurrentIndex(1)
    press(qtbot, window, Qt.Key.Key_F11)
    z = window.model.stepper.value(Quantity.WEIGHTED_INPUT, 1).values[:, 0]
    assert [row[0] for row in cells(panel.table_for(1, 0))] == [window.model.format(z[0]), ""]
    assert "neuron 1 of 2" in window.status_labels["phase"].text()
    assert "z11 = w111 x1" in shown_formula(window) and "z21 = " not in shown_formula(window)
    press(qtbot, window, Qt.Key.Key_F11)
    assert "" not in [row[0] for row in cells(panel.table_for(1, 0))]
    assert "z21 = w211 x1" in shown_formula(window)


def test_every_menu_item_is_an_action_the_window_holds_by_its_id(qtbot):
    window = open_window(qtbot, load_example("xor"))
    held = window.registered_actions()
    shows = [w.toggleViewAction() for w in window.findChildren(QDockWidget) + window.findChildren(QToolBar)]
    lists = ("Open &Recent", "Open &Example", "Training &panels")  # filled from files, examples and docks

    def items(menu: QMenu) -> list[QAction]:
        found = []
        for action in menu.actions():
            if action.menu() is not None:
                found += [] if action.text() in lists else items(action.menu())
            elif not action.isSeparator() and action not in shows:
                found.append(action)
        return found

    in_menus = [action for top in window.menuBar().actions() for action in items(top.menu())]
    assert len(in_menus) > 80 and [a.text() for a in in_menus if a not in held] == []
    ids = {action.objectName() for action in in_menus}
    assert {id.value for id in ActionId} <= ids  # every id is in a menu
    assert window.action(ActionId.SAVE) in window.menus["File"].actions()
    assert window.action(ActionId.EXPORT_LOSS_PNG, 2).text().startswith("2×")
    assert window.action(ActionId.THEME, "dark").isCheckable()


def test_shortcuts_are_exactly_the_debuggers(qtbot):
    window = open_window(qtbot, load_example("xor"))
    keys = {spec.id: [k.toString() for k in window.action(spec.id).shortcuts()] for spec in STEP_ACTIONS}
    assert keys == {
        ActionId.STEP: ["F10", "Right", "PgDown"],
        ActionId.STEP_BACK: ["Shift+F10", "Left", "PgUp"],
        ActionId.STEP_INTO: ["F11"],
        ActionId.FINISH_PHASE: ["Shift+F11"],
        ActionId.RUN_TO_END: ["Ctrl+F10"],
        ActionId.RESET_PASS: ["Ctrl+R"],
        ActionId.NEXT_SAMPLE: ["Ctrl+Right"],
        ActionId.PREVIOUS_SAMPLE: ["Ctrl+Left"],
    }
    assert "(F10, Right, PgDown)" in window.action(ActionId.STEP).toolTip()
    assert set(window.menus) >= {"File", "Step", "View", "Help"}
    assert not window.action(ActionId.STEP).icon().isNull()


def test_keys_move_the_pass_and_the_sample(qtbot):
    window = open_window(qtbot, load_example("xor"))
    stepper = lambda: window.model.stepper  # noqa: E731
    press(qtbot, window, Qt.Key.Key_Right)
    assert stepper().position == 1
    press(qtbot, window, Qt.Key.Key_Left)
    assert stepper().position == 0
    press(qtbot, window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)
    assert stepper().at_end
    press(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert stepper().position == 0 and not stepper().at_end
    press(qtbot, window, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)
    assert stepper().position == 1
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert stepper().batch == 1 and stepper().position == 0
    assert window.status_labels["sample"].text() == "Sample 2 of 4"
    assert window.sample_picker.spin.value() == 2
    press(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert stepper().batch == 0


def test_a_step_within_a_sample_leaves_the_sample_box_unpainted(qtbot):
    window = open_window(qtbot, load_example("xor"))
    spin = window.sample_picker.spin
    press(qtbot, window, Qt.Key.Key_F10)
    qtbot.wait(50)  # the first step's repaints are done
    paints = EventCounter(QEvent.Type.Paint)
    spin.installEventFilter(paints)
    for _ in range(2):
        press(qtbot, window, Qt.Key.Key_F10)
    qtbot.wait(20)
    assert window.model.stepper.position == 3 and paints.count == 0
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)  # the next sample: it changes
    qtbot.waitUntil(lambda: paints.count > 0)
    assert spin.value() == 2


def test_a_step_repaints_the_panels_that_changed_never_the_window_docks_or_bars_behind_them(qtbot):
    """Each step rewrites the phase bar, the status bar, the text panels (their scroll bars move) and the
    Values tab; every one of those paints its own background, so Qt repaints it alone. A widget that let
    its parent show through had the dock, the bar or the window behind it repainted at every step."""
    from PySide6.QtWidgets import QDockWidget, QScrollBar

    from backprop_gui.ui.window.theme import apply_theme

    apply_theme("system")  # the style the window starts with: Fusion's, with flat scroll bars
    window = open_window(qtbot, load_example("xor"))
    for _ in range(8):  # a pass, then Forward 1 of the next sample: every text has been shown once
        press(qtbot, window, Qt.Key.Key_F10)
    qtbot.wait(50)
    behind = EventCounter(QEvent.Type.Paint)
    watched = [window, window.statusBar(), window.phase_bar, window.values_panel, window.values_panel.tabs]
    watched += [dock for dock in window.findChildren(QDockWidget) if dock.isVisible()]
    for widget in watched:
        widget.installEventFilter(behind)
    changed = EventCounter(QEvent.Type.Paint)
    worked_bar = window.docks["worked"].widget().verticalScrollBar()
    for widget in (*window.phase_bar.buttons, window.status_labels["phase"], worked_bar):
        widget.installEventFilter(changed)
    bars = [bar for bar in window.findChildren(QScrollBar) if bar.isVisible()]
    for _ in range(4):  # Forward 2, Loss (the Sample tab), Backward 2 (the Layer 2 tab), Backward 1 (Layer 1)
        press(qtbot, window, Qt.Key.Key_F10)
        qtbot.wait(20)
    assert window.model.stepper.position == 5 and window.values_panel.tabs.currentIndex() == 1
    assert changed.count >= 3  # (the buttons, the phase's field and the worked solution's bar did repaint)
    assert behind.count == 0
    assert bars and all(bar.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent) for bar in bars)


def test_update_then_f10_starts_the_next_samples_pass(qtbot):
    window = open_window(qtbot, load_example("xor"))
    press(qtbot, window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)
    new_w = window.model.stepper.value(Quantity.NEW_WEIGHTS, 1).values.copy()
    press(qtbot, window, Qt.Key.Key_F10)
    assert window.model.stepper.batch == 1 and window.model.stepper.position == 0
    np.testing.assert_array_equal(window.model.session.network.layer(1).weights, new_w)
    assert window.status_labels["loss"].text() == "C = —"


def test_table_click_selects_in_the_graph_and_graph_click_selects_in_the_table(qtbot):
    window = open_window(qtbot, load_example("xor"))
    panel, view = window.values_panel, window.network_view
    panel.tabs.setCurrentIndex(1)
    table = panel.table_for(1, 0)
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(1, 0)).center()
    )
    assert window.model.selection == Selection(1, 1)
    assert view.items_for(Selection(1, 1))[0].selected
    assert "Neuron 2 of layer 1" in shown_formula(window)

    item = view.items_for(Selection(2, 0))[0]
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(item.sceneBoundingRect().center())
    )
    assert window.model.selection == Selection(2, 0)
    assert panel.tabs.currentIndex() == 2
    assert panel.table_for(2, 0).currentIndex().row() == 0
    assert not view.items_for(Selection(1, 1))[0].selected


def test_unknown_values_are_never_shown(qtbot):
    window = open_window(qtbot, load_example("xor"))
    press(qtbot, window, Qt.Key.Key_F10)
    panel = window.values_panel
    for page in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(page)
        for table in panel._pages[page]:
            assert all("NaN" not in cell for row in cells(table) for cell in row)
    panel.tabs.setCurrentIndex(2)
    assert all(cell == "" for row in cells(panel.table_for(2, 0)) for cell in row[:4])
    assert window.status_labels["loss"].text() == "C = —"
    assert "NaN" not in window.formula_view.toPlainText()
    window.model.set_selection(Selection(2, 0))
    assert "not yet known — computed in Forward 2" in shown_formula(window)


def test_html_in_the_session_shows_literally(qtbot):
    network = Network(1, [Layer(np.array([[0.5]]), np.zeros(1), "sigmoid")])
    data = Dataset(np.array([[1.0]]), np.array([[0.0]]), input_labels=["<i>in</i>"], target_labels=["<u>out</u>"])
    window = open_window(qtbot, Session("<b>x</b>", network, data))
    assert window.windowTitle() == "<b>x</b>[*] — backprop-gui"
    assert not window.isWindowModified()
    assert window.sample_picker.session_label.text() == "Session: <b>x</b>"
    assert window.sample_picker.session_label.textFormat() == Qt.TextFormat.PlainText
    inputs = window.values_panel.table_for(0, 0).model()
    assert inputs.headerData(0, Qt.Orientation.Vertical, DISPLAY) == "1  <i>in</i>"
    assert "<b>x</b>" not in window.formula_view.toHtml()


def test_precision_menu_changes_the_shown_digits(qtbot):
    window = open_window(qtbot, load_example("course_simple"))
    press(qtbot, window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)
    panel = window.values_panel
    panel.tabs.setCurrentIndex(2)
    a = window.model.stepper.value(Quantity.ACTIVATION, 2).values[0, 0]
    assert cells(panel.table_for(2, 0))[0][1] == format_number(a, 4) == "0.2405"
    window.action(ActionId.PRECISION, 2).trigger()
    assert window.model.precision == 2
    assert cells(panel.table_for(2, 0))[0][1] == "0.24"
    assert window.status_labels["loss"].text() == "C = 0.29"
    window.action(ActionId.PRECISION, 7).trigger()
    assert cells(panel.table_for(2, 0))[0][1] == format_number(a, 7)
    assert window.action(ActionId.PRECISION, 7).isChecked() and not window.action(ActionId.PRECISION, 2).isChecked()


def test_view_menu_sets_neuron_value_and_edge_mode(qtbot):
    window = open_window(qtbot, load_example("xor"))
    window.action(ActionId.NEURON_VALUE, "delta").trigger()
    assert window.model.neuron_value.value == "delta"
    window.action(ActionId.EDGE_MODE, "gradients").trigger()
    assert window.model.edge_mode == "gradients"


def test_dock_state_and_view_settings_are_restored(qtbot):
    window = open_window(qtbot, load_example("xor"))
    window.docks["formula"].hide()
    window.action(ActionId.PRECISION, 6).trigger()
    window.close()
    again = open_window(qtbot, load_example("xor"))
    assert again.docks["formula"].isHidden()
    assert not again.docks["values"].isHidden()
    assert again.model.precision == 6


def test_status_bar_names_phase_sample_loss_and_rate(qtbot):
    window = open_window(qtbot, load_example("course_simple"))
    labels = window.status_labels
    assert "Start" in labels["phase"].text()
    for _ in range(3):
        press(qtbot, window, Qt.Key.Key_F10)
    assert labels["phase"].text().startswith("Phase: Loss")
    assert labels["sample"].text() == "Sample 1 of 1"
    assert labels["loss"].text() == "C = 0.2884"
    assert labels["rate"].text() == "η = 0.5"


def test_bad_file_names_the_file_and_problem_and_opens_the_default(tmp_path, qtbot):
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "backprop-gui-session", "version": 1}')
    session, problem = initial_session(str(bad), None)
    assert session.name == load_example("course_simple").name
    assert "broken.json" in problem and "network" in problem
    session, problem = initial_session(None, "no_such_example")
    assert "no_such_example" in problem
    window = open_window(qtbot, load_example("xor"))
    seen = answer_box("OK")
    assert not window.session_controller.open_file(str(bad))
    assert "broken.json" in seen[0] and "network" in seen[0]
    assert window.model.session.name == load_example("xor").name


def test_the_session_controller_alone_opens_and_always_asks_about_unsaved_changes(qtbot):
    window = open_window(qtbot, load_example("xor"))
    sessions = window.session_controller
    for own in ("open_path", "open_example", "open_dialog", "set_session"):
        assert not hasattr(window, own)
    open_action = sessions.actions["open"]
    on_ctrl_o = [a for a in window.findChildren(QAction) if QKeySequence("Ctrl+O") in a.shortcuts()]
    assert on_ctrl_o == [open_action] and window.action(ActionId.OPEN) is open_action
    assert window.toolbar.actions()[0] is open_action and not open_action.icon().isNull()
    assert window.menus["Open Example"] is sessions.examples_menu
    window.model.run_to_end()  # the Update changed the weights: unsaved changes
    example = next(a for a in sessions.examples_menu.actions() if a.data() == "course_simple")
    routes = {
        "Ctrl+O": lambda: qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier),
        "the toolbar's Open": lambda: window.toolbar.widgetForAction(open_action).click(),
        "Open Example": example.trigger,
    }
    for route, take in routes.items():
        seen = answer_box("Cancel")
        take()
        qtbot.waitUntil(lambda seen=seen: bool(seen))
        assert "unsaved changes" in seen[0], route
        assert window.model.session.name == load_example("xor").name and sessions.modified, route
    sessions.mark_unmodified()


def test_open_example_menu_lists_and_opens_the_examples(qtbot):
    window = open_window(qtbot, load_example("xor"))
    names = [action.data() for action in window.menus["Open Example"].actions()]
    assert "course_simple" in names and "xor" in names
    next(a for a in window.menus["Open Example"].actions() if a.data() == "course_simple").trigger()
    assert window.model.session.network.sizes == [1, 1, 1]
    assert window.values_panel.tabs.count() == 3


def test_alt_arrows_walk_the_selection_through_the_graph_and_esc_clears_it(qtbot):
    window = open_window(qtbot, load_example("xor"))  # 2-2-1
    view = window.network_view
    alt = Qt.KeyboardModifier.AltModifier
    press(qtbot, window, Qt.Key.Key_Down, alt)
    assert window.model.selection == Selection(0, 0)  # nothing computed yet: input x_1
    press(qtbot, window, Qt.Key.Key_Down, alt)
    assert window.model.selection == Selection(0, 1)
    press(qtbot, window, Qt.Key.Key_Right, alt)
    assert window.model.selection == Selection(1, 1)
    assert view.items_for(Selection(1, 1))[0].selected
    assert "Neuron 2 of layer 1" in shown_formula(window)
    press(qtbot, window, Qt.Key.Key_Right, alt)
    assert window.model.selection == Selection(2, 0)  # the output layer has one neuron
    press(qtbot, window, Qt.Key.Key_Left, alt)
    press(qtbot, window, Qt.Key.Key_Up, alt)
    assert window.model.selection == Selection(1, 0)
    assert window.model.stepper.position == 0  # Alt+arrows never step
    press(qtbot, window, Qt.Key.Key_Escape)
    assert window.model.selection is None
    assert not any(item.selected for item in view.scene().items() if hasattr(item, "selected"))
    select = [a.text().replace("&", "") for a in window.menus["Select"].actions() if a.text()]
    assert select == ["Neuron Above", "Neuron Below", "Layer to the Left", "Layer to the Right", "Clear Selection"]
    assert window.menus["Select"].menuAction() in window.menus["View"].actions()
    assert "Alt+Down" in window.action(ActionId.SELECT_DOWN).toolTip()


def test_double_click_in_the_graph_opens_the_editor_of_that_weight(qtbot, monkeypatch):
    window = open_window(qtbot, load_example("xor"))
    edited: list[Selection] = []
    controller = window.session_controller
    monkeypatch.setattr(controller, "edit_parameter", lambda selection=None: edited.append(selection))
    window.model.edit_requested.disconnect()
    window.model.edit_requested.connect(controller.edit_parameter)
    view = window.network_view
    neuron = view.items_for(Selection(2, 0))[0]
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(neuron.scenePos()))
    assert edited == [Selection(2, 0)]  # its bias b_1^2


def test_sample_readout_wraps_between_x_and_t_never_at_an_equals_sign(qtbot):
    window = open_window(qtbot, load_example("spirals_features"))
    text = window.sample_picker.readout.text()  # word-wrapped: it breaks only at ordinary spaces
    assert "x\u00a0=\u00a0(" in text and "t\u00a0=\u00a0(" in text and text.count("=") == 2


def test_a_wide_sample_shows_as_many_numbers_as_fit_one_line_of_the_sample_dock(qtbot):
    rng = np.random.default_rng(0)
    data = Dataset(rng.random((20, 784)), np.eye(10)[rng.integers(0, 10, 20)])
    network = build_network(784, [16, 10], ["relu", "softmax"], loss="cross_entropy", seed=1)
    window = window_on_screen(qtbot, Session("digits", network, data), "1366x768")
    readout = window.sample_picker.readout
    qtbot.waitUntil(lambda: readout.fontMetrics().horizontalAdvance(readout.text()) <= readout.contentsRect().width())
    x = window.model.format(float(data.inputs[0, 0]))
    assert readout.text().startswith(f"x\u00a0=\u00a0({x}, ") and "t\u00a0=\u00a0(0, " in readout.text()
    assert readout.text().count("…") == 2  # x and t both go on beyond what is shown
    window.resizeDocks([window.docks["sample"]], [900], Qt.Orientation.Horizontal)  # room for six of each
    qtbot.waitUntil(lambda: readout.text().count(", ") == 2 * 6)  # six numbers and "…", of x and of t


def test_a_long_session_name_takes_one_line_and_leaves_the_sample_in_view(qtbot):
    session = load_example("xor")
    session.name = (
        "A very long session name that a lecturer typed to describe the exercise for week three "
        "of the course on neural networks, with the reading list"
    )
    window = window_on_screen(qtbot, session, "1024x768")
    picker = window.sample_picker
    assert picker.session_label.text() == f"Session: {session.name}" and picker.session_label.toolTip()
    assert picker.session_label.height() < 2 * picker.session_label.fontMetrics().lineSpacing()  # one line
    view = window.network_view
    title, _ = view.placed_texts()[-1]  # the session's name, at the top left
    assert title.toPlainText().endswith("…") and title.toolTip() == session.name
    right = view.mapFromScene(title.sceneBoundingRect().topRight()).x()
    assert right <= view.viewport().width()  # the graph's title is not cut by the view's edge
