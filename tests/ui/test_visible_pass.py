"""Everything the phase computed is in view without a click: on the default session at 1366×768,
F10 to Backward 1 puts the homework's three answers on screen at once (∂C/∂w¹ = 2.081,
∂C/∂w² = −0.004162, ∂C/∂b² = −0.1387). The text counted is what is visible: labels, buttons and
the current tabs, the part of each text page and table scrolled into view, and the graph's texts
inside the graph's viewport — nothing hidden, behind another tab or scrolled away."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QLabel,
    QTabBar,
    QTextEdit,
    QWidget,
)

from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.presets import default_session, load_example
from backprop_gui.core.session import Session
from backprop_gui.ui.common.rich_text import sup
from backprop_gui.ui.stepping.network_view import EdgeLabelItem, NetworkView
from backprop_gui.ui.stepping.values_panel import SHORTEST_ROW_NAME, ValueTable
from backprop_gui.ui.window.main_window import MainWindow

from window_helpers import window_on_screen

pytestmark = pytest.mark.usefixtures("private_places")

ANSWERS = ("2.081", "−0.004162", "−0.1387")  # ∂C/∂w¹, ∂C/∂w², ∂C/∂b² of the course's homework


def seen_region(widget: QWidget) -> QRect:
    """The part of ``widget`` (its own coordinates) not hidden by a closed tab, a scroll area or the window's edge."""
    return widget.visibleRegion().boundingRect() if widget.isVisible() else QRect()


def visible_page_text(edit: QTextEdit) -> str:
    """The text of ``edit``'s document between the top-left and the bottom-right of what is in view."""
    view = seen_region(edit.viewport())
    if view.isEmpty():
        return ""
    cursor = edit.cursorForPosition(view.topLeft())
    cursor.setPosition(edit.cursorForPosition(view.bottomRight()).position(), QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText()


def visible_cells(table: QAbstractItemView) -> list[str]:
    view = seen_region(table.viewport())
    model = table.model()
    if view.isEmpty() or model is None:
        return []
    return [
        str(model.data(index, Qt.ItemDataRole.DisplayRole) or "")
        for row in range(model.rowCount())
        for column in range(model.columnCount())
        if view.intersects(table.visualRect(index := model.index(row, column)))
    ]


def visible_graph_text(view: NetworkView) -> list[str]:
    """The graph's texts (numbers in circles, on edges, labels) that are shown and inside the viewport."""
    seen = view.mapToScene(seen_region(view.viewport())).boundingRect()
    texts = []
    for item in view.scene().items(seen):
        if not item.isVisible() or not seen.contains(item.sceneBoundingRect()):
            continue
        if isinstance(item, QGraphicsSimpleTextItem):
            texts.append(item.text())
        elif isinstance(item, QGraphicsTextItem):
            texts.append(item.toPlainText())
        elif isinstance(item, EdgeLabelItem):
            texts.append(item.text)
    return texts


def visible_text(window: QWidget) -> list[str]:
    """Every text of ``window`` a user can read without a click or a scroll."""
    texts: list[str] = []
    for widget in window.findChildren(QWidget):
        if seen_region(widget).isEmpty():
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QTabBar):
            texts.append(widget.tabText(widget.currentIndex()))
        elif isinstance(widget, QTextEdit):
            texts.append(visible_page_text(widget))
        elif isinstance(widget, QAbstractItemView):
            texts += visible_cells(widget)
        elif isinstance(widget, NetworkView):
            texts += visible_graph_text(widget)
    return texts


def laptop_window(qtbot, session: Session) -> MainWindow:
    """The full window over ``session`` on the 1366×768 test screen, active, its layout arranged."""
    window = window_on_screen(qtbot, session, "1366x768")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_the_three_homework_answers_are_on_screen_at_backward_1_without_a_click(qtbot):
    window = laptop_window(qtbot, default_session())
    qtbot.wait(20)
    for _ in range(5):
        qtbot.keyClick(window, Qt.Key.Key_F10)
    assert window.model.stepper.current.label == "Backward 1"
    qtbot.wait(20)
    shown = " ".join(visible_text(window))
    missing = [answer for answer in ANSWERS if answer not in shown]
    assert not missing, f"not on screen: {missing}"
    assert window.model.selection is None  # nothing was clicked


def neuron_table(window: MainWindow, layer: int) -> tuple[ValueTable, int, Callable[[int, int], bool]]:
    """Layer ``layer``'s neuron table in the Values panel, its column b^l, and whether the cell at
    (row, column) is wholly in view."""
    table = window.values_panel.table_for(layer, 0)
    model = table.table_model()
    bias = next(i for i, column in enumerate(model.columns) if column.header == f"b{sup(layer)}")

    def in_view(row: int, column: int) -> bool:
        return table.viewport().rect().contains(table.visualRect(model.index(row, column)))

    return table, bias, in_view


def test_a_table_too_wide_for_its_panel_scrolls_to_the_columns_the_phase_computed(qtbot):
    window = laptop_window(qtbot, load_example("moons"))  # 8 hidden neurons: z, a, δ, ∂C/∂b, b do not fit
    table, bias, in_view = neuron_table(window, 1)
    while window.model.stepper.current is None or window.model.stepper.current.label != "Update":
        qtbot.keyClick(window, Qt.Key.Key_F10)
    assert window.values_panel.tabs.currentWidget().isAncestorOf(table)
    assert table.horizontalHeader().length() > table.viewport().width()  # the table does scroll sideways here
    qtbot.waitUntil(lambda: in_view(0, bias))  # b¹ "old → new", all of it
    assert " → " in str(table.model().data(table.model().index(0, bias)))
    qtbot.keyClick(window, Qt.Key.Key_F10)  # the next sample
    qtbot.keyClick(window, Qt.Key.Key_F10)  # Forward 1: z¹ and a¹
    assert window.model.stepper.current.label == "Forward 1"
    qtbot.waitUntil(lambda: in_view(0, 0) and in_view(0, 1))


def test_the_phase_s_columns_stay_in_view_as_a_selection_shows_a_tab_and_moves_down_it(qtbot):
    window = laptop_window(qtbot, load_example("moons"))
    table, bias, in_view = neuron_table(window, 1)
    qtbot.keyClick(window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)  # run to Update
    assert not table.isVisible()  # the Layer 1 tab has not been shown yet
    for row in (0, 1, 7):  # neuron 1 shows the tab (as a click on the graph would); then others, down it
        window.model.set_selection(Selection(1, row))
        qtbot.waitUntil(lambda r=row: in_view(r, bias))
        assert table.selectionModel().isRowSelected(row)


def test_the_phase_s_columns_are_in_view_on_a_tab_a_selection_shows_for_the_first_time(qtbot):
    window = laptop_window(qtbot, load_example("xor"))
    table, bias, in_view = neuron_table(window, 2)
    qtbot.keyClick(window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)  # run to Update
    assert not table.isVisible()  # the Layer 2 tab is not shown yet
    window.model.set_selection(Selection(2, 0))  # the output neuron: its tab shows, laid out now
    qtbot.waitUntil(table.isVisible)
    assert table.horizontalHeader().length() > table.viewport().width()  # b² "old → new" does not fit beside z²
    qtbot.waitUntil(lambda: in_view(0, bias))
    table.resize(table.width() - 60, table.height())  # narrower: the page's scroll bar shows, a dock is dragged
    assert in_view(0, bias)


def test_a_step_scrolls_the_values_page_back_to_the_tables_of_the_phase(qtbot):
    """Scrolled down to the gradients, the student stepped on to the next sample's Forward 1 and its
    z¹ and a¹ stayed above the top of the page."""
    window = laptop_window(qtbot, load_example("moons"))  # 8 hidden neurons: Layer 1's page scrolls
    table, _, in_view = neuron_table(window, 1)
    qtbot.keyClick(window, Qt.Key.Key_F10)  # Forward 1: z¹ and a¹, at the top of the page
    area = window.values_panel.tabs.currentWidget()
    bar = area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())  # down to the weight gradients
    assert not area.viewport().rect().contains(table.caption.geometry().translated(0, -bar.value()))
    qtbot.keyClick(window, Qt.Key.Key_F10)  # Forward 2: Layer 2's tab
    qtbot.keyClick(window, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)  # back to Forward 1
    assert window.model.stepper.current.label == "Forward 1" and area.isVisible()
    top, bottom = table.caption.geometry().top(), table.geometry().bottom()
    qtbot.waitUntil(lambda: bar.value() <= top and bottom - bar.value() < area.viewport().height())
    assert in_view(0, 0) and in_view(0, 1)  # z₁¹ and a₁¹


def test_a_table_that_fits_has_no_empty_band_under_it_and_one_that_scrolls_keeps_its_bar(qtbot):
    """Every table had kept a scroll bar's height under its rows, which read as a row without numbers
    and, at 1366×768, pushed ∂C/∂w¹ = 2.081 of the course's homework half off the Values dock."""
    window = laptop_window(qtbot, default_session())
    for _ in range(5):
        qtbot.keyClick(window, Qt.Key.Key_F10)  # Backward 1
    gradients = window.values_panel.table_for(1, 2)
    for table in (window.values_panel.table_for(1, i) for i in range(3)):  # neurons, w¹, ∂C/∂w¹
        rows = table.model().rowCount() * table.rowHeight(0)
        assert table.height() == rows + table.horizontalHeader().height() + 2 * table.frameWidth()
        assert not table.horizontalScrollBar().isVisible()
    cell = gradients.visualRect(gradients.model().index(0, 0))
    page = window.values_panel.tabs.currentWidget()
    assert (
        page.viewport().rect().contains(QRect(gradients.viewport().mapTo(page.viewport(), cell.topLeft()), cell.size()))
    )
    window.close()

    window = laptop_window(qtbot, load_example("moons"))  # 8 hidden neurons: z, a, δ, ∂C/∂b, b do not fit
    table = window.values_panel.table_for(1, 0)
    qtbot.keyClick(window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)  # run to Update
    window.values_panel.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: table.horizontalScrollBar().isVisible())
    assert table.viewport().height() >= 8 * table.rowHeight(0)  # the bar under the rows, not over the last one
    height = table.height()
    qtbot.keyClick(window, Qt.Key.Key_F10)  # the next sample: the tables below do not move up
    assert table.height() == height


def test_a_long_target_name_gives_way_to_the_output_columns(qtbot):
    """A data set's 23-character name for its target took 170 px of the Values dock's 340: a² = y,
    t and ∂C/∂a² scrolled sideways. The name now leaves them their room, cut in the middle if it
    must be (never to fewer than about eight characters), and the row's tooltip says it whole."""
    session = load_example("xor")
    session.data.target_labels = ["probability of survival"]
    window = laptop_window(qtbot, session)
    qtbot.keyClick(window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)  # run to Update
    window.values_panel.tabs.setCurrentIndex(0)
    outputs = window.values_panel.table_for(0, 1)
    qtbot.waitUntil(outputs.isVisible)
    columns = outputs.horizontalHeader().length()
    assert outputs.verticalHeader().width() + columns <= outputs.width() - 2 * outputs.frameWidth()
    assert not outputs.horizontalScrollBar().isVisible()
    name = outputs.model().headerData(0, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
    assert "probability of survival" in str(name)

    outputs.resize(outputs.width() - 120, outputs.height())  # a narrower dock: the name is cut, not hidden
    header = outputs.verticalHeader()
    qtbot.waitUntil(lambda: header.width() < header.sizeHint().width())
    assert header.width() >= header.fontMetrics().horizontalAdvance("1 W" + "w" * (SHORTEST_ROW_NAME - 1) + "…")


def test_a_column_cut_by_the_table_s_edge_shows_an_ellipsis_not_part_of_its_numbers(qtbot):
    """Scrolled to b¹ at Update, moons' hidden layer showed a¹ cut by the left edge: 0.09953 read as
    "09953", 0.6048 as "048". The part of a column an edge cuts is covered, "…" in each row."""
    window = laptop_window(qtbot, load_example("moons"))
    table, bias, in_view = neuron_table(window, 1)
    covers = table._covers
    while window.model.stepper.current is None or window.model.stepper.current.label != "Update":
        qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: in_view(0, bias))
    width = table.viewport().width()
    cut = table.columnAt(0)
    left = table.columnViewportPosition(cut)
    assert left < 0 and covers.left.isVisible()  # a column is cut on the left
    assert covers.left.geometry() == QRect(0, 0, left + table.columnWidth(cut), table.viewport().height())
    assert not covers.right.isVisible()  # b¹, the last column, ends at the edge
    image = covers.left.grab().toImage()
    assert image.pixelColor(image.width() // 2, table.rowViewportPosition(0) + 2) == covers.left.palette().color(
        covers.left.palette().ColorRole.Base
    )
    window.model.set_selection(Selection(1, 0))  # neuron 1: its row is chosen under the cover too
    image = covers.left.grab().toImage()
    assert image.pixelColor(image.width() // 2, table.rowViewportPosition(0) + 2) == covers.left.palette().color(
        covers.left.palette().ColorRole.Highlight
    )
    window.model.set_selection(None)
    qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.keyClick(window, Qt.Key.Key_F10)  # Forward 1 of the next sample: z¹ and a¹, b¹ cut on the right
    qtbot.waitUntil(lambda: in_view(0, 0) and covers.right.isVisible())
    last = table.columnAt(width - 1)
    assert covers.right.geometry() == QRect(
        table.columnViewportPosition(last), 0, width - table.columnViewportPosition(last), table.viewport().height()
    )
    assert not covers.left.isVisible()

    fits = window.values_panel.table_for(2, 0)  # the output layer's one neuron: every column in view
    window.values_panel.tabs.setCurrentIndex(2)
    qtbot.waitUntil(fits.isVisible)
    assert not fits._covers.left.isVisible() and not fits._covers.right.isVisible()
