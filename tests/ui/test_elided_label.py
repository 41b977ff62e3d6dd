"""The one-line label that cuts a long text with "…"."""

from __future__ import annotations

from backprop_gui.ui.common.elided_label import ElidedLabel

LONG = "Session: a long name typed to describe the exercise for week three of the course"


def test_a_text_too_wide_is_cut_with_an_ellipsis_and_whole_in_the_tooltip(qtbot):
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.resize(200, 30)
    label.show()
    label.setText(LONG)
    shown = super(ElidedLabel, label).text()  # what it draws
    assert shown.endswith("…") and LONG.startswith(shown[:-1])
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.text() == LONG and label.toolTip() == LONG


def test_room_for_the_whole_text_shows_it_whole_without_a_tooltip(qtbot):
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.resize(200, 30)
    label.show()
    label.setText(LONG)
    label.resize(label.fontMetrics().horizontalAdvance(LONG) + 20, 30)
    assert super(ElidedLabel, label).text() == LONG and label.toolTip() == ""
    assert label.sizePolicy().horizontalPolicy() == label.sizePolicy().Policy.Ignored  # a long text never widens it
