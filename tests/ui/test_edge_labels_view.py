"""Numbers on the graph's edges: by phase and mode, never overlapping, the colour scale of a pass,
and the chain-rule path lit."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from backprop_gui.core.chain import chain_rule
from backprop_gui.core.colour_scale import ColourScale, ScaleMode
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.edge_labels import EdgeLabelMode
from backprop_gui.core.geometry import Box
from backprop_gui.core.label_placement import CLEAR_MARGIN, distance_to_segment, segment_crosses
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.session import Session
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping import network_view
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.network_view import NetworkView

pytestmark = pytest.mark.usefixtures("private_places")


def wide_session() -> Session:
    network = build_network(784, [64, 10], ["relu", "softmax"], loss="cross_entropy", seed=1)
    inputs = np.random.default_rng(0).uniform(0, 1, (2, 784))
    return Session("wide", network, Dataset(inputs, np.eye(10)[[3, 7]]))


@pytest.fixture
def make_view(qtbot):
    def make(session: Session, size: tuple[int, int] = (900, 600)) -> NetworkView:
        view = NetworkView(SessionModel(session))
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


def texts(view: NetworkView) -> dict[tuple[int, int, int], str]:
    return {key: item.text for key, item in view.edge_label_items().items()}


def test_labels_follow_the_phase_and_the_mode(make_view):
    view = make_view(load_example("course_simple"))
    model = view.model
    assert texts(view) == {(1, 0, 0): "0.01", (2, 0, 0): "−5"}
    for _ in range(5):  # Backward 1: both weight gradients of the homework
        model.step()
    assert texts(view) == {(1, 0, 0): "2.081", (2, 0, 0): "−0.004162"}
    assert "∂C/∂w" in view.legend.plain_text()
    model.state.set_edge_label_mode(EdgeLabelMode.WEIGHTS)
    assert texts(view) == {(1, 0, 0): "0.01", (2, 0, 0): "−5"}
    model.state.set_edge_label_mode(EdgeLabelMode.OFF)
    assert texts(view) == {} and "off" in view.legend.plain_text()
    model.state.set_edge_label_mode(EdgeLabelMode.GRADIENTS)
    model.step_back()  # Backward 2: layer 1's gradient is not known yet
    assert texts(view) == {(2, 0, 0): "−0.004162"}
    model.state.set_edge_label_mode(EdgeLabelMode.AUTO)
    model.run_to_end()
    assert texts(view) == {(1, 0, 0): "0.01 → −1.03", (2, 0, 0): "−5 → −4.998"}
    assert "old → new" in view.legend.plain_text()


def test_held_back_numbers_show_as_a_question_mark_until_revealed(make_view, qtbot):
    view = make_view(load_example("course_simple"))
    formula = FormulaView(view.model)
    qtbot.addWidget(formula)
    view.follow_reveal(formula)
    formula.set_ask_first(True)
    for _ in range(5):
        view.model.step()
    assert texts(view) == {(1, 0, 0): "?", (2, 0, 0): "−0.004162"}  # Backward 2's was shown a step ago
    formula.reveal()
    assert texts(view)[(1, 0, 0)] == "2.081"


def _assert_clear(view: NetworkView, where: str) -> None:
    labels = [item.sceneBoundingRect() for item in view.edge_label_items().values()]
    neurons = view.neuron_rects()
    for a, b in itertools.combinations(labels, 2):
        assert not a.intersects(b), (where, a, b)
    for label in labels:
        assert not any(label.intersects(n) for n in neurons), (where, label)
    legend = view.mapToScene(view.legend.geometry()).boundingRect()
    assert not any(label.intersects(legend) for label in labels), where


def _assert_unambiguous(view: NetworkView, where: str) -> None:
    """Each label sits on its own edge of the view's current layout, clear of its obstacles, its centre
    nearer that edge than any other (by brute force over every edge)."""
    layout = view.graph_layout
    lines = {key: ((e.start.x, e.start.y), (e.end.x, e.end.y)) for key, e in layout.edges.items()}
    for key, item in view.edge_label_items().items():
        rect = item.sceneBoundingRect()
        box = Box(rect.x(), rect.y(), rect.width(), rect.height())
        assert segment_crosses(box, *lines[key]), (where, key)
        assert not any(box.intersects(o) for o in layout.obstacles()), (where, key)
        centre = (rect.center().x(), rect.center().y())
        own = distance_to_segment(centre, *lines[key]) + CLEAR_MARGIN * rect.height()
        assert all(distance_to_segment(centre, *ends) >= own - 1e-6 for k, ends in lines.items() if k != key), where


@pytest.mark.parametrize("name", [*example_names(), "784-64-10"])
def test_no_label_overlaps_another_a_neuron_or_the_legend(make_view, name):
    session = wide_session() if name == "784-64-10" else load_example(name)
    view = make_view(session)
    model = view.model
    phases = len(model.stepper.phases)
    for position in range(phases + 1):
        if position:
            model.step()
        _assert_clear(view, f"{name} after {position} steps")
        _assert_unambiguous(view, f"{name} after {position} steps")
    model.state.set_edge_label_mode(EdgeLabelMode.WEIGHTS)
    _assert_clear(view, f"{name} weights")
    # At 900×600 the feature formulas beside 5 inputs leave no clear room between the columns: every label
    # is hidden rather than drawn over a neuron. Everywhere else some labels must show.
    assert view.edge_label_items() or name in ("784-64-10", "spirals_features")
    if name == "784-64-10":  # an elided layer labels only the selected neuron's edges
        model.set_selection(Selection(1, 2))
        labelled = view.edge_label_items()
        assert labelled and all((l, j) == (1, 2) or (l, k) == (2, 2) for l, j, k in labelled)
        _assert_clear(view, "784-64-10 selected")


def test_the_per_pass_colour_scale_stays_the_same_from_start_to_update(make_view):
    view = make_view(load_example("xor"))
    model = view.model
    limits: dict[str, set[str]] = {}  # per quantity the neurons show (the legend's first line)
    while True:
        limits.setdefault(view.legend.title_html, set()).add(view.legend.limit_text)  # per neuron quantity
        if model.stepper.at_end:
            break
        model.step()
    assert len(limits) == 2 and all(len(shown) == 1 for shown in limits.values())  # a, then δ: one scale each
    assert {"1"} in limits.values()  # x and the sigmoid outputs lie in [0, 1]: 0.5 is half way, not saturated
    model.state.set_colour_scale(ColourScale(ScaleMode.PHASE))
    assert view.legend.limit_text != "1" and "per phase" in view.legend.plain_text()
    model.state.set_colour_scale(ColourScale(ScaleMode.FIXED, 0.25))
    assert view.legend.limit_text == "0.25" and "fixed ±0.25" in view.legend.plain_text()


def test_a_chain_rule_path_lights_up_its_neurons_and_edges(make_view):
    view = make_view(load_example("blobs_softmax"))
    view.model.run_to_end()
    path = chain_rule(view.model.stepper, "weight", 1, 0, 1).paths[0]
    view.highlight_path(path)
    lit = {item.selection for item in view.items() if getattr(item, "lit", False)}
    assert {Selection(l, j, k) for l, j, k in path.edges()} <= lit
    assert Selection(1, 0) in lit
    view.highlight_path(None)
    assert not {item.selection for item in view.items() if getattr(item, "lit", False)}


def label_centres(view: NetworkView) -> dict[tuple[int, int, int], tuple[float, float]]:
    return {key: (round(item.sceneBoundingRect().center().x(), 6), round(item.sceneBoundingRect().center().y(), 6))
            for key, item in view.edge_label_items().items()}  # fmt: skip


def test_held_labels_change_their_numbers_in_place_until_released(make_view, monkeypatch):
    """Training holds the labels' places: new weights rewrite the numbers, centred where they were,
    without placing them afresh (the costly part); released, they are placed as a fresh view places them."""
    view = make_view(load_example("xor"))
    model, network = view.model, view.model.session.network
    model.state.set_edge_label_mode(EdgeLabelMode.WEIGHTS)
    before, placed = texts(view), label_centres(view)
    assert placed
    placings = []
    place = network_view.place_edge_labels
    monkeypatch.setattr(network_view, "place_edge_labels", lambda *args: placings.append(1) or place(*args))
    view.hold_label_places(True)
    for layer in network.layers:
        layer.weights = layer.weights * 1234.5  # wider numbers
    model.network_changed()
    held = texts(view)
    assert held.keys() == before.keys() and all(held[k] != before[k] for k in held)
    assert label_centres(view) == placed and not placings
    view.hold_label_places(False)
    assert placings
    fresh = make_view(load_example("xor"))
    for mine, theirs in zip(network.layers, fresh.model.session.network.layers, strict=True):
        theirs.weights = mine.weights
    fresh.model.state.set_edge_label_mode(EdgeLabelMode.WEIGHTS)
    fresh.model.network_changed()
    assert texts(view) == texts(fresh) and label_centres(view) == label_centres(fresh)


def test_after_a_resize_the_labels_are_placed_as_a_view_of_that_size_places_them(make_view, qtbot):
    """What the view kept of where labels go belongs to one layout: after a resize (a new layout) and a
    zoom (another part of the scene in view) the labels are where a fresh view puts them, clear of all."""
    view = make_view(load_example("spirals_features"), (1400, 900))
    for _ in range(6):
        view.model.step()
    before = label_centres(view)
    _assert_unambiguous(view, "large")
    view.resize(700, 380)
    qtbot.waitUntil(lambda: view.viewport().width() < 800)
    fresh = make_view(load_example("spirals_features"), (700, 380))
    for _ in range(6):
        fresh.model.step()
    assert label_centres(view) == label_centres(fresh) != before
    _assert_clear(view, "resized")
    _assert_unambiguous(view, "resized")
    view.zoom_in()
    fresh.zoom_in()
    assert label_centres(view) == label_centres(fresh)
    _assert_clear(view, "zoomed")
