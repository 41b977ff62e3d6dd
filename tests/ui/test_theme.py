"""Theme: View ▸ Theme System / Light / Dark, saved in the settings; dark colours reach the graph."""

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QApplication, QScrollBar, QStyle, QStyleFactory, QStyleOptionSlider

from backprop_gui.core.compare import Reference
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.common.colors import is_dark
from backprop_gui.ui.common.icons import ICON_PROPERTY
from backprop_gui.ui.common.scroll_bars import FlatScrollBars, with_flat_scroll_bars
from backprop_gui.ui.training.data_view import DataView
from backprop_gui.ui.window.theme import THEMES, apply_theme, saved_theme

pytestmark = pytest.mark.usefixtures("private_places")


@pytest.fixture(autouse=True)
def system_theme_after():
    yield
    apply_theme("system")


def test_the_theme_menu_applies_and_saves_the_choice(window, qtbot):
    assert [window.action(ActionId.THEME, name).text() for name in THEMES] == ["&System", "&Light", "&Dark"]
    window.action(ActionId.THEME, "dark").trigger()
    style = QApplication.style()
    assert is_dark(QApplication.palette()) and isinstance(style, FlatScrollBars)
    assert style.baseStyle().name().lower() == "fusion"
    assert saved_theme() == "dark" and QSettings().value("view/theme") == "dark"
    qtbot.waitUntil(lambda: is_dark(window.network_view.palette()))
    window.action(ActionId.THEME, "light").trigger()
    assert not is_dark(QApplication.palette()) and saved_theme() == "light"
    text = QApplication.palette().color(QPalette.ColorRole.WindowText)
    assert text.lightnessF() < 0.3


def icon_lightness(action: QAction) -> float:
    """The lightness of the darkest or lightest stroke of ``action``'s 32 px icon, whichever is farther from grey."""
    image = action.icon().pixmap(32, 32).toImage()
    lightness = [image.pixelColor(x, y).lightnessF() for x in range(image.width()) for y in range(image.height())
                 if image.pixelColor(x, y).alpha() > 200]  # fmt: skip
    return max(lightness, key=lambda v: abs(v - 0.5))


def test_every_icon_the_window_draws_follows_the_theme(window, qtbot):
    drawn = [action for action in window.findChildren(QAction) if action.property(ICON_PROPERTY)]
    assert len(drawn) > 10 and set(drawn) <= set(window.registered_actions())  # recoloured from the registry
    window.action(ActionId.THEME, "light").trigger()
    assert all(icon_lightness(action) < 0.3 for action in drawn)
    window.action(ActionId.THEME, "dark").trigger()
    qtbot.waitUntil(lambda: all(icon_lightness(action) > 0.7 for action in drawn))


def test_an_unknown_theme_is_refused_by_name():
    with pytest.raises(ValueError, match="theme: must be one of system, light, dark, got 'blue'"):
        apply_theme("blue")


def test_fusions_scroll_bars_are_drawn_flat_in_the_palettes_colours(qtbot):
    bar = QScrollBar(Qt.Orientation.Vertical)
    bar.setStyle(FlatScrollBars(QStyleFactory.create("Fusion")))
    bar.setRange(0, 100)
    bar.setPageStep(20)
    bar.resize(14, 200)
    qtbot.addWidget(bar)
    image = bar.grab().toImage()
    handle = bar.style().subControlRect(
        QStyle.ComplexControl.CC_ScrollBar, _slider_option(bar), QStyle.SubControl.SC_ScrollBarSlider, bar
    )
    palette = bar.palette()
    assert image.pixel(handle.center()) == palette.color(QPalette.ColorRole.Mid).rgb()  # flat, no gradient
    assert image.pixel(1, handle.bottom() + 20) == palette.color(QPalette.ColorRole.Window).rgb()  # the groove
    assert with_flat_scroll_bars(QStyleFactory.create("Windows")).name().lower() == "windows"  # others as they are
    bar.setRange(0, 0)  # nothing to scroll: no handle
    assert bar.grab().toImage().pixel(handle.center()) == palette.color(QPalette.ColorRole.Window).rgb()


def _slider_option(bar: QScrollBar) -> QStyleOptionSlider:
    option = QStyleOptionSlider()
    bar.initStyleOption(option)
    return option


def test_the_plots_follow_the_theme_paper_ink_and_curves(window, qtbot):
    plots = window.findChildren(pg.PlotWidget)
    loss = window.training_controller.loss_plot
    assert loss.plot in plots and len(plots) >= 4  # the loss plot, the decision map, the data plot, layer health

    window.model.session.references.append(Reference("run 1", "", [0.3, 0.2, 0.1]))  # a compared run

    def shown() -> dict[str, QColor]:
        loss.refresh()
        axis = loss.plot.getPlotItem().getAxis("left")
        return {
            "paper": loss.plot.backgroundBrush().color(),
            "ticks": axis.textPen().color(),
            "epoch curve": loss.epoch_curve.opts["pen"].color(),
            "targets' tint": window.findChild(DataView).samples.target_tint,
            "compared run": loss._reference_curves[0].opts["pen"].color(),
        }

    window.action(ActionId.THEME, "light").trigger()
    light = shown()
    assert light["paper"] == QColor("#ffffff") and light["ticks"].lightnessF() < 0.2
    window.action(ActionId.THEME, "dark").trigger()
    qtbot.waitUntil(lambda: shown()["paper"].lightnessF() < 0.25)
    dark = shown()
    assert all(plot.backgroundBrush().color() == dark["paper"] for plot in plots)  # every plot, not only the loss
    assert dark["ticks"].lightnessF() > 0.75 and dark["targets' tint"].lightnessF() < 0.35
    for curve in ("epoch curve", "compared run"):  # lighter on dark paper
        assert dark[curve].lightnessF() > light[curve].lightnessF() + 0.15, curve
    picture = loss.plot.grab().toImage()  # what the plot shows: dark paper, not a white sheet
    middle = picture.pixelColor(picture.width() // 2, picture.height() // 2)
    assert middle.lightnessF() < 0.3
