"""The one-line label that cuts a long text with "…"."""

from __future__ import annotations

from backprop_gui.ui.common.elided_label import ElidedLabel

LONG = "Session: a long name typed to describe the exercise for week three of the course"


def label_showing(qtbot, text: str, width: int) -> ElidedLabel:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.resize(width, 30)
    label.show()
    label.setText(text)
    return label


def drawn(label: ElidedLabel) -> str:
    return super(ElidedLabel, label).text()  # (its own text() is the whole text)


def test_a_text_too_wide_is_cut_with_an_ellipsis_and_whole_in_the_tooltip(qtbot):
    label = label_showing(qtbot, LONG, 200)
    assert drawn(label).endswith("…") and LONG.startswith(drawn(label)[:-1])
    assert label.fontMetrics().horizontalAdvance(drawn(label)) <= label.contentsRect().width()
    assert label.text() == LONG and label.toolTip() == LONG


def test_room_for_the_whole_text_shows_it_whole_without_a_tooltip(qtbot):
    label = label_showing(qtbot, LONG, 200)
    label.resize(label.fontMetrics().horizontalAdvance(LONG) + 20, 30)
    assert drawn(label) == LONG and label.toolTip() == ""
    assert label.sizePolicy().horizontalPolicy() == label.sizePolicy().Policy.Ignored  # a long text never widens it
