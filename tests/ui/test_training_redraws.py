"""What the full window redraws while it trains: only what a snapshot changed, and nothing costly in
one go (the graph's numbers keep their places until the run ends)."""

from __future__ import annotations

import pytest

from backprop_gui.core.presets import load_example
from backprop_gui.ui.stepping import network_view
from backprop_gui.ui.training.controller import PAUSED, TRAINING

from window_helpers import discard_changes, open_window

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
    assert controller.state == PAUSED and len(placings) == 1
    discard_changes(window.session_controller)
