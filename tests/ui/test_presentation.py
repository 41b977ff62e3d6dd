"""Presentation mode driven by real key presses: large type, hidden docks, full screen, blank screen,
numbers revealed one keypress later, zoom; and everything exactly as before when it is turned off."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMenu, QTabWidget, QWidget
from test_network_view import assert_background_between, assert_known_values_readable, assert_rings_apart

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.formatting import format_number
from backprop_gui.core.graph_layout import MIN_INSIDE_FONT
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.stepping.network_view import NeuronItem
from backprop_gui.ui.window.app import create_window
from backprop_gui.ui.window.presentation import base_points, least_points, presentation_palette
from backprop_gui.ui.window.theme import apply_theme

from window_helpers import open_window, shown_formula, window_on_screen

KEY = Qt.Key


pytestmark = pytest.mark.usefixtures("private_places")


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the keyboard goes: a widget grabbing it, else the window."""
    qtbot.keyClick(QWidget.keyboardGrabber() or window, key, modifier)


def sizes(window) -> dict[str, float]:
    """Point sizes of the graph's texts, the formula panel's, the phase bar's and the status bar's."""
    view = window.network_view
    return {
        "caption": view._captions[0].font().pointSizeF(),
        "neuron": view.items_for(Selection(1, 0))[0].value_item.font().pointSizeF(),
        "formula": window.formula_view.document().defaultFont().pointSizeF(),
        "phase bar": window.phase_bar.font().pointSizeF(),
        "status": window.status_labels["phase"].font().pointSizeF(),
    }


def layout(window) -> dict:
    return {
        "docks": {key: dock.isVisible() for key, dock in window.docks.items()},
        "sizes": sizes(window),
        "base": window.palette().color(QPalette.ColorRole.Base).name(),
        "text": window.palette().color(QPalette.ColorRole.Text).name(),
        "state": window.windowState(),
        "line scale": window.network_view.line_scale,
        "ask first": window.formula_view.ask_first,
        "icon size": window.toolbar.iconSize(),
    }


def test_the_toggle_is_in_the_view_menu_and_toolbar_with_its_shortcut(window):
    action = window.action(ActionId.PRESENTATION)
    assert action in window.menus["View"].actions()
    assert action in window.toolbar.actions()
    assert action.shortcut() == QKeySequence("F7")
    assert "F7" in action.toolTip()
    assert window.action(ActionId.REVEAL) in window.menus["View"].actions()
    assert window.action(ActionId.REVEAL).shortcut() == QKeySequence("R")


def test_no_two_window_actions_share_a_key(window):
    keys = [key.toString() for action in window.findChildren(QAction) for key in action.shortcuts()]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert "Esc" in keys  # one action: leave presentation mode, else clear the selection


def test_f7_enlarges_hides_secondary_docks_goes_full_screen_and_f7_restores(qtbot, window):
    before = layout(window)
    seen = []
    window.presentation.toggled.connect(seen.append)
    press(qtbot, window, KEY.Key_F7)
    assert window.presentation.active and seen == [True]
    after, points = sizes(window), base_points(window.screen())
    assert points >= 20 * 72 / 96  # at least 20 px
    for name in ("caption", "formula", "phase bar", "status"):
        assert after[name] >= points - 0.01 and after[name] > before["sizes"][name], name
    assert after["neuron"] >= MIN_INSIDE_FONT * points and after["neuron"] > before["sizes"]["neuron"]
    menus = [window.menuBar(), *(menu for menu in window.findChildren(QMenu) if menu.title())]  # every feature's
    assert len(menus) > 20 and all(abs(menu.font().pointSizeF() - points) < 0.01 for menu in menus)
    titles = [window.docks["formula"].font().pointSizeF(), window.toolbar.font().pointSizeF()]
    assert all(abs(size - points) < 0.01 for size in titles)
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    assert not window.docks["sample"].isVisible() and not window.docks["values"].isVisible()
    assert window.docks["formula"].isVisible()
    assert window.palette().color(QPalette.ColorRole.Base) == QColor("#ffffff")
    assert window.palette().color(QPalette.ColorRole.Text) == QColor("#000000")
    assert window.network_view.line_scale == 2.0
    assert window.action(ActionId.PRESENTATION).isChecked()

    press(qtbot, window, KEY.Key_F7)
    assert not window.presentation.active and seen == [True, False]
    assert layout(window) == before
    assert not window.action(ActionId.PRESENTATION).isChecked()


def test_escape_leaves_presentation_mode_and_does_nothing_otherwise(qtbot, window):
    press(qtbot, window, KEY.Key_Escape)
    assert not window.presentation.active
    press(qtbot, window, KEY.Key_F7)
    press(qtbot, window, KEY.Key_Escape)
    assert not window.presentation.active
    assert window.docks["values"].isVisible()


def test_a_dark_palette_presents_in_high_contrast_dark_and_comes_back(qtbot, window):
    dark = QPalette(window.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    window.setPalette(dark)
    press(qtbot, window, KEY.Key_F7)
    high_contrast = presentation_palette(dark=True)
    assert (
        window.palette().color(QPalette.ColorRole.Base)
        == high_contrast.color(QPalette.ColorRole.Base)
        == QColor("#000000")
    )
    assert window.palette().color(QPalette.ColorRole.Text) == QColor("#ffffff")
    assert window.network_view.backgroundBrush().color() == QColor("#000000")
    press(qtbot, window, KEY.Key_F7)
    assert window.palette().color(QPalette.ColorRole.Base) == QColor("#1e1e1e")
    assert window.network_view.backgroundBrush().color() == QColor("#1e1e1e")


def test_a_theme_chosen_while_presenting_turns_the_high_contrast_palette_light_or_dark(qtbot, window):
    press(qtbot, window, KEY.Key_F7)
    try:
        for theme, base, text in (("dark", "#000000", "#ffffff"), ("light", "#ffffff", "#000000")):
            window.action(ActionId.THEME, theme).trigger()
            QApplication.processEvents()
            assert window.palette().color(QPalette.ColorRole.Base) == QColor(base), theme
            assert window.palette().color(QPalette.ColorRole.WindowText) == QColor(text), theme
            assert window.network_view.backgroundBrush().color() == QColor(base), theme
            icon = window.action(ActionId.STEP).icon().pixmap(32, 32).toImage()
            ink = [icon.pixelColor(x, y) for x in range(32) for y in range(32) if icon.pixelColor(x, y).alpha() > 200]
            assert ink and all(abs(c.lightness() - QColor(text).lightness()) < 60 for c in ink), theme  # icons visible
    finally:
        apply_theme("system")


def test_only_the_formula_panel_and_the_loss_plot_stay_docked(qtbot, window):
    docks = {"loss_plot": window.docks["loss"], "training": window.docks["training"]}
    for dock in docks.values():
        dock.show()
    window.docks["formula"].hide()
    press(qtbot, window, KEY.Key_F7)
    assert docks["loss_plot"].isVisible() and window.docks["formula"].isVisible()
    assert not docks["training"].isVisible()
    press(qtbot, window, KEY.Key_F7)
    assert docks["training"].isVisible() and docks["loss_plot"].isVisible()
    assert not window.docks["formula"].isVisible()


def test_b_blanks_the_screen_only_in_presentation_mode_and_any_key_brings_it_back(qtbot, window):
    overlay = window.presentation.overlay
    press(qtbot, window, KEY.Key_B)
    assert not overlay.isVisible()
    press(qtbot, window, KEY.Key_F7)
    press(qtbot, window, KEY.Key_B)
    assert overlay.isVisible() and window.presentation.blanked
    assert overlay.geometry() == window.rect()
    position = window.model.stepper.position
    press(qtbot, window, KEY.Key_PageDown)  # a clicker's "next" uncovers the screen without stepping
    assert not overlay.isVisible()
    assert window.model.stepper.position == position
    press(qtbot, window, KEY.Key_B)
    assert overlay.isVisible()
    press(qtbot, window, KEY.Key_B)
    assert not overlay.isVisible()
    press(qtbot, window, KEY.Key_PageDown)
    assert window.model.stepper.position == position + 1


def test_reveal_shows_the_numbers_one_keypress_after_the_step(qtbot, window):
    model = window.model
    model.set_selection(Selection(1, 0))
    window.action(ActionId.ASK_FIRST).trigger()
    assert window.formula_view.ask_first
    press(qtbot, window, KEY.Key_F10)  # Forward 1: z_1^1 and a_1^1 are new
    a = format_number(model.stepper.record.a[1][0, 0], model.precision)
    assert f"= {a}" not in shown_formula(window)
    assert "? (press R)" in shown_formula(window)
    assert window.formula_view.hides_numbers()
    press(qtbot, window, KEY.Key_R)
    assert f"= {a}" in shown_formula(window)
    assert "?" not in shown_formula(window)
    press(qtbot, window, KEY.Key_F10)  # Forward 2: the selection has nothing new, so all of it waits
    assert f"= {a}" not in shown_formula(window)
    press(qtbot, window, KEY.Key_R)
    assert f"= {a}" in shown_formula(window)


def test_presentation_asks_before_numbers_and_gives_the_option_back(qtbot, window):
    assert not window.formula_view.ask_first
    press(qtbot, window, KEY.Key_F7)
    assert window.formula_view.ask_first and window.action(ActionId.ASK_FIRST).isChecked()
    press(qtbot, window, KEY.Key_F10)
    assert window.formula_view.hides_numbers()
    press(qtbot, window, KEY.Key_F7)
    assert not window.formula_view.ask_first and not window.action(ActionId.ASK_FIRST).isChecked()
    assert not window.formula_view.hides_numbers()


@pytest.mark.parametrize("zoom_in", [KEY.Key_Equal, KEY.Key_Plus])
def test_zoom_keys_change_the_view_transform(qtbot, window, zoom_in):
    view = window.network_view
    fit = view.transform().m11()
    press(qtbot, window, zoom_in, Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() == pytest.approx(fit * 1.25)
    press(qtbot, window, KEY.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, window, KEY.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() == pytest.approx(fit / 1.25)
    press(qtbot, window, KEY.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() == pytest.approx(fit)


def test_closing_in_presentation_mode_remembers_the_everyday_layout(qtbot, window):
    press(qtbot, window, KEY.Key_F7)
    window.close()
    again = create_window(load_example("xor"))
    qtbot.addWidget(again)
    again.show()
    assert again.docks["values"].isVisible()
    assert not again.windowState() & Qt.WindowState.WindowFullScreen


def test_held_back_numbers_show_as_question_marks_in_the_graph_and_status_bar_until_r(qtbot, window):
    model, view = window.model, window.network_view
    press(qtbot, window, KEY.Key_F7)
    press(qtbot, window, KEY.Key_F10)  # Forward 1 of xor's 2-2-1 network
    hidden = [view.items_for(Selection(1, j))[0].value_text() for j in range(2)]
    assert hidden == ["?", "?"]
    assert window.formula_view.reveal_pending
    press(qtbot, window, KEY.Key_R)
    a = [model.format(float(v)) for v in model.stepper.record.a[1][:, 0]]
    assert [view.items_for(Selection(1, j))[0].value_text() for j in range(2)] == a
    press(qtbot, window, KEY.Key_F10)
    press(qtbot, window, KEY.Key_F10)  # Loss: C is new
    assert window.status_labels["loss"].text() == "C = ? (press R)"
    assert [view.items_for(Selection(1, j))[0].value_text() for j in range(2)] == a  # earlier phases stay shown
    press(qtbot, window, KEY.Key_R)
    assert window.status_labels["loss"].text() == f"C = {model.format(float(model.stepper.record.losses[0]))}"
    press(qtbot, window, KEY.Key_F7)
    press(qtbot, window, KEY.Key_F10)  # ask first is off again: numbers at once
    assert view.items_for(Selection(2, 0))[0].value_text() != "?"


def test_esc_leaves_presentation_mode_first_then_clears_the_selection(qtbot, window):
    window.model.set_selection(Selection(1, 0))
    press(qtbot, window, KEY.Key_F7)
    press(qtbot, window, KEY.Key_Down, Qt.KeyboardModifier.AltModifier)  # the keyboard selects with tables hidden
    assert window.model.selection == Selection(1, 1)
    assert window.network_view.items_for(Selection(1, 1))[0].selected
    press(qtbot, window, KEY.Key_Escape)
    assert not window.presentation.active and window.model.selection == Selection(1, 1)
    press(qtbot, window, KEY.Key_Escape)
    assert window.model.selection is None


def test_the_loss_plot_dock_stays_by_the_name_of_its_plot(qtbot, window):
    loss_dock = window.training_controller.docks["loss"]
    loss_dock.show()
    plot = window.findChild(QWidget, "loss_plot")
    assert plot is not None and loss_dock.isAncestorOf(plot)  # the export finds the plot by this name
    renamed = QDockWidget("Loss elsewhere", window)
    renamed.setObjectName("some_other_dock")
    holder = QLabel("plot")
    holder.setObjectName("loss_plot")
    renamed.setWidget(holder)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, renamed)
    renamed.show()
    press(qtbot, window, KEY.Key_F7)
    assert loss_dock.isVisible() and renamed.isVisible()
    assert not window.docks["values"].isVisible()


def test_the_loss_plot_grows_with_presentation_mode_and_shrinks_back(qtbot, window):
    axis = window.training_controller.loss_plot.plot.getPlotItem().getAxis("left")
    before = axis.style["tickFont"].pointSizeF()
    press(qtbot, window, KEY.Key_F7)
    assert axis.style["tickFont"].pointSizeF() >= 1.45 * before
    press(qtbot, window, KEY.Key_F7)
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(before)


def test_check_boxes_grow_with_presentation_mode_and_shrink_back(qtbot, window):
    """The style draws a check box's box 13 px at any font: beside 27-px text it was a speck."""
    from PySide6.QtGui import QFontMetricsF
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    check = window.training_controller.loss_plot.log_y

    def box() -> int:
        option = QStyleOptionButton()
        option.initFrom(check)
        return check.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, check).height()

    before = box()
    press(qtbot, window, KEY.Key_F7)
    assert box() >= 0.7 * QFontMetricsF(check.font()).height() and box() > before
    press(qtbot, window, KEY.Key_F7)
    assert box() == before and check.styleSheet() == ""


def on_a_screen(monkeypatch, window, width: int, height: int) -> None:
    """Full screen means ``width`` × ``height`` (the offscreen test platform's screen is smaller)."""
    rect = QRect(0, 0, width, height)
    screen = type(
        "Screen", (), {"geometry": lambda self: rect, "availableGeometry": lambda self: rect,
                       "logicalDotsPerInchY": lambda self: 96.0}
    )()  # fmt: skip
    monkeypatch.setattr(window, "screen", lambda: screen)
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(width, height))


@pytest.mark.parametrize("name", ["xor", "2-4-3", "1-1-1"])
def test_small_networks_hold_their_numbers_inside_large_circles_on_a_1920_screen(qtbot, monkeypatch, name):
    session = load_example("xor") if name == "xor" else small_network(name)
    window = open_window(qtbot, session)
    on_a_screen(monkeypatch, window, 1920, 1080)
    for _ in range(5):  # to Backward 1: the output's δ^2 is known and not held back
        press(qtbot, window, KEY.Key_F10)
    press(qtbot, window, KEY.Key_F7)
    view = window.network_view
    assert view.viewport().width() == 1920
    assert_known_values_readable(view)
    output = view.items_for(Selection(2, 0))[0]
    assert output.value_text() == window.model.format(float(window.model.stepper.record.delta[2][0, 0]))
    # Numbers shrink to fit inside their circles, but never below the smallest presentation text
    # (20 px); four neurons of a column at 1080 px would need smaller ones, so they go beside.
    least = max(MIN_INSIDE_FONT * base_points(window.screen()), least_points(window.screen()))
    for item in [item for item in view.scene().items() if isinstance(item, NeuronItem)]:
        assert item.beside == (name == "2-4-3")
        if not item.beside:
            assert item.sceneBoundingRect().contains(item.value_item.sceneBoundingRect())
            assert item.rect().height() * view.transform().m11() >= 80  # large enough to read from the back
        assert item.value_item.font().pointSizeF() * view.transform().m11() >= least - 1e-9
    assert output.value_item.font().pointSizeF() >= max(least, 1.3 * QApplication.font().pointSizeF())
    assert_rings_apart(view)
    if name != "1-1-1":  # the hidden layer glows (δ^1 is being computed) and its rings stay apart on screen
        assert view.items_for(Selection(1, 0))[0].glow
        assert_background_between(view, Selection(1, 0), Selection(1, 1))


def small_network(name: str) -> Session:
    sizes = [int(n) for n in name.split("-")]
    network = build_network(sizes[0], sizes[1:], ["sigmoid"] * (len(sizes) - 1), seed=1)
    rng = np.random.default_rng(0)
    return Session(name, network, Dataset(rng.uniform(-1, 1, (4, sizes[0])), rng.uniform(0, 1, (4, sizes[-1]))))


def test_on_a_1024_projector_the_formula_shows_its_equation_whole_and_the_loss_plot_has_room(qtbot):
    window = window_on_screen(qtbot, load_example("xor"), "1024x768")
    for _ in range(5):  # to Backward 1: δ₁¹ = w₁₁² δ₁² · f′(z₁¹) = 0.61 × 0.1463 × 0.25 = 0.02231
        press(qtbot, window, KEY.Key_F10)
    press(qtbot, window, KEY.Key_F7)
    press(qtbot, window, KEY.Key_R)
    qtbot.waitUntil(lambda: window.isFullScreen() and window.height() == 768)
    QApplication.processEvents()
    view, formula = window.network_view, window.formula_view
    assert view.viewport().height() >= 0.5 * window.height()
    assert formula.viewport().height() >= 6 * formula.fontMetrics().lineSpacing()
    formula.verticalScrollBar().setValue(0)
    found = formula.document().find("= 0.02231")  # the last line of Backward 1's equation
    assert not found.isNull()
    bottom = formula.cursorRect(found).bottom()
    assert 0 < bottom <= formula.viewport().height(), f"the result's line ends at {bottom} px"
    loss = window.docks["loss"]
    loss.raise_()
    QApplication.processEvents()
    plot = window.findChild(pg.PlotWidget, "loss_plot")
    area = plot.getPlotItem().getViewBox().sceneBoundingRect().height()
    assert area >= 3 * plot.fontMetrics().lineSpacing(), f"the loss curve has {area:.0f} px"
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea
    assert window.tabPosition(bottom) == QTabWidget.TabPosition.West and loss.titleBarWidget() is not None
    press(qtbot, window, KEY.Key_Escape)  # the docks' own title bars and tabs come back
    assert window.tabPosition(bottom) == QTabWidget.TabPosition.South
    assert loss.titleBarWidget() is None and window.docks["formula"].titleBarWidget() is None


def test_a_dialog_opened_while_presenting_has_the_large_text_and_fits_the_projector(qtbot):
    """A dialog is a window of its own, to which Qt passes no font: F1's list of keys had stayed at the
    desktop size (its headers too) in its desktop-sized box, on a 1024×768 projector."""
    from PySide6.QtWidgets import QHeaderView

    from backprop_gui.ui.window.main_window import ShortcutsDialog

    from window_helpers import when_modal

    window = window_on_screen(qtbot, load_example("xor"), "1024x768")
    desktop = window.font().pointSizeF()
    press(qtbot, window, KEY.Key_F7)
    qtbot.waitUntil(lambda: window.isFullScreen())
    large = window.font().pointSizeF()
    assert large >= 1.4 * desktop
    seen: dict[str, float] = {}

    def look(dialog) -> None:
        seen["font"] = dialog.font().pointSizeF()
        seen["header"] = dialog.findChild(QHeaderView).font().pointSizeF()
        seen["inside"] = window.screen().geometry().contains(dialog.frameGeometry())
        seen["width"] = dialog.width()
        dialog.reject()

    when_modal(look, ShortcutsDialog)
    press(qtbot, window, KEY.Key_F1)
    assert seen["font"] == seen["header"] == pytest.approx(large) and seen["inside"]
    assert seen["width"] > 520  # (its desktop width, grown with its text)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # (the dialog gone, the keys are the window's again)
    press(qtbot, window, KEY.Key_F7)  # off: the next dialog has the desktop's text again
    assert not window.isFullScreen()
    when_modal(look, ShortcutsDialog)
    press(qtbot, window, KEY.Key_F1)
    assert seen["font"] == seen["header"] == pytest.approx(desktop) and seen["width"] == 520


def test_a_dialog_opened_over_a_panel_while_presenting_has_the_large_text_too(qtbot):
    """The quiz's settings open over the quiz panel (a dock), not over the window: the window never sees
    that dialog polished, so it is found when it takes the keyboard."""
    from backprop_gui.ui.diagnostics.quiz_panel import QuizSettingsDialog

    from window_helpers import when_modal

    window = window_on_screen(qtbot, load_example("xor"), "1024x768")
    press(qtbot, window, KEY.Key_F7)
    qtbot.waitUntil(lambda: window.isFullScreen())
    large = window.font().pointSizeF()
    window.docks["quiz"].show()  # (presenting hides it; the lecturer shows it)
    panel = window.diagnostics_controller.quiz_panel
    qtbot.waitUntil(panel.settings_button.isVisible)
    seen: dict[str, float] = {}

    def look(dialog) -> None:
        try:
            qtbot.waitUntil(lambda: dialog.font().pointSizeF() == large, timeout=2000)  # once it has the keys
        except qtbot.TimeoutError:
            pass
        finally:
            seen["font"] = dialog.font().pointSizeF()
            dialog.reject()

    when_modal(look, QuizSettingsDialog)
    qtbot.mouseClick(panel.settings_button, Qt.MouseButton.LeftButton)
    assert seen["font"] == pytest.approx(large)
