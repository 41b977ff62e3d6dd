"""Layouts: Step, Train and Present from the View menu, Ctrl+1/2/3 and the toolbar; each keeps the
user's arrangement; Reset Layout; F5 or Train N Epochs… in Step goes to Train, a breakpoint back
to Step; docks a network cannot use are left out."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar, QToolButton, QWidget

from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.presets import load_example
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.diagnostics.controller import DOCK_SIZES, least_beside
from backprop_gui.ui.training import controller as controller_module

from window_helpers import open_window, window_on_screen

pytestmark = pytest.mark.usefixtures("private_places")


def shown(window, key) -> bool:
    """Whether dock ``key`` is on screen (visible and not behind another tab)."""
    dock = window.layout_controller.docks[key]
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def arranged(qtbot, window):
    qtbot.waitUntil(lambda: window.layout_controller.ready)
    qtbot.wait(20)


@pytest.fixture
def window(qtbot):
    window = open_window(qtbot, load_example("xor"))
    arranged(qtbot, window)
    return window


def test_step_is_the_first_layout_with_formula_and_values(window):
    assert window.layout_controller.current == LayoutName.STEP
    assert shown(window, "formula") and shown(window, "values")
    assert not window.layout_controller.docks["loss"].isVisible()


def test_ctrl_2_trains_ctrl_1_steps_ctrl_3_presents(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.layout_controller.current == LayoutName.TRAIN
    assert shown(window, "loss") and shown(window, "decision") and shown(window, "training")
    assert not window.docks["formula"].isVisible()
    loss = window.layout_controller.docks["loss"]
    assert loss.height() >= 0.3 * window.height()
    assert not window.training_controller.loss_plot.compact  # room for both axes, their names and the legend
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.layout_controller.current == LayoutName.STEP and shown(window, "formula")
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.presentation.active and window.layout_controller.current == LayoutName.PRESENT
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.presentation.active and window.layout_controller.current == LayoutName.STEP
    assert window.layout_controller.actions[LayoutName.STEP].isChecked()


def test_the_toolbar_switch_shows_the_layout_by_name(window, qtbot):
    buttons = {b.text(): b for b in window.layout_controller.toolbar.findChildren(QToolButton) if b.text()}
    assert {"Step", "Train", "Present"} <= set(buttons)
    qtbot.mouseClick(buttons["Train"], Qt.MouseButton.LeftButton)
    assert window.layout_controller.current == LayoutName.TRAIN and buttons["Train"].isChecked()
    assert not buttons["Step"].isChecked()


def test_each_layout_keeps_the_users_arrangement_and_reset_restores_the_default(window, qtbot):
    layouts = window.layout_controller
    layouts.set_layout(LayoutName.TRAIN)
    layouts.docks["decision"].close()
    layouts.set_layout(LayoutName.STEP)
    assert shown(window, "formula")
    layouts.set_layout(LayoutName.TRAIN)
    qtbot.wait(10)
    assert not layouts.docks["decision"].isVisible() and shown(window, "loss")
    layouts.reset_action.trigger()
    assert shown(window, "decision")


def test_no_stale_tab_bars_after_switching(window, qtbot):
    layouts = window.layout_controller
    for name in ("train", "step", "present", "step", "train", "step"):
        layouts.set_layout(name)
        qtbot.wait(5)
    qtbot.wait(20)
    bars = [b for b in window.findChildren(QTabBar) if b.parent() is window and b.isVisible() and b.count()]
    visible = [b for b in bars if window.rect().contains(b.geometry())]
    tabs = [b.tabText(i) for b in visible for i in range(b.count())]
    assert "Values" in tabs and len(tabs) == len(set(tabs))  # a stale bar would repeat its tabs


def test_the_decision_map_is_left_out_without_two_inputs(qtbot):
    window = open_window(qtbot, load_example("sine_regression"))
    arranged(qtbot, window)
    window.layout_controller.set_layout(LayoutName.TRAIN)
    assert not window.layout_controller.docks["decision"].isVisible()
    assert shown(window, "data") and shown(window, "loss")
    window.session_controller.open_session(load_example("xor"))
    window.layout_controller.reset()
    assert shown(window, "decision")


def test_f5_in_step_switches_to_train_and_a_breakpoint_back_to_step(window, qtbot):
    training = window.training_controller
    window.diagnostics_controller.toggle_breakpoint(3)
    training.actions["train"].trigger()
    assert window.layout_controller.current == LayoutName.TRAIN
    qtbot.waitUntil(lambda: window.diagnostics_controller.last_hit is not None, timeout=10000)
    qtbot.waitUntil(lambda: window.layout_controller.current == LayoutName.STEP, timeout=5000)


def test_a_1024_px_projector_has_the_loss_plot_in_a_tab_beside_the_formula_and_f5_raises_it(qtbot):
    window = window_on_screen(qtbot, load_example("xor"), "1024x768")
    screen = window.screen()
    arranged(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F7)  # presentation mode by its own key arranges Present too
    assert window.layout_controller.current == LayoutName.PRESENT
    docks = window.layout_controller.docks
    qtbot.waitUntil(lambda: shown(window, "formula"))
    assert window.tabifiedDockWidgets(docks["formula"]) == [docks["loss"]]
    assert not shown(window, "loss")
    window.training_controller.actions["train"].trigger()
    assert shown(window, "loss") and not shown(window, "formula")
    qtbot.waitUntil(lambda: window.training_controller.state != "training", timeout=20000)
    qtbot.wait(50)
    plot = window.training_controller.loss_plot
    axes = plot.plot.getPlotItem()
    assert axes.getViewBox().sceneBoundingRect().height() >= 3 * plot.fontMetrics().lineSpacing()  # room for a curve
    assert plot.legend.isVisible() == (not plot.compact)  # a short plot keeps its curve clear
    assert axes.getAxis("left").label.isVisible() == (not plot.compact)
    assert "300\u00a0epochs" in plot.readout.text()
    assert window.frameGeometry().width() <= screen.geometry().width() + 4  # the long readout wraps


@pytest.mark.parametrize("example", ["course_simple", "blobs_softmax"])
def test_dock_sizes_do_not_change_when_stepping(qtbot, example):
    window = open_window(qtbot, load_example(example))
    arranged(qtbot, window)
    docks = window.layout_controller.docks

    def sizes():
        qtbot.wait(5)
        return {key: dock.size() for key, dock in docks.items() if dock.isVisible()}

    before = sizes()
    for _ in range(len(window.model.stepper.phases) + 1):
        window.model.step()
        assert sizes() == before, window.model.stepper.current


def test_train_on_a_1366_laptop_shows_the_training_settings_without_scrolling(qtbot):
    window = window_on_screen(qtbot, load_example("xor"), "1366x768")
    arranged(qtbot, window)
    window.layout_controller.set_layout(LayoutName.TRAIN)
    qtbot.wait(20)
    panel = window.training_controller.panel
    dock = window.docks["training"]
    assert shown(window, "training") and dock.height() >= 0.4 * window.height()
    inside = dock.mapToGlobal(dock.rect().topLeft()), dock.mapToGlobal(dock.rect().bottomRight())
    for box in (panel.learning_rate, panel.batch_size, panel.epochs):
        top, bottom = box.mapToGlobal(box.rect().topLeft()), box.mapToGlobal(box.rect().bottomRight())
        assert box.isVisible() and not box.visibleRegion().isEmpty()
        assert inside[0].y() <= top.y() and bottom.y() <= inside[1].y(), "scrolled out of sight"


@pytest.mark.parametrize(("answer", "switches"), [((3, True), True), ((3, False), False)])
def test_train_n_epochs_in_step_switches_to_train_once_its_dialog_is_accepted(
    window, qtbot, monkeypatch, answer, switches
):
    monkeypatch.setattr(controller_module.QInputDialog, "getInt", lambda *args: answer)
    window.training_controller.actions["n_epochs"].trigger()
    assert window.layout_controller.current == (LayoutName.TRAIN if switches else LayoutName.STEP)
    assert shown(window, "loss") == switches
    qtbot.waitUntil(lambda: not window.training_controller.running, timeout=20000)


def test_train_one_epoch_keeps_the_step_layout(window, qtbot):
    window.training_controller.actions["one_epoch"].trigger()
    assert window.training_controller.running and window.layout_controller.current == LayoutName.STEP
    qtbot.waitUntil(lambda: not window.training_controller.running, timeout=20000)
    assert window.model.session.epoch == 1 and window.layout_controller.current == LayoutName.STEP


@pytest.mark.parametrize(("screen", "tabbed"), [("1024x768", True), ("1366x768", False)])
@pytest.mark.parametrize(("key", "widest", "other"), [("1", "formula", "worked"), ("2", "loss", "decision")])
def test_layer_health_opens_in_a_tab_of_the_widest_panel_where_another_column_has_no_room(
    qtbot, screen, tabbed, key, widest, other
):
    window = window_on_screen(qtbot, load_example("xor"), screen)
    arranged(qtbot, window)
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.ControlModifier)  # Step or Train
    arranged(qtbot, window)
    diagnostics = window.diagnostics_controller
    diagnostics.actions[ActionId.HEALTH].trigger()
    health = diagnostics.docks["health"]
    qtbot.waitUntil(lambda: health.isVisible() and not health.visibleRegion().isEmpty())
    qtbot.wait(20)
    docks = window.layout_controller.docks
    assert (docks[widest] in window.tabifiedDockWidgets(health)) == tabbed
    assert shown(window, other) and shown(window, widest) != tabbed
    beside = [health] + [docks[k] for k in (widest, other) if shown(window, k)]
    assert all(dock.width() >= least_beside(dock) for dock in beside), [dock.width() for dock in beside]
    assert tabbed or health.width() >= 0.9 * DOCK_SIZES["health"][0]  # beside: about the width it asks for


@pytest.mark.parametrize("screen", ["1024x768", "1920x1080"])
def test_presenting_the_gradient_check_opens_in_a_tab_so_the_large_text_keeps_its_width(qtbot, screen):
    window = window_on_screen(qtbot, load_example("course_simple"), screen)
    arranged(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: shown(window, "formula"))
    formula = window.layout_controller.docks["formula"]
    assert least_beside(formula) > 1.4 * least_beside(QWidget())  # its text is larger than the usual
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    gradcheck = window.diagnostics_controller.docks["gradcheck"]
    qtbot.waitUntil(lambda: gradcheck.isVisible() and not gradcheck.visibleRegion().isEmpty())
    assert formula in window.tabifiedDockWidgets(gradcheck) and not shown(window, "formula")


def test_presenting_three_tabbed_panels_keep_their_whole_titles(qtbot):
    """On a 1024×768 projector the bottom row's tabs run down its side at the large text size: two
    titles fit there, but three elided to "For…", "L…" and "Gradient c…". With three they go under
    the panels, where they fit across; every title stays whole, and at the large size."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QTabWidget

    window = window_on_screen(qtbot, load_example("course_simple"), "1024x768")
    arranged(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: shown(window, "formula"))
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea

    def titles_bar(count):
        bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
        return next((bar for bar in bars if bar.isVisible() and bar.count() == count), None)

    def whole(bar) -> bool:  # each tab as long as its title (down the side or across), in the large text
        metrics = QFontMetrics(bar.font())
        rects = [bar.tabRect(i) for i in range(bar.count())]
        long_enough = all(
            max(r.width(), r.height()) >= metrics.horizontalAdvance(bar.tabText(i)) for i, r in enumerate(rects)
        )
        inside = all(bar.rect().contains(r) for r in rects)
        return long_enough and inside and bar.font().pointSizeF() == window.font().pointSizeF()

    qtbot.waitUntil(lambda: titles_bar(2) is not None and whole(titles_bar(2)))
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: titles_bar(3) is not None and window.tabPosition(bottom) == QTabWidget.TabPosition.South)
    bar = titles_bar(3)
    assert [bar.tabText(i) for i in range(3)] == ["Formula", "Loss", "Gradient check"]
    qtbot.waitUntil(lambda: whole(bar))
    assert window.rect().contains(bar.geometry()) and bar.geometry().bottom() <= window.statusBar().geometry().top()
    window.diagnostics_controller.docks["gradcheck"].close()
    qtbot.waitUntil(lambda: titles_bar(2) is not None and whole(titles_bar(2)))
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.presentation.active)
    assert window.tabPosition(bottom) == QTabWidget.TabPosition.South  # the Step layout's, as before


def test_a_four_layer_network_fits_a_projector_with_the_right_hand_docks_at_their_share(qtbot):
    """Eleven phase buttons had asked for 900 px: on a 1024×768 screen the window grew to 1192 px."""
    import numpy as np

    from backprop_gui.core.datasets import Dataset
    from backprop_gui.core.layouts import LAYOUTS, Side
    from backprop_gui.core.network import build_network
    from backprop_gui.core.session import Session

    network = build_network(2, [16, 16, 16, 1], ["tanh", "tanh", "tanh", "sigmoid"], seed=3)
    rng = np.random.default_rng(0)
    session = Session("four layers", network, Dataset(rng.normal(size=(3, 2)), rng.uniform(size=(3, 1))))
    window = window_on_screen(qtbot, session, "1024x768")
    arranged(qtbot, window)
    assert window.width() <= 1024  # it had grown to 1192 px
    share = LAYOUTS[LayoutName.STEP].side_depth(Side.RIGHT) * window.width()
    assert window.docks["values"].width() >= 0.9 * share
    assert all(
        button.isVisible() and button.width() >= button.minimumSizeHint().width() for button in window.phase_bar.buttons
    )


def test_maximised_the_first_arrangement_keeps_its_proportions_until_a_dock_is_moved(qtbot):
    """A window opens at 1600×1000 and is then maximised on a 2560×1440 screen: the right-hand docks
    had kept their 432 px and the value tables scrolled sideways beside a 2000-px graph."""
    from PySide6.QtCore import QPoint

    from backprop_gui.core.layouts import LAYOUTS, Side
    from backprop_gui.ui.window.app import create_window

    from window_helpers import screen_named

    screen = screen_named("2560x1440")
    window = create_window(load_example("xor"))
    qtbot.addWidget(window)
    window.setScreen(screen)
    window.setGeometry(screen.geometry().x() + 40, 40, 1600, 1000)
    with qtbot.waitExposed(window):
        window.show()
    arranged(qtbot, window)
    share = LAYOUTS[LayoutName.STEP].side_depth(Side.RIGHT)
    values, formula = window.docks["values"], window.docks["formula"]
    assert values.width() == pytest.approx(share * 1600, abs=12)
    window.setGeometry(screen.availableGeometry())  # maximised
    qtbot.waitUntil(lambda: abs(values.width() - share * window.width()) <= 12)
    assert window.width() == 2560 and formula.height() == pytest.approx(0.32 * window.height(), abs=12)
    qtbot.wait(20)
    separator = QPoint(values.geometry().left() - 2, values.geometry().center().y())  # between the graph and the docks
    qtbot.mousePress(window, Qt.MouseButton.LeftButton, pos=separator)
    qtbot.mouseRelease(window, Qt.MouseButton.LeftButton, pos=separator)
    kept = values.width()
    window.setGeometry(screen.geometry().x() + 40, 40, 1800, 1100)
    qtbot.wait(50)
    assert values.width() == pytest.approx(kept, abs=4)  # the user's arrangement: its sizes kept


@pytest.mark.parametrize("size", ["1024x768", "1366x768"])
def test_the_sample_dock_shows_all_of_its_form_even_when_a_dock_below_takes_room(qtbot, size):
    """On a 768-px screen its share of the right-hand side (a sixth) was 7 px short of the form: the
    session's name, the sample box and x and t came with a scroll bar; and the Gradient Check dock,
    shown below, took more from it. The form's height is now the dock's least."""
    window = window_on_screen(qtbot, load_example("course_simple"), size)
    arranged(qtbot, window)
    dock, form = window.docks["sample"], window.sample_picker
    assert dock.widget() is form  # no scroll area in between
    qtbot.waitUntil(lambda: form.height() >= form.sizeHint().height())
    assert window.docks["values"].height() >= 3 * dock.height()  # the rest of the side stays the tables'
    window.action(ActionId.GRADCHECK).trigger()  # a dock below: the right-hand side is shorter
    qtbot.waitUntil(lambda: window.diagnostics_controller.docks["gradcheck"].isVisible())
    qtbot.wait(50)
    assert form.height() >= form.sizeHint().height()


def test_a_window_resized_before_its_docks_are_placed_still_gives_them_their_share(qtbot):
    """On a busy machine the window manager's resize (to the screen, after the first show) came
    between the arrangement and Qt placing the docks: the right-hand docks kept the share of the
    smaller window, 332 px of a 1366-px window instead of 369."""
    from backprop_gui.core.layouts import LAYOUTS, Side
    from backprop_gui.ui.window.app import create_window

    window = create_window(load_example("course_simple"))
    qtbot.addWidget(window)
    window.resize(1229, 700)
    with qtbot.waitExposed(window):
        window.show()
    arranged(qtbot, window)
    values = window.docks["values"]
    share = LAYOUTS[LayoutName.STEP].side_depth(Side.RIGHT)
    window.layout_controller.arrange()  # as at the first show: the docks are placed at the next turn
    window.resize(1366, 768)  # and the resize comes first
    qtbot.waitUntil(lambda: window.width() == 1366)
    qtbot.wait(50)
    assert values.width() == pytest.approx(share * 1366, abs=12)
