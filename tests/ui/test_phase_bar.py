"""The phase bar marks the current phase, shows partial progress, and runs to a clicked phase."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.layouts import LAYOUTS, LayoutName, Side
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping.phase_bar import START, PhaseBar, PhaseState


def session(sizes: list[int], activations: list[str]) -> Session:
    network = build_network(2, sizes, activations, seed=3)
    rng = np.random.default_rng(0)
    return Session("bar", network, Dataset(rng.normal(size=(3, 2)), rng.uniform(size=(3, sizes[-1]))))


@pytest.fixture
def bar(qtbot) -> PhaseBar:
    bar = PhaseBar(SessionModel(session([3, 2], ["tanh", "sigmoid"])))
    qtbot.addWidget(bar)
    bar.resize(1200, 48)
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def states(bar: PhaseBar) -> list[PhaseState]:
    return [button.state for button in bar.buttons]


def test_one_button_per_phase_after_start(bar):
    labels = [button.text() for button in bar.buttons]
    assert labels == ["Start", "Forward 1", "Forward 2", "Loss", "Backward 2", "Backward 1", "Update"]
    assert bar.current_index() == START
    assert states(bar) == [PhaseState.CURRENT] + [PhaseState.PENDING] * 6


def test_clicking_a_phase_runs_to_it(bar, qtbot):
    model = bar.model
    qtbot.mouseClick(bar.button(2), Qt.MouseButton.LeftButton)  # Loss
    assert model.stepper.position == 3
    assert bar.current_index() == 2
    assert states(bar) == [PhaseState.DONE] * 3 + [PhaseState.CURRENT] + [PhaseState.PENDING] * 3
    qtbot.mouseClick(bar.button(0), Qt.MouseButton.LeftButton)  # back to Forward 1
    assert model.stepper.position == 1
    assert states(bar)[:3] == [PhaseState.DONE, PhaseState.CURRENT, PhaseState.PENDING]
    qtbot.mouseClick(bar.button(START), Qt.MouseButton.LeftButton)
    assert model.stepper.position == 0
    assert bar.current_index() == START


def test_current_marker_follows_step_and_step_back(bar):
    model = bar.model
    for expected in range(len(model.stepper.phases)):
        model.step()
        assert bar.current_index() == expected
        assert bar.button(expected).state is PhaseState.CURRENT
    for expected in range(len(model.stepper.phases) - 2, START - 1, -1):
        model.step_back()
        assert bar.current_index() == expected
        assert bar.button(expected).state is PhaseState.CURRENT


def test_stepping_into_a_phase_shows_its_progress(bar):
    model = bar.model
    model.step_into()
    button = bar.button(0)
    assert button.state is PhaseState.PARTIAL
    assert button.progress == (1, 3)
    assert button.shown_text() == "Forward 1 1/3"
    model.step_into()
    assert button.progress == (2, 3)
    model.step_into()
    assert button.state is PhaseState.CURRENT
    assert bar.button(1).state is PhaseState.PENDING


def test_narrow_bars_wrap_then_use_short_labels(bar):
    assert bar.button(0).shown_text() == "Forward 1"
    width = bar.button(0).fontMetrics().horizontalAdvance("Forward")
    bar.resize(round(width * 1.3 + 16) * len(bar.buttons), bar.height())
    assert bar.button(0).shown_text() == "Forward\n1"
    bar.resize(240, 48)  # below the buttons' minimum width: "Backward" no longer fits on a line
    assert bar.button(4).shown_text() == "B1"


def test_the_current_phase_keeps_its_label_on_one_line_in_the_regular_weight_rather_than_broken(bar):
    """Bold, "Backward 1" is wider than the other buttons' labels: where only the regular weight fits
    (a 1024-px projector), the current phase's label stays whole on one line, marked by its fill."""
    from PySide6.QtGui import QFontMetricsF

    bar.model.run_to(4)  # Backward 1
    button = bar.button(4)
    assert button.state is PhaseState.CURRENT
    bold = button.label()[0]
    regular = QFontMetricsF(button.font()).horizontalAdvance("Backward 1")
    assert QFontMetricsF(bold).horizontalAdvance("Backward 1") > regular and bold.bold()
    needs = QFontMetricsF(bold).horizontalAdvance("Backward 1")
    for width in range(round(needs + 16) * len(bar.buttons) + 80, 0, -4):  # narrower until bold no longer fits
        bar.resize(width, bar.height())
        bar.layout().activate()
        if button.width() - 16 < needs:
            break
    assert regular <= button.width() - 16 < needs
    font, text = button.label()
    assert text == "Backward 1" and not font.bold()
    assert bar.button(3).label() == (bar.button(3)._font(), "Backward 2")  # the others as they were


def test_a_deep_networks_bar_fits_a_projector_beside_the_docks_with_every_label_whole(qtbot):
    """Four layers make eleven buttons: at their least each is as wide as "B00" or "00/00", the
    progress under the short label, so the bar leaves a 1024-px window's right-hand docks their share
    (each button had been as wide as "B00 00/00": 900 px in all, and the window grew past the screen)."""
    from PySide6.QtGui import QFontMetricsF

    deep = PhaseBar(SessionModel(session([16, 16, 16, 1], ["tanh", "tanh", "tanh", "sigmoid"])))
    qtbot.addWidget(deep)
    assert len(deep.buttons) == 11
    right = LAYOUTS[LayoutName.STEP].side_depth(Side.RIGHT)  # the Step layout's share for the right-hand docks
    assert deep.minimumSizeHint().width() <= (1 - right) * 1024
    deep.resize(deep.minimumSizeHint().width(), deep.sizeHint().height())
    deep.show()
    qtbot.waitExposed(deep)
    deep.model.step_into()  # neuron 1 of 16 of Forward 1
    first = deep.button(0)
    assert first.state is PhaseState.PARTIAL and first.shown_text() == "F1\n1/16"
    for button in deep.buttons:
        font, text = button.label()
        metrics = QFontMetricsF(font)
        lines = text.split("\n")
        assert all(metrics.horizontalAdvance(line) <= button.width() - 12 for line in lines), lines
        assert len(lines) * metrics.lineSpacing() <= button.height()


def test_buttons_never_take_keyboard_focus(bar):
    assert all(button.focusPolicy() == Qt.FocusPolicy.NoFocus for button in bar.buttons)


def test_tooltips_explain_each_phase(bar):
    assert "z<sup>2</sup> = w<sup>2</sup> a<sup>1</sup> + b<sup>2</sup>" in bar.button(1).toolTip()
    assert "sigmoid(z<sup>2</sup>)" in bar.button(1).toolTip()
    assert "δ<sup>1</sup> = ((w<sup>2</sup>)ᵀ δ<sup>2</sup>) ⊙ tanh′(z<sup>1</sup>)" in bar.button(4).toolTip()
    assert "C = ½ Σ<sub>j</sub>" in bar.button(2).toolTip()
    assert f"(η = {bar.model.stepper.learning_rate:g})" in bar.button(5).toolTip()


def test_a_deeper_network_gets_more_buttons(bar):
    bar.model.set_session(session([4, 4, 1], ["relu", "relu", "linear"]))
    assert len(bar.buttons) == 1 + 3 + 1 + 3 + 1
    assert bar.button(3).text() == "Loss"


def test_phases_to_come_read_well_on_a_dark_palette(bar):
    palette = QPalette(bar.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#303030"))
    bar.setPalette(palette)
    image = bar.button(len(bar.model.stepper.phases) - 1).grab().toImage()  # Update: pending
    lightest = max(image.pixelColor(x, y).lightness() for x in range(image.width()) for y in range(image.height()))
    assert lightest > 150  # its label is light on the dark base, not dark on dark


def _red_pixels(button) -> int:
    image = button.grab().toImage()
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if (c := image.pixelColor(x, y)).red() > 180 and c.green() < 80 and c.blue() < 80
    )


def test_breakpoints_are_marked_with_a_red_dot_and_say_how_to_remove_them(bar, qtbot):
    bar.model.state.set_breakpoints(BreakpointSettings(phases={1, 3}))
    marked = [button.index for button in bar.buttons if button.breakpoint]
    assert marked == [1, 3]
    for index in range(-1, len(bar.model.stepper.phases)):
        button = bar.button(index)
        assert (_red_pixels(button) > 10) == (index in (1, 3)), button.text()
        assert ("breakpoint (F9 to remove)" in button.toolTip()) == (index in (1, 3))
    bar.model.step()  # the marks stay as the pass moves, on the current phase as well
    qtbot.mouseClick(bar.button(1), Qt.MouseButton.LeftButton)
    assert bar.current_index() == 1 and bar.button(1).breakpoint
    assert _red_pixels(bar.button(1)) > 10
    bar.model.state.set_breakpoints(BreakpointSettings())
    assert not any(button.breakpoint for button in bar.buttons)
    assert "breakpoint" not in bar.button(3).toolTip()


def test_breakpoints_survive_a_rebuild_of_the_bar(bar):
    bar.model.state.set_breakpoints(BreakpointSettings(phases={0, 4}))
    bar.model.session.network = build_network(2, [4, 4, 2], ["relu", "relu", "linear"], seed=0)
    bar.model.network_changed()  # an edit added a layer: more phases, the marks stay where they were
    assert [button.index for button in bar.buttons if button.breakpoint] == [0, 4]
