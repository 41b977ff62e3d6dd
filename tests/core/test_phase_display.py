"""What the graph shows at each phase: the neurons' quantity and the neurons and edges that glow."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_gui.core.network import build_network
from backprop_gui.core.phase_display import computed_in, current_work, neuron_quantity
from backprop_gui.core.stepper import Phase, PhaseStep, Quantity, Stepper


def stepper() -> Stepper:
    """2 inputs, 3 then 2 sigmoid neurons; phases 0 Forward 1, 1 Forward 2, 2 Loss, 3 Backward 2,
    4 Backward 1, 5 Update."""
    network = build_network(2, [3, 2], ["sigmoid", "sigmoid"], seed=0)
    return Stepper(network, np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]]), 0.5)


ALL = [[0, 1], [0, 1, 2], [0, 1]]  # every neuron drawn


def test_auto_shows_activations_going_forward_and_deltas_going_back():
    s = stepper()
    assert neuron_quantity(s, "auto") is Quantity.ACTIVATION  # nothing computed yet
    s.run_to(2)  # Loss
    assert neuron_quantity(s, "auto") is Quantity.ACTIVATION
    s.step_into()  # Backward 2, output neuron 1
    assert neuron_quantity(s, "auto") is Quantity.DELTA
    s.run_to_end()  # Update
    assert neuron_quantity(s, "auto") is Quantity.DELTA


@pytest.mark.parametrize(("value", "quantity"), [("z", Quantity.WEIGHTED_INPUT), ("a", Quantity.ACTIVATION)])
def test_a_chosen_quantity_is_shown_in_every_phase(value, quantity):
    s = stepper()
    s.run_to(3)  # Backward 2
    assert neuron_quantity(s, value) is quantity
    assert neuron_quantity(s, "delta") is Quantity.DELTA


def test_an_unknown_neuron_value_is_refused():
    with pytest.raises(ValueError, match="neuron value must be"):
        neuron_quantity(stepper(), "weights")


def test_a_whole_forward_phase_glows_with_the_edges_into_it():
    s = stepper()
    assert current_work(s, ALL) == (set(), set())
    s.run_to(0)  # Forward 1 complete
    neurons, edges = current_work(s, ALL)
    assert neurons == {(1, j) for j in range(3)}
    assert edges == {(1, j, k) for j in range(3) for k in range(2)}


def test_one_revealed_neuron_glows_with_its_edges():
    s = stepper()
    s.run_to(0)
    s.step_into()  # Forward 2, neuron 1
    assert current_work(s, ALL) == ({(2, 0)}, {(2, 0, k) for k in range(3)})


def test_loss_glows_the_outputs_only_and_backward_the_edges_in_and_out():
    s = stepper()
    s.run_to(2)  # Loss
    assert current_work(s, ALL) == ({(2, 0), (2, 1)}, set())
    s.run_to(4)  # Backward 1: δ^1 from w^2 and δ^2; ∂C/∂w^1
    neurons, edges = current_work(s, ALL)
    assert neurons == {(1, j) for j in range(3)}
    assert edges == {(1, j, k) for j in range(3) for k in range(2)} | {(2, i, j) for i in range(2) for j in range(3)}
    s.run_to(5)  # Update: every weight at once
    assert current_work(s, ALL) == (set(), set())


def test_only_drawn_neurons_and_edges_glow():
    s = stepper()
    s.run_to(0)
    shown = [[1], [0, 2], [1]]
    neurons, edges = current_work(s, shown)
    assert neurons == {(1, 0), (1, 2)} and edges == {(1, 0, 1), (1, 2, 1)}
    s.step_into()  # Forward 2, neuron 1: not drawn
    assert current_work(s, shown) == (set(), set())
    s.step_into()  # Forward 2 complete
    assert current_work(s, shown) == ({(2, 1)}, {(2, 1, 0), (2, 1, 2)})


@pytest.mark.parametrize(
    ("quantity", "layer", "phase"),
    [
        (Quantity.WEIGHTED_INPUT, 2, PhaseStep(Phase.FORWARD, 2)),
        (Quantity.ACTIVATION, 1, PhaseStep(Phase.FORWARD, 1)),
        (Quantity.LOSS, 0, PhaseStep(Phase.LOSS)),
        (Quantity.OUTPUT_GRADIENT, 0, PhaseStep(Phase.LOSS)),
        (Quantity.DELTA, 1, PhaseStep(Phase.BACKWARD, 1)),
        (Quantity.GRAD_WEIGHTS, 2, PhaseStep(Phase.BACKWARD, 2)),
        (Quantity.NEW_BIASES, 1, PhaseStep(Phase.UPDATE)),
        (Quantity.INPUT, 0, None),
        (Quantity.TARGET, 0, None),
    ],
)
def test_each_quantity_is_computed_in_its_phase(quantity, layer, phase):
    assert computed_in(quantity, layer) == phase
