"""Edge labels by phase and mode, the colour scales, and label placement without overlaps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_gui.core.colour_scale import (
    ColourScale,
    ScaleMode,
    nice_ceiling,
    pass_limit,
    pass_values,
    symmetric_limit,
)
from backprop_gui.core.edge_labels import EdgeLabelKind, EdgeLabelMode, edge_labels, layer_kinds
from backprop_gui.core.formatting import format_number
from backprop_gui.core.geometry import Box
from backprop_gui.core.label_placement import LabelRequest, candidates, place_labels, segment_crosses
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.stepper import Phase, Quantity, Stepper


def _stepper(name: str = "course_simple") -> Stepper:
    s = load_example(name)
    return Stepper(s.network, s.data.inputs, s.data.targets, s.training.learning_rate)


def _label(stepper: Stepper, mode: EdgeLabelMode, l: int, j: int = 0, k: int = 0) -> str | None:
    labels = edge_labels(stepper, mode).get(l)
    if labels is None or not labels.known[j, k]:
        return None
    return labels.text(j, k, lambda v: format_number(v, 4))


def test_auto_labels_follow_the_phase_weights_then_gradients_then_old_to_new():
    stepper = _stepper()
    assert (_label(stepper, EdgeLabelMode.AUTO, 1), _label(stepper, EdgeLabelMode.AUTO, 2)) == ("0.01", "−5")
    for _ in range(3):  # Forward 1, Forward 2, Loss
        stepper.step()
        assert layer_kinds(stepper, EdgeLabelMode.AUTO) == {1: EdgeLabelKind.WEIGHT, 2: EdgeLabelKind.WEIGHT}
    stepper.step()  # Backward 2
    assert (_label(stepper, EdgeLabelMode.AUTO, 1), _label(stepper, EdgeLabelMode.AUTO, 2)) == ("0.01", "−0.004162")
    stepper.step()  # Backward 1: both homework gradients on the edges
    assert (_label(stepper, EdgeLabelMode.AUTO, 1), _label(stepper, EdgeLabelMode.AUTO, 2)) == ("2.081", "−0.004162")
    stepper.step()  # Update
    assert stepper.current.phase is Phase.UPDATE
    assert _label(stepper, EdgeLabelMode.AUTO, 1) == "0.01 → −1.03"
    assert edge_labels(stepper, EdgeLabelMode.AUTO)[1].quantity is Quantity.NEW_WEIGHTS


def test_the_modes_weights_gradients_and_off():
    stepper = _stepper("xor")
    assert _label(stepper, EdgeLabelMode.GRADIENTS, 1) is None  # not known yet: no label
    assert _label(stepper, EdgeLabelMode.WEIGHTS, 2) == format_number(stepper.weights_before(2)[0][0, 0], 4)
    assert edge_labels(stepper, EdgeLabelMode.OFF) == {}
    stepper.run_to(stepper.phases.index(stepper.phases[-2]))  # Backward 1
    for mode in (EdgeLabelMode.AUTO, EdgeLabelMode.GRADIENTS):
        grads = stepper.value(Quantity.GRAD_WEIGHTS, 1).values
        assert _label(stepper, mode, 1, 1, 0) == format_number(grads[1, 0], 4)
    assert layer_kinds(stepper, EdgeLabelMode.WEIGHTS)[1] is EdgeLabelKind.WEIGHT


def test_stepping_into_a_backward_layer_labels_only_the_neurons_computed():
    stepper = _stepper("xor")
    L = stepper.network.depth
    stepper.run_to(L + 1)  # through Backward L (phases: Forward 1..L, Loss, Backward L, …)
    stepper.step_into()  # the first neuron of Backward L − 1
    labels = edge_labels(stepper, EdgeLabelMode.AUTO)[1]
    assert labels.known[0].all() and not labels.known[1:].any()


def test_the_per_pass_scale_is_one_nice_number_from_start_to_update():
    for name in example_names():
        stepper = _stepper(name)
        scale = ColourScale()
        limits = []
        while True:
            for q in (Quantity.ACTIVATION, Quantity.DELTA, Quantity.GRAD_WEIGHTS, Quantity.NEW_WEIGHTS):
                limits.append(scale.limit(stepper, q, np.array([np.nan])))
            if stepper.at_end:
                break
            stepper.step()
        assert limits == limits[:4] * (len(limits) // 4), name
        for q, limit in zip((Quantity.ACTIVATION, Quantity.DELTA), limits, strict=False):
            assert limit >= np.abs(pass_values(stepper, q)).max()


def test_the_per_pass_limit_kept_for_a_pass_is_the_one_its_values_give_and_a_new_pass_has_its_own():
    stepper = _stepper("course_simple")
    for move in (stepper.step, stepper.run_to_end, stepper.next_batch, stepper.restart, stepper.step):
        move()
        for q in (Quantity.ACTIVATION, Quantity.WEIGHTED_INPUT, Quantity.DELTA, Quantity.NEW_WEIGHTS):
            assert pass_limit(stepper, q) == nice_ceiling(symmetric_limit(pass_values(stepper, q)))
    before = pass_limit(stepper, Quantity.NEW_WEIGHTS)
    stepper.network.layer(1).weights = stepper.network.layer(1).weights * 100  # an edit, then a new pass
    stepper.restart()
    assert pass_limit(stepper, Quantity.NEW_WEIGHTS) > before


def test_a_sigmoid_output_of_one_half_is_not_saturated_per_pass():
    stepper = _stepper("xor")
    limit = ColourScale().limit(stepper, Quantity.ACTIVATION, np.array([0.5]))
    assert limit == 1.0  # x and a lie in [0, 1]: 0.5 is half way, not the end of the scale
    assert ColourScale(ScaleMode.PHASE).limit(stepper, Quantity.ACTIVATION, np.array([0.5, np.nan])) == 0.5
    assert ColourScale(ScaleMode.FIXED, 2.5).limit(stepper, Quantity.ACTIVATION, np.array([9.0])) == 2.5
    assert ColourScale(ScaleMode.FIXED, 2.5).name == "fixed ±2.5" and ColourScale().name == "per pass"


def test_scale_helpers_and_bad_input():
    assert [nice_ceiling(v) for v in (0.24, 0.5, 3, 7, 1e-3, 0, float("nan"))] == [0.5, 0.5, 5, 10, 1e-3, 1, 1]
    assert symmetric_limit(np.array([np.nan, -3.0, 2.0])) == 3.0 and symmetric_limit(np.array([np.nan])) == 1.0
    with pytest.raises(ValueError, match="positive v"):
        ColourScale(ScaleMode.FIXED, 0.0)
    with pytest.raises(ValueError, match="no colour scale for"):
        pass_values(_stepper(), Quantity.LOSS)


def test_the_first_try_is_the_middle_of_the_edge():
    first = next(iter(candidates(LabelRequest("a", (0, 0), (100, 0), 20, 10))))
    assert first == Box(40, -5, 20, 10)


boxes = st.builds(
    lambda x, y, w, h: Box(x, y, w, h),
    st.floats(0, 300),
    st.floats(0, 300),
    st.floats(5, 60),
    st.floats(5, 30),
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 400), st.floats(0, 400), st.floats(0, 400), st.floats(0, 400)), max_size=40),
    st.lists(boxes, max_size=8),
)
def test_placed_labels_never_overlap_each_other_or_an_obstacle(edges, obstacles):
    requests = [
        LabelRequest(i, (x0, y0), (x1, y1), 30, 12, importance=i % 3) for i, (x0, y0, x1, y1) in enumerate(edges)
    ]
    bounds = Box(-50, -50, 500, 500)
    placed = place_labels(requests, obstacles, bounds)
    shown = list(placed.values())
    for i, a in enumerate(shown):
        assert a.inside(bounds)
        assert not any(a.intersects(o) for o in obstacles)
        assert not any(a.intersects(b) for b in shown[i + 1 :])


def test_when_space_runs_out_the_least_important_label_gives_way():
    same = [LabelRequest(name, (0, 0), (10, 0), 40, 12, importance) for name, importance in (("low", 0), ("high", 5))]
    placed = place_labels(same, bounds=Box(-25, -10, 50, 20))
    assert list(placed) == ["high"]


def test_a_label_keeps_off_the_other_edges_where_it_can():
    edges = [("down", (0, 0), (100, 100)), ("up", (0, 100), (100, 0))]  # an X crossing at (50, 50)
    requests = [LabelRequest(key, start, end, 16, 8) for key, start, end in edges]
    placed = place_labels(requests, edges=edges)
    assert set(placed) == {"down", "up"}
    for key, box in placed.items():
        other = next(e for e in edges if e[0] != key)
        assert not segment_crosses(box, other[1], other[2]), key
    assert segment_crosses(Box(45, 45, 10, 10), (0, 0), (100, 100))
    assert not segment_crosses(Box(0, 60, 10, 10), (0, 0), (100, 100))
