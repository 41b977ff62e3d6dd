"""View ▸ Neurons Show ▸ Maps: each hidden and output neuron drawn as its map of a_j^l over the input
plane, equal to the core's maps, with the current sample marked, following the weights."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.decision import plane_around
from backprop_gui.core.editing import SetParameter
from backprop_gui.core.graph_layout import shown_neurons
from backprop_gui.core.network import build_network
from backprop_gui.core.neuron_maps import map_resolution, neuron_maps
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import NeuronValue, Session
from backprop_gui.core.session_format import dumps, loads
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.common.colors import map_lookup_table
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping import neuron_map_items
from backprop_gui.ui.stepping.network_view import NetworkView, NeuronItem
from backprop_gui.ui.stepping.neuron_map_items import MAP_MARGIN, unit_position

from window_helpers import open_window


def core_maps(session: Session):
    network = session.network
    return neuron_maps(network, plane_around(session.data.inputs, MAP_MARGIN), map_resolution(network))


def maps_on(qtbot, session: Session):
    """``session``'s window with its neurons drawn as maps, once every drawn neuron has its map: the first
    maps are computed at once, but a relayout soon after brings new neurons whose maps come one
    recomputation interval (MIN_INTERVAL) after the first, in an event-loop turn of their own."""
    window = open_window(qtbot, session)
    window.action(ActionId.NEURON_VALUE, "maps").trigger()
    assert window.model.neuron_value == NeuronValue.MAPS
    view = window.network_view

    def every_drawn_neuron_has_its_map() -> bool:
        drawn = {(l, j) for l, shown in enumerate(view.graph_layout.shown) if l >= 1 for j in shown}
        return view.maps.maps is not None and set(view.maps.items) == drawn

    qtbot.waitUntil(every_drawn_neuron_has_its_map, timeout=2000)
    return window


def wait_for_maps_of_current_weights(qtbot, window) -> None:
    """The maps are recomputed at most every MIN_INTERVAL: wait until they follow the weights."""
    layer = window.network_view.maps
    expected = core_maps(window.model.session)
    qtbot.waitUntil(lambda: np.array_equal(layer.items[(1, 0)].values, expected.of(1, 0)), timeout=2000)


def pixel_at(window, neuron_key: tuple[int, int], unit: QPointF) -> QColor:
    """The colour drawn at ``unit`` (fractions of the plane's width and height, x_2 upwards) of a neuron's map."""
    view = window.network_view
    item = view.maps.items[neuron_key]
    rect = item.rect
    local = QPointF(rect.left() + unit.x() * rect.width(), rect.bottom() - unit.y() * rect.height())
    point = view.mapFromScene(item.mapToScene(local))
    return view.viewport().grab().toImage().pixelColor(point)


def test_the_menu_draws_every_hidden_and_output_neuron_as_its_core_map(qtbot):
    window = maps_on(qtbot, load_example("xor"))
    layer = window.network_view.maps
    expected = core_maps(window.model.session)
    assert set(layer.items) == {(1, 0), (1, 1), (2, 0)}
    for (l, j), item in layer.items.items():
        assert item.isVisible()
        np.testing.assert_array_equal(item.values, expected.of(l, j))
    assert "input plane" in window.network_view.legend.plain_text()


def test_the_legend_describes_the_maps_colours_and_each_number_stays_in_sight(qtbot):
    window = maps_on(qtbot, load_example("xor"))  # sigmoid maps: colours from 0 to 1
    view, legend = window.network_view, window.network_view.legend
    assert legend.end_texts() == ("0", "0.5", "1")
    table = map_lookup_table()
    assert legend.stops[0][1] == QColor(*table[0]) and legend.stops[-1][1] == QColor(*table[-1])
    window.model.run_to(2)  # Forward 2: every neuron has its number
    for (l, j), item in view.maps.items.items():
        neuron = item.neuron
        number = neuron.value_item
        assert neuron.beside and number.text(), (l, j)
        assert not number.sceneBoundingRect().intersects(item.sceneBoundingRect()), (l, j)  # not under its map
    inputs = [item for item in view.scene().items() if isinstance(item, NeuronItem) and item.selection.layer == 0]
    assert len(inputs) == 2 and not any(item.beside for item in inputs)  # no map there: numbers stay inside
    window.action(ActionId.NEURON_VALUE, "a").trigger()
    assert legend.end_texts()[1] == "0" and "input plane" not in legend.plain_text()
    tanh = build_network(2, [3, 1], ["tanh", "sigmoid"], seed=3)
    window.model.set_session(Session("tanh", tanh, load_example("xor").data))
    window.action(ActionId.NEURON_VALUE, "maps").trigger()
    assert legend.end_texts() == ("low", "", "high")  # layers of different ranges: each named in the text
    assert "layer 1 −1 … 1, layer 2 0 … 1" in legend.plain_text()


def test_the_pixels_inside_a_neuron_are_its_map_in_the_decision_maps_colours(qtbot):
    window = maps_on(qtbot, load_example("xor"))
    maps = core_maps(window.model.session)
    table = map_lookup_table()
    resolution = maps.resolution
    for l, j in ((1, 0), (1, 1), (2, 0)):
        lo, hi = maps.levels[l]
        for row, column in ((resolution // 2, resolution // 4), (resolution // 3, 3 * resolution // 4)):
            unit = QPointF((column + 0.5) / resolution, (row + 0.5) / resolution)
            value = maps.of(l, j)[row, column]
            want = [int(c) for c in table[int(np.clip(np.rint((value - lo) / (hi - lo) * 255), 0, 255))]]
            got = pixel_at(window, (l, j), unit)
            assert abs(got.red() - want[0]) + abs(got.green() - want[1]) + abs(got.blue() - want[2]) < 40, (l, j)


def test_turning_maps_off_shows_the_plain_neurons_again(qtbot):
    window = maps_on(qtbot, load_example("xor"))
    window.model.step()  # Forward 1: the neurons of layer 1 have a colour of their own
    window.action(ActionId.NEURON_VALUE, "a").trigger()
    assert not any(item.isVisible() for item in window.network_view.maps.items.values())
    fill = window.network_view.maps.items[(1, 0)].neuron.brush().color()
    assert pixel_at(window, (1, 0), QPointF(0.5, 0.85)) == fill
    assert "input plane" not in window.network_view.legend.plain_text()


def test_the_current_sample_is_marked_on_every_map(qtbot):
    window = maps_on(qtbot, load_example("xor"))
    layer = window.network_view.maps
    for sample in (0, 2):
        window.model.select_sample(sample)
        where = unit_position(layer.maps.plane, window.model.session.data.inputs[sample])
        assert all(item.marker == where for item in layer.items.values())
        white = pixel_at(window, (2, 0), where)
        assert min(white.red(), white.green(), white.blue()) > 200  # the marker's white dot


def test_the_maps_follow_an_update_and_an_edit(qtbot):
    window = maps_on(qtbot, load_example("xor"))
    layer = window.network_view.maps
    before = layer.items[(1, 0)].values.copy()
    window.model.run_to_end()  # the pass's Update changes the weights
    wait_for_maps_of_current_weights(qtbot, window)
    assert not np.array_equal(layer.items[(1, 0)].values, before)
    window.session_controller.push(SetParameter(1, 0, 0, 5.0))
    wait_for_maps_of_current_weights(qtbot, window)
    assert window.model.session.network.layer(1).weights[0, 0] == 5.0


def test_recomputations_are_at_least_the_minimum_interval_apart(qtbot):
    window = maps_on(qtbot, load_example("xor"))
    layer = window.network_view.maps
    times = []
    original = neuron_map_items.neuron_maps

    def timed(*args, **kwargs):
        times.append(time.perf_counter())
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(neuron_map_items, "neuron_maps", timed)
        for step in range(5):  # new weights, as training's snapshots bring them
            network = window.model.session.network
            network.layers[0].weights = network.layers[0].weights + 0.01 * (step + 1)
            window.model.network_changed()
        wait_for_maps_of_current_weights(qtbot, window)
    assert all(b - a >= neuron_map_items.MIN_INTERVAL * 0.99 for a, b in zip(times, times[1:], strict=False))
    assert layer.compute_seconds < 0.1


def test_hovering_a_neuron_shows_its_larger_map(qtbot):
    window = maps_on(qtbot, load_example("xor"))
    view = window.network_view
    item = view.maps.items[(1, 1)]
    centre = view.mapFromScene(item.mapToScene(item.rect.center()))
    qtbot.mouseMove(view.viewport(), centre)
    qtbot.waitUntil(lambda: view.maps.popup.isVisible())
    popup = view.maps.popup
    assert popup.key == (1, 1) and popup.image == item.image
    assert "over the input plane" in popup.title.toPlainText()
    box = view.mapFromScene(popup.mapToScene(popup.map_rect()).boundingRect()).boundingRect()
    assert box.width() >= 150 and view.viewport().rect().contains(box)
    qtbot.mouseMove(view.viewport(), QPoint(5, 5))
    qtbot.waitUntil(lambda: not view.maps.popup.isVisible())


def test_an_elided_layer_maps_only_the_neurons_drawn(qtbot):
    network = build_network(2, [30, 1], ["tanh", "sigmoid"], seed=3)
    data = Dataset(np.random.default_rng(0).uniform(-1, 1, (20, 2)), np.zeros((20, 1)))
    window = maps_on(qtbot, Session("wide", network, data))
    layer, drawn = window.network_view.maps, window.network_view.graph_layout.shown[1]
    assert len(drawn) < 30 and set(drawn) <= set(shown_neurons(30))
    assert {j for l, j in layer.items if l == 1} == set(drawn)
    assert layer.maps.values[1].shape[0] == len(drawn)
    np.testing.assert_array_equal(layer.items[(1, 29)].values, core_maps(window.model.session).of(1, 29))


def test_without_two_inputs_the_menu_item_is_disabled_and_says_why(qtbot):
    network = build_network(3, [2, 1], ["tanh", "sigmoid"])
    window = open_window(qtbot, Session("three inputs", network, Dataset(np.zeros((2, 3)), np.zeros((2, 1)))))
    action = window.action(ActionId.NEURON_VALUE, "maps")
    assert not action.isEnabled()
    assert "2 inputs" in action.toolTip() and "n₀ = 3" in action.toolTip()
    window.model.set_neuron_value(NeuronValue.MAPS)  # as a saved view may ask
    assert not window.network_view.maps.items
    window.model.set_session(load_example("xor"))
    assert action.isEnabled() and "input plane" in action.toolTip()


def test_maps_are_saved_in_the_sessions_view_and_reopen(qtbot):
    window = maps_on(qtbot, load_example("xor"))
    text = dumps(window.model.snapshot())
    again = open_window(qtbot, loads(text))
    assert again.model.neuron_value == NeuronValue.MAPS
    assert again.action(ActionId.NEURON_VALUE, "maps").isChecked()
    assert set(again.network_view.maps.items) == {(1, 0), (1, 1), (2, 0)}


def test_numbers_beside_circles_too_small_for_any_set_no_empty_font(qtbot, qtlog):
    """A crowded graph with maps (2-8-8-1 in the Train layout's short view) draws every number beside its
    circle, where none would fit inside: no font is sized to that share of 0 (Qt warned "Point size <= 0"
    at every relayout), and the numbers keep the graph's font."""
    network = build_network(2, [8, 8, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    session = Session("moons", network, Dataset(np.random.default_rng(0).uniform(-1, 1, (20, 2)), np.zeros((20, 1))))
    view = NetworkView(SessionModel(session))
    qtbot.addWidget(view)
    view.resize(1005, 290)
    view.show()
    qtbot.waitExposed(view)
    view.model.set_neuron_value(NeuronValue.MAPS)
    layout = view.graph_layout
    assert layout.numbers_beside and layout.inside_font_share == 0  # the case that warned
    assert not [r.message for r in qtlog.records if "Point size" in r.message]
    neuron = view.items_for(Selection(1, 0))[0]
    assert neuron.value_item.font().pointSizeF() == view.item_font().pointSizeF()
