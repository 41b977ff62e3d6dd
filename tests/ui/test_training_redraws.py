"""What the full window redraws while it trains: only what a snapshot changed, and nothing costly in
one go (the graph's numbers keep their places until the run ends)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent

from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import NeuronValue
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping import network_view, neuron_map_items
from backprop_gui.ui.training import decision_map
from backprop_gui.ui.training.controller import PAUSED, TRAINING
from backprop_gui.ui.training.loss_plot import LossPlot

from window_helpers import EventCounter, discard_changes, open_window

TIMEOUT = 60_000  # ms: starting a process is slow on a busy machine


@pytest.mark.usefixtures("private_places")
def test_the_graphs_numbers_keep_their_places_while_training_and_are_placed_when_it_pauses(qtbot, monkeypatch):
    window = open_window(qtbot, load_example("xor"))
    controller, view, history = window.training_controller, window.network_view, window.model.session.history
    window.model.session.training.epochs = 1_000_000
    placings, relayouts = [], []
    place, relayout = network_view.place_edge_labels, view._relayout
    monkeypatch.setattr(network_view, "place_edge_labels", lambda *args: placings.append(1) or place(*args))
    monkeypatch.setattr(view, "_relayout", lambda: relayouts.append(1) or relayout())
    shown: list[str] = []
    window.model.changed.connect(
        lambda _what: shown.append(str({k: i.text for k, i in view.edge_label_items().items()}))
    )
    controller.continue_training()
    assert controller.state == TRAINING
    qtbot.waitUntil(lambda: history.steps > 2000 and len(set(shown)) > len(relayouts) + 2, timeout=TIMEOUT)
    # The numbers changed in their places; only a new layout (a legend grown wider) placed them afresh.
    assert len(placings) <= len(relayouts)
    placings.clear()
    controller.pause()
    assert controller.state == PAUSED and placings  # placed afresh
    discard_changes(window.session_controller)


@pytest.mark.usefixtures("private_places")
def test_the_decision_map_and_the_neuron_maps_follow_a_snapshot_in_turns_of_their_own(qtbot, monkeypatch):
    """A snapshot's redraw of the graph does not also compute the maps: each follows in its own turn."""
    window = open_window(qtbot, load_example("xor"))
    window.layout_controller.set_layout(LayoutName.TRAIN)
    window.model.set_neuron_value(NeuronValue.MAPS)
    model, history = window.model, window.model.session.history
    model.session.training.epochs = 1_000_000
    inside = [False]
    computed: list[tuple[str, bool]] = []  # (what, during the graph's redraw)
    for module, name in ((decision_map, "evaluate_grid"), (neuron_map_items, "neuron_maps")):
        original = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *a, _o=original, _n=name, **k: computed.append((_n, inside[0])) or _o(*a, **k)
        )
    network_changed = model.network_changed

    def changed(*args) -> None:
        inside[0] = True
        try:
            network_changed(*args)
        finally:
            inside[0] = False

    monkeypatch.setattr(model, "network_changed", changed)
    window.training_controller.continue_training()
    qtbot.waitUntil(lambda: history.steps > 2000 and {n for n, _ in computed} == {"evaluate_grid", "neuron_maps"},
                    timeout=TIMEOUT)  # fmt: skip
    window.training_controller.pause()
    during = [(n, d) for n, d in computed[:-2] if d]
    assert not during, during
    discard_changes(window.session_controller)


def test_a_frame_of_new_losses_paints_the_loss_plot_once(qtbot):
    """The plot follows the data: its new range is set when the data is, not found during the paint
    (which would paint the plot a second time)."""
    model = SessionModel(load_example("xor"))
    plot = LossPlot(model)
    qtbot.addWidget(plot)
    plot.resize(1400, 400)  # the read-out above the plot stays on one line
    plot.show()
    qtbot.waitExposed(plot)
    paints = EventCounter(QEvent.Type.Paint)
    plot.plot.viewport().installEventFilter(paints)
    history = model.session.history
    for frame in range(1, 11):
        history.step_losses.extend([1.0 / (frame * 300 + i) for i in range(300)])
        plot.refresh()
        qtbot.wait(60)
        if frame == 2:  # the first steps bring the legend and the axes' widths: counted from here
            paints.count = 0
    assert paints.count <= 10  # 8 frames: one each, and one more when an axis grows wider; not 2 each
