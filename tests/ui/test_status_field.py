"""Status bar fields repaint themselves when a step rewrites them; the window is laid out again
only when a text needs more room than any before."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QMainWindow

from backprop_gui.ui.common.status_field import StatusField

from window_helpers import EventCounter


def test_a_shorter_or_equal_text_repaints_the_field_without_a_layout_of_the_window(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    field = StatusField("The phase shown", elide=True)
    window.statusBar().addPermanentWidget(field, 1)
    window.resize(600, 200)
    window.show()
    qtbot.waitExposed(window)
    field.setText("Phase: Backward 2   next: Backward 1")
    qtbot.wait(10)
    requests = EventCounter(QEvent.Type.LayoutRequest)
    window.installEventFilter(requests)
    for text in ("Phase: Forward 1   next: Forward 2", "Phase: Loss   next: Backward 2"):
        field.setText(text)
        qtbot.wait(10)
        assert field.text() == text and field.accessibleName() == text
    assert requests.count == 0
    field.setText("Phase: Backward 2 (neuron 1 of 2)   next: Backward 1")  # wider than any before
    qtbot.wait(10)
    assert requests.count >= 1 and field.sizeHint().width() >= field.fontMetrics().horizontalAdvance(field.text())


def test_a_field_that_elides_may_be_narrower_than_its_text_the_others_not():
    phase, loss = StatusField("", elide=True), StatusField("")
    for field in (phase, loss):
        field.setText("Phase: Backward 2 (neuron 1 of 2)   next: Backward 1")
    assert phase.minimumSizeHint().width() < phase.sizeHint().width()
    assert loss.minimumSizeHint() == loss.sizeHint()
