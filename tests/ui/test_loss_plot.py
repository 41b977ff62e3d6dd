"""The loss plot draws a decimated copy of the history, follows new data, and reads out a step."""

from __future__ import annotations

from array import array

import numpy as np
import pyqtgraph as pg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QTextLayout
from PySide6.QtWidgets import QLabel

from backprop_gui.core.presets import load_example
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training.loss_plot import (
    EpochAxis,
    LossPlot,
    _epoch_ticks,
    epoch_of_step,
    log_ticks,
    nice_stride,
    round_bounds,
    round_up,
    tick_labels,
)


@pytest.fixture
def plot(qtbot):
    model = SessionModel(load_example("xor"))
    widget = LossPlot(model)
    assert widget.log_y.isChecked()  # losses span decades: log scale by default
    widget.log_y.setChecked(False)
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def fill(history, steps: int, per_epoch: int) -> np.ndarray:
    losses = 1.0 / np.arange(1, steps + 1) + 0.01 * np.sin(np.arange(steps))
    losses[steps // 3] = 5.0  # a spike that must stay visible
    history.step_losses = array("d", losses)
    ends = list(range(per_epoch, steps + 1, per_epoch))
    history.epoch_ends[:] = ends
    history.epoch_losses[:] = [float(losses[e - per_epoch : e].mean()) for e in ends]
    history.validation_losses[:] = [x * 1.1 for x in history.epoch_losses]
    return losses


def test_a_long_history_is_drawn_decimated_with_its_peaks(plot):
    losses = fill(plot.model.session.history, 200_000, 1000)
    plot.refresh()
    xs, ys = plot.step_curve.getData()
    assert len(xs) <= 2 * max(64, plot.view.width()) + 4
    assert ys.max() == 5.0 and xs[0] == 1 and xs[-1] == 200_000
    assert len(plot.epoch_curve.getData()[0]) == 200
    assert plot.validation_curve.getData()[1][0] == pytest.approx(1.1 * losses[:1000].mean())
    legend = [label.text for _, label in plot.legend.items]
    assert "validation C" in legend


def test_no_validation_series_in_the_legend_without_a_split(plot):
    plot.refresh()
    assert [label.text for _, label in plot.legend.items] == ["C per step", "mean C per epoch"]
    nbsp = "\u00a0"  # a wrapped read-out breaks only after the dash
    assert plot.readout.text() == f"No{nbsp}training{nbsp}yet{nbsp}— press{nbsp}F5{nbsp}to{nbsp}train"


def test_zooming_stops_following_and_follow_returns(plot, qtbot):
    history = plot.model.session.history
    fill(history, 10_000, 100)
    plot.refresh()
    assert plot.following and not plot.follow.isEnabled()
    plot.view.setXRange(2000, 3000, padding=0)  # as a user's zoom does: auto-range goes off
    plot.refresh()
    assert not plot.following and plot.follow.isEnabled()
    xs, _ = plot.step_curve.getData()
    assert xs[0] >= 1999 and xs[-1] <= 3002  # only the visible range is drawn, at full detail
    history.step_losses.extend([0.5] * 1000)
    plot.refresh()
    assert plot.view.viewRange()[0][1] < 3100  # new data does not move the user's view
    qtbot.mouseClick(plot.follow, Qt.MouseButton.LeftButton)
    assert plot.following
    assert plot.step_curve.getData()[0][-1] == 11_000


def test_log_scale_toggle(plot, qtbot):
    history = plot.model.session.history
    history.step_losses = array("d", [1.0, 0.1, 0.0, 0.01])
    plot.refresh()
    plot.log_y.setChecked(True)
    assert plot.plot.getPlotItem().ctrl.logYCheck.isChecked()
    assert plot.step_curve.getData()[1][1] == -1  # drawn as log10 C
    drawn = plot.step_curve.getData()[1]  # log10 of what was given
    assert np.all(np.isfinite(drawn)) and drawn[2] == -300  # 0 is drawn at a floor, never -inf


def test_hover_reads_out_step_epoch_and_loss(plot, qtbot):
    history = plot.model.session.history
    fill(history, 1000, 100)
    plot.refresh()
    text = plot.describe_step(150)
    assert text.startswith("step 150 · epoch 2 · C = ")
    assert "epoch mean" in text and "validation" in text
    qtbot.wait(50)  # let the view auto-range to the data
    (_, _), (y0, y1) = plot.view.viewRange()
    scene_pos = plot.view.mapViewToScene(QPointF(250, (y0 + y1) / 2))
    plot._hover(scene_pos)
    assert plot.crosshair.isVisible()
    assert plot.readout.text().startswith("step\u00a0250\u00a0· epoch\u00a03\u00a0· C\u00a0=\u00a0")  # facts whole


def test_eta_changes_are_marked(plot):
    history = plot.model.session.history
    fill(history, 1000, 100)
    history.rate_changes.append((400, 0.05))
    plot.refresh()
    assert len(plot._rate_marks) == 1 and plot._rate_marks[0].value() == 400.5
    plot.refresh()
    assert len(plot._rate_marks) == 1  # not re-created per frame


def test_epoch_axis_thins_its_ticks():
    axis = EpochAxis()
    axis.ends = np.arange(1, 10_001, dtype=float) * 4
    ((spacing, values),) = axis.tickValues(0, 40_000, 450)
    assert len(values) <= 10 and spacing == 1000
    assert axis.tickStrings(values[:2], 1, 1) == ["1000", "2000"]
    assert nice_stride(7, 10) == 1 and nice_stride(30, 10) == 5 and nice_stride(101, 10) == 20
    assert epoch_of_step([4, 8], 4) == 1 and epoch_of_step([4, 8], 5) == 2 and epoch_of_step([4, 8], 9) == 3


@given(st.lists(st.integers(1, 50), max_size=400), st.floats(0, 12_000), st.floats(0, 12_000), st.integers(20, 2000))
def test_epoch_ticks_are_every_strideth_epoch_in_the_range(lengths, a, b, size):
    ends = np.cumsum(lengths).astype(float)
    first, last = sorted((a, b))
    stride, epochs, steps = _epoch_ticks(ends, first, last, size)
    inside = np.flatnonzero((ends >= first) & (ends <= last)) + 1  # the epochs (from 1) ending in the range
    lo, hi = np.searchsorted(ends, [first, last])
    expected = np.arange(lo, hi) + 1
    if not len(expected):
        assert stride == 0 and not len(steps)
        return
    assert stride == nice_stride(len(expected), max(1, int(size / 45)))
    np.testing.assert_array_equal(epochs, expected[expected % stride == 0])
    np.testing.assert_array_equal(steps, ends[epochs - 1])
    assert set(epochs) <= set(inside) | set(expected)


def test_the_epoch_axis_is_drawn_again_only_when_its_ticks_change(plot):
    history = plot.model.session.history
    fill(history, 40_000, 4)  # xor's epochs of four steps: 10,000 of them
    axis = plot.epoch_axis
    made: list[int] = []
    generate = axis.generateDrawSpecs
    axis.generateDrawSpecs = lambda *args: made.append(1) or generate(*args)

    def another_epoch() -> None:
        history.step_losses.extend(array("d", [0.01] * 4))
        history.epoch_ends.append(history.steps)
        history.epoch_losses.append(0.01)
        plot.refresh()
        plot.plot.grab()

    another_epoch()  # the view following the run settles on its round bounds (the axis's range changes)
    labels = [axis.tickStrings(values, 1, 1) for _, values in axis.tickValues(*axis._asked)]
    made.clear()
    for _ in range(3):  # more epochs, short of the next tick: nothing to draw again
        another_epoch()
    assert made == [] and axis.picture is not None
    assert [axis.tickStrings(values, 1, 1) for _, values in axis.tickValues(*axis._asked)] == labels
    history.epoch_ends[:] = list(range(8, 40_017, 8))  # another history: epochs of eight steps
    plot.refresh()
    plot.plot.grab()
    assert made  # its ticks are other epochs: drawn again
    ((_, values),) = axis.tickValues(*axis._asked)
    assert all(int(label) * 8 == value for label, value in zip(axis.tickStrings(values, 1, 1), values, strict=True))


def _left_ticks(plot) -> tuple[list[float], list[str], float]:
    """The loss axis's tick positions (log10), their labels and the axis's height in pixels."""
    axis = plot.plot.getPlotItem().getAxis("left")
    lo, hi = plot.view.viewRange()[1]
    size = axis.geometry().height()
    ((spacing, values),) = axis.tickValues(lo, hi, size)
    return values, axis.tickStrings(values, 1.0, spacing), (hi - lo) / size


@pytest.mark.parametrize("losses", [[0.69, 0.68, 0.675], [0.5], [0.25, 0.25, 0.25], [1.0, 0.1, 0.01, 0.005]])
def test_few_steps_on_a_log_axis_get_distinct_labels_that_never_overlap(plot, qtbot, losses):
    plot.resize(500, 180)  # about the dock's smallest height
    plot.log_y.setChecked(True)
    history = plot.model.session.history
    history.step_losses = array("d", losses)
    history.epoch_ends[:] = [len(losses)]
    history.epoch_losses[:] = [float(np.mean(losses))]
    plot.refresh()
    qtbot.wait(10)  # the axes lay out
    values, labels, per_pixel = _left_ticks(plot)
    assert len(values) >= 2 and len(set(labels)) == len(labels)
    gaps = np.diff(sorted(values)) / per_pixel
    line = plot.fontMetrics().height()
    assert gaps.min() >= 1.5 * line  # pixels between neighbouring labels
    assert all(len(label) <= 6 for label in labels)
    bottom = plot.plot.getPlotItem().getAxis("bottom")
    x0, x1 = plot.view.viewRange()[0]
    assert all(float(v).is_integer() for _, level in bottom.tickValues(x0, x1, 400) for v in level)  # whole steps
    assert plot.step_curve.opts["symbol"] == "o"  # a short history shows each point


@pytest.mark.parametrize(
    ("lo", "hi", "room", "expected"),
    [
        (-1, 0, 10, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
        (-1, 0, 9, [0.1, 0.2, 0.5, 1.0]),
        (-1, 0, 3, [0.1, 0.3, 1.0]),
        (-4, 0, 3, [1e-4, 1e-2, 1.0]),
        (-300, 0, 4, [1e-300, 1e-200, 1e-100, 1.0]),
        (-2.55, 1.95, 2, [0.01, 1.0]),  # never a single tick
    ],
)
def test_log_ticks_are_the_densest_set_that_fits(lo, hi, room, expected):
    assert log_ticks(lo, hi, room) == expected


def test_a_narrow_range_gets_plain_ticks_with_enough_digits():
    ticks = log_ticks(np.log10(0.6751), np.log10(0.69), 4)
    assert ticks == [0.68, 0.685, 0.69]
    assert tick_labels(ticks) == ["0.680", "0.685", "0.690"]
    assert tick_labels([1e-5, 1e-4, 0.01, 2e-7]) == ["10⁻⁵", "10⁻⁴", "0.01", "2·10⁻⁷"]


def test_the_plot_widget_is_named_loss_plot_for_export_and_presentation(plot):
    assert plot.findChild(pg.PlotWidget, "loss_plot") is plot.plot


def test_the_legend_sits_above_the_curves_in_as_many_columns_as_fit(plot, qtbot):
    history = plot.model.session.history
    fill(history, 400, 100)
    history.test_losses[:] = [0.5] * 4
    history.train_accuracies[:] = history.test_accuracies[:] = [0.75] * 4
    plot.refresh()
    names = [label.text for _, label in plot.legend.items]
    assert {"validation C", "test C", "training accuracy", "test accuracy"} <= set(names) and len(names) == 6
    item = plot.plot.getPlotItem()
    columns = {}
    for width in (900, 420):
        plot.resize(width, 400)
        qtbot.waitUntil(lambda width=width: plot.plot.width() <= width)
        qtbot.wait(50)  # the plot lays itself out again
        legend = plot.legend.sceneBoundingRect()
        for curves in (plot.view, plot.accuracy_view, item.getAxis("top")):
            assert not legend.intersects(curves.sceneBoundingRect()), width  # never over a curve or a tick
        assert 0 <= legend.left() and legend.right() <= plot.plot.width() and legend.top() >= 0
        columns[width] = plot.legend.columnCount
    assert columns[900] == 6 and 1 < columns[420] < 6  # one row when there is room; else wrapped


def test_round_bounds_step_a_fifth_to_a_quarter_apart():
    assert [round_up(v) for v in (100, 101, 121, 999, 1000, 1001)] == [100, 120, 150, 1000, 1000, 1200]
    assert round_bounds(1, 3100, 0.013, 0.7, log_y=True) == ((1, 4000), (10**-2, 1.0))  # quarter decades
    (_, _), (lo, hi) = round_bounds(1, 500, 0.12, 0.93, log_y=False)
    assert (lo, hi) == (pytest.approx(0.1), pytest.approx(0.95))


def test_a_followed_run_keeps_its_axes_until_the_data_outgrows_them(plot, qtbot):
    def settled_range() -> list[list[float]]:
        """The view's range once painting and laying out have stopped moving it."""
        last = None
        for _ in range(40):
            qtbot.wait(25)
            now = plot.view.viewRange()
            if now == last:
                return now
            last = now
        return now

    history = plot.model.session.history
    fill(history, 1010, 100)
    plot.refresh()
    before = settled_range()  # the legend and the axes have found their sizes
    axis = plot.plot.getPlotItem().getAxis("bottom")
    laid_out = []
    generate = axis.generateDrawSpecs
    axis.generateDrawSpecs = lambda painter: laid_out.append(1) or generate(painter)
    for steps in (1050, 1100, 1190):  # snapshots of a run: more steps, lower losses
        fill(history, steps, 100)
        plot.refresh()
        assert settled_range() == before and not laid_out
        assert before[0][0] <= 1 and before[0][1] >= steps  # every step in view
    fill(history, 1300, 100)
    plot.refresh()
    settled_range()
    assert plot.view.viewRange()[0][1] > before[0][1] >= 1200 and laid_out  # outgrown: the next round bound


def test_the_header_keeps_its_controls_apart(plot, qtbot):
    """The header is a layout inside the plot's, whose spacing is 2 px: "Log scale" ran into "Follow"."""
    from backprop_gui.ui.training.loss_plot import HEADER_SPACING

    box, button, readout = plot.log_y.geometry(), plot.follow.geometry(), plot.readout.geometry()
    assert button.left() - box.right() - 1 >= HEADER_SPACING >= 6
    assert box.left() - readout.right() - 1 >= HEADER_SPACING


def wrapped_lines(label: QLabel) -> list[str]:
    """The lines a word-wrapped ``label`` shows its text in, as Qt breaks them at its width."""
    layout = QTextLayout(label.text(), label.font())
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(label.contentsRect().width())
        lines.append(label.text()[line.textStart() : line.textStart() + line.textLength()].strip())
    layout.endLayout()
    return lines


def test_a_wrapped_readout_breaks_between_its_facts(plot, qtbot):
    font = plot.font()
    font.setPointSizeF(2 * font.pointSizeF())  # as presenting on a projector
    plot.setFont(font)
    plot.resize(round(plot.readout.fontMetrics().horizontalAdvance("No training yet — press F5") * 1.6), 400)
    qtbot.waitUntil(lambda: len(wrapped_lines(plot.readout)) == 2)
    assert wrapped_lines(plot.readout) == ["No\u00a0training\u00a0yet\u00a0—", "press\u00a0F5\u00a0to\u00a0train"]
    fill(plot.model.session.history, 1000, 100)
    plot.refresh()
    lines = wrapped_lines(plot.readout)
    assert len(lines) > 1 and lines[0].startswith("1,000\u00a0steps")
    assert "last\u00a0C\u00a0=\u00a0" in plot.readout.text()
    assert all(line.endswith("·") or line == lines[-1] for line in lines)  # each line ends between facts
